"""``python -m tinysim``: price a usage file, bill a plan, find the ALB break-even.

Exit codes: 0 success, 2 bad input (each problem on its own line), 3 a sweep or ``recommend`` some of
whose points failed (each failed one says why), 4 ``recommend`` found no configuration meeting the SLO (a result,
printed with the closest configuration), 1 an unexpected failure.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import signal
import sys
import threading
from collections.abc import Sequence
from decimal import Decimal
from typing import Any, NoReturn

import pandas as pd

from models import (
    InputError,
    ModelsError,
    Plan,
    PriceBook,
    PriceMissing,
    Scenario,
    Usage,
    load_plan,
    load_price_book,
    load_scenario,
    load_usage,
)
from models.plan import Network
from models.price_regions import books_by_region, check_region, region_book, scenario_price_book
from models.prices import available_price_books
from models.regions import DEFAULT_REGION
from models.scenario import Operations, Workload
from models.validation import load_json, show_value, validate
from tinysim.assumptions import bill_assumptions
from tinysim.breakeven import SEED_CLAIM_REQUESTS, breakeven
from tinysim.calibrate import command as calibrate_command
from tinysim.costs import Bill, price_usage
from tinysim.costs.bill import usd
from tinysim.errors import NoConfigurationMeetsSlo, TinysimError
from tinysim.fluid_resolution import resolution_notes
from tinysim.focus import focus_rows, write_focus
from tinysim.options import BillOptions, RecommendOptions, SweepOptions, check_options, refuse_empty_paths
from tinysim.outputs import check_file, check_folder, write_file, write_folder
from tinysim.run_text import run_text
from tinysim.steady import SteadyLoad, steady_usage
from tinysim.tracefiles import trace_notes

__all__ = ["main"]

PROG = "tinysim"
#: Most seeds a sweep or recommendation takes, and the largest seed.
MAX_SEEDS = 10_000
MAX_SEED = 2**63 - 1
#: Exit code of a sweep that completed with some points failed.
EXIT_SOME_POINTS_FAILED = 3
#: Exit code of `recommend` when nothing in the space meets the SLO.
EXIT_NO_CONFIGURATION = 4


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def _priced(usage: Usage, book: PriceBook, ref: str | None) -> Bill:
    """The bill of ``usage`` under ``book``; a missing price names the ``--prices`` file it came from."""
    try:
        return price_usage(usage, book)
    except PriceMissing as exc:
        if ref is None or ref in available_price_books():
            raise
        raise InputError([f"--prices={ref!r}: {exc}"]) from None


def _cmd_cost(args: argparse.Namespace) -> int:
    usage = load_usage(args.usage)
    region = usage.region or DEFAULT_REGION  # a usage file without a Region is in the default one
    book = load_price_book(args.prices or region_book(region, "usage.region"), "--prices")
    check_region(book, region, args.allow_region_mismatch)
    bill = _priced(usage, book, args.prices)
    if args.focus:
        _write_focus(args.focus, focus_rows(bill, book))
    print(json.dumps(bill.as_json(), indent=2) if args.json else bill.to_text())
    return 0


def _cmd_bill(args: argparse.Namespace) -> int:
    opts = check_options(BillOptions, args)
    plan = load_plan(args.plan) if args.plan else Plan()
    region_book(plan.region)  # a Region without a book is refused
    books = [load_price_book(b, "--prices") for b in args.prices or books_by_region()[plan.region]]
    for book in books:
        check_region(book, plan.region, args.allow_region_mismatch)
    load = SteadyLoad(opts.requests_per_month, Workload())
    notes = bill_assumptions(plan, Operations(), load.workload)
    usage = steady_usage(plan, load, Operations())
    priced: list[tuple[PriceBook, Bill]] = []
    unpriced: list[PriceMissing] = []
    for book, ref in zip(books, args.prices or [None] * len(books), strict=True):
        try:
            priced.append((book, _priced(usage, book, ref).with_assumptions(notes)))
        except PriceMissing as exc:
            if args.prices or book is books[-1]:  # a book asked for, or the current one, must price the plan
                raise
            unpriced.append(exc)  # an older book may predate what the plan uses: say so, bill the rest
    bills = [bill for _, bill in priced]
    if args.focus:
        _write_focus(args.focus, focus_rows(bills[-1], priced[-1][0], account=plan.name))
    if args.json:
        print(json.dumps([b.as_json() for b in bills] + [{"price_book": e.book_id, "error": str(e)} for e in unpriced]))
        return 0
    for bill in bills:
        title = (
            f"Stack {plan.name!r}: {plan.architecture} behind {plan.front_door}, "
            f"{args.requests_per_month:,} requests/month, steady"
        )
        print(bill.to_text(title))
        print()
    for missing in unpriced:  # an older book that predates what the plan uses: a fact about it, not an error
        why = missing.reason or "a price is missing"
        print(f"note: no bill under price book {missing.book_id}: {why} (the book has no {missing.key!r})")
    return 0


def _write_focus(path: str, rows: list[dict[str, str]]) -> None:
    try:
        print(f"wrote {write_focus(path, rows)} ({len(rows):,} FOCUS 1.2 rows)", file=sys.stderr)
    except OSError as exc:
        raise InputError([f"--focus={path!r}: cannot be written ({exc.strerror or exc})"]) from None


def _cmd_breakeven(args: argparse.Namespace) -> int:
    wl = check_options(Workload, args)
    check_options(Network, args)
    book = load_price_book(args.prices, "--prices")
    results = [breakeven(api, book, wl, args.azs) for api in ("apigw-http", "apigw-rest")]
    if args.json:

        def money(d: Decimal | None) -> str | None:
            return None if d is None else str(d.quantize(Decimal("0.01")))

        print(
            json.dumps(
                {
                    "price_book": book.id,
                    "seed_claim_requests_per_month": SEED_CLAIM_REQUESTS,
                    "results": [
                        {
                            "api": r.api,
                            "requests_per_month": r.requests_per_month,
                            "alb_usd": money(r.alb_usd_at_breakeven),
                            "api_usd": money(r.api_usd_at_breakeven),
                            "seed_claim_holds": r.seed_claim_holds,
                            "at_seed_claim": {
                                "alb_usd": money(r.alb_usd_at_seed_claim),
                                "api_usd": money(r.api_usd_at_seed_claim),
                            },
                        }
                        for r in results
                    ],
                },
                indent=2,
            )
        )
        return 0
    print(
        f"ALB vs API Gateway break-even (price book {book.id}; {args.request_kb:g} KB in, "
        f"{args.response_kb:g} KB out, {args.requests_per_connection:g} requests per connection, "
        f"{args.azs} zones)"
    )
    for r in results:
        if r.requests_per_month is None or r.alb_usd_at_breakeven is None:
            print(f"  {r.api}: the ALB never becomes cheaper (searched up to 10^13 requests/month)")
            continue
        print(
            f"  {r.api}: ALB is cheaper from {r.requests_per_month:,} requests/month "
            f"(each about {usd(r.alb_usd_at_breakeven)}/month there)"
        )
        verdict = "holds" if r.seed_claim_holds else "does not hold"
        print(
            f"    at the seed's {SEED_CLAIM_REQUESTS:,}/month: ALB {usd(r.alb_usd_at_seed_claim)} vs "
            f"{r.api} {usd(r.api_usd_at_seed_claim)} -> the claim {verdict}"
        )
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from tinysim.simulate import simulate

    check_options(Scenario, args)
    if args.out:
        check_folder(args.out)
    if args.focus:
        check_file(args.focus, "--focus")
    scenario = load_scenario(args.scenario)
    updates: dict[str, object] = {}
    if args.seed is not None:
        updates["seed"] = args.seed
    if args.fidelity is not None:
        updates["fidelity"] = args.fidelity
    if updates:
        scenario = validate(Scenario, {**scenario.model_dump(exclude_none=True), **updates})
    plan = scenario.resolved_plan()
    check_region(scenario_price_book(scenario, plan), plan.region, args.allow_region_mismatch, "price_book")
    with tqdm(
        total=scenario.horizon_s,
        unit="sim-s",
        unit_scale=True,
        delay=1.0,
        file=sys.stderr,
        disable=args.quiet,
        leave=False,
    ) as bar:

        def progress(now_s: float) -> None:
            bar.update(now_s - bar.n)

        result = simulate(scenario, progress)
    for note in (*trace_notes(scenario.traffic, scenario.horizon_s), *resolution_notes(scenario)):
        print(f"{PROG}: note: {note}", file=sys.stderr)
    if args.out:
        fmt = "parquet" if args.parquet else "csv"
        for path in write_folder(args.out, lambda tmp: result.write(tmp, fmt)):
            print(f"wrote {path}", file=sys.stderr)
    if args.focus:
        frame = result.hourly_usage
        hourly = {str(c): frame[c].to_numpy() for c in frame.columns}
        _write_focus(args.focus, focus_rows(result.bill, scenario_price_book(scenario, plan), hourly, plan.name))
    if args.json:
        print(json.dumps(result.summary.as_json(), indent=2))
    else:
        print(run_text(result, plan))
    return 0


def _grid_file(path: str, what: str) -> dict[str, list[Any]]:
    data = load_json(path, what)
    if not isinstance(data, dict) or not data:
        raise InputError([f"{what}={path!r}: must be a JSON object of dotted scenario paths to lists of values"])
    for key, values in data.items():
        if not isinstance(values, list) or not values:
            raise InputError([f"{what}.{key}={show_value(values)}: must be a non-empty list of values"])
    return data


def _seeds(text: str) -> list[int]:
    where = f"--seeds={text!r}"
    if len(text) > 200_000:
        raise InputError([f"{where[:40]}...: at most {MAX_SEEDS:,} seeds"])
    try:
        listed = [int(s) for s in text.split(",") if s.strip()] if "," in text else None
        count = int(text) if listed is None else len(listed)
    except ValueError:
        raise InputError([f"{where}: must be a count (5) or a list (0,1,2)"]) from None
    if not 1 <= count <= MAX_SEEDS:
        raise InputError([f"{where}: must name from 1 to {MAX_SEEDS:,} seeds"])
    seeds = list(range(count)) if listed is None else listed
    if min(seeds) < 0 or max(seeds) > MAX_SEED:
        raise InputError([f"{where}: each seed must be from 0 to {MAX_SEED}"])
    return seeds


def _executor_arg(args: argparse.Namespace) -> str | None:
    if args.scheduler is None:
        return None if args.executor is None else str(args.executor)
    if not re.fullmatch(r"(tcp|tls|ws|wss|inproc)://[^\s/]+", args.scheduler):
        raise InputError([f"--scheduler={args.scheduler!r}: must be a Dask scheduler address like tcp://host:8786"])
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise InputError(["--scheduler: needs Dask (pip install 'tinysim[distributed]')"]) from None
    return str(args.scheduler)


def _cmd_sweep(args: argparse.Namespace) -> int:
    from tinysim.sweep import bands, seeds_agree, sweep

    opts = check_options(SweepOptions, args)
    if args.out:
        check_file(args.out)
    scenario = load_scenario(args.scenario)
    table = sweep(
        scenario,
        _grid_file(args.grid, "grid"),
        _seeds(args.seeds),
        executor=_executor_arg(args),
        slo_p99_ms=opts.slo_p99_ms,
        fidelity=args.fidelity,
        progress=not args.quiet,
        refuse_ignored=True,
    )
    result = bands(table) if args.bands else table
    if args.out:
        write_file(args.out, lambda tmp: result.to_csv(tmp, index=False))
        print(f"wrote {args.out}", file=sys.stderr)
    if args.json:
        print(result.to_json(orient="records", default_handler=str, indent=2))
    else:
        money = {c: _usd_cell for c in result.columns if str(c).startswith("monthly_usd")}
        with pd.option_context("display.width", 200, "display.max_columns", 30):
            print(result.to_string(index=False, formatters=money))
    if seeds_agree(table):
        print(
            f"{PROG}: note: every seed gave the same result for each configuration (nothing in this scenario "
            "depends on the seed), so P10 = P50 = P90",
            file=sys.stderr,
        )
    failed = table[table["error"] != ""]["config"].nunique() if "error" in table else 0
    if failed:
        configs = table["config"].nunique()
        print(f"{PROG}: {failed} of {configs} configurations failed: the error column says why", file=sys.stderr)
        return EXIT_SOME_POINTS_FAILED
    return 0


def _usd_cell(value: object) -> str:
    """A money cell of a sweep table as text: ``$1,059.68`` (blank for a failed row)."""
    if isinstance(value, Decimal):
        return usd(value)
    if isinstance(value, (int, float)) and value == value:  # not NaN
        return usd(Decimal(repr(float(value))))
    return ""


def _cmd_recommend(args: argparse.Namespace) -> int:
    from tinysim.recommend import recommend

    opts = check_options(RecommendOptions, args)
    if args.out:
        check_file(args.out)
    scenario = load_scenario(args.scenario)
    slo: dict[str, float] = {}
    if opts.p99_ms is not None:
        slo["p99_ms"] = opts.p99_ms
    if opts.availability is not None:
        slo["availability"] = opts.availability
    try:
        rec = recommend(
            scenario,
            slo,
            _grid_file(args.space, "space"),
            _seeds(args.seeds),
            opts.confidence,
            confirm=not args.no_confirm,
            executor=_executor_arg(args),
            progress=not args.quiet,
        )
    except NoConfigurationMeetsSlo as exc:  # a finding about the space, not bad input
        print(f"no configuration meets the SLO: {exc}")
        print(*(f"{PROG}: {line}" for line in exc.failed), sep="\n", end="\n" if exc.failed else "", file=sys.stderr)
        return EXIT_SOME_POINTS_FAILED if exc.failed else EXIT_NO_CONFIGURATION
    if args.out:
        text = rec.plan.model_dump_json(indent=2) + "\n"
        write_file(args.out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
        print(f"wrote {args.out}", file=sys.stderr)
    print(*(f"{PROG}: {line}" for line in rec.failed), sep="\n", end="\n" if rec.failed else "", file=sys.stderr)
    if args.json:
        print(json.dumps(rec.as_json(), indent=2, default=str))
        return EXIT_SOME_POINTS_FAILED if rec.failed else 0
    c = rec.chosen
    print(
        f"recommended: {c.values}  {usd(c.monthly_usd)}/month (median over seeds), p99 {c.p99_ms:.1f} ms and "
        f"availability {c.availability:.5f} at the chosen confidence"
    )
    for check in rec.confirmed.get("checked", []):
        print(
            f"  request-level check of {check['values']}: p99 {check['p99_ms']:.1f} ms, "
            f"availability {check['availability']:.5f} -> {'passed' if check['passed'] else 'failed'}"
        )
    if rec.runner_up is not None:
        print(f"runner-up: {rec.runner_up.values} — {rec.runner_up.reason}")
    if rec.cheaper_miss is not None:
        print(
            f"cheaper but rejected: {rec.cheaper_miss.values} ({usd(rec.cheaper_miss.monthly_usd)}) — "
            f"{rec.cheaper_miss.reason}"
        )
    return EXIT_SOME_POINTS_FAILED if rec.failed else 0


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description=__doc__.splitlines()[0] if __doc__ else PROG)
    p.add_argument("--debug", action="store_true", help="show tracebacks of unexpected failures")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    r = sub.add_parser("run", help="simulate a scenario: cost and latency over time")
    r.add_argument("scenario", help="scenario JSON file")
    r.add_argument("--json", action="store_true", help="print the summary as JSON")
    r.add_argument("--out", help="folder for timeline, events, datapoints, hourly usage, bill and summary")
    r.add_argument("--parquet", action="store_true", help="write Parquet instead of CSV with --out")
    r.add_argument("--seed", type=int, default=None)
    r.add_argument("--fidelity", choices=["request", "fluid"], default=None)
    r.add_argument("--quiet", action="store_true", help="no progress bar")
    r.add_argument(
        "--allow-region-mismatch", action="store_true", help="price with a book of another Region than the stack's"
    )
    r.add_argument("--focus", metavar="FILE.csv", help="also write the forecast as FOCUS 1.2 cost rows")
    r.set_defaults(func=_cmd_run)

    w = sub.add_parser("sweep", help="forecast every configuration of a grid x seeds")
    w.add_argument("scenario")
    w.add_argument("--grid", required=True, help="JSON: dotted scenario paths -> lists of values")
    w.add_argument("--seeds", default="1", help="a count (5) or a list (0,1,2); default 1")
    w.add_argument(
        "--executor",
        default=None,
        choices=["inprocess", "threads", "processes"],
        help="where the forecasts run (default: inprocess for --fidelity fluid, whose points run batched "
        "through a compiled kernel on every core; processes for request, one forecast per core)",
    )
    w.add_argument("--scheduler", help="a Dask scheduler address, tcp://host:8786 (needs tinysim[distributed])")
    w.add_argument("--fidelity", choices=["request", "fluid"], default=None)
    w.add_argument("--slo-p99-ms", type=float, default=None, help="adds the SLO attainment column")
    w.add_argument("--bands", action="store_true", help="P10/P50/P90 per configuration instead of every run")
    w.add_argument("--out", help="write the table as CSV")
    w.add_argument("--json", action="store_true")
    w.add_argument("--quiet", action="store_true")
    w.set_defaults(func=_cmd_sweep)

    m = sub.add_parser("recommend", help="the cheapest configuration of a space that meets an SLO")
    m.add_argument("scenario")
    m.add_argument("--space", required=True, help="JSON: dotted scenario paths -> lists of values to search")
    m.add_argument("--p99-ms", type=float, default=None)
    m.add_argument("--availability", type=float, default=None, help="share of requests served, e.g. 0.999")
    m.add_argument("--confidence", type=float, default=0.9)
    m.add_argument("--seeds", default="5")
    m.add_argument("--no-confirm", action="store_true", help="skip the request-level check of the finalists")
    m.add_argument("--executor", default="inprocess", choices=["inprocess", "threads", "processes"])
    m.add_argument("--scheduler", help="a Dask scheduler address")
    m.add_argument("--out", help="write the recommended plan.json here")
    m.add_argument("--json", action="store_true")
    m.add_argument("--quiet", action="store_true")
    m.set_defaults(func=_cmd_recommend)

    c = sub.add_parser("cost", help="price a usage file without simulating")
    c.add_argument("usage", help="usage JSON file")
    c.add_argument("--prices", default=None, help="price book id or path (default: the usage Region's current book)")
    c.add_argument("--json", action="store_true", help="print the bill as JSON")
    c.add_argument(
        "--allow-region-mismatch", action="store_true", help="price with a book of another Region than the stack's"
    )
    c.add_argument("--focus", metavar="FILE.csv", help="also write the forecast as FOCUS 1.2 cost rows")
    c.set_defaults(func=_cmd_cost)

    b = sub.add_parser("bill", help="itemised monthly bill of a plan under steady traffic")
    b.add_argument("plan", nargs="?", help="plan.json (default: the seed's stack)")
    b.add_argument("--requests-per-month", type=int, default=1_000_000)
    b.add_argument(
        "--prices", action="append", help="price book id or path; repeat for several (default: the plan Region's)"
    )
    b.add_argument("--json", action="store_true")
    b.add_argument(
        "--allow-region-mismatch", action="store_true", help="price with a book of another Region than the stack's"
    )
    b.add_argument("--focus", metavar="FILE.csv", help="also write the forecast as FOCUS 1.2 cost rows")
    b.set_defaults(func=_cmd_bill)

    e = sub.add_parser("breakeven", help="monthly volume where an ALB gets cheaper than API Gateway")
    e.add_argument("--prices", default=None)
    e.add_argument("--request-kb", type=float, default=2.0)
    e.add_argument("--response-kb", type=float, default=10.0)
    e.add_argument("--requests-per-connection", type=float, default=1.0)
    e.add_argument("--connection-s", type=float, default=1.0)
    e.add_argument("--azs", type=int, default=2)
    e.add_argument("--json", action="store_true")
    e.set_defaults(func=_cmd_breakeven)

    calibrate_command.add_parser(sub)
    return p


#: Exit code when the reader of stdout goes away: 128 + SIGPIPE, as the shell reports a piped command.
EXIT_BROKEN_PIPE = 141


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail a second time."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    if threading.current_thread() is threading.main_thread():  # loading is over: Ctrl-C raises again
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _terminate)  # `kill`, systemd, CI runners: end like Ctrl-C
    args = _parser().parse_args(argv)
    try:
        refuse_empty_paths(args, sys.argv[1:] if argv is None else argv)
        code: int = args.func(args)
        return code
    except InputError as exc:
        for problem in exc.problems:
            print(f"{PROG}: {problem}", file=sys.stderr)
        return 2
    except (ModelsError, TinysimError) as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (``tinysim bill | head -1``): stop quietly
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        if args.debug:
            raise
        print(f"{PROG}: unexpected {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return 1
