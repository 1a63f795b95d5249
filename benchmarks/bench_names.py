"""The whole corpus analysis with the default actor finder, against spaCy, on BBC.

In one run, each in a fresh process: `analyze_corpus` over all 2,225 BBC articles
(cleaning, names, actors, quotes, target sentiment, topics, aggregation; worker
processes on every core), median of --runs; and spaCy `en_core_web_sm` (extra
[spacy]) running only what its named entities need (tok2vec, ner) with `nlp.pipe` over
the same texts, once with one process and once with --spacy-processes. Prints
articles/s, the ratio of the two, and the peak memory of the main process and the
largest worker. Also the name finders alone (tagger vs spaCy, one process).

    .venv/bin/python benchmarks/bench_names.py --runs 3
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

BBC = Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc" / "bbc.csv"
ANALYSIS = """
import json, multiprocessing, resource, sys, time
from workbench.corpus import analyze_corpus
t = time.perf_counter(); result = analyze_corpus(sys.argv[1], n_topics=5); total = time.perf_counter() - t
while multiprocessing.active_children():  # the workers end on their own: wait, so that their memory counts
    time.sleep(0.01)
print(json.dumps({"total": total, "articles": result.n_articles, "mentions": result.n_mentions,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "worker_maxrss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}))
"""
TAGGER = """
import json, sys, time
import pandas as pd
from workbench import article_from_text
from workbench.ner import name_finder
texts = pd.read_csv(sys.argv[1])["text"].tolist()
articles = [article_from_text(t) for t in texts]
tagger = name_finder("default")
t = time.perf_counter()
docs = [[x.text for x in a.sentences] for a in articles]
n = sum(len(s) for i in range(0, len(docs), 256) for d in tagger.predict_documents(docs[i:i + 256]) for s in d)
print(json.dumps({"total": time.perf_counter() - t, "names": n}))
"""
SPACY = """
import json, resource, sys, time
import pandas as pd
from workbench.ner.spacy_finder import SpacyNameFinder
texts = pd.read_csv(sys.argv[1])["text"].tolist()
nlp = SpacyNameFinder().nlp
t = time.perf_counter()
n = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=64, n_process=int(sys.argv[2])))
print(json.dumps({"total": time.perf_counter() - t, "names": n, "components": nlp.pipe_names,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def child(code: str, *args: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--csv", type=Path, default=BBC)
    parser.add_argument("--spacy-processes", type=int, default=2)
    args = parser.parse_args()
    if not args.csv.is_file():
        sys.exit(f"bench_names: {args.csv} not found (the BBC corpus lives in ../shared/data/bbc/)")
    runs = [child(ANALYSIS, str(args.csv)) for _ in range(args.runs)]
    n = runs[0]["articles"]
    total = statistics.median(r["total"] for r in runs)
    each = ", ".join(f"{r['total']:.2f}" for r in runs)
    print(f"analyze_corpus, default actor finder: {total:.2f} s = {n / total:,.0f} articles/s "
          f"(runs: {each}); {runs[0]['mentions']:,} mentions; "
          f"peak RSS main {statistics.median(r['maxrss_mb'] for r in runs):.0f} MB, largest worker "
          f"{statistics.median(r['worker_maxrss_mb'] for r in runs):.0f} MB")
    tagger = statistics.median(child(TAGGER, str(args.csv))["total"] for _ in range(args.runs))
    print(f"name tagger alone, one process, 256 articles a call: {tagger:.2f} s = {n / tagger:,.0f} articles/s")
    for processes in (1, args.spacy_processes):
        spacy = child(SPACY, str(args.csv), str(processes))
        print(f"spaCy en_core_web_sm {spacy['components']}, nlp.pipe n_process={processes}: {spacy['total']:.2f} s "
              f"= {n / spacy['total']:,.1f} articles/s; the whole analysis is {spacy['total'] / total:.1f}x faster; "
              f"the tagger alone {spacy['total'] / tagger:.1f}x")


if __name__ == "__main__":
    main()
