"""Desired properties of the network resources: VPC, subnets, gateways, route tables, security groups."""

from __future__ import annotations

import ipaddress
from typing import Any

from models.blueprint import StackResource, task_subnet_keys
from models.blueprint.derive_resources import NAT_ROOT_VOLUME
from models.instances import INSTANCE_TYPES
from models.plan import Plan

__all__ = ["network_props", "subnet_cidrs"]


def subnet_cidrs(vpc_cidr: str, azs: int) -> tuple[list[str], list[str]]:
    """Public and private subnets: the VPC cut in 16 equal blocks, public from the start, private from 8."""
    net = ipaddress.IPv4Network(vpc_cidr)
    blocks = list(net.subnets(new_prefix=net.prefixlen + 4))
    return [str(b) for b in blocks[:azs]], [str(b) for b in blocks[8 : 8 + azs]]


def _subnet(plan: Plan, key: str, azs_names: list[str]) -> dict[str, Any]:
    _, kind, index = key.split("-")
    public, private = subnet_cidrs(plan.network.vpc_cidr, plan.network.azs)
    i = int(index)
    return {"cidr": (public if kind == "public" else private)[i], "az": azs_names[i]}


def _route_table(res: StackResource) -> dict[str, Any]:
    target = res.deps[0]  # the gateway the default route goes to, then the subnets it serves
    output = {"igw": "igw_id", "nat": "nat_id"}[target]  # a NAT gateway's id, or a NAT instance's
    return {"target_key": target, "target_output": output, "subnet_keys": res.deps[1:]}


def _security_group(plan: Plan, res: StackResource) -> dict[str, Any]:
    if res.key == "sg-nat":  # every protocol, from the VPC only: the NAT instance forwards the VPC's traffic
        return {"description": "NAT instance: all traffic from the VPC", "ingress": [(None, plan.network.vpc_cidr)]}
    if res.key == "sg-front":
        ingress: list[tuple[int, str]] = []
        if plan.front_door == "alb":  # HTTP (answered with a redirect when there is HTTPS) and HTTPS
            ingress = [(80, "0.0.0.0/0")] + ([(443, "0.0.0.0/0")] if plan.https else [])
        elif plan.front_door == "apigw-rest" and plan.architecture == "container":  # the NLB, from the VPC link
            ingress = [(80, plan.network.vpc_cidr)]
        return {"description": "front door", "ingress": ingress}
    if res.key == "sg-endpoints":
        return {"description": "interface endpoints: HTTPS from the tasks only", "ingress": [(443, "sg-tasks")]}
    return {"description": "tasks: from the front door only", "ingress": [(plan.container.task.port, "sg-front")]}


def _endpoint(plan: Plan, res: StackResource) -> dict[str, Any]:
    """Interface endpoint (service ``ecr.api``...) in the subnets it depends on, or the S3 gateway."""
    service = res.key.removeprefix("endpoint-").replace("-", ".")
    if service == "s3":  # an existing VPC's tables are borrowed under the same keys (provision.existing_vpc)
        tables = res.deps or ("rt-private" if plan.network.nat != "none" else "rt-public",)
        return {"service": f"com.amazonaws.{plan.region}.s3", "type": "Gateway", "route_tables": tables}
    return {
        "service": f"com.amazonaws.{plan.region}.{service}",
        "type": "Interface",
        "security_group": res.deps[0],
        "subnets": task_subnet_keys(plan),
    }


def network_props(plan: Plan, res: StackResource, azs_names: list[str]) -> dict[str, Any] | None:
    """The props of a network resource, or None when ``res`` is not one."""
    if res.kind == "vpc":
        return {"cidr": plan.network.vpc_cidr, "existing_vpc_id": plan.network.existing_vpc_id}
    if res.kind == "subnet":
        return _subnet(plan, res.key, azs_names)
    if res.kind == "igw":
        return {"attached": True}
    if res.kind == "route_table":
        return _route_table(res)
    if res.kind in ("eip", "nat"):
        return {}
    if res.kind == "nat_instance":
        itype = INSTANCE_TYPES[plan.network.nat_instance_type]
        return {
            "instance_type": itype.name,
            "architecture": itype.architecture,
            "root_volume": NAT_ROOT_VOLUME,
            "vpc_cidr": plan.network.vpc_cidr,
        }
    if res.kind == "security_group":
        return _security_group(plan, res)
    if res.kind == "vpc_endpoint":
        return _endpoint(plan, res)
    return None
