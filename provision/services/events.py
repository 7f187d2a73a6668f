"""The EventBridge rule that sends the pipeline's failures to the alerts topic: a CodePipeline execution
of the stack's pipeline that ends FAILED, or a build of one of its CodeBuild projects that ends FAILED,
FAULT or TIMED_OUT.

Sources: docs.aws.amazon.com/codepipeline/latest/userguide/detect-state-changes-cloudwatch-events.html
(``CodePipeline Pipeline Execution State Change``, ``detail.state``), docs.aws.amazon.com/codebuild/
latest/userguide/sample-build-notifications.html (``CodeBuild Build State Change``,
``detail.build-status``), docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
(``$or``).
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import KindBase, code_of, kv_tags, owner_of

__all__ = ["BUILD_FAILURES", "EventRule", "failure_pattern"]

#: Build states that end a build without success.
BUILD_FAILURES = ("FAILED", "FAULT", "TIMED_OUT")
TARGET_ID = "alerts-topic"


def failure_pattern(pipeline: str, projects: list[str]) -> dict[str, Any]:
    """The event pattern: the pipeline's failed executions, or its projects' failed builds."""
    return {
        "$or": [
            {
                "source": ["aws.codepipeline"],
                "detail-type": ["CodePipeline Pipeline Execution State Change"],
                "detail": {"pipeline": [pipeline], "state": ["FAILED"]},
            },
            {
                "source": ["aws.codebuild"],
                "detail-type": ["CodeBuild Build State Change"],
                "detail": {"project-name": sorted(projects), "build-status": list(BUILD_FAILURES)},
            },
        ]
    }


class EventRule(KindBase):
    """props: pipeline (name), projects (CodeBuild project names). Target: the alerts topic."""

    mutable = ("pattern", "target", "state")

    def desired_props(self, ctx: Context, res: Resource) -> dict[str, Any]:
        pattern = failure_pattern(res.props["pipeline"], list(res.props["projects"]))
        return {"pattern": pattern, "target": ctx.out("topic", "arn"), "state": "ENABLED"}

    def find(self, ctx: Context, res: Resource) -> Live | None:
        ev = ctx.clients("events")
        try:
            rule = ev.describe_rule(Name=res.name)
        except ClientError as exc:
            if code_of(exc) == "ResourceNotFoundException":
                return None
            raise
        tags = ev.list_tags_for_resource(ResourceARN=rule["Arn"]).get("Tags", [])
        targets = ev.list_targets_by_rule(Rule=res.name).get("Targets", [])
        props = {
            "pattern": json.loads(rule["EventPattern"]) if rule.get("EventPattern") else None,
            "target": targets[0]["Arn"] if targets else None,
            "state": rule.get("State"),
            "targets": [t["Id"] for t in targets],
        }
        return Live("event_rule", res.name, props, owner_of(tags), {"arn": rule["Arn"], "name": res.name})

    def _put_rule(self, ctx: Context, res: Resource, tagged: bool) -> str:
        args: dict[str, Any] = {
            "Name": res.name,
            "EventPattern": json.dumps(self.desired_props(ctx, res)["pattern"]),
            "State": "ENABLED",
            "Description": f"{ctx.stack}: pipeline and build failures to the alerts topic",
        }
        if tagged:
            args["Tags"] = kv_tags(tags_for(ctx, res.name))
        return str(ctx.clients("events").put_rule(**args)["RuleArn"])

    def _put_target(self, ctx: Context, res: Resource) -> None:
        target = {"Id": TARGET_ID, "Arn": ctx.out("topic", "arn")}
        ctx.clients("events").put_targets(Rule=res.name, Targets=[target])

    def create(self, ctx: Context, res: Resource) -> Live:
        arn = self._put_rule(ctx, res, tagged=True)
        self._put_target(ctx, res)  # an apply stopped before this call finds the target missing and adds it
        return Live("event_rule", res.name, self.desired_props(ctx, res), ctx.stack, {"arn": arn, "name": res.name})

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        """Only the calls the differing fields need (each converges on its own)."""
        if {"pattern", "state"} & set(fields):
            self._put_rule(ctx, res, tagged=False)
        if "target" in fields:
            self._put_target(ctx, res)
        live.props.update(self.desired_props(ctx, res))
        return live

    def delete(self, ctx: Context, live: Live) -> None:
        ev = ctx.clients("events")
        ids = live.props.get("targets") or [TARGET_ID]
        ev.remove_targets(Rule=live.id, Ids=list(ids))  # a rule with targets cannot be deleted
        ev.delete_rule(Name=live.id)

    def owned(self, ctx: Context) -> list[Live]:
        rules = ctx.clients("events").list_rules(NamePrefix=f"{ctx.stack}-").get("Rules", [])
        lives = [self.find(ctx, Resource("event_rule", "event_rule", r["Name"])) for r in rules]
        return [lv for lv in lives if lv is not None and lv.owner == ctx.stack]
