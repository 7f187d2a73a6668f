"""``plan.pipeline.source``: where the pipeline takes the code from.

``s3`` (the default) is an S3 object the stack's bucket holds (``source/<repository>/<branch>.zip``,
named by ``pipeline.repository`` and ``pipeline.branch``); ``github`` and ``gitlab`` are a CodePipeline
``CodeStarSourceConnection`` action on an AWS CodeConnections connection the account already has (it is
created and authorized once in the console; the stack only uses it).
Source: docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodestarConnectionSource.html
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from models.regions import PARTITION_PATTERN
from models.validation import Problem

__all__ = ["CONNECTION_ARN_PATTERN", "PipelineSource", "branch_problem", "repository_problem", "source_problems"]

#: A connection's ARN: the ``codeconnections`` service name, or ``codestar-connections`` for connections
#: made before the service was renamed (both are valid). Source: docs.aws.amazon.com/dtconsole/latest/
#: userguide/rename.html
_CONNECTION_SERVICE = "(codeconnections|codestar-connections)"
CONNECTION_ARN_PATTERN = (
    rf"^arn:{PARTITION_PATTERN}:{_CONNECTION_SERVICE}:[a-z0-9-]+:[0-9]{{12}}:connection/[0-9a-f-]{{36}}$"
)

#: A GitHub owner (user or organization): letters, digits and single hyphens, not at either end, at most
#: 39 characters (GitHub's sign-up form rules). A repository name: letters, digits, ``.``, ``_``, ``-``,
#: never ``.`` or ``..`` alone. GitLab nests groups (``group/subgroup/project``); GitHub never does.
#: Source: docs.github.com/en/repositories/creating-and-managing-repositories/creating-a-new-repository,
#: docs.gitlab.com/user/reserved_names/ (path rules)
_GITHUB_OWNER = re.compile(r"^[A-Za-z0-9](-?[A-Za-z0-9])*$")
_PATH_SEGMENT = re.compile(r"^[A-Za-z0-9_.-]+$")

#: Characters a git ref may not hold: control characters, space, ``~ ^ : ? * [ \``
#: (git-scm.com/docs/git-check-ref-format, rules 4, 5 and 10).
_REF_FORBIDDEN = re.compile(r"[\x00-\x20\x7f~^:?*\[\\]")


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
        description="github/gitlab: the repository as owner/name (GitLab groups may nest: group/sub/name)",
    )
    branch: str = Field("main", min_length=1, max_length=255, description="github/gitlab: the branch to build")

    @property
    def connected(self) -> bool:
        """True for a CodeConnections source (GitHub, GitLab)."""
        return self.provider != "s3"


def repository_problem(provider: str, repository: str) -> str | None:
    """Why ``repository`` is no repository path of ``provider`` (github | gitlab), or None: GitHub takes
    exactly ``owner/name``, GitLab ``group[/subgroup...]/project``; no segment may be ``.`` or ``..``."""
    parts = repository.split("/")
    shape = "owner/name" if provider == "github" else "group/project (groups may nest: group/sub/project)"
    if provider == "github" and len(parts) != 2:
        return f"must be owner/name for GitHub ({len(parts)} parts given; only GitLab nests groups)"
    if len(parts) < 2 or any(p in (".", "..") or not _PATH_SEGMENT.match(p) for p in parts):
        return f"must be {shape}, each part letters, digits, '.', '_' or '-' and not '.' or '..'"
    if provider == "github" and (len(parts[0]) > 39 or not _GITHUB_OWNER.match(parts[0])):
        return "a GitHub owner is up to 39 letters, digits or single inner hyphens"
    return None


def branch_problem(branch: str) -> str | None:
    """Why ``branch`` is not a valid git branch name, or None (git-scm.com/docs/git-check-ref-format:
    no '..', '@{', control characters, space or ~^:?*[\\; no part starting with '.' or ending in
    '.lock'; not starting or ending with '/', no '//'; not ending with '.'; not '@'; not starting with '-',
    which ``git branch`` refuses)."""
    rule = "must be a valid git branch name (git check-ref-format)"
    if _REF_FORBIDDEN.search(branch):
        return f"{rule}: no spaces, control characters or ~^:?*[\\"
    if ".." in branch or "@{" in branch or "//" in branch or branch == "@":
        return f"{rule}: no '..', '@{{' or '//', and not '@'"
    if branch.startswith(("/", "-")) or branch.endswith(("/", ".")):
        return f"{rule}: not starting with '/' or '-', not ending with '/' or '.'"
    if any(p.startswith(".") or p.endswith(".lock") for p in branch.split("/")):
        return f"{rule}: no part starting with '.' or ending with '.lock'"
    return None


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
    if source.repository is not None:
        why = repository_problem(source.provider, source.repository)
        if why:
            problems.append(("source.repository", source.repository, why))
    why = branch_problem(source.branch)
    if why:
        problems.append(("source.branch", source.branch, why))
    for name, value in explicit.items():
        if name in ("repository", "branch"):
            problems.append(
                (name, value, f"names the S3 source; with source.provider {source.provider!r} use source.{name}")
            )
    return problems
