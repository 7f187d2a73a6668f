"""CodeBuild compute types, by the API's name (``BUILD_GENERAL1_SMALL``) or the pricing page's
(``general1.small``; aws.amazon.com/codebuild/pricing/)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BeforeValidator

__all__ = ["ComputeType", "api_compute_type"]

_PAGE_PREFIX = "general1."


def api_compute_type(value: Any) -> Any:
    """The API name of a compute type given either way (``general1.medium`` -> ``BUILD_GENERAL1_MEDIUM``);
    anything else is returned unchanged for the schema to reject."""
    if isinstance(value, str) and value.lower().startswith(_PAGE_PREFIX):
        return "BUILD_GENERAL1_" + value[len(_PAGE_PREFIX) :].upper()
    return value


#: A Linux general-purpose compute type, stored by its API name.
ComputeType = Annotated[
    Literal["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"],
    BeforeValidator(api_compute_type),
]
