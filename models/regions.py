"""How an AWS Region is named, and the Region a file that names none is in."""

from __future__ import annotations

__all__ = ["DEFAULT_REGION", "REGION_PATTERN"]

#: A Region code such as ``us-east-1`` or ``us-gov-west-1``.
#: Source: docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html
REGION_PATTERN = r"^[a-z]{2}(-gov)?-[a-z]+-\d$"
#: The Region of a plan or usage file that names none (the seed stack's).
DEFAULT_REGION = "us-east-1"
