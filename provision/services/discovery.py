"""Cloud Map: a private DNS namespace in the VPC and a service the ECS tasks register in, so that an
API Gateway HTTP API can reach the tasks through its VPC link without a load balancer."""

from __future__ import annotations

import time
from typing import Any

from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import KindBase, kv_tags, owner_of

__all__ = ["DiscoveryService", "Namespace"]


def _tags(ctx: Context, arn: str) -> list[dict[str, str]]:
    return list(ctx.clients("servicediscovery").list_tags_for_resource(ResourceARN=arn).get("Tags", []))


def _vpc_of(ctx: Context, n: dict[str, Any]) -> dict[str, str]:
    """``{"vpc": id}`` for a private DNS namespace: the VPC its hosted zone is associated with (Route 53
    GetHostedZone), or nothing when that cannot be read."""
    zone = n.get("Properties", {}).get("DnsProperties", {}).get("HostedZoneId")
    if not zone:
        return {}
    vpcs = ctx.clients("route53").get_hosted_zone(Id=zone).get("VPCs", [])
    return {"vpc": vpcs[0]["VPCId"]} if vpcs else {}


#: The VPC a namespace was created in, recorded at create (it never changes) for an emulator whose
#: hosted zone does not name its VPC.
VPC_TAG = "tinysim:vpc"


class Namespace(KindBase):
    """A private DNS namespace: its VPC is fixed at create (CreatePrivateDnsNamespace; UpdatePrivateDnsNamespace
    changes the description and SOA only), so a stack moved to another VPC replaces it."""

    immutable = ("vpc",)

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        return {"vpc": ctx.out("vpc", "vpc_id")}

    def _live(self, ctx: Context, n: dict[str, Any]) -> Live:
        tags = _tags(ctx, n["Arn"])
        props = _vpc_of(ctx, n) if "Properties" in n else {}
        recorded = [t["Value"] for t in tags if t.get("Key") == VPC_TAG]
        if not props and recorded:
            props = {"vpc": recorded[0]}
        return Live("namespace", n["Id"], props, owner_of(tags), {"id": n["Id"], "arn": n["Arn"]})

    def _all(self, ctx: Context) -> list[dict[str, Any]]:
        return list(ctx.clients("servicediscovery").list_namespaces()["Namespaces"])

    def find(self, ctx: Context, res: Resource) -> Live | None:
        found = [n for n in self._all(ctx) if n["Name"] == res.name]
        return self._live(ctx, found[0]) if found else None

    def create(self, ctx: Context, res: Resource) -> Live:
        sd = ctx.clients("servicediscovery")
        op = sd.create_private_dns_namespace(
            Name=res.name,
            Vpc=ctx.out("vpc", "vpc_id"),
            Tags=kv_tags({**tags_for(ctx, res.name), VPC_TAG: ctx.out("vpc", "vpc_id")}),
        )["OperationId"]
        for _ in range(120):  # an asynchronous operation: wait for it
            status = sd.get_operation(OperationId=op)["Operation"]["Status"]
            if status in ("SUCCESS", "FAIL"):
                break
            time.sleep(0.5)
        found = self.find(ctx, res)
        assert found is not None, f"namespace {res.name} was not created ({status})"
        return found

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("servicediscovery").delete_namespace(Id=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        return [lv for lv in (self._live(ctx, n) for n in self._all(ctx)) if lv.owner == ctx.stack]


class DiscoveryService(KindBase):
    #: A Cloud Map service lives in its namespace: replaced with it.
    anchored_to = ("namespace",)

    def _live(self, ctx: Context, s: dict[str, Any]) -> Live:
        return Live("discovery_service", s["Id"], {}, owner_of(_tags(ctx, s["Arn"])), {"id": s["Id"], "arn": s["Arn"]})

    def _all(self, ctx: Context) -> list[dict[str, Any]]:
        return list(ctx.clients("servicediscovery").list_services()["Services"])

    def find(self, ctx: Context, res: Resource) -> Live | None:
        found = [s for s in self._all(ctx) if s["Name"] == res.name]
        return self._live(ctx, found[0]) if found else None

    def create(self, ctx: Context, res: Resource) -> Live:
        s = ctx.clients("servicediscovery").create_service(
            Name=res.name,
            NamespaceId=ctx.out("namespace", "id"),
            Tags=kv_tags(tags_for(ctx, res.name)),
            DnsConfig={"DnsRecords": [{"Type": "SRV", "TTL": 10}], "RoutingPolicy": "MULTIVALUE"},
        )["Service"]
        return Live("discovery_service", s["Id"], {}, ctx.stack, {"id": s["Id"], "arn": s["Arn"]})

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("servicediscovery").delete_service(Id=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        return [lv for lv in (self._live(ctx, s) for s in self._all(ctx)) if lv.owner == ctx.stack]
