"""provision: turn a validated ``Plan`` into the real stack with boto3 (plan, apply, destroy, status).

Speaks ``models`` only; never imports the simulator.
"""

from provision.api import apply_plan, connect, destroy_stack, localstack_running, plan_changes, read_status
from provision.errors import ConnectionProblem, PlanNotSupported, ProvisionError, StackCollision, StepFailed

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
