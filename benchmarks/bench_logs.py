"""Access-log benchmark: a ~1 GB folder of ALB access logs (generated into /tmp now, deleted after)
read in one streaming pass. Reports lines/s of ``read_logs`` against a baseline in the same run (plain
line iteration over the same files: the least any reader must do) and the peak RSS of each, measured
in a child process of its own; and the peak RSS of reading a tenth of the folder, to show memory does
not grow with the size of the logs. Target: peak RSS of the full read within 1.5x of the tenth's.

Run: python benchmarks/bench_logs.py [--size-gb 1.0] [--keep]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tinysim.logs.synthetic import START_EPOCH_S, SyntheticLogs, daily_counts, write_alb  # noqa: E402

FILE_MINUTES = 240  # each file: four hours of traffic
PER_MINUTE = 440.0  # about 50 MB of log lines per file

CHILD = """
import json, sys, time
from pathlib import Path
sys.path.insert(0, {root!r})
files = [Path(p) for p in json.loads(sys.argv[1])]
t0 = time.perf_counter()
if sys.argv[2] == "baseline":
    lines = 0
    for f in files:
        with f.open(encoding="utf-8", errors="replace") as fh:
            for _ in fh:
                lines += 1
elif sys.argv[2] == "import":
    from tinysim.logs import read_logs
    lines = 0
else:
    from tinysim.logs import read_logs
    lines = read_logs(files, "alb-log").lines
seconds = time.perf_counter() - t0
# VmHWM: this process image's peak resident set (ru_maxrss would carry the parent's over exec)
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
rss_mb = int(hwm.split()[1]) / 1024
print(json.dumps({{"lines": lines, "seconds": seconds, "rss_mb": rss_mb}}))
"""


def generate(folder: Path, size_gb: float) -> list[Path]:
    files: list[Path] = []
    total = 0
    k = 0
    while total < size_gb * 1e9:
        counts = daily_counts(np.random.default_rng(k), FILE_MINUTES, PER_MINUTE)
        logs = SyntheticLogs(counts, start_epoch_s=START_EPOCH_S + k * FILE_MINUTES * 60, seed=k)
        path = write_alb(logs, folder / f"part{k:03d}", files=1, gz=False)[0]
        files.append(path)
        total += path.stat().st_size
        k += 1
        print(f"\r  generated {total / 1e9:.2f} GB in {k} files", end="", flush=True)
    print()
    return files


def measure(files: list[Path], mode: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD.format(root=str(ROOT)), json.dumps([str(f) for f in files]), mode],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-gb", type=float, default=1.0)
    ap.add_argument("--keep", action="store_true", help="keep the generated folder")
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="tinysim-bench-logs-", dir="/tmp"))
    try:
        print(f"writing ~{args.size_gb:g} GB of ALB access logs to {folder}")
        files = generate(folder, args.size_gb)
        size_gb = sum(f.stat().st_size for f in files) / 1e9
        base = measure(files, "baseline")
        imported = measure(files[:1], "import")
        tenth = measure(files[: max(1, len(files) // 10)], "read")
        full = measure(files, "read")
        rate = full["lines"] / full["seconds"]
        base_rate = base["lines"] / base["seconds"]
        print(f"1) read_logs: {full['lines']:,.0f} lines ({size_gb:.2f} GB) in {full['seconds']:.1f} s")
        print(f"   = {rate:,.0f} lines/s")
        print(
            f"   baseline (iterate lines only): {base_rate:,.0f} lines/s -> read_logs runs at {rate / base_rate:.3f}x"
        )
        print(
            f"2) peak RSS: full read {full['rss_mb']:.0f} MB, a tenth of the folder {tenth['rss_mb']:.0f} MB "
            f"({full['rss_mb'] / tenth['rss_mb']:.2f}x; target <= 1.5x); "
            f"after imports alone {imported['rss_mb']:.0f} MB, "
            f"line iteration alone {base['rss_mb']:.0f} MB"
        )
        ok = full["rss_mb"] <= 1.5 * tenth["rss_mb"]
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
