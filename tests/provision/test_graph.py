"""The provisioner's graph: built from the blueprint, ordered by its declared dependencies (graphlib),
destroyed in reverse."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import pytest

from models import Plan, load_plan
from models.blueprint import blueprint
from provision.errors import ProvisionError
from provision.executor import DESTROY_ORDER, KINDS
from provision.graph import build_order, destroy_order, resources_for
from provision.graph.kinds import LOOSE, sample_plans

PLANS = Path(__file__).parents[2] / "examples" / "plans"
ZONES = ["z-a", "z-b", "z-c"]


@dataclass(frozen=True)
class Node:
    key: str
    deps: tuple[str, ...] = ()


def test_order_follows_dependencies_not_list_order() -> None:
    nodes = [Node("alarm", ("policy",)), Node("policy", ("target",)), Node("target"), Node("log")]
    assert [n.key for n in build_order(nodes)] == ["target", "log", "policy", "alarm"]
    assert [n.key for n in destroy_order(nodes)] == ["alarm", "policy", "log", "target"]


def test_a_cycle_or_a_missing_dependency_is_one_clear_error() -> None:
    with pytest.raises(ProvisionError, match="cycle"):
        build_order([Node("a", ("b",)), Node("b", ("a",))])
    with pytest.raises(ProvisionError, match=r"'a' depends on \['nope'\]"):
        build_order([Node("a", ("nope",))])


@pytest.mark.parametrize("plan", sample_plans(), ids=lambda p: f"{p.architecture}-{p.front_door}-{p.network.nat}")
def test_every_shape_is_built_from_its_blueprint_in_dependency_order(plan: Plan) -> None:
    built = resources_for(plan, ZONES)
    bp = blueprint(plan)
    # the same resources as the blueprint, less those AWS makes itself
    made = {r.key for r in bp.resources if r.made_by is not None}
    assert sorted((r.key, r.kind, r.name, r.deps) for r in built) == sorted(
        (r.key, r.kind, r.name, r.deps) for r in bp.resources if r.key not in made
    )
    seen: set[str] = set()
    for r in built:
        assert set(r.deps) <= seen and r.kind in KINDS
        seen.add(r.key)
    # shuffled input, same dependencies respected
    shuffled = built[:]
    random.Random(7).shuffle(shuffled)
    seen = set()
    for r in build_order(shuffled):
        assert set(r.deps) <= seen
        seen.add(r.key)


def test_control_plane_resources_carry_the_blueprint_specs() -> None:
    plan = load_plan(PLANS / "target_tracking_alb.json")
    bp = blueprint(plan)
    by_key = {r.key: r for r in resources_for(plan, ZONES)}
    assert by_key["policy-target"].props["spec"] == bp.control.target_tracking
    assert [by_key[f"schedule-{a.name}"].props["spec"] for a in bp.control.scheduled] == list(bp.control.scheduled)
    assert by_key["scalable-target"].props["spec"] == bp.control.target("service")
    assert not any(r.kind == "alarm" for r in by_key.values())  # its alarms are the policy's own
    seed = load_plan(PLANS / "seed_container_alb.json")
    alarms = [r.props["spec"] for r in resources_for(seed, ZONES) if r.kind == "alarm"]
    assert sorted(alarms, key=lambda a: a.key) == sorted(blueprint(seed).control.alarms, key=lambda a: a.key)
    assert {a.treat_missing_data for a in alarms} == {"notBreaching"}  # set on the alarm, not AWS's 'missing'


def test_destroy_order_deletes_dependants_first() -> None:
    position = {k: i for i, k in enumerate(DESTROY_ORDER)}
    assert set(DESTROY_ORDER) == set(KINDS)
    for plan in sample_plans():
        res = {r.key: r for r in blueprint(plan).resources if r.made_by is None}
        for r in res.values():
            for d in r.deps:
                a, b = r.kind, res[d].kind
                if a != b and (a, b) not in LOOSE:
                    assert position[a] < position[b], (a, b)


@pytest.mark.parametrize("nat", ["gateway", "instance", "none"])
def test_destroy_order_holds_for_endpoints_and_each_nat(nat: str) -> None:
    # a gateway endpoint goes before the route table it is on, a NAT instance before its group and subnet
    # and after the route table pointing at it (AWS refuses to delete what is still referenced)
    position = {k: i for i, k in enumerate(DESTROY_ORDER)}
    plan = Plan.model_validate({"network": {"nat": nat, "vpc_endpoints": True}})
    res = {r.key: r for r in blueprint(plan).resources if r.made_by is None}
    for r in res.values():
        for d in r.deps:
            a, b = r.kind, res[d].kind
            if a != b and (a, b) not in LOOSE:
                assert position[a] < position[b], (a, b)
