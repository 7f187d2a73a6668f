"""The pipeline: CodeBuild projects for build (image to ECR) and release (roll the service or the
function), and a CodePipeline source (S3) -> build -> release."""

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


class Pipeline(KindBase):
    """props: source_key (S3 object key holding repository and branch)."""

    mutable = ("source_key",)

    def _source_key(self, pipeline: dict[str, Any]) -> str | None:
        for stage in pipeline["stages"]:
            for action in stage["actions"]:
                if action["actionTypeId"]["provider"] == "S3":
                    return str(action["configuration"].get("S3ObjectKey"))
        return None

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
            {"source_key": self._source_key(got["pipeline"])},
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
                {
                    "name": "Source",
                    "actions": [
                        {
                            "name": "Source",
                            "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                            "configuration": {
                                "S3Bucket": ctx.out("bucket", "name"),
                                "S3ObjectKey": res.props["source_key"],
                                "PollForSourceChanges": "false",
                            },
                            "outputArtifacts": [{"name": "source"}],
                        }
                    ],
                },
                build("Build", "build", "source", "image"),
                build("Release", "release", "image", None),
            ],
        }

    def create(self, ctx: Context, res: Resource) -> Live:
        ctx.clients("codepipeline").create_pipeline(
            pipeline=self._definition(ctx, res),
            tags=[{"key": k, "value": v} for k, v in tags_for(ctx, res.name).items()],
        )
        return Live("pipeline", res.name, {"source_key": res.props["source_key"]}, ctx.stack, {"name": res.name})

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        ctx.clients("codepipeline").update_pipeline(pipeline=self._definition(ctx, res))
        live.props["source_key"] = res.props["source_key"]
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("codepipeline").delete_pipeline(name=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        names = [p["name"] for p in ctx.clients("codepipeline").list_pipelines().get("pipelines", [])]
        lives = [self.find(ctx, Resource("pipeline", "pipeline", n)) for n in names if n.startswith(ctx.stack + "-")]
        return [lv for lv in lives if lv is not None and lv.owner == ctx.stack]
