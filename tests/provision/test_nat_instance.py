"""A NAT instance (``network.nat: "instance"``) on LocalStack: built as AWS's NAT instance guide says and as
the blueprint lists it, read back equal by ``status``, re-planned clean, destroyed to nothing; and the
image of every instance is the one of its type's architecture (Graviton: arm64), the container
instances' included. Asked of the emulator with plain EC2 calls, not through the kind modules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from models import Plan
from provision.api import apply_plan, connect, destroy_stack, plan_changes
from tests.provision.conftest import owned, relevant, tagged_anywhere, unique
from tests.provision.test_contract import assert_built

pytestmark = [pytest.mark.localstack, pytest.mark.usefixtures("localstack")]
QUIET = lambda line: None  # noqa: E731


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "provision", *args], capture_output=True, text=True, timeout=300)


def _instances(ec2: Any, stack: str, name: str) -> list[dict[str, Any]]:
    flt = [{"Name": "tag:Name", "Values": [name]}, {"Name": "tag:tinysim:stack", "Values": [stack]}]
    got = [i for r in ec2.describe_instances(Filters=flt)["Reservations"] for i in r["Instances"]]
    return [i for i in got if i["State"]["Name"] != "terminated"]


def _architecture(ec2: Any, image_id: str) -> str:
    return str(ec2.describe_images(ImageIds=[image_id])["Images"][0]["Architecture"])


def test_nat_instance_on_graviton_with_graviton_container_instances(tmp_path: Path) -> None:
    plan = unique(
        Plan.model_validate(
            {
                "network": {"nat": "instance", "azs": 2, "vpc_cidr": "10.42.0.0/16"},
                "container": {"launch_type": "ec2", "instance_type": "t4g.micro"},
                "pipeline": {"enabled": False},
            }
        ),
        "nat",
    )
    assert plan.network.nat_instance_type == "t4g.nano"  # the default: the smallest Graviton type
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json())
    applied = cli("apply", str(path))
    assert applied.returncode == 0, applied.stderr
    ctx = connect(plan)
    ec2 = ctx.clients("ec2")
    try:
        assert_built(plan)  # resources (its public address among them), control plane, status read-back
        [nat] = _instances(ec2, plan.name, f"{plan.name}-nat")
        subnets = ec2.describe_subnets(Filters=[{"Name": "tag:Name", "Values": [f"{plan.name}-public-0"]}])
        assert nat["SubnetId"] == subnets["Subnets"][0]["SubnetId"]  # in the first public subnet
        assert nat["InstanceType"] == "t4g.nano" and nat.get("PublicIpAddress")
        assert _architecture(ec2, nat["ImageId"]) == "arm64"
        assert nat["SourceDestCheck"] is False
        assert (nat["MetadataOptions"]["HttpTokens"], nat["MetadataOptions"]["HttpPutResponseHopLimit"]) == (
            "required",
            1,
        )
        root = [m for m in nat["BlockDeviceMappings"] if m["DeviceName"] == "/dev/xvda"]
        volume = ec2.describe_volumes(VolumeIds=[root[0]["Ebs"]["VolumeId"]])["Volumes"][0]
        assert (volume["VolumeType"], volume["Size"], volume["Encrypted"]) == ("gp3", 8, True)
        [group] = nat["SecurityGroups"]
        perms = ec2.describe_security_groups(GroupIds=[group["GroupId"]])["SecurityGroups"][0]["IpPermissions"]
        assert [(p["IpProtocol"], [r["CidrIp"] for r in p["IpRanges"]], p["UserIdGroupPairs"]) for p in perms] == [
            ("-1", ["10.42.0.0/16"], [])
        ]  # every protocol, from the VPC only
        tables = ec2.describe_route_tables(Filters=[{"Name": "tag:Name", "Values": [f"{plan.name}-private"]}])
        default = [r for r in tables["RouteTables"][0]["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
        assert [r.get("InstanceId") for r in default] == [nat["InstanceId"]]
        # the container instances boot the arm64 ECS-optimized image (t4g.micro is Graviton)
        lt = ec2.describe_launch_template_versions(LaunchTemplateName=f"{plan.name}-instances", Versions=["$Default"])
        assert _architecture(ec2, lt["LaunchTemplateVersions"][0]["LaunchTemplateData"]["ImageId"]) == "arm64"
        status = json.loads(cli("status", str(path)).stdout)["plan"]
        assert status["network"]["nat"] == "instance" and status["network"]["nat_instance_type"] == "t4g.nano"
        assert relevant(Plan.model_validate(status)) == relevant(plan)
        again = cli("plan", str(path))
        assert again.returncode == 0, again.stdout + again.stderr
        # source/dest check turned back on by hand is drift, and apply converges it
        ec2.modify_instance_attribute(InstanceId=nat["InstanceId"], SourceDestCheck={"Value": True})
        drift = [c for c in plan_changes(plan, connect(plan)) if c.action != "no-op"]
        assert [(c.kind, c.fields) for c in drift] == [("nat_instance", {"source_dest_check": (True, False)})]
        apply_plan(plan, ctx=connect(plan), progress=QUIET)
        assert _instances(ec2, plan.name, f"{plan.name}-nat")[0]["SourceDestCheck"] is False
    finally:
        gone = cli("destroy", str(path), "--json")
    assert gone.returncode == 0, gone.stderr
    assert owned(ctx) == {} and tagged_anywhere(ctx) == []
    assert _instances(ec2, plan.name, f"{plan.name}-nat") == [] or all(
        i["State"]["Name"] == "shutting-down" for i in _instances(ec2, plan.name, f"{plan.name}-nat")
    )
    assert json.loads(cli("destroy", str(path), "--json").stdout)["deleted"] == 0


def test_an_x86_nat_instance_type_gets_the_x86_image() -> None:
    plan = unique(
        Plan.model_validate(
            {
                "network": {"nat": "instance", "nat_instance_type": "t3.nano"},
                "container": {"launch_type": "fargate", "task": {"cpu_units": 256, "memory_mb": 512}},
                "pipeline": {"enabled": False},
            }
        ),
        "nat",
    )
    ctx = connect(plan)
    apply_plan(plan, ctx=ctx, progress=QUIET)
    try:
        ec2 = ctx.clients("ec2")
        [nat] = _instances(ec2, plan.name, f"{plan.name}-nat")
        assert (nat["InstanceType"], _architecture(ec2, nat["ImageId"])) == ("t3.nano", "x86_64")
    finally:
        destroy_stack(connect(plan), progress=QUIET)
    assert owned(connect(plan)) == {}
