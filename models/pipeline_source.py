"""``plan.pipeline.source``: where the pipeline takes the code from.

``s3`` (the default) is an S3 object the stack's bucket holds (``source/<repository>/<branch>.zip``,
named by ``pipeline.repository`` and ``pipeline.branch``); ``github`` and ``gitlab`` are a CodePipeline
``CodeStarSourceConnection`` action on an AWS CodeConnections connection the account already has (it is
created and authorized once in the console; the stack only uses it).
Source: docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodestarConnectionSource.html
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.validation import Problem

__all__ = ["CONNECTION_ARN_PATTERN", "PipelineSource", "source_problems"]

#: A connection's ARN: the ``codeconnections`` service name, or ``codestar-connections`` for connections
#: made before the service was renamed (both are valid). Source: docs.aws.amazon.com/dtconsole/latest/
#: userguide/rename.html
CONNECTION_ARN_PATTERN = (
    r"^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:[0-9]{12}:connection/[0-9a-f-]{36}$"
)


class PipelineSource(BaseModel):
    """The pipeline's source action (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, strict=True)

    provider: Literal["s3", "github", "gitlab"] = "s3"
    connection_arn: str | None = Field(
        None, pattern=CONNECTION_ARN_PATTERN, description="github/gitlab: the CodeConnections connection's ARN"
    )
    repository: str | None = Field(
        None,
        max_length=255,
        pattern=r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)+$",
        description="github/gitlab: the repository as owner/name (GitLab groups may nest: group/sub/name)",
    )
    branch: str = Field("main", min_length=1, max_length=255, description="github/gitlab: the branch to build")

    @property
    def connected(self) -> bool:
        """True for a CodeConnections source (GitHub, GitLab)."""
        return self.provider != "s3"


def source_problems(source: PipelineSource, explicit: dict[str, object]) -> list[Problem]:
    """What is wrong with ``source`` in its pipeline (paths relative to ``pipeline``): an S3 source takes
    no connection fields (it is named by ``pipeline.repository`` and ``pipeline.branch``); a connection
    source needs its ARN and repository, and has its branch in ``source.branch`` only. ``explicit``: the
    pipeline's ``repository`` and ``branch`` where they differ from their defaults."""
    problems: list[Problem] = []
    if not source.connected:
        for name in ("connection_arn", "repository", "branch"):
            if getattr(source, name) != PipelineSource.model_fields[name].default:
                problems.append(
                    (
                        f"source.{name}",
                        getattr(source, name),
                        "applies to provider 'github' or 'gitlab' only (an s3 source is named by "
                        "pipeline.repository and pipeline.branch)",
                    )
                )
        return problems
    for name in ("connection_arn", "repository"):
        if getattr(source, name) is None:
            problems.append((f"source.{name}", None, f"is needed with provider {source.provider!r}"))
    for name, value in explicit.items():
        if name in ("repository", "branch"):
            problems.append(
                (name, value, f"names the S3 source; with source.provider {source.provider!r} use source.{name}")
            )
    return problems
