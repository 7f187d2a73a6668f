"""A load balancer's listener: the ALB's HTTP :80 (forwarding, or redirecting to HTTPS when the plan gives
a certificate) and HTTPS :443, or the NLB's TCP :80. Its action, certificate and TLS policy are read back
and converged on every apply; one the plan no longer has is deleted by apply."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from provision.errors import StepFailed
from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import KindBase, code_of, kv_tags, owner_of

__all__ = ["REDIRECT", "Listener"]

#: HTTP answered with a permanent redirect to the same URL over HTTPS (ELB's redirect action).
REDIRECT = {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}


class Listener(KindBase):
    """props: lb (key of the load balancer), protocol (HTTP|HTTPS|TCP), port, action (forward|redirect),
    certificate (ACM ARN, HTTPS only), ssl_policy (HTTPS only)."""

    mutable = ("action", "certificate", "ssl_policy")
    #: A listener lives on its load balancer, and forwards to a target group that cannot be deleted under
    #: it: replaced with either.
    anchored_to = ("alb", "nlb", "target_group")

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        p = res.props
        return {"action": p["action"], "certificate": p.get("certificate"), "ssl_policy": p.get("ssl_policy")}

    def _live(self, ctx: Context, li: dict[str, Any]) -> Live:
        actions = li.get("DefaultActions", [])
        tls = li.get("Protocol") in ("HTTPS", "TLS")  # (some emulators report a policy on plain listeners too)
        certs = li.get("Certificates", []) if tls else []
        props = {
            "action": actions[0]["Type"] if actions else None,
            "certificate": certs[0]["CertificateArn"] if certs else None,
            "ssl_policy": li.get("SslPolicy") if tls else None,
        }
        return Live("listener", li["ListenerArn"], props, ctx.stack, {"arn": li["ListenerArn"]})

    def _check_certificate(self, ctx: Context, arn: str) -> None:
        """Raises StepFailed unless ``arn`` is an ISSUED ACM certificate in the stack's Region (the listener
        takes no other: docs.aws.amazon.com/elasticloadbalancing/latest/application/
        https-listener-certificates.html). Read with the rest of the stack, so a wrong certificate stops
        the run before its first change."""
        try:
            status = ctx.clients("acm").describe_certificate(CertificateArn=arn)["Certificate"].get("Status")
        except ClientError as exc:
            if code_of(exc) not in ("ResourceNotFoundException", "InvalidArnException"):
                raise
            status = "not found"
        if status != "ISSUED":
            raise StepFailed(
                f"https.certificate_arn={arn!r}: {status} in {ctx.region}; give an issued ACM certificate there"
            )

    def find(self, ctx: Context, res: Resource) -> Live | None:
        if res.props.get("certificate"):
            self._check_certificate(ctx, res.props["certificate"])
        elbv2 = ctx.clients("elbv2")
        lb = res.props.get("lb", "alb")
        listeners = elbv2.describe_listeners(LoadBalancerArn=ctx.out(lb, "arn"))["Listeners"]
        ours = [li for li in listeners if li.get("Port") == res.props.get("port", 80)]
        return self._live(ctx, ours[0]) if ours else None

    def _settings(self, ctx: Context, res: Resource) -> dict[str, Any]:
        p = res.props
        if p["action"] == "redirect":
            actions: list[dict[str, Any]] = [{"Type": "redirect", "RedirectConfig": dict(REDIRECT)}]
        else:
            actions = [{"Type": "forward", "TargetGroupArn": ctx.out("tg", "arn")}]
        out: dict[str, Any] = {"Protocol": p["protocol"], "Port": p["port"], "DefaultActions": actions}
        if p.get("certificate"):
            out.update(Certificates=[{"CertificateArn": p["certificate"]}], SslPolicy=p["ssl_policy"])
        return out

    def create(self, ctx: Context, res: Resource) -> Live:
        li = ctx.clients("elbv2").create_listener(
            LoadBalancerArn=ctx.out(res.props["lb"], "arn"),
            Tags=kv_tags(tags_for(ctx, res.name)),
            **self._settings(ctx, res),
        )["Listeners"][0]
        return self._live(ctx, li)

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        li = ctx.clients("elbv2").modify_listener(ListenerArn=live.id, **self._settings(ctx, res))["Listeners"][0]
        return self._live(ctx, li)

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("elbv2").delete_listener(ListenerArn=live.outputs.get("arn", live.id))

    def owned(self, ctx: Context) -> list[Live]:
        """The listeners of the stack's load balancers, each by its ``Name`` tag (so that apply deletes
        one the plan no longer has: the HTTPS listener once ``https`` is dropped)."""
        elbv2 = ctx.clients("elbv2")
        lbs = [
            lb
            for lb in elbv2.describe_load_balancers()["LoadBalancers"]
            if lb["LoadBalancerName"].startswith(ctx.stack)
        ]
        arns = [
            li["ListenerArn"]
            for lb in lbs
            for li in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
        ]
        out = []
        for i in range(0, len(arns), 20):  # DescribeTags takes at most 20 ARNs
            for d in elbv2.describe_tags(ResourceArns=arns[i : i + 20])["TagDescriptions"]:
                tags = {t["Key"]: t["Value"] for t in d.get("Tags", [])}
                if owner_of(tags) == ctx.stack and "Name" in tags:
                    out.append(Live("listener", tags["Name"], {}, ctx.stack, {"arn": d["ResourceArn"]}))
        return out
