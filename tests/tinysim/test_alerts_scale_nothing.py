"""The alert alarms notify; they scale nothing. A run of a stack with alerts is the run of the same stack
without them (same timeline, control events and CloudWatch datapoints, both fidelities), and its bill
differs by the alerts' lines only: the topic's KMS key ($1.00 a month, aws.amazon.com/kms/pricing/) and
the alert alarms' metrics ($0.10 per alarm metric-month, aws.amazon.com/cloudwatch/pricing/)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pandas as pd
import pytest

from models import Scenario
from tinysim.simulate import simulate

#: A spike that makes the step policy scale out and back in within the run.
PLAN: dict[str, Any] = {
    "front_door": "alb",
    "container": {
        "launch_type": "fargate",
        "task": {"cpu_units": 256, "memory_mb": 512},
        "tasks": {"min": 1, "max": 4, "desired": 1},
    },
}


def _run(fidelity: str, alerts: dict[str, Any] | None) -> Any:
    plan = dict(PLAN, alerts=alerts) if alerts is not None else PLAN
    return simulate(
        Scenario.model_validate(
            {
                "plan": plan,
                "traffic": {"kind": "spike", "base_rps": 2, "spike_rps": 22, "start_s": 120, "duration_s": 1200},
                "workload": {"service_time_ms": {"dist": "exponential", "mean": 40}},
                "horizon_s": 2400,
                "seed": 7,
                "fidelity": fidelity,
            }
        )
    )


@pytest.mark.parametrize("fidelity", ["request", "fluid"])
def test_alerts_change_no_scaling_and_bill_only_their_lines(fidelity: str) -> None:
    plain = _run(fidelity, None)
    alerted = _run(fidelity, {"email": "ops@example.com", "http_5xx_pct": 0.1, "unhealthy_hosts": 1})
    assert (plain.events["kind"] == "scale_out").any()  # the run does scale, so the comparison means something
    pd.testing.assert_frame_equal(plain.timeline, alerted.timeline)
    pd.testing.assert_frame_equal(plain.events, alerted.events)
    pd.testing.assert_frame_equal(plain.datapoints, alerted.datapoints)

    def lines(result: Any) -> dict[tuple[str, str], Decimal]:
        return {(li.service, li.item): li.quantity for li in result.bill.lines}

    before, after = lines(plain), lines(alerted)
    # two step alarms (1 metric each) + the 5xx alarm (2 metrics) + the unhealthy hosts alarm (1) = 5
    assert before[("CloudWatch", "standard alarms")] == 2
    assert after[("CloudWatch", "standard alarms")] == 5
    assert after[("KMS", "customer managed keys")] == 1 and ("KMS", "customer managed keys") not in before
    rest = {k for k in after if k not in (("CloudWatch", "standard alarms"), ("KMS", "customer managed keys"))}
    assert {k: after[k] for k in rest} == {k: v for k, v in before.items() if k != ("CloudWatch", "standard alarms")}
    assert alerted.bill.total_usd - plain.bill.total_usd == Decimal("1.30")  # $1.00 key + 3 x $0.10 metrics
