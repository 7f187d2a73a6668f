"""The resources of a plan's stack, each with what bills it.

One list, in dependency order, of everything the provisioner creates: ``key`` is the logical key the
provisioner's graph and ``status`` use, ``kind`` the provisioner's resource kind, ``name`` the AWS name,
``deps`` the keys it needs first. ``billed`` says which bill line carries it and in what quantity; free
resources (a VPC, a subnet, a role) have none. The bill's fixed items are priced from this list and the
provisioner builds exactly this list, so the two cannot disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Billed", "BillingItem", "RootVolume", "StackResource"]

#: The bill line a resource is priced on.
#: - ``nat_gateway``: NAT gateway hours (plus GB processed, from traffic)
#: - ``nat_instance``: the EC2 instance hours of a NAT instance
#: - ``public_ipv4``: public IPv4 address hours (``quantity`` addresses; an internet-facing ALB holds one
#:   per zone, a NAT gateway its Elastic IP)
#: - ``vpc_endpoint``: interface endpoint hours per zone (``quantity`` endpoint-zones)
#: - ``load_balancer``: ALB hours and LCUs
#: - ``network_load_balancer``: NLB hours and NLCUs (an internal NLB holds no public address)
#: - ``instance_root_volume``: the EBS root volume of every container instance, billed for as long as
#:   its instance lives (GB-months, ``RootVolume`` says type and size)
#: - ``hosted_zone``: a Route 53 hosted zone per month (a Cloud Map DNS namespace creates one)
#: - ``alarm``: a standard-resolution CloudWatch alarm metric per month (an alarm bills each metric it
#:   reads: ``quantity`` metrics)
#: - ``kms_key``: a customer managed KMS key per month
#: - ``api``, ``function``, ``log_group``, ``repository``, ``bucket``, ``build_project``, ``pipeline``,
#:   ``container_instances``, ``fargate_tasks``: priced from the run's traffic and operations
BillingItem = Literal[
    "nat_gateway",
    "nat_instance",
    "public_ipv4",
    "vpc_endpoint",
    "load_balancer",
    "network_load_balancer",
    "instance_root_volume",
    "hosted_zone",
    "alarm",
    "kms_key",
    "api",
    "function",
    "log_group",
    "repository",
    "bucket",
    "build_project",
    "pipeline",
    "container_instances",
    "fargate_tasks",
]


@dataclass(frozen=True)
class RootVolume:
    """An EBS root volume (the launch template's block device mapping): type and size in GiB."""

    volume_type: Literal["gp3", "gp2"]
    size_gib: int
    encrypted: bool = True


@dataclass(frozen=True)
class Billed:
    """What bills a resource: the bill line and how many units of it the resource holds."""

    item: BillingItem
    quantity: int = 1
    root_volume: RootVolume | None = None  # for ``instance_root_volume``


@dataclass(frozen=True)
class StackResource:
    """One resource of the stack (see the module docstring)."""

    key: str
    kind: str
    name: str
    deps: tuple[str, ...] = ()
    billed: tuple[Billed, ...] = ()
    #: The key of the resource whose creation makes this one (AWS creates it: a Cloud Map DNS namespace's
    #: hosted zone, a target tracking policy's alarms); ``None`` when the provisioner creates it itself.
    made_by: str | None = None
