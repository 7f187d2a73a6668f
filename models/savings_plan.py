"""A Compute Savings Plan: an hourly spend commitment for 1 or 3 years, in exchange for a discount on
Fargate, Lambda and EC2 usage (aws.amazon.com/savingsplans/compute-pricing/)."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SavingsPlan"]


class SavingsPlan(BaseModel):
    """``commitment_usd_per_hour`` of plan-rate spend, every hour of the term, used or not."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    commitment_usd_per_hour: Decimal = Field(Decimal(0), ge=0, le=1_000_000)
    term_years: Literal[1, 3] = 1
    payment: Literal["no_upfront", "partial_upfront", "all_upfront"] = "no_upfront"

    @property
    def rate_key(self) -> str:
        """The key of this term and payment in a book's ``savings_plan.<family>`` table."""
        return f"{self.term_years}y.{self.payment}"
