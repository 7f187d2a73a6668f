"""``python -m tinysim calibrate PATH... --out SCENARIO.json``: the command line of calibration."""

from __future__ import annotations

import argparse
import json
from typing import Any

from tqdm import tqdm

from models.plan import load_plan
from models.scenario import TraceTraffic
from tinysim.calibrate.measure import calibrate
from tinysim.calibrate.output import check_outputs, report_text, write_scenario
from tinysim.options import check_field

__all__ = ["add_parser"]

FORMATS = ["alb-log", "clf", "cloudwatch-json", "cloudwatch-csv"]


def _run(args: argparse.Namespace) -> int:
    check_field(TraceTraffic, "interval_s", args.interval_s, "--interval-s")
    if args.plan is not None:
        load_plan(args.plan)  # a bad plan is refused before anything is read or written
    check_outputs(args.out, args.paths)  # both targets, before reading any log
    with tqdm(unit=" lines", unit_scale=True, disable=None if not args.quiet else True, leave=False) as bar:

        def progress(lines: int) -> None:
            bar.update(lines - bar.n)

        cal = calibrate(args.paths, args.format, args.interval_s, progress)
    scenario, trace = write_scenario(cal, args.out, args.plan)
    if args.json:
        report = cal.as_json()
        report["scenario"], report["trace"] = str(scenario), str(trace)
        print(json.dumps(report, indent=2))
    else:
        print(report_text(cal))
        print(f"wrote {scenario} and {trace}")
    return 0


def add_parser(sub: Any) -> None:
    """Register ``calibrate`` on the CLI's subparsers."""
    c = sub.add_parser("calibrate", help="a scenario from access logs or CloudWatch: measured traffic, fitted workload")
    c.add_argument("paths", nargs="+", metavar="PATH", help="log files or folders (plain or .gz), or one export")
    c.add_argument("--format", choices=FORMATS, default=None, help="sniffed from the first file when not given")
    c.add_argument("--interval-s", type=int, default=60, help="seconds per trace row (default 60)")
    c.add_argument("--out", required=True, help="the scenario to write; its trace CSV goes beside it")
    c.add_argument("--plan", default=None, help="a plan.json the scenario refers to (default: the default plan)")
    c.add_argument("--json", action="store_true", help="print the fit report as JSON")
    c.add_argument("--quiet", action="store_true", help="no progress bar")
    c.set_defaults(func=_run)
