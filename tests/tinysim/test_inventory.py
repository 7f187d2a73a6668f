"""The billable inventory: the ``billed`` entries of a resource list, summed by bill item."""

import pytest

from models.blueprint import blueprint
from models.blueprint.resources import Billed, RootVolume, StackResource
from models.plan import Plan
from tinysim.inventory import inventory

GP3 = RootVolume(volume_type="gp3", size_gib=30)


def test_counts_sum_quantities_and_keep_each_items_root_volume() -> None:
    stock = inventory(
        [
            StackResource("eip", "eip", "ip", billed=(Billed("public_ipv4"),)),
            StackResource("alb", "alb", "lb", billed=(Billed("load_balancer"), Billed("public_ipv4", 3))),
            StackResource("asg", "asg", "g", billed=(Billed("instance_root_volume", root_volume=GP3),)),
            StackResource("vpc", "vpc", "v"),
        ]
    )
    assert (stock.count("public_ipv4"), stock.count("load_balancer"), stock.count("alarm")) == (4, 1, 0)
    assert stock.root_volume("instance_root_volume") == GP3 and stock.root_volume("nat_instance") is None


def test_two_different_root_volumes_for_one_item_are_refused() -> None:
    other = RootVolume(volume_type="gp2", size_gib=8)
    resources = [
        StackResource(k, "asg", k, billed=(Billed("instance_root_volume", root_volume=v),))
        for k, v in (("a", GP3), ("b", other))
    ]
    with pytest.raises(ValueError, match="instance_root_volume: two root volumes"):
        inventory(resources)


def test_the_seed_stacks_inventory() -> None:
    # the seed: one NAT gateway and its Elastic IP, service and cluster CPU alarms (high, low), the
    # HTTP API's Cloud Map namespace zone, the instances' root volume
    stock = inventory(blueprint(Plan()).resources)
    assert [stock.count(i) for i in ("nat_gateway", "public_ipv4", "alarm", "hosted_zone")] == [1, 1, 4, 1]
    assert stock.root_volume("instance_root_volume") == RootVolume(volume_type="gp3", size_gib=30, encrypted=True)
