"""The blueprint: the stack and its control plane, derived once from a plan.

``blueprint(plan, account)`` is the one expansion of a plan into what will exist: the resources and
what bills each, the CloudWatch alarms, scaling policies, scheduled actions and scalable targets, and
the account quotas the run depends on. The request engine, the fluid engine, the bill's fixed items, the
provisioner's graph and ``provision status`` all read it; none re-derives it.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.account import Account
from models.blueprint.alerts import AlertAlarmSpec, MetricQuery
from models.blueprint.control import (
    AlarmSpec,
    ControlPlane,
    ScalableTargetSpec,
    ScheduledActionSpec,
    StepPolicySpec,
    TargetTrackingSpec,
)
from models.blueprint.derive_control import control_plane, initial_instances, tasks_per_instance
from models.blueprint.derive_front import stage_throttle
from models.blueprint.derive_resources import ROOT_VOLUME, stack_resources, task_subnet_keys
from models.blueprint.resources import Billed, RootVolume, StackResource
from models.front_door import StageThrottle
from models.kept import Kept
from models.plan import Plan

__all__ = [
    "DEFAULT_ACCOUNT",
    "ROOT_VOLUME",
    "AlarmSpec",
    "AlertAlarmSpec",
    "Billed",
    "Blueprint",
    "ControlPlane",
    "MetricQuery",
    "RootVolume",
    "ScalableTargetSpec",
    "ScheduledActionSpec",
    "StackResource",
    "StageThrottle",
    "StepPolicySpec",
    "TargetTrackingSpec",
    "blueprint",
    "control_plane",
    "initial_instances",
    "stack_resources",
    "task_subnet_keys",
    "tasks_per_instance",
]


#: AWS's default quotas (see :class:`models.account.Account`).
DEFAULT_ACCOUNT = Account()


@dataclass(frozen=True)
class Blueprint:
    """One plan's stack: its resources (each with what bills it, in dependency order), its control
    plane and the account quotas it runs under."""

    plan: Plan
    control: ControlPlane
    account: Account
    resources: tuple[StackResource, ...] = ()
    #: The API Gateway stage's throttle as the provisioner sets it (None behind an ALB).
    stage_throttle: StageThrottle | None = None

    def api_throttle(self) -> StageThrottle | None:
        """The throttle API Gateway applies: the stage's, capped by the account's quota (None behind an ALB)."""
        if self.stage_throttle is None:
            return None
        return self.stage_throttle.under(self.account.apigw_throttle_rps, self.account.apigw_throttle_burst)

    def resource(self, key: str) -> StackResource:
        """The resource with ``key``; raises ``KeyError`` when the stack has none."""
        for r in self.resources:
            if r.key == key:
                return r
        raise KeyError(key)


_Derived = tuple[ControlPlane, tuple[StackResource, ...], StageThrottle | None]
_KEPT = 256  # plans kept (a sweep's configurations); the oldest go first
_DERIVED: Kept[_Derived] = Kept(_KEPT)


def blueprint(plan: Plan, account: Account = DEFAULT_ACCOUNT) -> Blueprint:
    """The stack of ``plan`` under ``account``. Deriving is pure (an equal plan gives an equal stack)
    and costs about as much as a short run's bill, so what is derived from each distinct plan is kept
    for the runs that follow; the blueprint holds the ``plan`` and ``account`` given."""
    key = plan.model_dump_json()
    derived = _DERIVED.get(key)
    if derived is None:
        derived = (control_plane(plan), stack_resources(plan), stage_throttle(plan))
        _DERIVED.keep(key, derived)
    control, resources, throttle = derived
    return Blueprint(plan=plan, control=control, account=account, resources=resources, stage_throttle=throttle)
