"""What each service's lines charge for, in one sentence: the first line of its cost module's
docstring (the module is the rule's one home), keyed by the ``service`` a line item carries."""

from __future__ import annotations

from types import ModuleType

from tinysim.costs import alb, apigw, cloudwatch, codebuild, codepipeline, ec2, ecr, egress, fargate, ipv4, lambda_, nat

__all__ = ["line_rule"]

_MODULES: tuple[ModuleType, ...] = (
    alb,
    apigw,
    lambda_,
    ec2,
    fargate,
    nat,
    ipv4,
    egress,
    cloudwatch,
    ecr,
    codebuild,
    codepipeline,
)
_RULES: dict[str, str] = {str(m.SERVICE): " ".join((m.__doc__ or "").split("\n\n")[0].split()) for m in _MODULES}


def line_rule(service: str) -> str:
    """How ``service``'s lines are priced (empty for an unknown service)."""
    return _RULES.get(service, "")
