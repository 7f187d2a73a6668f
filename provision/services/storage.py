"""Named, single-call resources: the ECR repository, the CloudWatch log group, the S3 artifact bucket."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import KindBase, code_of, kv_tags, owner_of

__all__ = ["Bucket", "LogGroup", "Repository"]


class Repository(KindBase):
    """An ECR repository, images scanned on push."""

    mutable = ("scan_on_push",)

    def _live(self, ctx: Context, r: dict[str, Any]) -> Live:
        tags = ctx.clients("ecr").list_tags_for_resource(resourceArn=r["repositoryArn"]).get("tags", [])
        scan = bool(r.get("imageScanningConfiguration", {}).get("scanOnPush"))
        return Live(
            "repository",
            r["repositoryName"],
            {"scan_on_push": scan},
            owner_of(tags),
            {"uri": r["repositoryUri"], "arn": r["repositoryArn"], "name": r["repositoryName"]},
        )

    def find(self, ctx: Context, res: Resource) -> Live | None:
        try:
            repos = ctx.clients("ecr").describe_repositories(repositoryNames=[res.name])["repositories"]
        except ClientError as exc:
            if code_of(exc) == "RepositoryNotFoundException":
                return None
            raise
        return self._live(ctx, repos[0])

    def create(self, ctx: Context, res: Resource) -> Live:
        r = ctx.clients("ecr").create_repository(
            repositoryName=res.name,
            tags=kv_tags(tags_for(ctx, res.name)),
            imageScanningConfiguration={"scanOnPush": True},
        )["repository"]
        return Live(
            "repository",
            res.name,
            {"scan_on_push": True},
            ctx.stack,
            {"uri": r["repositoryUri"], "arn": r["repositoryArn"], "name": res.name},
        )

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        ctx.clients("ecr").put_image_scanning_configuration(
            repositoryName=live.id, imageScanningConfiguration={"scanOnPush": True}
        )
        live.props["scan_on_push"] = True
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("ecr").delete_repository(repositoryName=live.id, force=True)

    def owned(self, ctx: Context) -> list[Live]:
        repos = ctx.clients("ecr").describe_repositories()["repositories"]
        lives = [self._live(ctx, r) for r in repos if r["repositoryName"].startswith(ctx.stack)]
        return [live for live in lives if live.owner == ctx.stack]


class LogGroup(KindBase):
    """The stack's CloudWatch log group, with retention."""

    mutable = ("retention_days",)

    def find(self, ctx: Context, res: Resource) -> Live | None:
        logs = ctx.clients("logs")
        groups = [
            g
            for g in logs.describe_log_groups(logGroupNamePrefix=res.name)["logGroups"]
            if g["logGroupName"] == res.name
        ]
        if not groups:
            return None
        g = groups[0]
        tags = logs.list_tags_log_group(logGroupName=res.name).get("tags", {})
        return Live(
            "log_group",
            res.name,
            {"retention_days": g.get("retentionInDays")},
            owner_of(tags),
            {"name": res.name, "arn": g.get("arn", "")},
        )

    def create(self, ctx: Context, res: Resource) -> Live:
        logs = ctx.clients("logs")
        logs.create_log_group(logGroupName=res.name, tags=tags_for(ctx, res.name))
        logs.put_retention_policy(logGroupName=res.name, retentionInDays=res.props["retention_days"])
        return Live("log_group", res.name, dict(res.props), ctx.stack, {"name": res.name})

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        ctx.clients("logs").put_retention_policy(logGroupName=res.name, retentionInDays=res.props["retention_days"])
        live.props["retention_days"] = res.props["retention_days"]
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("logs").delete_log_group(logGroupName=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        prefix = f"/tinysim/{ctx.stack}"
        found = []
        for g in ctx.clients("logs").describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]:
            live = self.find(ctx, Resource("log", "log_group", g["logGroupName"]))
            if live is not None and live.owner == ctx.stack:
                found.append(live)
        return found


class Bucket(KindBase):
    """The pipeline's artifact bucket: private (public access blocked) and encrypted (SSE-S3)."""

    def find(self, ctx: Context, res: Resource) -> Live | None:
        s3 = ctx.clients("s3")
        try:
            s3.head_bucket(Bucket=res.name)
        except ClientError as exc:
            if code_of(exc) in ("404", "NoSuchBucket", "NotFound"):
                return None
            raise
        try:
            tags = s3.get_bucket_tagging(Bucket=res.name).get("TagSet", [])
        except ClientError:
            tags = []
        return Live("bucket", res.name, {}, owner_of(tags), {"name": res.name, "arn": f"arn:aws:s3:::{res.name}"})

    def create(self, ctx: Context, res: Resource) -> Live:
        s3 = ctx.clients("s3")
        kwargs: dict[str, Any] = {"Bucket": res.name}
        if ctx.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": ctx.region}
        s3.create_bucket(**kwargs)
        try:  # a bucket cannot be tagged in its create call: undo the create if tagging fails
            s3.put_bucket_tagging(Bucket=res.name, Tagging={"TagSet": kv_tags(tags_for(ctx, res.name))})
        except ClientError:
            s3.delete_bucket(Bucket=res.name)
            raise
        s3.put_public_access_block(
            Bucket=res.name,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        s3.put_bucket_encryption(
            Bucket=res.name,
            ServerSideEncryptionConfiguration={
                "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
            },
        )
        return Live("bucket", res.name, {}, ctx.stack, {"name": res.name, "arn": f"arn:aws:s3:::{res.name}"})

    def delete(self, ctx: Context, live: Live) -> None:
        s3 = ctx.clients("s3")
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=live.id):
            items = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            if items:
                s3.delete_objects(Bucket=live.id, Delete={"Objects": items})
        s3.delete_bucket(Bucket=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        out = []
        for b in ctx.clients("s3").list_buckets().get("Buckets", []):
            if b["Name"].startswith(ctx.stack + "-"):
                live = self.find(ctx, Resource("bucket", "bucket", b["Name"]))
                if live is not None and live.owner == ctx.stack:
                    out.append(live)
        return out
