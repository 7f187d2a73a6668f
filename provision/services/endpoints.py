"""VPC endpoints: interface endpoints (ECR API and registry, CloudWatch Logs) with private DNS in the
task subnets, and the S3 gateway endpoint on the tasks' route table, so image pulls and logs do not
cross the NAT gateway. Source: docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html"""

from __future__ import annotations

from typing import Any

from provision.resources import Context, Live, Resource
from provision.services.base import KindBase, ec2_tag_spec, owner_of

__all__ = ["VpcEndpoint"]


def _tables(ctx: Context, key: str) -> list[str]:
    """The route table ids behind ``key``: the stack's own table, or an existing VPC's tables."""
    out = ctx.out(key, "route_table_ids") if "route_table_ids" in ctx.outputs.get(key, {}) else None
    return list(out) if out is not None else [ctx.out(key, "route_table_id")]


class VpcEndpoint(KindBase):
    """props: service (com.amazonaws.<region>.<name>), type (Interface | Gateway), and subnets with a
    security group (keys) for an interface endpoint, or route_tables (keys) for a gateway."""

    def _live(self, e: dict[str, Any]) -> Live:
        props = {"service": e["ServiceName"], "type": e["VpcEndpointType"]}
        return Live("vpc_endpoint", e["VpcEndpointId"], props, owner_of(e.get("Tags")), {"id": e["VpcEndpointId"]})

    def _described(self, ctx: Context, filters: list[dict[str, Any]]) -> list[dict[str, Any]]:
        got = ctx.clients("ec2").describe_vpc_endpoints(Filters=filters)["VpcEndpoints"]
        return [e for e in got if e.get("State", "").lower() not in ("deleted", "deleting")]

    def find(self, ctx: Context, res: Resource) -> Live | None:
        got = self._described(
            ctx,
            [{"Name": "vpc-id", "Values": [ctx.out("vpc", "vpc_id")]}, {"Name": "tag:Name", "Values": [res.name]}],
        )
        got = [e for e in got if {"Key": "Name", "Value": res.name} in e.get("Tags", [])]
        return self._live(got[0]) if got else None

    def create(self, ctx: Context, res: Resource) -> Live:
        p = res.props
        kwargs: dict[str, Any] = {
            "VpcEndpointType": p["type"],
            "VpcId": ctx.out("vpc", "vpc_id"),
            "ServiceName": p["service"],
            "TagSpecifications": ec2_tag_spec(ctx, "vpc-endpoint", res.name),
        }
        if p["type"] == "Interface":
            kwargs.update(
                SubnetIds=[ctx.out(k, "subnet_id") for k in p["subnets"]],
                SecurityGroupIds=[ctx.out(p["security_group"], "group_id")],
                PrivateDnsEnabled=True,
            )
        else:
            kwargs["RouteTableIds"] = sorted({t for k in p["route_tables"] for t in _tables(ctx, k)})
        e = ctx.clients("ec2").create_vpc_endpoint(**kwargs)["VpcEndpoint"]
        return self._live({**e, "Tags": [{"Key": "tinysim:stack", "Value": ctx.stack}]})

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("ec2").delete_vpc_endpoints(VpcEndpointIds=[live.id])

    def owned(self, ctx: Context) -> list[Live]:
        got = self._described(ctx, [{"Name": "tag:tinysim:stack", "Values": [ctx.stack]}])
        return [lv for lv in (self._live(e) for e in got) if lv.owner == ctx.stack]
