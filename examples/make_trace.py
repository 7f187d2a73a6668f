"""Writes ``examples/traces/shop_day.csv``: a synthetic day of per-minute request counts (a daily
curve, noise, and a flash crowd at 20:00), used by the trace-replay example and the tests."""

from pathlib import Path

import numpy as np


def main() -> None:
    rng = np.random.default_rng(20211)
    minutes = np.arange(1440)
    hour = minutes / 60
    base = 600 + 450 * np.cos(2 * np.pi * (hour - 14) / 24)  # requests per minute
    crowd = np.where((minutes >= 1200) & (minutes < 1230), 3000 * np.exp(-(minutes - 1200) / 10), 0)
    counts = rng.poisson(base * rng.lognormal(0, 0.1, minutes.size) + crowd)
    kb = counts * rng.normal(12, 1, minutes.size).clip(8)  # response kilobytes per minute
    out = Path(__file__).with_name("traces") / "shop_day.csv"
    out.parent.mkdir(exist_ok=True)
    lines = ["minute,requests,response_bytes"] + [
        f"{m},{c},{int(k * 1000)}" for m, c, k in zip(minutes, counts, kb, strict=True)
    ]
    out.write_text("\n".join(lines) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
