"""``python -m tinysim``: price a usage file, bill a plan, find the ALB break-even.

Exit codes: 0 success, 2 bad input (each problem on its own line), 3 ``recommend`` found no configuration
meeting the SLO, 1 an unexpected failure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any, NoReturn

import pandas as pd

from models import InputError, ModelsError, Plan, Scenario, load_plan, load_price_book, load_scenario, load_usage
from models.prices import available_price_books
from models.scenario import Operations, Workload
from models.validation import load_json, show_value, validate
from tinysim.breakeven import SEED_CLAIM_REQUESTS, breakeven
from tinysim.costs import price_usage
from tinysim.errors import NoConfigurationMeetsSlo, TinysimError
from tinysim.steady import SteadyLoad, steady_usage
from tinysim.summary import RunSummary

__all__ = ["main"]

PROG = "tinysim"
NO_CONFIGURATION = 3  # exit code of `recommend` when nothing in the space meets the SLO


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see --help)\n")


def _cmd_cost(args: argparse.Namespace) -> int:
    usage = load_usage(args.usage)
    bill = price_usage(usage, load_price_book(args.prices, "--prices"))
    print(json.dumps(bill.as_json(), indent=2) if args.json else bill.to_text())
    return 0


def _cmd_bill(args: argparse.Namespace) -> int:
    plan = load_plan(args.plan) if args.plan else Plan()
    books = args.prices or list(available_price_books())
    load = SteadyLoad(args.requests_per_month, Workload())
    bills = [price_usage(steady_usage(plan, load, Operations()), load_price_book(b, "--prices")) for b in books]
    if args.json:
        print(json.dumps([b.as_json() for b in bills], indent=2))
        return 0
    for bill in bills:
        title = (
            f"Stack {plan.name!r}: {plan.architecture} behind {plan.front_door}, "
            f"{args.requests_per_month:,} requests/month, steady"
        )
        print(bill.to_text(title))
        print()
    return 0


def _cmd_breakeven(args: argparse.Namespace) -> int:
    book = load_price_book(args.prices, "--prices")
    wl = Workload(
        request_kb=args.request_kb,
        response_kb=args.response_kb,
        requests_per_connection=args.requests_per_connection,
        connection_s=args.connection_s,
    )
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
        if r.requests_per_month is None:
            print(f"  {r.api}: the ALB never becomes cheaper (searched up to 10^13 requests/month)")
            continue
        print(
            f"  {r.api}: ALB is cheaper from {r.requests_per_month:,} requests/month "
            f"(each about ${r.alb_usd_at_breakeven:.2f}/month there)"
        )
        verdict = "holds" if r.seed_claim_holds else "does not hold"
        print(
            f"    at the seed's {SEED_CLAIM_REQUESTS:,}/month: ALB ${r.alb_usd_at_seed_claim:.2f} vs "
            f"{r.api} ${r.api_usd_at_seed_claim:.2f} -> the claim {verdict}"
        )
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from tinysim.simulate import simulate

    scenario = load_scenario(args.scenario)
    updates: dict[str, object] = {}
    if args.seed is not None:
        updates["seed"] = args.seed
    if args.fidelity is not None:
        updates["fidelity"] = args.fidelity
    if updates:
        scenario = validate(Scenario, {**scenario.model_dump(exclude_none=True), **updates})
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
    if args.out:
        for path in result.write(args.out, "parquet" if args.parquet else "csv"):
            print(f"wrote {path}", file=sys.stderr)
    if args.json:
        print(json.dumps(result.summary.as_json(), indent=2))
    else:
        print(_run_text(result.summary))
    return 0


def _run_text(s: RunSummary) -> str:
    r, lat, sc, f = s.requests, s.latency_ms, s.scaling, s.failures
    lines = [
        f"requests: {r.offered:,} offered, {r.served:,} served, {r.throttled:,} throttled, "
        f"{r.timed_out:,} timed out, {r.in_flight:,} in flight",
        f"failed: {f.total:,} ({f.front_door:,} refused by the front door, {f.lambda_throttled:,} throttled by "
        f"Lambda, {f.timed_out:,} timed out)",
    ]
    if lat.p50 is not None and lat.p95 is not None and lat.p99 is not None and lat.max is not None:
        lines.append(
            f"latency: p50 {lat.p50:.1f} ms, p95 {lat.p95:.1f} ms, p99 {lat.p99:.1f} ms, max {lat.max:.1f} ms"
        )
    lines.append(
        f"scaling: up to {sc.max_tasks} tasks, {sc.scale_out_events} scale-outs, {sc.scale_in_events} scale-ins"
    )
    lam = s.lambda_
    if lam.max_concurrency:
        lines.append(
            f"lambda: max concurrency {lam.max_concurrency}, {lam.cold_starts:,} cold starts, "
            f"{lam.throttles:,} throttles"
        )
    lines.append(
        f"monthly bill: ${s.total_usd} (price book {s.price_book}; the run is "
        f"{s.horizon_s / 3600:g} h, scaled x{s.month_factor:.4g} to 730 h)"
    )
    return "\n".join(lines)


def _grid_file(path: str, what: str) -> dict[str, list[Any]]:
    data = load_json(path, what)
    if not isinstance(data, dict) or not data:
        raise InputError([f"{what}={path!r}: must be a JSON object of dotted scenario paths to lists of values"])
    for key, values in data.items():
        if not isinstance(values, list) or not values:
            raise InputError([f"{what}.{key}={show_value(values)}: must be a non-empty list of values"])
    return data


def _seeds(text: str) -> list[int]:
    try:
        seeds = [int(s) for s in text.split(",") if s.strip()] if "," in text else list(range(int(text)))
    except ValueError:
        raise InputError([f"--seeds={text!r}: must be a count (5) or a list (0,1,2)"]) from None
    if not seeds or min(seeds) < 0:
        raise InputError([f"--seeds={text!r}: must name at least one seed >= 0"])
    return seeds


def _executor_arg(args: argparse.Namespace) -> str:
    return str(args.scheduler) if args.scheduler else str(args.executor)


def _cmd_sweep(args: argparse.Namespace) -> int:
    from tinysim.sweep import bands, sweep

    scenario = load_scenario(args.scenario)
    table = sweep(
        scenario,
        _grid_file(args.grid, "grid"),
        _seeds(args.seeds),
        executor=_executor_arg(args),
        slo_p99_ms=args.slo_p99_ms,
        fidelity=args.fidelity,
        progress=not args.quiet,
    )
    result = bands(table) if args.bands else table
    if args.out:
        result.to_csv(args.out, index=False)
        print(f"wrote {args.out}", file=sys.stderr)
    if args.json:
        print(result.to_json(orient="records", default_handler=str, indent=2))
    else:
        with pd.option_context("display.width", 200, "display.max_columns", 30):
            print(result.to_string(index=False))
    return 0


def _cmd_recommend(args: argparse.Namespace) -> int:
    from tinysim.recommend import recommend

    scenario = load_scenario(args.scenario)
    slo: dict[str, float] = {}
    if args.p99_ms is not None:
        slo["p99_ms"] = args.p99_ms
    if args.availability is not None:
        slo["availability"] = args.availability
    try:
        rec = recommend(
            scenario,
            slo,
            _grid_file(args.space, "space"),
            _seeds(args.seeds),
            args.confidence,
            confirm=not args.no_confirm,
            executor=_executor_arg(args),
            progress=not args.quiet,
        )
    except NoConfigurationMeetsSlo as exc:  # a finding about the space, not bad input
        print(f"no configuration meets the SLO: {exc}")
        return NO_CONFIGURATION
    if args.out:
        Path(args.out).write_text(rec.plan.model_dump_json(indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.out}", file=sys.stderr)
    if args.json:
        print(json.dumps(rec.as_json(), indent=2, default=str))
        return 0
    c = rec.chosen
    print(
        f"recommended: {c.values}  ${c.monthly_usd}/month (median over seeds), p99 {c.p99_ms:.1f} ms and "
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
            f"cheaper but rejected: {rec.cheaper_miss.values} (${rec.cheaper_miss.monthly_usd}) — "
            f"{rec.cheaper_miss.reason}"
        )
    return 0


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
    r.set_defaults(func=_cmd_run)

    w = sub.add_parser("sweep", help="forecast every configuration of a grid x seeds")
    w.add_argument("scenario")
    w.add_argument("--grid", required=True, help="JSON: dotted scenario paths -> lists of values")
    w.add_argument("--seeds", default="1", help="a count (5) or a list (0,1,2); default 1")
    w.add_argument("--executor", default="processes", choices=["inprocess", "threads", "processes"])
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
    c.add_argument("--prices", default=None, help="price book id or path (default: the current book)")
    c.add_argument("--json", action="store_true", help="print the bill as JSON")
    c.set_defaults(func=_cmd_cost)

    b = sub.add_parser("bill", help="itemised monthly bill of a plan under steady traffic")
    b.add_argument("plan", nargs="?", help="plan.json (default: the seed's stack)")
    b.add_argument("--requests-per-month", type=int, default=1_000_000)
    b.add_argument("--prices", action="append", help="price book id or path; repeat for several (default: all)")
    b.add_argument("--json", action="store_true")
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
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
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
    except Exception as exc:
        if args.debug:
            raise
        print(f"{PROG}: unexpected {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return 1
