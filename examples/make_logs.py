"""Writes the synthetic logs and exports under ``examples/``, all from known parameters (no third-party
data): a day of ALB access logs as S3 delivers them (gzipped, several files), the same requests'
first two hours as a Combined Log Format file, a CloudWatch ``get-metric-data`` export and console CSV
of a week of hourly ``RequestCount`` with periods without datapoints, and a Parquet copy of the
shop day trace."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from tinysim.logs.synthetic import START_EPOCH_S, SyntheticLogs, daily_counts, write_alb, write_clf

HERE = Path(__file__).parent


def cloudwatch(out: Path) -> None:
    rng = np.random.default_rng(7)
    hours = np.arange(7 * 24)
    counts = rng.poisson(3000 * (1 + 0.7 * np.cos(2 * np.pi * (hours % 24 - 14) / 24)))
    quiet = 1 + rng.choice(hours.size - 2, 6, replace=False)  # no datapoint for an hour without data (inside)
    keep = np.setdiff1d(hours, quiet)
    stamps = pd.to_datetime(START_EPOCH_S + 3600 * keep, unit="s", utc=True).strftime("%Y-%m-%dT%H:%M:%SZ")
    newest_first = list(range(keep.size))[::-1]  # get-metric-data's default ScanBy is TimestampDescending
    doc = {
        "MetricDataResults": [
            {
                "Id": "requests",
                "Label": "RequestCount",
                "Timestamps": [stamps[i] for i in newest_first],
                "Values": [float(counts[keep][i]) for i in newest_first],
                "StatusCode": "Complete",
            }
        ],
        "Messages": [],
    }
    (out / "requestcount_cloudwatch.json").write_text(json.dumps(doc, indent=1) + "\n")
    csv_stamps = pd.to_datetime(START_EPOCH_S + 3600 * keep, unit="s", utc=True).strftime("%Y-%m-%d %H:%M:%S")
    lines = ["Timestamp,RequestCount"] + [f"{s},{c}" for s, c in zip(csv_stamps, counts[keep], strict=True)]
    (out / "requestcount_cloudwatch.csv").write_text("\n".join(lines) + "\n")


def main() -> None:
    logs = SyntheticLogs(daily_counts(np.random.default_rng(42), 1440, 8.0), service_mean_ms=120, service_sigma=0.7)
    folder = (
        HERE / "logs" / "alb" / "AWSLogs" / "123456789012" / "elasticloadbalancing" / "us-east-1" / "2024" / "01" / "01"
    )
    for old in folder.glob("*"):
        old.unlink()
    write_alb(logs, folder, files=4)
    two_hours = SyntheticLogs(logs.counts[:120], seed=3)
    write_clf(two_hours, HERE / "logs" / "access.log")
    traces = HERE / "traces"
    cloudwatch(traces)
    pd.read_csv(traces / "shop_day.csv").to_parquet(traces / "shop_day.parquet", index=False)
    print(f"wrote {HERE / 'logs'} and {traces}")


if __name__ == "__main__":
    main()
