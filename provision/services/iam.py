"""IAM roles with least-privilege inline policies (task execution, task, Lambda, CodeBuild, CodePipeline),
and the instance profile of ECS container instances."""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

from botocore.exceptions import ClientError

from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import KindBase, code_of, kv_tags, owner_of

__all__ = ["SOURCE_ACCOUNT_PRINCIPALS", "InstanceProfile", "Role", "trust_policy"]


#: Services whose trust policies may require the calling account (``aws:SourceAccount``): each documents
#: it for its roles ("cross-service confused deputy prevention": Amazon ECS task IAM role, CodeBuild,
#: CodePipeline). AWS documents neither key for EC2 instance roles or Lambda execution roles (a condition
#: on a key the service does not set would stop it assuming the role): those keep the bare principal.
SOURCE_ACCOUNT_PRINCIPALS = ("ecs-tasks.amazonaws.com", "codebuild.amazonaws.com", "codepipeline.amazonaws.com")


def trust_policy(principal: str, account: str, source_arn: str | None = None) -> dict[str, Any]:
    """Who may assume the role: the service, and only on behalf of this account where it supports that,
    and only for ``source_arn`` (an ARN pattern, ``{account}`` filled in) when given."""
    statement: dict[str, Any] = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": principal}}
    if principal in SOURCE_ACCOUNT_PRINCIPALS and account:
        statement["Condition"] = {"StringEquals": {"aws:SourceAccount": account}}
        if source_arn:
            statement["Condition"]["ArnLike"] = {"aws:SourceArn": source_arn.format(account=account)}
    return {"Version": "2012-10-17", "Statement": [statement]}


def _document(doc: Any) -> Any:
    if isinstance(doc, str):
        return json.loads(urllib.parse.unquote(doc))
    return doc


class Role(KindBase):
    """props: principal (service that assumes it), policy (inline policy document). The trust policy and
    the inline policy are read and converged on every apply."""

    mutable = ("policy", "trust")

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        trust = trust_policy(res.props["principal"], ctx.account, res.props.get("source_arn"))
        return {"policy": res.props["policy"], "trust": trust}

    def _live(self, ctx: Context, role: dict[str, Any]) -> Live:
        iam = ctx.clients("iam")
        name = role["RoleName"]
        tags = iam.list_role_tags(RoleName=name).get("Tags", [])
        try:
            policy = _document(iam.get_role_policy(RoleName=name, PolicyName="tinysim")["PolicyDocument"])
        except ClientError as exc:
            if code_of(exc) != "NoSuchEntity":
                raise
            policy = None
        trust = _document(role.get("AssumeRolePolicyDocument"))
        return Live(
            "role", name, {"policy": policy, "trust": trust}, owner_of(tags), {"arn": role["Arn"], "name": name}
        )

    def find(self, ctx: Context, res: Resource) -> Live | None:
        try:
            role = ctx.clients("iam").get_role(RoleName=res.name)["Role"]
        except ClientError as exc:
            if code_of(exc) == "NoSuchEntity":
                return None
            raise
        return self._live(ctx, role)

    def create(self, ctx: Context, res: Resource) -> Live:
        trust = trust_policy(res.props["principal"], ctx.account, res.props.get("source_arn"))
        role = ctx.clients("iam").create_role(
            RoleName=res.name, AssumeRolePolicyDocument=json.dumps(trust), Tags=kv_tags(tags_for(ctx, res.name))
        )["Role"]
        live = Live(
            "role", res.name, {"policy": None, "trust": trust}, ctx.stack, {"arn": role["Arn"], "name": res.name}
        )
        return self.update(ctx, res, live, ["policy"])

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        iam, want = ctx.clients("iam"), self.desired(ctx, res)
        if "policy" in fields:
            iam.put_role_policy(RoleName=live.id, PolicyName="tinysim", PolicyDocument=json.dumps(want["policy"]))
        if "trust" in fields:
            iam.update_assume_role_policy(RoleName=live.id, PolicyDocument=json.dumps(want["trust"]))
        live.props.update({k: want[k] for k in fields})
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        iam = ctx.clients("iam")
        for name in iam.list_role_policies(RoleName=live.id).get("PolicyNames", []):
            iam.delete_role_policy(RoleName=live.id, PolicyName=name)
        for profile in iam.list_instance_profiles_for_role(RoleName=live.id).get("InstanceProfiles", []):
            iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=live.id)
        iam.delete_role(RoleName=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        out = []
        for page in ctx.clients("iam").get_paginator("list_roles").paginate():
            for role in page["Roles"]:
                if role["RoleName"].startswith(ctx.stack + "-"):
                    live = self._live(ctx, role)
                    if live.owner == ctx.stack:
                        out.append(live)
        return out


class InstanceProfile(KindBase):
    """The instance profile wrapping the container-instance role."""

    mutable = ("has_role",)

    def find(self, ctx: Context, res: Resource) -> Live | None:
        iam = ctx.clients("iam")
        try:
            p = iam.get_instance_profile(InstanceProfileName=res.name)["InstanceProfile"]
        except ClientError as exc:
            if code_of(exc) == "NoSuchEntity":
                return None
            raise
        tags = p.get("Tags")
        if tags is None:  # older answers leave the tags out of the profile
            tags = iam.list_instance_profile_tags(InstanceProfileName=res.name).get("Tags", [])
        return Live(
            "instance_profile",
            res.name,
            {"has_role": bool(p.get("Roles"))},
            owner_of(tags),
            {"arn": p["Arn"], "name": res.name},
        )

    def create(self, ctx: Context, res: Resource) -> Live:
        p = ctx.clients("iam").create_instance_profile(
            InstanceProfileName=res.name, Tags=kv_tags(tags_for(ctx, res.name))
        )
        live = Live(
            "instance_profile",
            res.name,
            {"has_role": False},
            ctx.stack,
            {"arn": p["InstanceProfile"]["Arn"], "name": res.name},
        )
        return self.update(ctx, res, live, ["has_role"])

    def desired_props(self, ctx: Context, res: Resource) -> dict[str, Any]:
        return {"has_role": True}

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        ctx.clients("iam").add_role_to_instance_profile(
            InstanceProfileName=res.name, RoleName=ctx.out(res.props["role"], "name")
        )
        live.props["has_role"] = True
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        iam = ctx.clients("iam")
        p = iam.get_instance_profile(InstanceProfileName=live.id)["InstanceProfile"]
        for role in p.get("Roles", []):
            iam.remove_role_from_instance_profile(InstanceProfileName=live.id, RoleName=role["RoleName"])
        iam.delete_instance_profile(InstanceProfileName=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        out = []
        for page in ctx.clients("iam").get_paginator("list_instance_profiles").paginate():
            for p in page["InstanceProfiles"]:
                if p["InstanceProfileName"].startswith(ctx.stack + "-"):
                    live = self.find(ctx, Resource("ip", "instance_profile", p["InstanceProfileName"]))
                    if live is not None and live.owner == ctx.stack:
                        out.append(live)
        return out
