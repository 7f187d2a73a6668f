"""CloudWatch, ECR, CodeBuild and CodePipeline."""

from decimal import Decimal

import pytest

from models import PriceBook, PriceMissing
from tests.conftest import amounts, bill_of


def test_cloudwatch_alarms_metrics_logs(now: PriceBook) -> None:
    bill = bill_of(
        {
            "cloudwatch": {
                "alarms": 4,
                "high_resolution_alarms": 1,
                "custom_metrics": 10,
                "logs_ingested_gb": 10,
                "logs_stored_gb": 100,
                "logs_insights_scanned_gb": 1000,
            }
        },
        now,
    )
    assert amounts(bill) == {
        "standard alarms": Decimal("0.40"),
        "high-resolution alarms": Decimal("0.30"),
        "custom metrics (first 10,000 metrics)": Decimal("3.00"),
        "logs ingested": Decimal("5.00"),
        "logs stored": Decimal("3.00"),
        "Logs Insights scanned": Decimal("5.00"),
    }


def test_cloudwatch_free_tier(now: PriceBook) -> None:
    bill = bill_of(
        {
            "free_tier": True,
            "cloudwatch": {"alarms": 12, "custom_metrics": 5, "logs_ingested_gb": 3, "logs_stored_gb": 3},
        },
        now,
    )
    assert amounts(bill) == {"standard alarms": Decimal("0.20"), "logs stored": Decimal("0.03")}


def test_ecr_codebuild_codepipeline(now: PriceBook) -> None:
    bill = bill_of(
        {
            "ecr": {"storage_gb": 3},
            "codebuild": [{"build_minutes": 180}, {"compute_type": "BUILD_GENERAL1_LARGE", "build_minutes": 10}],
            "codepipeline": {"v1_active_pipelines": 2, "v2_action_minutes": 500},
        },
        now,
    )
    assert amounts(bill) == {
        "image storage": Decimal("0.30"),
        "BUILD_GENERAL1_SMALL build minutes": Decimal("0.90"),
        "BUILD_GENERAL1_LARGE build minutes": Decimal("0.20"),
        "V1 active pipelines": Decimal("2.00"),
        "V2 action minutes": Decimal("1.00"),
    }


def test_codepipeline_v2_did_not_exist_in_2021(july2021: PriceBook) -> None:
    with pytest.raises(PriceMissing, match=r"codepipeline.v2_action_minutes: .*2021-07"):
        bill_of({"codepipeline": {"v2_action_minutes": 5}}, july2021)
