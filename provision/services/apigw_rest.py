"""API Gateway REST: the API (``{proxy+}`` with ANY, to a Lambda function or over a VPC link to the NLB in
front of the tasks), its ``prod`` stage with throttling and access logs (FSBP APIGateway.1 and .9 family),
the REST VPC link, and a usage plan carrying the stage's throttle. Each kind completes whatever part is
missing and converges the stage's settings on every apply."""

from __future__ import annotations

import time
from typing import Any

from botocore.exceptions import ClientError

from provision.errors import StepFailed
from provision.resources import Context, Live, Resource, tags_for
from provision.services.apigw import ACCESS_LOG_FORMAT
from provision.services.base import KindBase, code_of, owner_of

__all__ = ["STAGE", "RestApi", "RestVpcLink", "UsagePlan"]

STAGE = "prod"
#: A REST VPC link takes minutes to become AVAILABLE on AWS; we wait at most this long, then fail.
VPC_LINK_WAIT_S = 900.0


def _number(x: float) -> str:
    """A patch value: ``150`` for 150.0 (some emulators read a whole rate as an integer), else ``150.5``."""
    return str(int(x)) if float(x).is_integer() else str(x)


def _stage_settings(stage: dict[str, Any] | None) -> dict[str, Any] | None:
    """The stage's throttle (its ``*/*`` method settings) and access log destination."""
    if stage is None:
        return None
    every = stage.get("methodSettings", {}).get("*/*", {})
    return {
        "rps": float(every.get("throttlingRateLimit") or 0.0),
        "burst": int(every.get("throttlingBurstLimit") or 0),
        "access_log": stage.get("accessLogSettings", {}).get("destinationArn"),
    }


class RestApi(KindBase):
    """props: target (lambda|nlb), access_log (key of the log group), throttle {rps, burst}."""

    #: backend: the VPC link its integration goes through (None for a Lambda target); a replaced link is
    #: put into the integration again and the stage redeployed.
    mutable = ("complete", "stage_settings", "backend")

    def __init__(self, check_logs_role: bool = True) -> None:
        self.checks_logs_role = check_logs_role  # off for reading a stack back (status)

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        arn = str(ctx.out(res.props["access_log"], "arn")).removesuffix(":*")
        t = res.props["throttle"]
        backend = ctx.out("rest-vpclink", "id") if res.props["target"] == "nlb" else None
        settings = {"rps": float(t["rps"]), "burst": t["burst"], "access_log": arn}
        return {"complete": True, "stage_settings": settings, "backend": backend}

    def _live(self, ctx: Context, api: dict[str, Any]) -> Live:
        gw = ctx.clients("apigateway")
        resources = gw.get_resources(restApiId=api["id"]).get("items", [])
        proxy = next((r for r in resources if r.get("pathPart") == "{proxy+}"), None)
        method = bool(proxy and "ANY" in proxy.get("resourceMethods", {}))
        integration = self._integration(gw, api["id"], proxy["id"]) if method and proxy is not None else None
        wired = integration is not None
        stages = [s for s in gw.get_stages(restApiId=api["id"]).get("item", []) if s.get("stageName") == STAGE]
        stage = stages[0] if stages else None
        return Live(
            "rest_api",
            api["id"],
            {
                "complete": wired and stage is not None,
                "stage_settings": _stage_settings(stage),
                "backend": (integration or {}).get("connectionId"),
            },
            owner_of(api.get("tags", {})),
            {
                "id": api["id"],
                "proxy": proxy["id"] if proxy else None,
                "method": method,
                "wired": wired,
                "deployed": stage is not None,
                "root": next(r["id"] for r in resources if r.get("path") == "/"),
                "endpoint": f"https://{api['id']}.execute-api.{ctx.region}.amazonaws.com/{STAGE}",
            },
        )

    @staticmethod
    def _integration(gw: Any, api_id: str, proxy_id: str) -> dict[str, Any] | None:
        """The proxy's ANY method's integration (None: an apply killed between the two made none)."""
        try:
            got: dict[str, Any] = gw.get_integration(restApiId=api_id, resourceId=proxy_id, httpMethod="ANY")
        except ClientError as exc:
            if code_of(exc) == "NotFoundException":
                return None
            raise
        return got

    def _apis(self, ctx: Context) -> list[dict[str, Any]]:
        return list(ctx.clients("apigateway").get_rest_apis(limit=500).get("items", []))

    @staticmethod
    def check_logs_role(ctx: Context) -> None:
        """Raises StepFailed when the account has no CloudWatch Logs role for API Gateway in this Region:
        a REST stage cannot write access logs without it ("you must ... specify [the role's] ARN in
        cloudWatchRoleArn" in the account settings, docs.aws.amazon.com/apigateway/latest/developerguide/
        set-up-logging.html). It is account-wide, so the stack does not set it; read with the stack, so
        the run stops before its first change."""
        if not ctx.clients("apigateway").get_account().get("cloudwatchRoleArn"):
            raise StepFailed(
                f"API Gateway has no CloudWatch Logs role in {ctx.region}, which REST access logs need: set it once "
                "(aws apigateway update-account --patch-operations op=replace,path=/cloudwatchRoleArn,value=ROLE_ARN; "
                "a role apigateway.amazonaws.com assumes, with AmazonAPIGatewayPushToCloudWatchLogs), then apply again"
            )

    def find(self, ctx: Context, res: Resource) -> Live | None:
        if self.checks_logs_role:
            self.check_logs_role(ctx)
        apis = [a for a in self._apis(ctx) if a["name"] == res.name]
        return self._live(ctx, apis[0]) if apis else None

    def create(self, ctx: Context, res: Resource) -> Live:
        api = ctx.clients("apigateway").create_rest_api(
            name=res.name, tags=tags_for(ctx, res.name), endpointConfiguration={"types": ["REGIONAL"]}
        )
        return self.update(ctx, res, self._live(ctx, api), ["complete", "stage_settings"])

    def _wire(self, ctx: Context, res: Resource, api_id: str, proxy: str, method: bool) -> None:
        """The proxy's ANY method (unless ``method``: it exists) and its integration."""
        gw = ctx.clients("apigateway")
        if res.props["target"] == "lambda":
            if not method:
                gw.put_method(restApiId=api_id, resourceId=proxy, httpMethod="ANY", authorizationType="NONE")
            fn = ctx.out("fn", "arn")
            gw.put_integration(
                restApiId=api_id,
                resourceId=proxy,
                httpMethod="ANY",
                type="AWS_PROXY",
                integrationHttpMethod="POST",
                uri=f"arn:aws:apigateway:{ctx.region}:lambda:path/2015-03-31/functions/{fn}/invocations",
            )
            return
        if not method:
            gw.put_method(
                restApiId=api_id,
                resourceId=proxy,
                httpMethod="ANY",
                authorizationType="NONE",
                requestParameters={"method.request.path.proxy": True},
            )
        gw.put_integration(
            restApiId=api_id,
            resourceId=proxy,
            httpMethod="ANY",
            type="HTTP_PROXY",
            integrationHttpMethod="ANY",
            uri=f"http://{ctx.out('nlb', 'dns')}/{{proxy}}",
            connectionType="VPC_LINK",
            connectionId=ctx.out("rest-vpclink", "id"),
            requestParameters={"integration.request.path.proxy": "method.request.path.proxy"},
        )

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        gw = ctx.clients("apigateway")
        proxy = live.outputs.get("proxy")
        if proxy is None:
            proxy = gw.create_resource(restApiId=live.id, parentId=live.outputs["root"], pathPart="{proxy+}")["id"]
        rewire = not live.outputs.get("wired") or "backend" in fields
        if rewire:
            self._wire(ctx, res, live.id, proxy, bool(live.outputs.get("method")))
        if rewire or not live.outputs.get("deployed"):
            gw.create_deployment(restApiId=live.id, stageName=STAGE)
            live = self._live(ctx, gw.get_rest_api(restApiId=live.id))  # the stage's settings as deployed now
        want = self.desired(ctx, res)["stage_settings"]
        if live.props.get("stage_settings") != want:
            ops = [
                ("/*/*/throttling/rateLimit", _number(want["rps"])),
                ("/*/*/throttling/burstLimit", str(want["burst"])),
                ("/accessLogSettings/destinationArn", want["access_log"]),
                ("/accessLogSettings/format", ACCESS_LOG_FORMAT),
            ]
            gw.update_stage(
                restApiId=live.id,
                stageName=STAGE,
                patchOperations=[{"op": "replace", "path": p, "value": v} for p, v in ops],
            )
        return self._live(ctx, gw.get_rest_api(restApiId=live.id))

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("apigateway").delete_rest_api(restApiId=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        return [
            Live("rest_api", a["id"], {}, ctx.stack, {})
            for a in self._apis(ctx)
            if owner_of(a.get("tags", {})) == ctx.stack
        ]


class RestVpcLink(KindBase):
    """A REST API's VPC link to the stack's NLB (``nlb``); created, then waited for until AVAILABLE.

    Tagged in its create call; an emulator that drops those tags gets them by a second call, so the create
    is recorded first (``tagged_at_create`` False) and an apply killed between the two adopts the link."""

    tagged_at_create = False
    #: Its target NLB is fixed (UpdateVpcLink patches the name and description only), and an NLB cannot be
    #: deleted while a VPC link's endpoint service uses it: replaced with the NLB, deleted before it.
    immutable = ("targets",)
    anchored_to = ("nlb",)

    def adopt(self, ctx: Context, res: Resource, live: Live) -> Live:
        ctx.clients("apigateway").tag_resource(resourceArn=self._arn(ctx, live.id), tags=tags_for(ctx, res.name))
        live.owner = ctx.stack
        return live

    def _links(self, ctx: Context) -> list[dict[str, Any]]:
        return list(ctx.clients("apigateway").get_vpc_links(limit=500).get("items", []))

    def _arn(self, ctx: Context, link_id: str) -> str:
        return f"arn:aws:apigateway:{ctx.region}::/vpclinks/{link_id}"

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        return {"targets": [ctx.out("nlb", "arn")]}

    def _live(self, ctx: Context, v: dict[str, Any]) -> Live:
        tags = v.get("tags") or ctx.clients("apigateway").get_tags(resourceArn=self._arn(ctx, v["id"])).get("tags")
        props = {"targets": list(v.get("targetArns", []))}
        return Live("rest_vpc_link", v["id"], props, owner_of(tags), {"id": v["id"]})

    def find(self, ctx: Context, res: Resource) -> Live | None:
        links = [v for v in self._links(ctx) if v.get("name") == res.name]
        return self._live(ctx, links[0]) if links else None

    def create(self, ctx: Context, res: Resource) -> Live:
        gw = ctx.clients("apigateway")
        tags = tags_for(ctx, res.name)
        v = gw.create_vpc_link(name=res.name, targetArns=[ctx.out("nlb", "arn")], tags=tags)
        if not v.get("tags"):  # an emulator that drops the create call's tags (AWS keeps them)
            gw.tag_resource(resourceArn=self._arn(ctx, v["id"]), tags=tags)
        deadline = time.monotonic() + VPC_LINK_WAIT_S
        while v.get("status", "AVAILABLE") == "PENDING" and time.monotonic() < deadline:
            time.sleep(5.0)
            v = gw.get_vpc_link(vpcLinkId=v["id"])
        if v.get("status", "AVAILABLE") != "AVAILABLE":
            raise StepFailed(f"rest_vpc_link {res.name}: {v.get('status')}: {v.get('statusMessage', '')}")
        return Live("rest_vpc_link", v["id"], {"targets": list(v.get("targetArns", []))}, ctx.stack, {"id": v["id"]})

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("apigateway").delete_vpc_link(vpcLinkId=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        return [lv for lv in (self._live(ctx, v) for v in self._links(ctx)) if lv.owner == ctx.stack]


class UsagePlan(KindBase):
    """A usage plan on the REST API's stage with the stage's throttle (props: throttle {rps, burst}); API
    keys added to it are held to that throttle."""

    mutable = ("throttle",)

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        t = res.props["throttle"]
        return {"throttle": {"rps": float(t["rps"]), "burst": t["burst"]}}

    def _plans(self, ctx: Context) -> list[dict[str, Any]]:
        return list(ctx.clients("apigateway").get_usage_plans(limit=500).get("items", []))

    def _live(self, p: dict[str, Any]) -> Live:
        t = p.get("throttle", {})
        stages = [f"{s['apiId']}:{s['stage']}" for s in p.get("apiStages", [])]
        throttle = {"rps": float(t.get("rateLimit") or 0.0), "burst": int(t.get("burstLimit") or 0)}
        return Live("usage_plan", p["id"], {"throttle": throttle}, owner_of(p.get("tags", {})), {"stages": stages})

    def find(self, ctx: Context, res: Resource) -> Live | None:
        plans = [p for p in self._plans(ctx) if p.get("name") == res.name]
        return self._live(plans[0]) if plans else None

    def create(self, ctx: Context, res: Resource) -> Live:
        t = self.desired(ctx, res)["throttle"]
        p = ctx.clients("apigateway").create_usage_plan(
            name=res.name,
            description="the stage's throttle, for API keys",
            apiStages=[{"apiId": ctx.out("rest-api", "id"), "stage": STAGE}],
            throttle={"rateLimit": t["rps"], "burstLimit": t["burst"]},
            tags=tags_for(ctx, res.name),
        )
        return self._live(p)

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        t = self.desired(ctx, res)["throttle"]
        p = ctx.clients("apigateway").update_usage_plan(
            usagePlanId=live.id,
            patchOperations=[
                {"op": "replace", "path": "/throttle/rateLimit", "value": _number(t["rps"])},
                {"op": "replace", "path": "/throttle/burstLimit", "value": str(t["burst"])},
            ],
        )
        return self._live(p)

    def delete(self, ctx: Context, live: Live) -> None:
        gw = ctx.clients("apigateway")
        for stage in live.outputs.get("stages", []):  # AWS refuses to delete a plan still on a stage
            gw.update_usage_plan(
                usagePlanId=live.id, patchOperations=[{"op": "remove", "path": "/apiStages", "value": stage}]
            )
        gw.delete_usage_plan(usagePlanId=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        return [lv for lv in (self._live(p) for p in self._plans(ctx)) if lv.owner == ctx.stack]
