"""The pipeline: CodeBuild projects for build (image to ECR) and release (roll the service or the
function), and a CodePipeline source -> build -> release. The source is an S3 object in the stack's
bucket, or a GitHub/GitLab repository through a CodeConnections connection (``CodeStarSourceConnection``,
its output a zip of the code: docs.aws.amazon.com/codepipeline/latest/userguide/
action-reference-CodestarConnectionSource.html)."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import KindBase, code_of, owner_of

__all__ = ["BuildProject", "Pipeline"]

BUILD_IMAGE = "aws/codebuild/standard:7.0"


class BuildProject(KindBase):
    """props: buildspec, compute_type, env (environment variables)."""

    mutable = ("buildspec", "compute_type", "privileged")

    def _live(self, p: dict[str, Any]) -> Live:
        tags = [{"Key": t["key"], "Value": t["value"]} for t in p.get("tags", [])]
        return Live(
            "build_project",
            p["name"],
            {
                "buildspec": p["source"].get("buildspec"),
                "compute_type": p["environment"]["computeType"],
                "privileged": bool(p["environment"].get("privilegedMode")),
            },
            owner_of(tags),
            {"name": p["name"], "arn": p["arn"]},
        )

    def find(self, ctx: Context, res: Resource) -> Live | None:
        got = ctx.clients("codebuild").batch_get_projects(names=[res.name]).get("projects", [])
        return self._live(got[0]) if got else None

    def _args(self, ctx: Context, res: Resource) -> dict[str, Any]:
        values = {k: (ctx.out("ecr", "uri") if v == "${ecr}" else v) for k, v in res.props["env"].items()}
        env = [{"name": k, "value": str(v), "type": "PLAINTEXT"} for k, v in values.items()]
        return {
            "name": res.name,
            "serviceRole": ctx.out("role-build", "arn"),
            # AWS ignores a location for CODEPIPELINE sources; some emulators want one
            "source": {
                "type": "CODEPIPELINE",
                "buildspec": res.props["buildspec"],
                "location": f"{ctx.out('bucket', 'name')}/source",
            },
            "artifacts": {"type": "CODEPIPELINE", "location": ctx.out("bucket", "name")},  # ignored by AWS
            "environment": {
                "type": "LINUX_CONTAINER",
                "image": BUILD_IMAGE,
                "computeType": res.props["compute_type"],
                "privilegedMode": res.props["privileged"],  # only the image build needs Docker (CodeBuild.5)
                "environmentVariables": env,
            },
        }

    def create(self, ctx: Context, res: Resource) -> Live:
        tags = [{"key": k, "value": v} for k, v in tags_for(ctx, res.name).items()]
        p = ctx.clients("codebuild").create_project(**self._args(ctx, res), tags=tags)
        return Live(
            "build_project",
            res.name,
            {k: res.props[k] for k in self.mutable},
            ctx.stack,
            {"name": res.name, "arn": p["project"]["arn"]},
        )

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        ctx.clients("codebuild").update_project(**self._args(ctx, res))
        live.props.update({k: res.props[k] for k in self.mutable})
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("codebuild").delete_project(name=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        cb = ctx.clients("codebuild")
        names = [n for n in cb.list_projects().get("projects", []) if n.startswith(ctx.stack + "-")]
        got = cb.batch_get_projects(names=names).get("projects", []) if names else []
        return [lv for lv in (self._live(p) for p in got) if lv.owner == ctx.stack]


#: The source action's configuration fields the stack sets, by provider (the rest are fixed below).
SOURCE_FIELDS = {
    "S3": ("S3ObjectKey",),
    "CodeStarSourceConnection": ("ConnectionArn", "FullRepositoryId", "BranchName"),
}


def _provider(source: dict[str, Any]) -> str:
    return "S3" if "S3ObjectKey" in source else "CodeStarSourceConnection"


class Pipeline(KindBase):
    """props: source (the source action's name - ``Source``, or ``GitHub``/``GitLab`` for a connection,
    which is how ``status`` tells them apart - and its configuration: ``S3ObjectKey`` for an S3 source,
    or ``ConnectionArn``, ``FullRepositoryId`` and ``BranchName`` for a connection)."""

    mutable = ("source",)

    def _source(self, pipeline: dict[str, Any]) -> dict[str, Any] | None:
        for stage in pipeline["stages"]:
            for action in stage["actions"]:
                fields = SOURCE_FIELDS.get(action["actionTypeId"]["provider"])
                if action["actionTypeId"]["category"] == "Source" and fields:
                    return {"action": action["name"], **{k: action["configuration"].get(k) for k in fields}}
        return None

    def _source_action(self, ctx: Context, source: dict[str, Any]) -> dict[str, Any]:
        provider = _provider(source)
        config = {k: v for k, v in source.items() if k != "action"}
        if provider == "S3":
            config.update(S3Bucket=ctx.out("bucket", "name"), PollForSourceChanges="false")
        else:  # a push to the branch starts the pipeline; the output is a zip of the code
            config.update(DetectChanges="true", OutputArtifactFormat="CODE_ZIP")
        return {
            "name": source["action"],
            "actionTypeId": {"category": "Source", "owner": "AWS", "provider": provider, "version": "1"},
            "configuration": config,
            "outputArtifacts": [{"name": "source"}],
        }

    def find(self, ctx: Context, res: Resource) -> Live | None:
        cp = ctx.clients("codepipeline")
        try:
            got = cp.get_pipeline(name=res.name)
        except ClientError as exc:
            if code_of(exc) == "PipelineNotFoundException":
                return None
            raise
        arn = got.get("metadata", {}).get("pipelineArn", "")
        tags = cp.list_tags_for_resource(resourceArn=arn).get("tags", []) if arn else []
        return Live(
            "pipeline",
            res.name,
            {"source": self._source(got["pipeline"])},
            owner_of([{"Key": t["key"], "Value": t["value"]} for t in tags]),
            {"name": res.name},
        )

    def _definition(self, ctx: Context, res: Resource) -> dict[str, Any]:
        def build(name: str, project: str, inputs: str, outputs: str | None) -> dict[str, Any]:
            action: dict[str, Any] = {
                "name": name,
                "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
                "configuration": {"ProjectName": ctx.out(project, "name")},
                "inputArtifacts": [{"name": inputs}],
            }
            if outputs:
                action["outputArtifacts"] = [{"name": outputs}]
            return {"name": name, "actions": [action]}

        return {
            "name": res.name,
            "roleArn": ctx.out("role-pipeline", "arn"),
            "artifactStore": {"type": "S3", "location": ctx.out("bucket", "name")},
            "stages": [
                {"name": "Source", "actions": [self._source_action(ctx, res.props["source"])]},
                build("Build", "build", "source", "image"),
                build("Release", "release", "image", None),
            ],
        }

    def create(self, ctx: Context, res: Resource) -> Live:
        ctx.clients("codepipeline").create_pipeline(
            pipeline=self._definition(ctx, res),
            tags=[{"key": k, "value": v} for k, v in tags_for(ctx, res.name).items()],
        )
        return Live("pipeline", res.name, {"source": dict(res.props["source"])}, ctx.stack, {"name": res.name})

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        ctx.clients("codepipeline").update_pipeline(pipeline=self._definition(ctx, res))
        live.props["source"] = dict(res.props["source"])
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("codepipeline").delete_pipeline(name=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        names = [p["name"] for p in ctx.clients("codepipeline").list_pipelines().get("pipelines", [])]
        lives = [self.find(ctx, Resource("pipeline", "pipeline", n)) for n in names if n.startswith(ctx.stack + "-")]
        return [lv for lv in lives if lv is not None and lv.owner == ctx.stack]
