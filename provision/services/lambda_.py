"""Lambda: the function (container image or zip), its reserved and provisioned concurrency, and the
permission that lets the front door invoke it."""

from __future__ import annotations

import contextlib
import io
import json
import zipfile
from typing import Any

from botocore.exceptions import ClientError

from provision.errors import PlanNotSupported
from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import KindBase, code_of, owner_of
from provision.services.ecs import UNRELEASED_TAG

__all__ = ["Function", "Permission", "ProvisionedConcurrency"]

PLACEHOLDER = "def handler(event, context):\n    return {'statusCode': 200, 'body': 'deployed by the pipeline'}\n"


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("app.py", PLACEHOLDER)
    return buf.getvalue()


class Function(KindBase):
    """props: memory_mb, timeout_s, package, arch, ephemeral_mb, reserved (None = unreserved)."""

    mutable = ("memory_mb", "timeout_s", "ephemeral_mb", "reserved")
    #: A function's package type cannot change (docs.aws.amazon.com/lambda/latest/dg/gettingstarted-package.html),
    #: and its architecture changes only with new code built for it: either change replaces the function,
    #: which the next release fills with its image.
    immutable = ("package", "arch")

    def find(self, ctx: Context, res: Resource) -> Live | None:
        lam = ctx.clients("lambda")
        try:
            got = lam.get_function(FunctionName=res.name)
        except ClientError as exc:
            if code_of(exc) == "ResourceNotFoundException":
                return None
            raise
        c = got["Configuration"]
        reserved = got.get("Concurrency", {}).get("ReservedConcurrentExecutions")
        props = {
            "memory_mb": c["MemorySize"],
            "timeout_s": c["Timeout"],
            "package": c.get("PackageType", "Zip").lower(),
            "arch": (c.get("Architectures") or ["x86_64"])[0],
            "ephemeral_mb": c.get("EphemeralStorage", {}).get("Size", 512),
            "reserved": reserved,
        }
        return Live(
            "function", res.name, props, owner_of(got.get("Tags", {})), {"arn": c["FunctionArn"], "name": res.name}
        )

    def create(self, ctx: Context, res: Resource) -> Live:
        p = res.props
        kwargs: dict[str, Any] = {
            "FunctionName": res.name,
            "Role": ctx.out("role-lambda", "arn"),
            "MemorySize": p["memory_mb"],
            "Timeout": p["timeout_s"],
            "Architectures": [p["arch"]],
            "EphemeralStorage": {"Size": p["ephemeral_mb"]},
            "Tags": tags_for(ctx, res.name),
        }
        if p["package"] == "image":
            kwargs.update(PackageType="Image", Code={"ImageUri": f"{ctx.out('ecr', 'uri')}:{UNRELEASED_TAG}"})
        else:
            kwargs.update(PackageType="Zip", Runtime="python3.12", Handler="app.handler", Code={"ZipFile": _zip()})
        lam = ctx.clients("lambda")
        got = lam.create_function(**kwargs)
        with contextlib.suppress(Exception):
            lam.get_waiter("function_active_v2").wait(
                FunctionName=res.name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
            )
        if p["reserved"] is not None:
            lam.put_function_concurrency(FunctionName=res.name, ReservedConcurrentExecutions=p["reserved"])
        return Live("function", res.name, dict(p), ctx.stack, {"arn": got["FunctionArn"], "name": res.name})

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        lam = ctx.clients("lambda")
        p = res.props
        if set(fields) & {"memory_mb", "timeout_s", "ephemeral_mb"}:
            lam.update_function_configuration(
                FunctionName=res.name,
                MemorySize=p["memory_mb"],
                Timeout=p["timeout_s"],
                EphemeralStorage={"Size": p["ephemeral_mb"]},
            )
        if "reserved" in fields:
            if p["reserved"] is None:
                lam.delete_function_concurrency(FunctionName=res.name)
            else:
                lam.put_function_concurrency(FunctionName=res.name, ReservedConcurrentExecutions=p["reserved"])
        live.props.update({k: p[k] for k in fields})
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("lambda").delete_function(FunctionName=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        out = []
        for page in ctx.clients("lambda").get_paginator("list_functions").paginate():
            for f in page["Functions"]:
                if f["FunctionName"].startswith(ctx.stack):
                    live = self.find(ctx, Resource("fn", "function", f["FunctionName"]))
                    if live is not None and live.owner == ctx.stack:
                        out.append(live)
        return out


class ProvisionedConcurrency(KindBase):
    """A published version behind the alias ``live`` with provisioned concurrency on it."""

    anchored_to = ("function",)  # a version of the function: replaced with it

    mutable = ("count",)

    def find(self, ctx: Context, res: Resource) -> Live | None:
        lam = ctx.clients("lambda")
        try:
            lam.get_alias(FunctionName=ctx.out("fn", "name"), Name="live")  # only there when configured
        except ClientError as exc:
            if code_of(exc) == "ResourceNotFoundException":
                return None
            raise
        try:
            cfg = lam.get_provisioned_concurrency_config(FunctionName=ctx.out("fn", "name"), Qualifier="live")
        except ClientError as exc:
            if code_of(exc) in ("ResourceNotFoundException", "ProvisionedConcurrencyConfigNotFoundException"):
                return None
            if code_of(exc) in ("InternalFailure", "NotImplemented", "501"):
                raise PlanNotSupported(
                    "serverless.provisioned_concurrency: this endpoint does not implement "
                    "provisioned concurrency (emulators do not); set it to 0 here"
                ) from None
            raise
        return Live("provisioned", "live", {"count": cfg["RequestedProvisionedConcurrentExecutions"]}, ctx.stack, {})

    def create(self, ctx: Context, res: Resource) -> Live:
        lam = ctx.clients("lambda")
        fn = ctx.out("fn", "name")
        try:
            lam.get_alias(FunctionName=fn, Name="live")
        except ClientError as exc:
            if code_of(exc) != "ResourceNotFoundException":
                raise
            version = lam.publish_version(FunctionName=fn)["Version"]
            lam.create_alias(FunctionName=fn, Name="live", FunctionVersion=version)
        lam.put_provisioned_concurrency_config(
            FunctionName=fn, Qualifier="live", ProvisionedConcurrentExecutions=res.props["count"]
        )
        return Live("provisioned", "live", dict(res.props), ctx.stack, {})

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        return self.create(ctx, res)

    def delete(self, ctx: Context, live: Live) -> None:
        pass  # goes with the function


class Permission(KindBase):
    """The front door's right to invoke the function, limited to the stack's own API (or target group) in
    this account: ``SourceArn`` and ``SourceAccount`` (Lambda's resource-based policy documentation,
    "confused deputy" prevention). props: principal, and source (an ARN resource part) or source_api
    (the key of the API resource)."""

    SID = "tinysim-front-door"
    mutable = ("source_arn", "source_account")
    anchored_to = ("function",)  # a statement of the function's own policy: goes with it

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        service = "elasticloadbalancing" if "source" in res.props else "execute-api"
        part = res.props.get("source") or f"{ctx.out(res.props['source_api'], 'id')}/*"
        return {"source_arn": f"arn:aws:{service}:{ctx.region}:{ctx.account}:{part}", "source_account": ctx.account}

    def find(self, ctx: Context, res: Resource) -> Live | None:
        try:
            policy = json.loads(ctx.clients("lambda").get_policy(FunctionName=ctx.out("fn", "name"))["Policy"])
        except ClientError as exc:
            if code_of(exc) == "ResourceNotFoundException":
                return None
            raise
        found = [s for s in policy.get("Statement", []) if s.get("Sid") == self.SID]
        if not found:
            return None
        cond = found[0].get("Condition", {})
        props = {
            "source_arn": cond.get("ArnLike", {}).get("AWS:SourceArn"),
            "source_account": cond.get("StringEquals", {}).get("AWS:SourceAccount"),
        }
        return Live("permission", self.SID, props, ctx.stack, {})

    def create(self, ctx: Context, res: Resource) -> Live:
        want = self.desired(ctx, res)
        ctx.clients("lambda").add_permission(
            FunctionName=ctx.out("fn", "name"),
            StatementId=self.SID,
            Action="lambda:InvokeFunction",
            Principal=res.props["principal"],
            SourceArn=want["source_arn"],
            SourceAccount=want["source_account"],
        )
        return Live("permission", self.SID, want, ctx.stack, {})

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        ctx.clients("lambda").remove_permission(FunctionName=ctx.out("fn", "name"), StatementId=self.SID)
        return self.create(ctx, res)

    def delete(self, ctx: Context, live: Live) -> None:
        pass  # goes with the function
