"""Provisioning benchmark against LocalStack: apply the full container stack (the seed's EC2 stack with
its HTTP API and pipeline), re-apply with nothing to change, destroy.
Targets: 30 s, 3 s (the re-apply reads the stack once), 30 s.

Starts LocalStack when it is not running (and stops it again). Run: python benchmarks/bench_provision.py
"""

from __future__ import annotations

import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models import load_plan  # noqa: E402
from provision.api import apply_plan, connect, destroy_stack  # noqa: E402
from provision.localstack.launcher import LocalStack, running  # noqa: E402


def main() -> None:
    started = not running()
    if started:
        LocalStack(ROOT / ".localstack").start()
    try:
        plan = load_plan(ROOT / "examples" / "plans" / "seed_container_apigw.json")
        plan = plan.model_copy(update={"name": f"bench-{secrets.token_hex(3)}"})
        steps: list[str] = []
        t0 = time.perf_counter()
        apply_plan(plan, ctx=connect(plan), progress=steps.append)
        t_apply = time.perf_counter() - t0
        again: list[str] = []
        t0 = time.perf_counter()
        apply_plan(plan, ctx=connect(plan), progress=again.append)
        t_noop = time.perf_counter() - t0
        changed = [line for line in again if "unchanged" not in line]
        t0 = time.perf_counter()
        deleted = destroy_stack(connect(plan), progress=lambda line: None)
        t_destroy = time.perf_counter() - t0
    finally:
        if started:
            LocalStack(ROOT / ".localstack").stop()
    print(f"apply {len(steps)} resources: {t_apply:.1f} s (target <= 30 s)")
    print(f"re-apply, {len(changed)} changed: {t_noop:.1f} s (target <= 3 s)")
    print(f"destroy {deleted} resources: {t_destroy:.1f} s (target <= 30 s)")
    sys.exit(0 if t_apply <= 30 and t_noop <= 3 and t_destroy <= 30 and not changed else 1)


if __name__ == "__main__":
    main()
