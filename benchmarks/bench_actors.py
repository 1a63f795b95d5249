"""Actor and quote extraction speed on the BBC corpus (../shared/data/bbc/bbc.csv).

Times, over all 2,225 articles: cleaning (article_from_text), actor + people
extraction (ActorMatcher.find_records), quote extraction (quote_records), the same
again wrapped in one pandas DataFrame per article (find, find_quotes), against a floor
measured in the same run: a plain regex word tokenisation of the same texts.
Medians of --runs runs; articles/s and the ratio to the floor.

    .venv/bin/python benchmarks/bench_actors.py --runs 5
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

from workbench import article_from_text
from workbench.actors import ActorMatcher, find_quotes, quote_records

BBC = Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc" / "bbc.csv"


def timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--csv", type=Path, default=BBC)
    args = parser.parse_args()
    if not args.csv.is_file():
        sys.exit(f"bench_actors: {args.csv} not found (the BBC corpus lives in ../shared/data/bbc/)")
    texts = pd.read_csv(args.csv)["text"].tolist()
    word = re.compile(r"\w+")
    matcher = ActorMatcher()
    articles = [article_from_text(t) for t in texts]
    results = {"floor": [], "clean": [], "actors": [], "actors+quotes": [], "as DataFrames": []}
    for _ in range(args.runs):
        results["floor"].append(timed(lambda: [word.findall(t) for t in texts]))
        results["clean"].append(timed(lambda: [article_from_text(t) for t in texts]))
        results["actors"].append(timed(lambda: [matcher.find_records(a) for a in articles]))
        results["actors+quotes"].append(timed(lambda: [quote_records(a, matcher.find_records(a)) for a in articles]))
        results["as DataFrames"].append(timed(lambda: [find_quotes(a, matcher.find(a)) for a in articles]))
    n = len(texts)
    floor = statistics.median(results["floor"])
    print(f"articles: {n}, runs: {args.runs}")
    for name, times in results.items():
        med = statistics.median(times)
        print(f"{name:<15} {n / med:9,.0f} articles/s  median {med:6.3f} s  ratio to floor {med / floor:6.1f}x")
    total = sum(len(matcher.find(a)) for a in articles)
    print(f"mentions found: {total:,}")


if __name__ == "__main__":
    main()
