"""People and organisations on BBC (../shared/data/bbc/bbc.csv): surname coverage and
the top actors.

1. In the politics articles, every whole-word, capitalised occurrence of the surnames
   Blair, Brown, Howard and Kennedy: the share that the actor finder gives as a mention
   of a person actor (and which person).
2. The 30 most mentioned rolled-up actors of the corpus analysis (`analyze_corpus`, as
   the corpus report shows them), with their type.

    .venv/bin/python benchmarks/bbc_people.py
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import pandas as pd

from workbench import ActorMatcher, article_from_text
from workbench.corpus import analyze_corpus

BBC = Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc" / "bbc.csv"
SURNAMES = ("Blair", "Brown", "Howard", "Kennedy")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--csv", type=Path, default=BBC)
    parser.add_argument("--ner", default="default")
    args = parser.parse_args()
    if not args.csv.is_file():
        sys.exit(f"bbc_people: {args.csv} not found (the BBC corpus lives in ../shared/data/bbc/)")
    frame = pd.read_csv(args.csv)
    matcher = ActorMatcher(ner=args.ner)
    occurrences: Counter[str] = Counter()
    as_person: Counter[str] = Counter()
    who: dict[str, Counter[str]] = {s: Counter() for s in SURNAMES}
    missed: dict[str, list[str]] = {s: [] for s in SURNAMES}
    for category, text in zip(frame["category"], frame["text"]):
        article = article_from_text(text)
        found = matcher.find_records(article)
        if category != "politics":
            continue
        people = {(s, e): a for s, e, a, t in zip(found["start"], found["end"], found["actor"], found["type"])
                  if t == "person"}
        for surname in SURNAMES:
            for m in re.finditer(rf"(?<![\w-]){surname}(?![\w-])", article.body):
                occurrences[surname] += 1
                hit = next((a for (s, e), a in people.items() if s <= m.start() and m.end() <= e), None)
                if hit:
                    as_person[surname] += 1
                    who[surname][hit] += 1
                elif len(missed[surname]) < 5:
                    missed[surname].append(article.body[max(0, m.start() - 40):m.end() + 25].replace("\n", " "))
    total, hits = sum(occurrences.values()), sum(as_person.values())
    print(f"politics articles: {hits:,} of {total:,} occurrences of {', '.join(SURNAMES)} are person mentions "
          f"({hits / total:.1%})")
    for surname in SURNAMES:
        print(f"  {surname:<8} {as_person[surname]:4d} / {occurrences[surname]:4d}  "
              f"({as_person[surname] / max(occurrences[surname], 1):.1%}); as {dict(who[surname].most_common(3))}")
        for context in missed[surname]:
            print(f"      missed: …{context}…")
    top = analyze_corpus(args.csv, n_topics=5, ner=args.ner).actors.head(30)
    print(f"top 30 actors (rolled up) of all {len(frame):,} articles:")
    for actor, kind, n in zip(top["actor"], top["type"], top["mentions"]):
        print(f"  {n:5d}  {actor} ({kind})")
    print("types among the top 30:", dict(Counter(top["type"])))


if __name__ == "__main__":
    main()
