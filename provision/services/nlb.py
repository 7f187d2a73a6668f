"""The internal Network Load Balancer in front of the tasks when API Gateway REST is the front door: a REST
API's VPC link can target only an NLB (docs.aws.amazon.com/apigateway/latest/developerguide/
set-up-private-integration.html). Internal, in the tasks' subnets, behind the front security group."""

from __future__ import annotations

from typing import Any

from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import KindBase, kv_tags, owner_of
from provision.services.elbv2 import load_balancer_named

__all__ = ["NetworkLoadBalancer"]


def _tags(ctx: Context, arn: str) -> list[dict[str, str]]:
    desc = ctx.clients("elbv2").describe_tags(ResourceArns=[arn])["TagDescriptions"]
    return desc[0].get("Tags", []) if desc else []


class NetworkLoadBalancer(KindBase):
    """props: subnets (keys of the subnets it sits in). Internal: no public address, no bill line for one."""

    #: Fixed at create, as the ALB's (see ``provision.services.elbv2.LoadBalancer``).
    immutable = ("vpc",)

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        return {"scheme": "internal", "type": "network", "vpc": ctx.out("vpc", "vpc_id")}

    def _live(self, ctx: Context, lb: dict[str, Any]) -> Live:
        arn = lb["LoadBalancerArn"]
        return Live(
            "nlb",
            arn,
            {"scheme": lb.get("Scheme"), "type": lb.get("Type"), "vpc": lb.get("VpcId")},
            owner_of(_tags(ctx, arn)),
            {"arn": arn, "dns": lb.get("DNSName", ""), "name": lb["LoadBalancerName"]},
        )

    def find(self, ctx: Context, res: Resource) -> Live | None:
        lb = load_balancer_named(ctx, res.name)
        return self._live(ctx, lb) if lb is not None else None

    def create(self, ctx: Context, res: Resource) -> Live:
        lb = ctx.clients("elbv2").create_load_balancer(
            Name=res.name,
            Type="network",
            Scheme="internal",
            Tags=kv_tags(tags_for(ctx, res.name)),
            Subnets=[ctx.out(k, "subnet_id") for k in res.props["subnets"]],
            SecurityGroups=[ctx.out("sg-front", "group_id")],
        )["LoadBalancers"][0]
        return self._live(ctx, lb)

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("elbv2").delete_load_balancer(LoadBalancerArn=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        lbs = ctx.clients("elbv2").describe_load_balancers()["LoadBalancers"]
        mine = [lb for lb in lbs if lb["LoadBalancerName"].startswith(ctx.stack) and lb.get("Type") == "network"]
        return [lv for lv in (self._live(ctx, lb) for lb in mine) if lv.owner == ctx.stack]
