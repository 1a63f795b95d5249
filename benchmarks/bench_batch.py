"""Batch speed: 20 seed-sized reports with --jobs 2 against the same 20 run serially
(measured in the same run), and a re-run with nothing changed.

    .venv/bin/python benchmarks/bench_batch.py --runs 3
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKBENCH = Path(sys.executable).with_name("workbench")


def timed(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run([str(WORKBENCH), *args], check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--reports", type=int, default=20)
    args = parser.parse_args()
    seed = ROOT / "data" / "us-niger-troop-withdrawal.txt"
    serial, parallel, unchanged = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        inputs = Path(tmp) / "in"
        inputs.mkdir()
        for i in range(args.reports):
            shutil.copy(seed, inputs / f"article-{i:02d}.txt")
        for run in range(args.runs):
            serial.append(timed(["batch", str(inputs), "-j", "1", "-o", f"{tmp}/serial-{run}", "--no-progress"]))
            parallel.append(timed(["batch", str(inputs), "-j", "2", "-o", f"{tmp}/parallel-{run}", "--no-progress"]))
            unchanged.append(timed(["batch", str(inputs), "-j", "2", "-o", f"{tmp}/parallel-{run}", "--no-progress"]))
    med = statistics.median
    print(f"{args.reports} reports, {args.runs} runs")
    print(f"serial (-j 1)        median {med(serial):6.1f} s  (runs: {', '.join(f'{v:.1f}' for v in serial)})")
    print(f"parallel (-j 2)      median {med(parallel):6.1f} s  (runs: {', '.join(f'{v:.1f}' for v in parallel)})"
          f"  speed-up {med(serial) / med(parallel):.2f}x")
    print(f"re-run, unchanged    median {med(unchanged):6.2f} s  (runs: {', '.join(f'{v:.2f}' for v in unchanged)})")


if __name__ == "__main__":
    main()
