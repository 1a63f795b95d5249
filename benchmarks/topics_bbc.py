"""Topic quality on BBC (../shared/data/bbc/bbc.csv): the issue's acceptance figures.

Every article is cleaned as the corpus pipeline cleans it, then:
- ``TopicModel(n_topics=5)`` fitted twice: identical topics?; NMI of the dominant topic
  against the 5 categories, mean NPMI of the top-10 terms, diversity, stability; the
  same with NMF fitted on a sample of 1,000 and of 500 articles (``max_fit_texts``, as
  past 100,000 articles), every article's topic from ``transform``;
- the reference the issue quotes: plain scikit-learn TF-IDF + NMF at k = 5;
- ``n_topics="auto"``: the k it chooses and its table;
- fit times (median of --runs) with one process and with every core.

    .venv/bin/python benchmarks/topics_bbc.py --runs 3
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import normalized_mutual_info_score

from workbench.loading import article_from_text
from workbench.topics import TopicModel, npmi_coherence

BBC = Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc" / "bbc.csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=BBC)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not args.csv.is_file():
        sys.exit(f"topics_bbc: {args.csv} not found (the BBC corpus lives in ../shared/data/bbc/)")
    frame = pd.read_csv(args.csv)
    bodies = [article_from_text(text).body for text in frame["text"]]
    labels = frame["category"].to_numpy()

    first, second = TopicModel(n_topics=5).fit(bodies), TopicModel(n_topics=5).fit(bodies)
    identical = first.top_terms(10) == second.top_terms(10) and np.array_equal(first.components_, second.components_)
    nmi = normalized_mutual_info_score(labels, first.dominant_topic())
    print(f"TopicModel(k=5): NMI {nmi:.3f}, mean NPMI {np.mean(first.coherence_):.3f}, diversity "
          f"{first.diversity_:.2f}, stability {first.stability_:.3f}; two fits identical: {identical}")
    for label, terms in zip(first.labels_, first.top_terms(8)):
        print(f"  {label:32s} {', '.join(terms)}")
    for size in (1000, 500):  # a corpus past max_fit_texts: NMF on a sample, every article transformed
        sampled = TopicModel(n_topics=5, max_fit_texts=size).fit(bodies)
        sampled_nmi = normalized_mutual_info_score(labels, sampled.dominant_topic())
        print(f"TopicModel(k=5, max_fit_texts={size}): NMI {sampled_nmi:.3f} ({sampled_nmi - nmi:+.3f}), mean NPMI "
              f"{np.mean(sampled.coherence_):.3f}, stability {sampled.stability_:.3f}")

    tfidf = TfidfVectorizer(stop_words="english")
    X = tfidf.fit_transform(frame["text"])
    W = NMF(n_components=5, init="nndsvd", random_state=0, max_iter=1000).fit(X)
    tops = [np.argsort(-row)[:10] for row in W.components_]
    reference_nmi = normalized_mutual_info_score(labels, W.transform(X).argmax(axis=1))
    print(f"reference (TfidfVectorizer(stop_words='english') + NMF, raw texts): NMI {reference_nmi:.3f}, "
          f"mean NPMI {np.mean([npmi_coherence(t, X) for t in tops]):.3f}")

    auto = TopicModel(n_topics="auto", n_jobs=-1).fit(bodies)
    print(f"n_topics='auto' chose k = {auto.n_topics_}:")
    print(auto.k_table_.round(3).to_string(index=False))

    for n_jobs in (1, -1):
        for n_topics in (5, "auto"):
            seconds = []
            for _ in range(args.runs):
                start = time.perf_counter()
                TopicModel(n_topics=n_topics, n_jobs=n_jobs).fit(bodies)
                seconds.append(time.perf_counter() - start)
            print(f"fit n_topics={n_topics!s:4s} n_jobs={n_jobs:2d}: {statistics.median(seconds):.2f} s "
                  f"(runs: {', '.join(f'{s:.2f}' for s in seconds)})")


if __name__ == "__main__":
    main()
