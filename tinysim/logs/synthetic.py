"""Synthetic access logs from known parameters, for tests, examples and benchmarks: the truth that
calibration must recover. Nothing here is measured; every number comes from the arguments."""

from __future__ import annotations

import gzip
import math
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np

__all__ = ["SyntheticLogs", "daily_counts", "write_alb", "write_clf"]

#: 2024-01-01T00:00:00Z, a Monday, as the logs' first minute unless told otherwise.
START_EPOCH_S = 1_704_067_200


def daily_counts(rng: np.random.Generator, minutes: int, mean_per_minute: float) -> np.ndarray:
    """Requests per minute: a daily curve peaking at 14:00 (trough a tenth of the peak) with Poisson noise."""
    hour = np.arange(minutes) / 60
    shape = 1 + 0.8 * np.cos(2 * math.pi * (hour - 14) / 24)
    return np.asarray(rng.poisson(mean_per_minute * shape / shape.mean()), dtype=np.int64)


@dataclass(frozen=True)
class SyntheticLogs:
    """What the logs hold: per-minute counts and the per-request distributions they were drawn from.

    Service time is lognormal (``service_mean_ms``, ``service_sigma``); request and response sizes are
    lognormal with the given means (bytes) and shape 0.5; connections carry a geometric number of
    consecutive requests with mean ``requests_per_connection``; ``error_share`` of requests get a 5xx
    from the load balancer (503, never dispatched) and as many again a 404 from the target.
    """

    counts: np.ndarray
    service_mean_ms: float = 80.0
    service_sigma: float = 0.8
    request_bytes_mean: float = 600.0
    response_bytes_mean: float = 12_000.0
    requests_per_connection: float = 4.0
    error_share: float = 0.01
    start_epoch_s: int = START_EPOCH_S
    seed: int = 1

    def draw(self) -> dict[str, np.ndarray]:
        """Per request: received time (epoch s), target time (s, -1 if not dispatched), status, bytes,
        connection id; sorted by received time."""
        rng = np.random.default_rng(self.seed)
        n = int(self.counts.sum())
        minute = np.repeat(np.arange(self.counts.size), self.counts)
        t = self.start_epoch_s + 60.0 * minute + rng.random(n) * 60.0
        t.sort()
        mu = math.log(self.service_mean_ms / 1000) - self.service_sigma**2 / 2
        target = rng.lognormal(mu, self.service_sigma, n)
        status = np.full(n, 200)
        u = rng.random(n)
        status[u < 2 * self.error_share] = 404
        status[u < self.error_share] = 503
        target[status == 503] = -1.0
        rx = _lognormal_bytes(rng, self.request_bytes_mean, n)
        tx = _lognormal_bytes(rng, self.response_bytes_mean, n)
        sizes = rng.geometric(1 / self.requests_per_connection, n)  # more than enough connections
        conn = np.repeat(np.arange(n), sizes)[:n]
        return {"t": t, "target": target, "status": status, "rx": rx, "tx": tx, "conn": conn}


def _lognormal_bytes(rng: np.random.Generator, mean: float, n: int, sigma: float = 0.5) -> np.ndarray:
    return np.round(rng.lognormal(math.log(mean) - sigma**2 / 2, sigma, n)).astype(np.int64)


def _iso(epoch_s: np.ndarray) -> list[str]:
    stamps = np.datetime_as_string((epoch_s * 1e6).astype(np.int64).astype("datetime64[us]"), unit="us")
    return [s + "Z" for s in stamps.tolist()]


def _open(path: Path, gz: bool) -> IO[str]:
    path.parent.mkdir(parents=True, exist_ok=True)
    return gzip.open(path, "wt", compresslevel=1) if gz else path.open("w")


def write_alb(logs: SyntheticLogs, folder: Path, files: int = 1, gz: bool = True) -> list[Path]:
    """ALB access log files (every documented field, up to ``conn_trace_id``) under ``folder``,
    split by time into ``files`` files named as S3 names them."""
    d = logs.draw()
    n = d["t"].size
    created = _iso(d["t"])
    target = d["target"]
    done = d["t"] + 0.001 + np.maximum(target, 0) + 0.0005
    finished = _iso(done)
    tgt = [f"{x:.3f}" if x >= 0 else "-1" for x in target.tolist()]
    conn = d["conn"].tolist()
    elb = "app/shop/50dc6c495c0c9188"
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop/73e2d6bc24d8a067"
    paths: list[Path] = []
    bounds = np.linspace(0, n, files + 1).astype(int)
    for f in range(files):
        name = f"123456789012_elasticloadbalancing_us-east-1_app.shop.50dc6c495c0c9188_{f:04d}_10.0.0.1_x.log"
        path = folder / (name + (".gz" if gz else ""))
        with _open(path, gz) as fh:
            rows = []
            for i in range(bounds[f], bounds[f + 1]):
                c = conn[i]
                client = f"10.{(c >> 16) & 255}.{(c >> 8) & 255}.{c & 255}:{1024 + c % 60000}"
                st = int(d["status"][i])
                dispatched = st != 503
                rows.append(
                    f"https {finished[i]} {elb} {client} {'10.0.1.5:8080' if dispatched else '-'} 0.001 {tgt[i]} "
                    f"{'0.000' if dispatched else '-1'} {st} {st if dispatched else '-'} {d['rx'][i]} {d['tx'][i]} "
                    f'"GET https://shop.example.com:443/items/{i % 97} HTTP/1.1" "synthetic/1.0" '
                    f'ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 {arn} "Root=1-{i:08x}-{c:024x}" "shop.example.com" '
                    f'"arn:aws:acm:us-east-1:123456789012:certificate/abc" 1 {created[i]} "forward" "-" '
                    f'"{"-" if dispatched else "TargetNotAvailable"}" "10.0.1.5:8080" "{st}" "-" "-" TID_{c:x}\n'
                )
            fh.writelines(rows)
        paths.append(path)
    return paths


_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def write_clf(logs: SyntheticLogs, path: Path, gz: bool = False, combined: bool = True) -> Path:
    """One Common (or Combined) Log Format file of the same requests (times to the second, UTC)."""
    d = logs.draw()
    secs = np.floor(d["t"]).astype(np.int64)
    stamps = np.datetime_as_string(secs.astype("datetime64[s]"), unit="s").tolist()
    with _open(path, gz) as fh:
        rows = []
        for i, s in enumerate(stamps):
            when = f"{s[8:10]}/{_MONTHS[int(s[5:7]) - 1]}/{s[0:4]}:{s[11:19]} +0000"
            st = int(d["status"][i])
            size = "-" if st == 503 else str(d["tx"][i])
            tail = ' "-" "synthetic/1.0"' if combined else ""
            rows.append(
                f'10.0.{(i >> 8) & 255}.{i & 255} - - [{when}] "GET /items/{i % 97} HTTP/1.1" {st} {size}{tail}\n'
            )
        fh.writelines(rows)
    return path
