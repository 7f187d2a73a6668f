"""The alerts topic and its key: a customer managed KMS key (alias ``alias/<stack>-alerts``) whose policy
lets CloudWatch and EventBridge of this account encrypt with it, and an SNS topic encrypted with it whose
policy lets only the stack's alert alarms and its pipeline rule publish (``aws:SourceArn`` and
``aws:SourceAccount``), with the plan's e-mail address subscribed.

Sources: docs.aws.amazon.com/sns/latest/dg/sns-key-management.html (event sources and encrypted topics),
docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html (aws:SourceArn, aws:SourceAccount).
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import KindBase, code_of, kv_tags, owner_of

__all__ = ["KmsKey", "Topic", "key_policy", "topic_arn", "topic_policy"]

#: The services that publish to the topic.
PUBLISHERS = ("cloudwatch.amazonaws.com", "events.amazonaws.com")


def key_policy(ctx: Context) -> dict[str, Any]:
    """The key's policy: the account administers it (through IAM), and CloudWatch and EventBridge of this
    account only may make data keys with it (what publishing to an encrypted topic needs)."""
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ctx.account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "AlarmsAndEventsPublish",
                "Effect": "Allow",
                "Principal": {"Service": list(PUBLISHERS)},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {"StringEquals": {"aws:SourceAccount": ctx.account}},
            },
        ],
    }


def topic_arn(ctx: Context, name: str) -> str:
    return f"arn:aws:sns:{ctx.region}:{ctx.account}:{name}"


def topic_policy(ctx: Context, name: str, alarm_prefix: str, rule: str | None) -> dict[str, Any]:
    """Only the stack's alert alarms (by name prefix) and its pipeline rule, in this account, may publish."""
    arn = topic_arn(ctx, name)
    account = {"aws:SourceAccount": ctx.account}
    statements: list[dict[str, Any]] = [
        {
            "Sid": "AlertAlarmsPublish",
            "Effect": "Allow",
            "Principal": {"Service": "cloudwatch.amazonaws.com"},
            "Action": "sns:Publish",
            "Resource": arn,
            "Condition": {
                "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{ctx.region}:{ctx.account}:alarm:{alarm_prefix}*"},
                "StringEquals": account,
            },
        }
    ]
    if rule is not None:
        statements.append(
            {
                "Sid": "PipelineRulePublishes",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sns:Publish",
                "Resource": arn,
                "Condition": {
                    "ArnEquals": {"aws:SourceArn": f"arn:aws:events:{ctx.region}:{ctx.account}:rule/{rule}"},
                    "StringEquals": account,
                },
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


class KmsKey(KindBase):
    """The alerts key, found by its alias (``res.name``), or by its tags when an apply stopped between
    creating the key and its alias. ``destroy`` removes the alias and schedules the key's deletion (after
    the 7-day minimum waiting period; a key pending deletion is not billed)."""

    mutable = ("policy", "alias")
    _GONE = ("PendingDeletion", "PendingReplicaDeletion")

    def desired_props(self, ctx: Context, res: Resource) -> dict[str, Any]:
        return {"policy": key_policy(ctx), "alias": res.name}

    def _tags(self, ctx: Context, key_id: str) -> dict[str, str]:
        got = ctx.clients("kms").list_resource_tags(KeyId=key_id).get("Tags", [])
        return {t["TagKey"]: t["TagValue"] for t in got}

    def _live(self, ctx: Context, meta: dict[str, Any], alias: str | None, tags: dict[str, str] | None = None) -> Live:
        kms = ctx.clients("kms")
        key_id = meta["KeyId"]
        tags = self._tags(ctx, key_id) if tags is None else tags
        policy = json.loads(kms.get_key_policy(KeyId=key_id, PolicyName="default")["Policy"])
        props = {"policy": policy, "alias": alias, "name": tags.get("Name")}
        # known by its Name tag (the alias it should have), as the plan names it
        name = tags.get("Name") or key_id
        return Live("kms_key", name, props, owner_of(tags), {"arn": meta["Arn"], "id": key_id})

    def _describe(self, ctx: Context, key: str) -> dict[str, Any] | None:
        try:
            meta: dict[str, Any] = ctx.clients("kms").describe_key(KeyId=key)["KeyMetadata"]
        except ClientError as exc:
            if code_of(exc) == "NotFoundException":
                return None
            raise
        if meta.get("KeyManager") == "AWS" or meta.get("KeyState") in self._GONE:
            return None
        return meta

    def _aliases(self, ctx: Context) -> dict[str, str]:
        """Key id -> the stack's alias naming it."""
        out: dict[str, str] = {}
        for page in ctx.clients("kms").get_paginator("list_aliases").paginate():
            for a in page.get("Aliases", []):
                if a["AliasName"].startswith(f"alias/{ctx.stack}-") and a.get("TargetKeyId"):
                    out[a["TargetKeyId"]] = a["AliasName"]
        return out

    def find(self, ctx: Context, res: Resource) -> Live | None:
        meta = self._describe(ctx, res.name)
        if meta is not None:
            return self._live(ctx, meta, res.name)
        return next((lv for lv in self.owned(ctx) if lv.props["name"] == res.name), None)

    def create(self, ctx: Context, res: Resource) -> Live:
        kms = ctx.clients("kms")
        meta = kms.create_key(
            Description=f"{ctx.stack}: encrypts the alerts topic",
            KeyUsage="ENCRYPT_DECRYPT",
            KeySpec="SYMMETRIC_DEFAULT",
            Policy=json.dumps(key_policy(ctx)),
            Tags=[{"TagKey": k, "TagValue": v} for k, v in tags_for(ctx, res.name).items()],
        )["KeyMetadata"]
        kms.create_alias(AliasName=res.name, TargetKeyId=meta["KeyId"])
        return self._live(ctx, meta, res.name)

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        kms = ctx.clients("kms")
        if "alias" in fields:
            kms.create_alias(AliasName=res.name, TargetKeyId=live.outputs["id"])
        if "policy" in fields:
            kms.put_key_policy(KeyId=live.outputs["id"], PolicyName="default", Policy=json.dumps(key_policy(ctx)))
        live.props.update(self.desired_props(ctx, res))
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        kms = ctx.clients("kms")
        if live.props.get("alias"):
            try:
                kms.delete_alias(AliasName=live.props["alias"])
            except ClientError as exc:
                if code_of(exc) != "NotFoundException":
                    raise
        kms.schedule_key_deletion(KeyId=live.outputs["id"], PendingWindowInDays=7)

    def owned(self, ctx: Context) -> list[Live]:
        """The stack's keys that are not pending deletion (listed by their tags: a key is found even
        when its alias was never made). One tag read per key of the account and region; more only for
        the stack's own."""
        kms = ctx.clients("kms")
        aliases = self._aliases(ctx)
        out = []
        for page in kms.get_paginator("list_keys").paginate():
            for k in page.get("Keys", []):
                try:
                    tags = self._tags(ctx, k["KeyId"])
                except ClientError as exc:  # an AWS managed key's tags may not be readable
                    if code_of(exc) in ("AccessDeniedException", "NotFoundException"):
                        continue
                    raise
                if owner_of(tags) != ctx.stack:
                    continue
                meta = self._describe(ctx, k["KeyId"])
                if meta is not None:
                    out.append(self._live(ctx, meta, aliases.get(k["KeyId"]), tags))
        return out


class Topic(KindBase):
    """props: email (or None), alarm_prefix, rule (the pipeline rule's name, or None)."""

    mutable = ("kms_key", "policy", "email")

    def desired_props(self, ctx: Context, res: Resource) -> dict[str, Any]:
        p = res.props
        return {
            "kms_key": ctx.out("alerts-key", "arn"),
            "policy": topic_policy(ctx, res.name, p["alarm_prefix"], p["rule"]),
            "email": [p["email"]] if p["email"] else [],
        }

    def _emails(self, ctx: Context, arn: str) -> list[dict[str, Any]]:
        subs = ctx.clients("sns").list_subscriptions_by_topic(TopicArn=arn).get("Subscriptions", [])
        return [s for s in subs if s.get("Protocol") == "email"]

    def find(self, ctx: Context, res: Resource) -> Live | None:
        sns = ctx.clients("sns")
        arn = topic_arn(ctx, res.name)
        try:
            attrs = sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        except ClientError as exc:
            if code_of(exc) in ("NotFound", "NotFoundException"):
                return None
            raise
        tags = sns.list_tags_for_resource(ResourceArn=arn).get("Tags", [])
        props = {
            "kms_key": attrs.get("KmsMasterKeyId"),
            "policy": json.loads(attrs["Policy"]) if attrs.get("Policy") else None,
            "email": sorted(s["Endpoint"] for s in self._emails(ctx, arn)),
        }
        return Live("topic", res.name, props, owner_of(tags), {"arn": arn, "name": res.name})

    def create(self, ctx: Context, res: Resource) -> Live:
        want = self.desired_props(ctx, res)
        arn = ctx.clients("sns").create_topic(
            Name=res.name,
            Attributes={"KmsMasterKeyId": want["kms_key"], "Policy": json.dumps(want["policy"])},
            Tags=kv_tags(tags_for(ctx, res.name)),
        )["TopicArn"]
        for email in want["email"]:
            ctx.clients("sns").subscribe(TopicArn=arn, Protocol="email", Endpoint=email)
        return Live("topic", res.name, want, ctx.stack, {"arn": arn, "name": res.name})

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        sns, want, arn = ctx.clients("sns"), self.desired_props(ctx, res), live.outputs["arn"]
        if "kms_key" in fields:
            sns.set_topic_attributes(TopicArn=arn, AttributeName="KmsMasterKeyId", AttributeValue=want["kms_key"])
        if "policy" in fields:
            sns.set_topic_attributes(TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(want["policy"]))
        if "email" in fields:
            subs = self._emails(ctx, arn)
            for email in set(want["email"]) - {s["Endpoint"] for s in subs}:
                sns.subscribe(TopicArn=arn, Protocol="email", Endpoint=email)
            for s in subs:  # a subscription still pending confirmation cannot be removed; AWS drops it
                if s["Endpoint"] not in want["email"] and s["SubscriptionArn"].startswith("arn:"):
                    sns.unsubscribe(SubscriptionArn=s["SubscriptionArn"])
        live.props.update(want)
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("sns").delete_topic(TopicArn=live.outputs["arn"])  # its subscriptions go with it

    def owned(self, ctx: Context) -> list[Live]:
        out = []
        for page in ctx.clients("sns").get_paginator("list_topics").paginate():
            for t in page.get("Topics", []):
                name = t["TopicArn"].rsplit(":", 1)[-1]
                if name.startswith(f"{ctx.stack}-"):
                    live = self.find(ctx, Resource("topic", "topic", name))
                    if live is not None and live.owner == ctx.stack:
                        out.append(live)
        return out
