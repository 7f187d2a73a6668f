"""API Gateway HTTP APIs: to the tasks through a VPC link and Cloud Map, or to a Lambda function (REST
APIs: ``provision.services.apigw_rest``). Each kind completes whatever part is missing, so
an apply interrupted half-way finishes on the next run without duplicates."""

from __future__ import annotations

from typing import Any

from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import KindBase, owner_of

__all__ = ["ACCESS_LOG_FORMAT", "HttpApi", "VpcLink"]


class VpcLink(KindBase):
    """An HTTP API's VPC link into the tasks' subnets. Its subnets and security groups are fixed at create
    (UpdateVpcLink changes the name only: docs.aws.amazon.com/apigatewayv2/latest/api-reference/
    vpclinks-vpclinkid.html), so a change of either replaces it."""

    immutable = ("vpc", "subnets", "security_groups")

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        """What is known of it: before an apply has made the subnets or the group, the VPC alone."""
        out: dict[str, Any] = {"vpc": ctx.out("vpc", "vpc_id")}
        if all(k in ctx.outputs for k in res.props["subnets"]):
            out["subnets"] = sorted(ctx.out(k, "subnet_id") for k in res.props["subnets"])
        if "sg-front" in ctx.outputs:
            out["security_groups"] = [ctx.out("sg-front", "group_id")]
        return out

    def find(self, ctx: Context, res: Resource) -> Live | None:
        links = [v for v in ctx.clients("apigatewayv2").get_vpc_links().get("Items", []) if v["Name"] == res.name]
        if not links:
            return None
        v = links[0]
        subnets = sorted(v.get("SubnetIds", []))
        props: dict[str, Any] = {"subnets": subnets, "security_groups": sorted(v.get("SecurityGroupIds", []))}
        if subnets:  # the VPC of its subnets
            got = ctx.clients("ec2").describe_subnets(SubnetIds=subnets[:1])["Subnets"]
            props["vpc"] = got[0]["VpcId"] if got else None
        return Live("vpc_link", v["VpcLinkId"], props, owner_of(v.get("Tags")), {"id": v["VpcLinkId"]})

    def create(self, ctx: Context, res: Resource) -> Live:
        v = ctx.clients("apigatewayv2").create_vpc_link(
            Name=res.name,
            SubnetIds=[ctx.out(k, "subnet_id") for k in res.props["subnets"]],
            SecurityGroupIds=[ctx.out("sg-front", "group_id")],
            Tags=tags_for(ctx, res.name),
        )
        return Live("vpc_link", v["VpcLinkId"], {}, ctx.stack, {"id": v["VpcLinkId"]})

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("apigatewayv2").delete_vpc_link(VpcLinkId=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        links = ctx.clients("apigatewayv2").get_vpc_links().get("Items", [])
        return [
            Live("vpc_link", v["VpcLinkId"], {}, ctx.stack, {}) for v in links if owner_of(v.get("Tags")) == ctx.stack
        ]


#: Access log line (API Gateway's $context variables).
ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","time":"$context.requestTime",'
    '"method":"$context.httpMethod","path":"$context.path","status":"$context.status",'
    '"latency_ms":"$context.responseLatency","integration_ms":"$context.integrationLatency"}'
)


def _stage_settings(stage: dict[str, Any] | None) -> dict[str, Any] | None:
    if stage is None:
        return None
    route = stage.get("DefaultRouteSettings", {})
    return {
        "rps": float(route.get("ThrottlingRateLimit") or 0.0),
        "burst": int(route.get("ThrottlingBurstLimit") or 0),
        "access_log": stage.get("AccessLogSettings", {}).get("DestinationArn"),
    }


class HttpApi(KindBase):
    """props: target (discovery|lambda), access_log (key of the log group), throttle {rps, burst}. The API,
    one integration, the $default route and its auto-deployed stage with throttling and access logs
    (converged on every apply)."""

    #: backend: the VPC link its integration goes through (None for a Lambda target); a replaced link is
    #: put into the integration in place (UpdateIntegration).
    mutable = ("complete", "stage_settings", "backend")

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        arn = str(ctx.out(res.props["access_log"], "arn")).removesuffix(":*")
        t = res.props["throttle"]  # the blueprint's stage throttle
        return {
            "complete": True,
            "stage_settings": {"rps": float(t["rps"]), "burst": t["burst"], "access_log": arn},
            "backend": None if res.props["target"] == "lambda" else ctx.out("vpclink", "id"),
        }

    def _parts(self, ctx: Context, api_id: str) -> dict[str, Any]:
        gw = ctx.clients("apigatewayv2")
        integrations = gw.get_integrations(ApiId=api_id).get("Items", [])
        routes = gw.get_routes(ApiId=api_id).get("Items", [])
        stages = [s for s in gw.get_stages(ApiId=api_id).get("Items", []) if s["StageName"] == "$default"]
        return {
            "integration": integrations[0]["IntegrationId"] if integrations else None,
            "backend": integrations[0].get("ConnectionId") if integrations else None,
            "route": any(r["RouteKey"] == "$default" for r in routes),
            "stage": bool(stages),
            "stage_settings": _stage_settings(stages[0] if stages else None),
        }

    def _live(self, ctx: Context, api: dict[str, Any]) -> Live:
        parts = self._parts(ctx, api["ApiId"])
        complete = bool(parts["integration"] and parts["route"] and parts["stage"])
        return Live(
            "http_api",
            api["ApiId"],
            {"complete": complete, "stage_settings": parts["stage_settings"], "backend": parts["backend"]},
            owner_of(api.get("Tags")),
            {"id": api["ApiId"], "endpoint": api.get("ApiEndpoint", ""), **parts},
        )

    def _apis(self, ctx: Context) -> list[dict[str, Any]]:
        return list(ctx.clients("apigatewayv2").get_apis().get("Items", []))

    def find(self, ctx: Context, res: Resource) -> Live | None:
        apis = [a for a in self._apis(ctx) if a["Name"] == res.name]
        return self._live(ctx, apis[0]) if apis else None

    def create(self, ctx: Context, res: Resource) -> Live:
        api = ctx.clients("apigatewayv2").create_api(Name=res.name, ProtocolType="HTTP", Tags=tags_for(ctx, res.name))
        live = Live(
            "http_api",
            api["ApiId"],
            {"complete": False, "stage_settings": None},
            ctx.stack,
            {
                "id": api["ApiId"],
                "endpoint": api.get("ApiEndpoint", ""),
                "integration": None,
                "route": False,
                "stage": False,
            },
        )
        return self.update(ctx, res, live, ["complete", "stage_settings"])

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        gw = ctx.clients("apigatewayv2")
        integration = live.outputs.get("integration")
        if not integration:
            if res.props["target"] == "lambda":
                kwargs: dict[str, Any] = {
                    "IntegrationType": "AWS_PROXY",
                    "IntegrationUri": ctx.out("fn", "arn"),
                    "PayloadFormatVersion": "2.0",
                }
            else:
                kwargs = {
                    "IntegrationType": "HTTP_PROXY",
                    "ConnectionType": "VPC_LINK",
                    "ConnectionId": ctx.out("vpclink", "id"),
                    "IntegrationMethod": "ANY",
                    "IntegrationUri": ctx.out("discovery", "arn"),
                    "PayloadFormatVersion": "1.0",
                }
            integration = gw.create_integration(ApiId=live.id, **kwargs)["IntegrationId"]
        elif "backend" in fields:
            gw.update_integration(
                ApiId=live.id,
                IntegrationId=integration,
                ConnectionId=ctx.out("vpclink", "id"),
                IntegrationUri=ctx.out("discovery", "arn"),
            )
        if not live.outputs.get("route"):
            gw.create_route(ApiId=live.id, RouteKey="$default", Target=f"integrations/{integration}")
        want = self.desired(ctx, res)["stage_settings"]
        settings = {
            "DefaultRouteSettings": {"ThrottlingRateLimit": want["rps"], "ThrottlingBurstLimit": want["burst"]},
            "AccessLogSettings": {"DestinationArn": want["access_log"], "Format": ACCESS_LOG_FORMAT},
        }
        if not live.outputs.get("stage"):
            gw.create_stage(ApiId=live.id, StageName="$default", AutoDeploy=True, **settings)
        elif live.props.get("stage_settings") != want:
            gw.update_stage(ApiId=live.id, StageName="$default", **settings)
        api = gw.get_api(ApiId=live.id)
        return self._live(ctx, api)

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("apigatewayv2").delete_api(ApiId=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        return [
            Live("http_api", a["ApiId"], {}, ctx.stack, {})
            for a in self._apis(ctx)
            if owner_of(a.get("Tags")) == ctx.stack
        ]
