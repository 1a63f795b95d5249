"""Throughput of per-mention sentiment and load time of the shipped model.

Scores NewsMTSC train targets (8,739 items, shipped in data/) in one batch with the
linear model, against a floor measured in the same run: only tokenising the same items
(the regex every scorer must run). Also the lexicon baseline, and the model load
time (a fresh process: the import of the libraries, then the model file and VADER's lexicon). Medians of --runs runs.

    .venv/bin/python benchmarks/bench_sentiment.py --runs 5
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

from workbench.sentiment import LexiconSentiment, TargetSentiment
from workbench.sentiment.features import tokenize
from workbench.sentiment.newsmtsc import read_newsmtsc, split_path


def rate(fn, items, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(items)
        out.append(len(items) / (time.perf_counter() - start))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    items, _ = read_newsmtsc(split_path("train"))
    model = TargetSentiment().ensure_loaded()
    model.predict(items[:10])  # warm the feature extractor
    floor = rate(lambda xs: [tokenize.__wrapped__(s) for s, _, _ in xs], items, args.runs)  # uncached
    linear = rate(model.predict, items, args.runs)
    lexicon = rate(LexiconSentiment().predict, items, max(1, args.runs // 2))
    code = ("import time; t0 = time.perf_counter(); from workbench.sentiment import TargetSentiment; "
            "t1 = time.perf_counter(); m = TargetSentiment().ensure_loaded(); m.predict([('The US left.', 4, 6)]); "
            "print(t1 - t0, time.perf_counter() - t1)")
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
            for _ in range(args.runs)]
    imports = [float(a) for a, _ in runs]
    loads = [float(b) for _, b in runs]
    med = statistics.median
    print(f"items: {len(items)}, runs: {args.runs}")
    print(f"tokenise only (floor)      {med(floor):9,.0f} items/s")
    print(f"linear model predict       {med(linear):9,.0f} items/s  ({med(floor) / med(linear):.1f}x the floor's time)")
    print(f"lexicon baseline predict   {med(lexicon):9,.0f} items/s")
    print(f"import workbench.sentiment {med(imports):9.3f} s (fresh process: numpy, pandas, scikit-learn)")
    print(f"model load + first predict {med(loads):9.3f} s (runs: {', '.join(f'{v:.3f}' for v in loads)})")


if __name__ == "__main__":
    main()
