"""Named, single-call resources: the ECR repository, the CloudWatch log group, the S3 artifact bucket."""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import KindBase, code_of, kv_tags, owner_of

__all__ = ["BLOCK_ALL", "Bucket", "LogGroup", "Repository", "tls_only_policy"]


def _or_none(call: Any, missing: tuple[str, ...]) -> Any:
    try:
        return call()
    except ClientError as exc:
        if code_of(exc) in missing:
            return None
        raise


#: Keep the 30 newest images, expire the rest (FSBP ECR.3 asks for a lifecycle policy).
LIFECYCLE = {
    "rules": [
        {
            "rulePriority": 1,
            "description": "keep the 30 newest images",
            "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 30},
            "action": {"type": "expire"},
        }
    ]
}


class Repository(KindBase):
    """An ECR repository, images scanned on push (FSBP ECR.1), tags immutable (ECR.2: a pushed tag always
    names the same image; the pipeline tags every build uniquely) and a lifecycle policy (ECR.3); all
    three converged on every apply."""

    mutable = ("scan_on_push", "lifecycle", "tag_mutability")

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        return {"scan_on_push": True, "lifecycle": LIFECYCLE, "tag_mutability": "IMMUTABLE"}

    def _live(self, ctx: Context, r: dict[str, Any]) -> Live:
        ecr = ctx.clients("ecr")
        tags = ecr.list_tags_for_resource(resourceArn=r["repositoryArn"]).get("tags", [])
        scan = bool(r.get("imageScanningConfiguration", {}).get("scanOnPush"))
        text = _or_none(
            lambda: ecr.get_lifecycle_policy(repositoryName=r["repositoryName"])["lifecyclePolicyText"],
            ("LifecyclePolicyNotFoundException",),
        )
        return Live(
            "repository",
            r["repositoryName"],
            {
                "scan_on_push": scan,
                "lifecycle": json.loads(text) if text else None,
                "tag_mutability": r.get("imageTagMutability", "MUTABLE"),
            },
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
            imageTagMutability="IMMUTABLE",
        )["repository"]
        live = Live(
            "repository",
            res.name,
            {"scan_on_push": True, "lifecycle": None, "tag_mutability": r.get("imageTagMutability", "IMMUTABLE")},
            ctx.stack,
            {"uri": r["repositoryUri"], "arn": r["repositoryArn"], "name": res.name},
        )
        return self.update(ctx, res, live, ["lifecycle"])

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        ecr = ctx.clients("ecr")
        if "scan_on_push" in fields:
            ecr.put_image_scanning_configuration(
                repositoryName=live.id, imageScanningConfiguration={"scanOnPush": True}
            )
        if "tag_mutability" in fields:
            ecr.put_image_tag_mutability(repositoryName=live.id, imageTagMutability="IMMUTABLE")
        if "lifecycle" in fields:
            ecr.put_lifecycle_policy(repositoryName=live.id, lifecyclePolicyText=json.dumps(LIFECYCLE))
        live.props.update(self.desired(ctx, res))
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("ecr").delete_repository(repositoryName=live.id, force=True)

    def owned(self, ctx: Context) -> list[Live]:
        repos = ctx.clients("ecr").describe_repositories()["repositories"]
        lives = [self._live(ctx, r) for r in repos if r["repositoryName"].startswith(ctx.stack)]
        return [live for live in lives if live.owner == ctx.stack]


class LogGroup(KindBase):
    """A CloudWatch log group of the stack (the tasks', the function's, each build project's), with its
    retention; created before what writes to it, so that it is tagged and expires, and deleted by destroy."""

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
        arn = f"arn:aws:logs:{ctx.region}:{ctx.account}:log-group:{res.name}:*"  # as DescribeLogGroups gives it
        return Live("log_group", res.name, dict(res.props), ctx.stack, {"name": res.name, "arn": arn})

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        ctx.clients("logs").put_retention_policy(logGroupName=res.name, retentionInDays=res.props["retention_days"])
        live.props["retention_days"] = res.props["retention_days"]
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("logs").delete_log_group(logGroupName=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        found = []
        for prefix in (f"/tinysim/{ctx.stack}", f"/aws/lambda/{ctx.stack}", f"/aws/codebuild/{ctx.stack}-"):
            for g in ctx.clients("logs").describe_log_groups(logGroupNamePrefix=prefix)["logGroups"]:
                live = self.find(ctx, Resource("log", "log_group", g["logGroupName"]))
                if live is not None and live.owner == ctx.stack:
                    found.append(live)
        return found


BLOCK_ALL = {
    "BlockPublicAcls": True,
    "IgnorePublicAcls": True,
    "BlockPublicPolicy": True,
    "RestrictPublicBuckets": True,
}


def tls_only_policy(bucket: str) -> dict[str, Any]:
    """Deny every request not made over TLS (FSBP S3.5; AWS's example policy for aws:SecureTransport)."""
    arn = f"arn:aws:s3:::{bucket}"
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [arn, f"{arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ],
    }


class Bucket(KindBase):
    """The pipeline's artifact bucket: public access blocked, encrypted (SSE-S3), versioned (CodePipeline's
    S3 source needs it; FSBP S3.14) and TLS-only (S3.5). Every setting is read and converged on every
    apply. S3 cannot tag a bucket in its create call, so the create is recorded before it is made."""

    mutable = ("encryption", "public_access_block", "versioning", "policy")
    tagged_at_create = False

    def desired(self, ctx: Context, res: Resource) -> dict[str, Any]:
        return {
            "encryption": "AES256",
            "public_access_block": BLOCK_ALL,
            "versioning": "Enabled",
            "policy": tls_only_policy(res.name),
        }

    def _settings(self, ctx: Context, name: str) -> dict[str, Any]:
        s3 = ctx.clients("s3")
        enc = _or_none(
            lambda: s3.get_bucket_encryption(Bucket=name)["ServerSideEncryptionConfiguration"].get("Rules", []),
            ("ServerSideEncryptionConfigurationNotFoundError",),
        )
        algo = enc[0].get("ApplyServerSideEncryptionByDefault", {}).get("SSEAlgorithm") if enc else None
        pab = _or_none(
            lambda: s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"],
            ("NoSuchPublicAccessBlockConfiguration",),
        )
        policy = _or_none(lambda: s3.get_bucket_policy(Bucket=name)["Policy"], ("NoSuchBucketPolicy",))
        return {
            "encryption": algo,
            "public_access_block": {k: bool(pab.get(k)) for k in BLOCK_ALL} if pab else None,
            "versioning": s3.get_bucket_versioning(Bucket=name).get("Status"),
            "policy": json.loads(policy) if policy else None,
        }

    def find(self, ctx: Context, res: Resource) -> Live | None:
        s3 = ctx.clients("s3")
        try:
            s3.head_bucket(Bucket=res.name)
        except ClientError as exc:
            if code_of(exc) in ("404", "NoSuchBucket", "NotFound"):
                return None
            raise
        tags = _or_none(lambda: s3.get_bucket_tagging(Bucket=res.name).get("TagSet", []), ("NoSuchTagSet",)) or []
        return Live(
            "bucket",
            res.name,
            self._settings(ctx, res.name),
            owner_of(tags),
            {"name": res.name, "arn": f"arn:aws:s3:::{res.name}"},
        )

    def create(self, ctx: Context, res: Resource) -> Live:
        kwargs: dict[str, Any] = {"Bucket": res.name}
        if ctx.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": ctx.region}
        ctx.clients("s3").create_bucket(**kwargs)
        live = Live("bucket", res.name, {}, None, {"name": res.name, "arn": f"arn:aws:s3:::{res.name}"})
        live = self.adopt(ctx, res, live)
        return self.update(ctx, res, live, list(self.mutable))

    def adopt(self, ctx: Context, res: Resource, live: Live) -> Live:
        ctx.clients("s3").put_bucket_tagging(Bucket=res.name, Tagging={"TagSet": kv_tags(tags_for(ctx, res.name))})
        live.owner = ctx.stack
        return live

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        s3 = ctx.clients("s3")
        want = self.desired(ctx, res)
        if "public_access_block" in fields:
            s3.put_public_access_block(Bucket=res.name, PublicAccessBlockConfiguration=BLOCK_ALL)
        if "encryption" in fields:
            s3.put_bucket_encryption(
                Bucket=res.name,
                ServerSideEncryptionConfiguration={
                    "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": want["encryption"]}}]
                },
            )
        if "versioning" in fields:
            s3.put_bucket_versioning(Bucket=res.name, VersioningConfiguration={"Status": "Enabled"})
        if "policy" in fields:
            s3.put_bucket_policy(Bucket=res.name, Policy=json.dumps(want["policy"]))
        live.props.update({k: want[k] for k in fields})
        return live

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
