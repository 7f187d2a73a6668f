"""provision: turn a validated ``Plan`` into the real stack with boto3 (plan, apply, destroy, status).

Speaks ``models`` only; never imports the simulator.
"""

import os
import signal
import sys
from types import FrameType


def _end_while_loading(signum: int, frame: FrameType | None) -> None:
    os.write(2, b"provision: interrupted before any AWS call\n")
    os._exit(130)  # nothing is sent yet


# Ctrl-C while ``python -m provision`` is still loading its libraries: one line, exit 130, no traceback
# (see ``tinysim/__init__.py`` for why the handler ends the process itself). ``provision.cli.main``
# restores Python's own handler when it starts.
if ("-m", "provision") in zip(sys.orig_argv, sys.orig_argv[1:], strict=False):
    signal.signal(signal.SIGINT, _end_while_loading)
    signal.signal(signal.SIGTERM, _end_while_loading)  # `kill` while loading: the same one line

from provision.api import apply_plan, connect, destroy_stack, localstack_running, plan_changes, read_status  # noqa: E402
from provision.errors import ConnectionProblem, PlanNotSupported, ProvisionError, StackCollision, StepFailed  # noqa: E402

__all__ = [
    "ConnectionProblem",
    "PlanNotSupported",
    "ProvisionError",
    "StackCollision",
    "StepFailed",
    "apply_plan",
    "connect",
    "destroy_stack",
    "localstack_running",
    "plan_changes",
    "read_status",
]
