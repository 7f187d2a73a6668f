"""The Application Load Balancer: the balancer (internet-facing, in the public subnets), a target
group (IP targets for tasks, or a Lambda function; TCP when an NLB fronts the tasks). Listeners: see
``provision.services.listeners``."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import KindBase, code_of, kv_tags, owner_of

__all__ = ["LoadBalancer", "TargetGroup", "load_balancer_named"]


def _tags(ctx: Context, arn: str) -> list[dict[str, str]]:
    desc = ctx.clients("elbv2").describe_tags(ResourceArns=[arn])["TagDescriptions"]
    return desc[0].get("Tags", []) if desc else []


DROP_INVALID = "routing.http.drop_invalid_header_fields.enabled"


def load_balancer_named(ctx: Context, name: str) -> dict[str, Any] | None:
    """DescribeLoadBalancers' entry for the load balancer ``name`` (application or network), or None."""
    try:
        lbs = ctx.clients("elbv2").describe_load_balancers(Names=[name])["LoadBalancers"]
    except ClientError as exc:
        if code_of(exc) == "LoadBalancerNotFound":
            return None
        raise
    return dict(lbs[0]) if lbs else None


class LoadBalancer(KindBase):
    """The internet-facing ALB, dropping invalid HTTP header fields (FSBP ELB.4), read and converged."""

    mutable = ("drop_invalid_headers",)
    #: A load balancer stays in the VPC it was created in (CreateLoadBalancer; SetSubnets takes subnets
    #: of that VPC only: docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_SetSubnets.html).
    immutable = ("vpc",)

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        return {"scheme": "internet-facing", "drop_invalid_headers": True, "vpc": ctx.out("vpc", "vpc_id")}

    def _live(self, ctx: Context, lb: dict[str, Any]) -> Live:
        arn = lb["LoadBalancerArn"]
        attrs = ctx.clients("elbv2").describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
        drop = any(a["Key"] == DROP_INVALID and a["Value"] == "true" for a in attrs)
        return Live(
            "alb",
            arn,
            {"scheme": lb.get("Scheme"), "drop_invalid_headers": drop, "vpc": lb.get("VpcId")},
            owner_of(_tags(ctx, arn)),
            {"arn": arn, "dns": lb.get("DNSName", ""), "name": lb["LoadBalancerName"]},
        )

    def find(self, ctx: Context, res: Resource) -> Live | None:
        lb = load_balancer_named(ctx, res.name)
        return self._live(ctx, lb) if lb is not None else None

    def create(self, ctx: Context, res: Resource) -> Live:
        lb = ctx.clients("elbv2").create_load_balancer(
            Name=res.name,
            Type="application",
            Scheme="internet-facing",
            Tags=kv_tags(tags_for(ctx, res.name)),
            Subnets=[ctx.out(k, "subnet_id") for k in res.props["subnets"]],
            SecurityGroups=[ctx.out("sg-front", "group_id")],
        )["LoadBalancers"][0]
        live = Live(
            "alb",
            lb["LoadBalancerArn"],
            {"scheme": "internet-facing", "drop_invalid_headers": False, "vpc": lb.get("VpcId")},
            ctx.stack,
            {"arn": lb["LoadBalancerArn"], "dns": lb.get("DNSName", ""), "name": res.name},
        )
        return self.update(ctx, res, live, ["drop_invalid_headers"])

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        ctx.clients("elbv2").modify_load_balancer_attributes(
            LoadBalancerArn=live.id, Attributes=[{"Key": DROP_INVALID, "Value": "true"}]
        )
        live.props["drop_invalid_headers"] = True
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("elbv2").delete_load_balancer(LoadBalancerArn=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        lbs = ctx.clients("elbv2").describe_load_balancers()["LoadBalancers"]
        mine = [lb for lb in lbs if lb["LoadBalancerName"].startswith(ctx.stack) and lb.get("Type") != "network"]
        return [lv for lv in (self._live(ctx, lb) for lb in mine) if lv.owner == ctx.stack]


class TargetGroup(KindBase):
    """props: target (ip|lambda), port, protocol (HTTP behind an ALB, TCP behind an NLB).

    Its target type, protocol, port and VPC are fixed at create (ModifyTargetGroup changes only health
    checks: docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ModifyTargetGroup.html), so
    a change of any of them replaces it."""

    immutable = ("target", "protocol", "port", "vpc")

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        if res.props["target"] != "ip":  # a Lambda target group has no protocol, port or VPC
            return {"target": res.props["target"], "protocol": None, "port": None, "vpc": None}
        return {
            "target": "ip",
            "protocol": res.props.get("protocol", "HTTP"),
            "port": res.props["port"],
            "vpc": ctx.out("vpc", "vpc_id"),
        }

    def _live(self, ctx: Context, tg: dict[str, Any]) -> Live:
        arn = tg["TargetGroupArn"]
        props = {"target": tg.get("TargetType"), "protocol": tg.get("Protocol"), "port": tg.get("Port")}
        return Live(
            "target_group",
            arn,
            {**props, "vpc": tg.get("VpcId")},
            owner_of(_tags(ctx, arn)),
            {"arn": arn, "name": tg["TargetGroupName"]},
        )

    def find(self, ctx: Context, res: Resource) -> Live | None:
        try:
            tgs = ctx.clients("elbv2").describe_target_groups(Names=[res.name])["TargetGroups"]
        except ClientError as exc:
            if code_of(exc) == "TargetGroupNotFound":
                return None
            raise
        return self._live(ctx, tgs[0]) if tgs else None

    def create(self, ctx: Context, res: Resource) -> Live:
        kwargs: dict[str, Any] = {
            "Name": res.name,
            "TargetType": res.props["target"],
            "Tags": kv_tags(tags_for(ctx, res.name)),
        }
        if res.props["target"] == "ip":
            kwargs.update(
                Protocol=res.props.get("protocol", "HTTP"),
                HealthCheckProtocol="HTTP",
                Port=res.props["port"],
                VpcId=ctx.out("vpc", "vpc_id"),
                HealthCheckPath="/",
                HealthCheckIntervalSeconds=30,
                HealthyThresholdCount=5,
            )
        tg = ctx.clients("elbv2").create_target_group(**kwargs)["TargetGroups"][0]
        return Live(
            "target_group",
            tg["TargetGroupArn"],
            {"target": res.props["target"], **{k: tg.get(k.title()) for k in ("protocol", "port")}},
            ctx.stack,
            {"arn": tg["TargetGroupArn"], "name": res.name},
        )

    def delete(self, ctx: Context, live: Live) -> None:
        """Delete the group, first removing the listeners that forward to it (AWS refuses to delete a
        target group a listener uses: ResourceInUse), such as those of a load balancer the plan dropped."""
        elbv2 = ctx.clients("elbv2")
        got = elbv2.describe_target_groups(TargetGroupArns=[live.id])["TargetGroups"]
        for lb_arn in got[0].get("LoadBalancerArns", []) if got else []:
            try:
                listeners = elbv2.describe_listeners(LoadBalancerArn=lb_arn)["Listeners"]
            except ClientError as exc:
                if code_of(exc) != "LoadBalancerNotFound":  # (gone already: its listeners with it)
                    raise
                listeners = []
            for li in listeners:
                if any(a.get("TargetGroupArn") == live.id for a in li.get("DefaultActions", [])):
                    elbv2.delete_listener(ListenerArn=li["ListenerArn"])
        elbv2.delete_target_group(TargetGroupArn=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        tgs = ctx.clients("elbv2").describe_target_groups()["TargetGroups"]
        lives = [self._live(ctx, tg) for tg in tgs if tg["TargetGroupName"].startswith(ctx.stack)]
        return [lv for lv in lives if lv.owner == ctx.stack]
