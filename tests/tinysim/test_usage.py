"""A run's usage: root volumes live as long as the instances the run counted, in both fidelities."""

from decimal import Decimal

import pytest

from models import Scenario
from tinysim.simulate import simulate


@pytest.mark.parametrize("fidelity", ["request", "fluid"])
def test_root_volumes_bill_the_runs_instance_hours(fidelity: str) -> None:
    # Each container instance carries one 30 GiB gp3 root volume, billed per second of its life
    # (aws.amazon.com/ebs/pricing/): GB-months = 30 x instance-hours / 730, whatever the run's instance
    # count did; the hosted zone of the HTTP API's Cloud Map namespace is billed for the month.
    scenario = Scenario.model_validate(
        {
            "plan": {"container": {"instances": {"min": 2, "max": 3}}},
            "traffic": {"kind": "constant", "rps": 5},
            "horizon_s": 600,
            "seed": 1,
            "fidelity": fidelity,
        }
    )
    lines = simulate(scenario).bill.lines
    instance_hours = sum((li.quantity for li in lines if li.item == "t3.micro on-demand"), Decimal(0))
    volumes = [li for li in lines if li.service == "EBS"]
    assert instance_hours >= 2 * 730  # two instances all month at least
    assert [li.item for li in volumes] == ["gp3 volume storage"]
    assert volumes[0].quantity == 30 * instance_hours / 730  # exact decimals, the same hours
    assert [li.amount_usd for li in lines if li.service == "Route 53"] == [Decimal("0.50")]
