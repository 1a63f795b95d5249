"""Corpus analysis speed and memory on BBC (../shared/data/bbc/bbc.csv).

For 500, 1,000 and all 2,225 articles (the first N rows, written to a temporary CSV),
each run in a fresh process: the whole `analyze_corpus` (cleaning, actors, quotes,
target sentiment, topic fit with stability, actor summary; worker processes on every
core unless --n-jobs says otherwise) against a floor measured in the same process on
the same texts: scikit-learn's CountVectorizer().fit_transform. Reports articles/s, the
ratio to the floor and the peak resident memory of the main process and of the largest
worker (forked: most of its pages are shared with the main process). Medians of --runs.

    .venv/bin/python benchmarks/bench_corpus.py --runs 5
    .venv/bin/python benchmarks/bench_corpus.py --runs 3 --n-jobs 1   # one process
    .venv/bin/python benchmarks/bench_corpus.py --stages   # where the time goes, all articles
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import pandas as pd

BBC = Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc" / "bbc.csv"
CHILD = """
import json, multiprocessing, resource, sys, time
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer
from workbench.corpus import analyze_corpus
path = sys.argv[1]
texts = pd.read_csv(path)["text"].tolist()
t = time.perf_counter(); CountVectorizer().fit_transform(texts); floor = time.perf_counter() - t
t = time.perf_counter()
result = analyze_corpus(path, n_topics=5, n_jobs=int(sys.argv[2]))
total = time.perf_counter() - t
while multiprocessing.active_children():  # the workers end on their own: wait, so that their memory counts
    time.sleep(0.01)
print(json.dumps({"floor": floor, "total": total, "articles": len(result.articles),
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""

# The pipeline's steps one at a time over all articles, in one process (what
# analyze_corpus does, minus the workers, streaming and bookkeeping), to see where the
# CPU time goes; then the whole analysis with one process and with every core.
STAGES = """
import sys, time
import pandas as pd
from sklearn.feature_extraction.text import CountVectorizer
from workbench.actors import ActorMatcher
from workbench.actors.matcher import MENTION_COLUMNS
from workbench.actors.quotes import quote_records
from workbench.corpus import analyze_corpus, read_corpus
from workbench.loading import article_from_text
from workbench.sentiment import aggregate_actors, load_scorer, score_mentions
from workbench.topics import TopicModel
path = sys.argv[1]
texts = pd.read_csv(path)["text"].tolist()
seconds = {}
def timed(name, fn, *args, **kwargs):
    t = time.perf_counter(); out = fn(*args, **kwargs); seconds[name] = seconds.get(name, 0) + time.perf_counter() - t
    return out
matcher, scorer = ActorMatcher.from_file(None), load_scorer("linear")
timed("floor: CountVectorizer", CountVectorizer().fit_transform, texts)
records = timed("read corpus", lambda: list(read_corpus(path)))
bodies, mentions = [], {k: [] for k in MENTION_COLUMNS}
for start in range(0, len(records), 256):  # the corpus's chunks
    articles = [timed("clean", article_from_text, r.text, source=r.id) for r in records[start:start + 256]]
    bodies += [a.body for a in articles]
    for article, found in zip(articles, timed("actors", matcher.find_many, articles)):
        for k in MENTION_COLUMNS:
            mentions[k].extend(found[k])
        timed("quotes", quote_records, article, found)
table = timed("target sentiment", score_mentions, pd.DataFrame(mentions), scorer)
unstable = TopicModel(n_topics=5, random_state=0, stability_resamples=0)
timed("topics without stability", lambda: unstable.fit(iter(bodies)))
timed("topics (2 stability refits)", lambda: TopicModel(n_topics=5, random_state=0, n_jobs=1).fit(iter(bodies)))
timed("aggregate (bootstrap)", aggregate_actors, table, by="root", n_boot=1000, random_state=0, max_evidence=3)
timed("whole, n_jobs=1", analyze_corpus, path, n_topics=5, n_jobs=1)
timed("whole, n_jobs=-1", analyze_corpus, path, n_topics=5, n_jobs=-1)
print(f"{len(records)} articles, {len(table)} mentions")
for name, value in seconds.items():
    print(f"{name:28s} {value:6.3f} s")
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--csv", type=Path, default=BBC)
    parser.add_argument("--n-jobs", type=int, default=-1, help="worker processes (default -1: every core)")
    parser.add_argument("--stages", action="store_true", help="time each step once over all articles instead")
    args = parser.parse_args()
    if not args.csv.is_file():
        sys.exit(f"bench_corpus: {args.csv} not found (the BBC corpus lives in ../shared/data/bbc/)")
    if args.stages:
        subprocess.run([sys.executable, "-c", STAGES, str(args.csv)], check=True)
        return
    frame = pd.read_csv(args.csv)
    with tempfile.TemporaryDirectory() as tmp:
        for n in (500, 1000, len(frame)):
            path = Path(tmp) / f"bbc-{n}.csv"
            frame.head(n).to_csv(path, index=False)
            runs = [json.loads(subprocess.run([sys.executable, "-c", CHILD, str(path), str(args.n_jobs)],
                                              capture_output=True, text=True, check=True).stdout)
                    for _ in range(args.runs)]
            total = statistics.median(r["total"] for r in runs)
            floor = statistics.median(r["floor"] for r in runs)
            rss = statistics.median(r["maxrss_mb"] for r in runs)
            worker_rss = statistics.median(r["worker_maxrss_mb"] for r in runs)
            each = ", ".join(f"{r['total']:.2f}" for r in runs)
            print(f"{n:>5} articles: {total:6.2f} s = {n / total:6,.0f} articles/s; CountVectorizer floor "
                  f"{floor:5.2f} s = {n / floor:6,.0f} articles/s; ratio {total / floor:5.1f}x; "
                  f"peak RSS {rss:4.0f} MB (largest worker {worker_rss:4.0f} MB) (runs: {each})")


if __name__ == "__main__":
    main()
