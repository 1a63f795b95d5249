"""Choose the name tagger's confidence floor per type (``ner.tagger.MIN_CONFIDENCE``).

``--dev FILE`` (how the shipped floor was chosen): the shipped tagger scored on FILE
(CoNLL-2003 dev) at each floor 0.00, 0.05, …, 0.95.

Without it, on CoNLL-2003 *train* alone: K folds of the training documents (document i
in fold i mod K), the tagger trained on the other folds and scored on its own, the
counts pooled over the folds.

Either way the floor printed as chosen is the lowest whose precision reaches
``--precision`` (the actor lists' aim: nine in ten names found are right), 0 where the
tagger is that precise already.

    .venv/bin/python tools/choose_confidence.py --dev ../shared/data/conll2003/valid.txt
    .venv/bin/python tools/choose_confidence.py --folds 5 [../shared/data/conll2003/train.txt]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.ner import NameTagger
from workbench.ner.conll import read_conll, score

TYPES = ("PER", "ORG", "LOC")
FLOORS = [round(0.05 * k, 2) for k in range(20)]
CONLL = Path(__file__).resolve().parents[2] / "shared" / "data" / "conll2003" / "train.txt"


def add_counts(counts: dict, tagger: NameTagger, documents: list) -> None:
    """Score ``tagger`` on ``documents`` at every floor, adding to ``counts``."""
    for floor in FLOORS:
        tagger.min_confidence = {kind: floor for kind in TYPES}
        found = tagger.predict_documents([[text for text, _ in d] for d in documents])
        result = score([g for d in documents for _, g in d], [s for doc in found for s in doc], TYPES)
        for kind in TYPES:
            c, r = counts[kind, floor], result[kind]
            c[0] += round(r["precision"] * r["found"])
            c[1] += r["found"]
            c[2] += r["gold"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("train", nargs="?", type=Path, default=CONLL)
    parser.add_argument("--dev", type=Path, help="score the shipped tagger on this file instead of training")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--precision", type=float, default=0.90)
    args = parser.parse_args()
    counts = {(kind, floor): [0, 0, 0] for kind in TYPES for floor in FLOORS}  # correct, found, gold
    if args.dev:
        add_counts(counts, NameTagger(), read_conll(args.dev))
    else:
        documents = read_conll(args.train)
        for fold in range(args.folds):
            train = [d for i, d in enumerate(documents) if i % args.folds != fold]
            held = [d for i, d in enumerate(documents) if i % args.folds == fold]
            add_counts(counts, NameTagger(model=None).fit(train), held)
            print(f"fold {fold + 1} of {args.folds}: trained on {len(train)} documents, scored on {len(held)}",
                  file=sys.stderr)
    for kind in TYPES:
        chosen = None
        for floor in FLOORS:
            correct, found, gold = counts[kind, floor]
            p, r = correct / max(found, 1), correct / max(gold, 1)
            print(f"{kind} floor {floor:.2f}: precision {p:.3f} recall {r:.3f}")
            if chosen is None and p >= args.precision:
                chosen = floor
        print(f"{kind}: chosen floor {chosen} (lowest with precision >= {args.precision})")


if __name__ == "__main__":
    main()
