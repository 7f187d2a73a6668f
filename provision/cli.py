"""``python -m provision plan|apply|destroy|status PLAN.json``, ``scaffold DIR``, ``localstack start|stop|status``.

Exit codes: ``plan`` 0 no changes, 2 changes, 1 error (Terraform's -detailed-exitcode); every other
command 0 on success, 1 on error. An invalid plan is reported line by line before any AWS call.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any, NoReturn

from models import InputError, load_plan
from provision.errors import ForeignArn, ProvisionError, TagsRejected, VpcUnfit
from provision.localstack.launcher import ADDRESS

__all__ = ["main"]

PROG = "provision"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(1, f"{self.prog}: {message} (see --help)\n")


def _say(args: argparse.Namespace) -> Any:
    return (lambda line: print(line, file=sys.stderr)) if args.json else print


def _context(args: argparse.Namespace) -> tuple[Any, Any]:
    from provision.api import connect

    plan = load_plan(args.plan)  # validated before any AWS call
    if args.target == "aws" and args.command in ("apply", "destroy") and not args.yes:
        if not sys.stdin.isatty():
            raise ProvisionError(f"{args.command} on real AWS needs --yes (or an interactive confirmation)")
        answer = input(f"{args.command} stack {plan.name!r} in {args.region or plan.region} on AWS? type its name: ")
        if answer.strip() != plan.name:
            raise ProvisionError("not confirmed; nothing was done")
    return plan, connect(plan, args.target, args.endpoint_url, args.region)


def _cmd_plan(args: argparse.Namespace) -> int:
    from provision.api import plan_changes

    plan, ctx = _context(args)
    changes = plan_changes(plan, ctx)
    todo = [c for c in changes if c.action != "no-op"]
    if args.json:
        print(json.dumps({"changes": [c.as_json() for c in changes], "pending": len(todo)}, indent=2, default=str))
    else:
        for c in changes:
            mark = {"create": "+", "update": "~", "replace": "-/+", "no-op": " ", "delete": "-"}[c.action]
            detail = "; ".join(f"{k}: {a!r} -> {b!r}" for k, (a, b) in c.fields.items())
            print(f"{mark} {c.kind} {c.name}" + (f"  ({detail})" if detail else ""))
        print(f"{len(todo)} to change, {len(changes) - len(todo)} unchanged")
    return 2 if todo else 0


def _unlock(args: argparse.Namespace, ctx: Any) -> None:
    if not args.force_unlock:
        return
    from provision.api import unlock_stack

    held = unlock_stack(ctx)
    say = _say(args)
    say(f"removed the lock held by {held.describe()}" if held else "the stack was not locked")


def _cmd_apply(args: argparse.Namespace) -> int:
    from provision.api import apply_plan

    plan, ctx = _context(args)
    _unlock(args, ctx)
    outputs = apply_plan(plan, args.target, _say(args), ctx)
    print(json.dumps(outputs, indent=2) if args.json else "\n".join(f"{k}: {v}" for k, v in outputs.items()))
    return 0


def _cmd_destroy(args: argparse.Namespace) -> int:
    from provision.api import destroy_stack

    _, ctx = _context(args)
    _unlock(args, ctx)
    n = destroy_stack(ctx, _say(args))
    print(json.dumps({"deleted": n}) if args.json else f"deleted {n} resources")
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    from provision.api import read_status

    plan, ctx = _context(args)
    live = read_status(ctx, plan)
    if live is None:
        print(json.dumps(None) if args.json else f"stack {ctx.stack!r} does not exist")
        return 0
    doc = {
        "plan": live.plan.model_dump(mode="json") if live.plan is not None else live.fields,
        "outside_plan": list(live.outside_plan),
        "control": dataclasses.asdict(live.control),
    }
    print(json.dumps(doc, indent=2))
    for problem in live.outside_plan:
        print(f"{PROG}: live value outside what a plan may hold: {problem}", file=sys.stderr)
    return 0


def _cmd_permissions(args: argparse.Namespace) -> int:
    from provision.permissions import permissions_policy

    print(json.dumps(permissions_policy(load_plan(args.plan)), indent=2))
    return 0


def _cmd_scaffold(args: argparse.Namespace) -> int:
    from provision.scaffold import scaffold

    for path in scaffold(args.dir):
        print(f"wrote {path}")
    return 0


def _cmd_localstack(args: argparse.Namespace) -> int:
    from provision.localstack.launcher import LocalStack, health

    ls = LocalStack(args.home)
    if args.action == "start":
        ls.start()
    elif args.action == "stop":
        ls.stop()
    else:
        h = health()
        print(json.dumps(h, indent=2) if h else f"LocalStack is not running on {ADDRESS}")
        return 0 if h else 1
    return 0


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description="Build the stack a plan.json describes, with boto3.")
    p.add_argument("--debug", action="store_true")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for name, func, help_ in (
        ("plan", _cmd_plan, "show what apply would change (exit 0 none, 2 some, 1 error)"),
        ("apply", _cmd_apply, "create or update the stack"),
        ("destroy", _cmd_destroy, "delete everything the stack owns"),
        ("status", _cmd_status, "the live stack, as a plan"),
    ):
        c = sub.add_parser(name, help=help_)
        c.add_argument("plan")
        c.add_argument("--target", choices=["localstack", "aws"], default="localstack")
        c.add_argument("--endpoint-url", default=None)
        c.add_argument("--region", default=None)
        c.add_argument("--json", action="store_true")
        c.add_argument("--yes", action="store_true", help="do not ask before changing real AWS")
        if name in ("apply", "destroy"):
            c.add_argument(
                "--force-unlock", action="store_true", help="remove the stack's lock first (its holder must be dead)"
            )
        c.set_defaults(func=func)
    perm = sub.add_parser("permissions", help="the least-privilege IAM policy to run plan, apply and destroy")
    perm.add_argument("plan")
    perm.set_defaults(func=_cmd_permissions)
    s = sub.add_parser("scaffold", help="write build.yml and release.yml")
    s.add_argument("dir")
    s.set_defaults(func=_cmd_scaffold)
    ls = sub.add_parser("localstack", help=f"install, start, stop LocalStack (host mode, {ADDRESS})")
    ls.add_argument("action", choices=["start", "stop", "status"])
    ls.add_argument("--home", default=".localstack")
    ls.set_defaults(func=_cmd_localstack)
    return p


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    if threading.current_thread() is threading.main_thread():  # loading is over: Ctrl-C raises again
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, _terminate)  # `kill`, systemd, CI runners: end like Ctrl-C, lock released
    args = _parser().parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except (InputError, TagsRejected, VpcUnfit, ForeignArn) as exc:
        for problem in exc.problems:
            print(f"{PROG}: {problem}", file=sys.stderr)
        return 1
    except ProvisionError as exc:
        if args.debug:
            raise
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; run apply again to finish, or destroy", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(f"{PROG}: unexpected {type(exc).__name__}: {exc} (run with --debug for details)", file=sys.stderr)
        return 1
