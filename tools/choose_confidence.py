"""Choose the name tagger's confidence floor per type (``ner.tagger.MIN_CONFIDENCE``)
on CoNLL-2003 *train* alone, so that dev stays a test of the choice.

K folds of the training documents (document i in fold i mod K): the tagger is trained
on the other folds and scored on its own, so no model is scored on what it learnt from.
For each type and each floor 0.00, 0.05, …, 0.95 the mention precision and recall are
pooled over the folds; the floor chosen is the lowest whose pooled precision reaches
``--precision`` (the actor lists' aim: nine in ten names found are right), 0 where the
tagger is that precise already.

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("train", nargs="?", type=Path, default=CONLL)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--precision", type=float, default=0.90)
    args = parser.parse_args()
    documents = read_conll(args.train)
    counts = {(kind, floor): [0, 0, 0] for kind in TYPES for floor in FLOORS}  # correct, found, gold
    for fold in range(args.folds):
        train = [d for i, d in enumerate(documents) if i % args.folds != fold]
        held = [d for i, d in enumerate(documents) if i % args.folds == fold]
        tagger = NameTagger(model=None).fit(train)
        for floor in FLOORS:
            tagger.min_confidence = {kind: floor for kind in TYPES}
            found = tagger.predict_documents([[text for text, _ in d] for d in held])
            result = score([g for d in held for _, g in d], [s for doc in found for s in doc], TYPES)
            for kind in TYPES:
                c, r = counts[kind, floor], result[kind]
                c[0] += round(r["precision"] * r["found"])
                c[1] += r["found"]
                c[2] += r["gold"]
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
        print(f"{kind}: chosen floor {chosen} (lowest with pooled held-out precision >= {args.precision})")


if __name__ == "__main__":
    main()
