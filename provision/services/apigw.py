"""API Gateway: an HTTP API (to the tasks through a VPC link and Cloud Map, or to a Lambda function)
or a REST API with a ``{proxy+}`` Lambda integration. Each kind completes whatever part is missing, so
an apply interrupted half-way finishes on the next run without duplicates."""

from __future__ import annotations

from typing import Any

from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import KindBase, owner_of

__all__ = ["HttpApi", "RestApi", "VpcLink"]


class VpcLink(KindBase):
    def find(self, ctx: Context, res: Resource) -> Live | None:
        links = [v for v in ctx.clients("apigatewayv2").get_vpc_links().get("Items", []) if v["Name"] == res.name]
        if not links:
            return None
        v = links[0]
        return Live("vpc_link", v["VpcLinkId"], {}, owner_of(v.get("Tags")), {"id": v["VpcLinkId"]})

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


class HttpApi(KindBase):
    """props: target (discovery|lambda). The API, one integration, the $default route and auto-deployed stage."""

    mutable = ("complete",)

    def _parts(self, ctx: Context, api_id: str) -> dict[str, Any]:
        gw = ctx.clients("apigatewayv2")
        integrations = gw.get_integrations(ApiId=api_id).get("Items", [])
        routes = gw.get_routes(ApiId=api_id).get("Items", [])
        stages = gw.get_stages(ApiId=api_id).get("Items", [])
        return {
            "integration": integrations[0]["IntegrationId"] if integrations else None,
            "route": any(r["RouteKey"] == "$default" for r in routes),
            "stage": any(s["StageName"] == "$default" for s in stages),
        }

    def _live(self, ctx: Context, api: dict[str, Any]) -> Live:
        parts = self._parts(ctx, api["ApiId"])
        complete = bool(parts["integration"] and parts["route"] and parts["stage"])
        return Live(
            "http_api",
            api["ApiId"],
            {"complete": complete},
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
            {"complete": False},
            ctx.stack,
            {
                "id": api["ApiId"],
                "endpoint": api.get("ApiEndpoint", ""),
                "integration": None,
                "route": False,
                "stage": False,
            },
        )
        return self.update(ctx, res, live, ["complete"])

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
        if not live.outputs.get("route"):
            gw.create_route(ApiId=live.id, RouteKey="$default", Target=f"integrations/{integration}")
        if not live.outputs.get("stage"):
            gw.create_stage(ApiId=live.id, StageName="$default", AutoDeploy=True)
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


class RestApi(KindBase):
    """A REST API: ``{proxy+}`` with ANY, a Lambda proxy integration, and a deployment to stage ``prod``."""

    mutable = ("complete",)

    def _live(self, ctx: Context, api: dict[str, Any]) -> Live:
        gw = ctx.clients("apigateway")
        resources = gw.get_resources(restApiId=api["id"]).get("items", [])
        proxy = next((r for r in resources if r.get("pathPart") == "{proxy+}"), None)
        wired = bool(proxy and "ANY" in proxy.get("resourceMethods", {}))
        deployed = bool(gw.get_stages(restApiId=api["id"]).get("item"))
        return Live(
            "rest_api",
            api["id"],
            {"complete": wired and deployed},
            owner_of(api.get("tags", {})),
            {
                "id": api["id"],
                "proxy": proxy["id"] if proxy else None,
                "wired": wired,
                "root": next(r["id"] for r in resources if r.get("path") == "/"),
                "endpoint": f"https://{api['id']}.execute-api.{ctx.region}.amazonaws.com/prod",
            },
        )

    def _apis(self, ctx: Context) -> list[dict[str, Any]]:
        return list(ctx.clients("apigateway").get_rest_apis().get("items", []))

    def find(self, ctx: Context, res: Resource) -> Live | None:
        apis = [a for a in self._apis(ctx) if a["name"] == res.name]
        return self._live(ctx, apis[0]) if apis else None

    def create(self, ctx: Context, res: Resource) -> Live:
        api = ctx.clients("apigateway").create_rest_api(
            name=res.name, tags=tags_for(ctx, res.name), endpointConfiguration={"types": ["REGIONAL"]}
        )
        return self.update(ctx, res, self._live(ctx, api), ["complete"])

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        gw = ctx.clients("apigateway")
        proxy = live.outputs.get("proxy")
        if proxy is None:
            proxy = gw.create_resource(restApiId=live.id, parentId=live.outputs["root"], pathPart="{proxy+}")["id"]
        if not live.outputs.get("wired"):
            gw.put_method(restApiId=live.id, resourceId=proxy, httpMethod="ANY", authorizationType="NONE")
            uri = f"arn:aws:apigateway:{ctx.region}:lambda:path/2015-03-31/functions/{ctx.out('fn', 'arn')}/invocations"
            gw.put_integration(
                restApiId=live.id,
                resourceId=proxy,
                httpMethod="ANY",
                type="AWS_PROXY",
                integrationHttpMethod="POST",
                uri=uri,
            )
        gw.create_deployment(restApiId=live.id, stageName="prod")
        return self._live(ctx, gw.get_rest_api(restApiId=live.id))

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("apigateway").delete_rest_api(restApiId=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        return [
            Live("rest_api", a["id"], {}, ctx.stack, {})
            for a in self._apis(ctx)
            if owner_of(a.get("tags", {})) == ctx.stack
        ]
