"""How an AWS Region is named, and the Region a file that names none is in."""

from __future__ import annotations

__all__ = ["DEFAULT_REGION", "PARTITION_PATTERN", "REGION_PATTERN", "partition_of"]

#: A Region code such as ``us-east-1`` or ``us-gov-west-1``.
#: Source: docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
REGION_PATTERN = r"^[a-z]{2}(-gov)?-[a-z]+-\d$"
#: The Region of a plan or usage file that names none (the seed stack's).
DEFAULT_REGION = "us-east-1"

#: The partitions an ARN may name: ``aws``, ``aws-cn`` (China Regions) and ``aws-us-gov`` (GovCloud).
#: Source: docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
PARTITION_PATTERN = r"aws(-cn|-us-gov)?"


def partition_of(region: str) -> str:
    """The partition of a Region code: ``aws-cn`` for ``cn-*``, ``aws-us-gov`` for ``us-gov-*``, else ``aws``
    (same source as ``PARTITION_PATTERN``)."""
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"
