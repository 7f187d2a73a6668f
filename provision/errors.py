"""Errors raised by the provisioner.

ProvisionError          base of every error raised here
├── PlanNotSupported    the plan asks for something this provisioner does not build (yet)
├── ConnectionProblem   credentials missing, or the endpoint cannot be reached
├── StackCollision      another stack (or something untagged) already owns a name this stack needs
├── StackLocked         another apply or destroy holds the stack's lock
├── TagsRejected        the plan's tags would be refused by AWS (found before any AWS call)
├── VpcUnfit            an existing VPC lacks what the plan needs (found before any change)
├── ForeignArn          an ARN the plan uses belongs to another account (found before any change)
├── StepFailed          an AWS call failed during apply or destroy; names the step and the call
└── LocalStackError     LocalStack could not be installed, started or stopped
"""

from __future__ import annotations

__all__ = [
    "ConnectionProblem",
    "ForeignArn",
    "LocalStackError",
    "PlanNotSupported",
    "ProvisionError",
    "StackCollision",
    "StackLocked",
    "StepFailed",
    "TagsRejected",
    "VpcUnfit",
]


class ProvisionError(Exception):
    """Base class of every error raised by :mod:`provision`."""


class PlanNotSupported(ProvisionError):
    """The plan is valid but asks for something this provisioner does not build."""


class ConnectionProblem(ProvisionError):
    """No credentials, or the endpoint does not answer."""


class StackCollision(ProvisionError):
    """A resource this stack needs is taken by another stack or by an untagged resource."""


class StackLocked(ProvisionError):
    """Another apply or destroy holds the stack's lock; the message names the holder and since when."""


class TagsRejected(ProvisionError):
    """Tags AWS would refuse; ``problems`` holds one line per bad tag."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class VpcUnfit(ProvisionError):
    """The existing VPC (``network.existing_vpc_id``) cannot carry the plan; ``problems`` holds one line
    per missing criterion."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class ForeignArn(ProvisionError):
    """An ARN of the plan names another account than the caller's; ``problems`` holds one line per ARN."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class StepFailed(ProvisionError):
    """An AWS call failed; the message names the step, the call and AWS's error code."""


class LocalStackError(ProvisionError):
    """LocalStack could not be installed, started or stopped."""
