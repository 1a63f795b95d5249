"""Choose the name tagger's confidence floor per type (``ner.tagger.MIN_CONFIDENCE``)
on CoNLL-2003 *train* alone, so that dev stays a test of the choice.

Two folds: the tagger is trained on the even-numbered documents and scored on the odd
ones, then the other way round (each fold's model never sees the documents it is scored
on). For each type and each floor 0.00, 0.05, …, 0.95 the mention precision and recall
are pooled over both folds; the floor chosen is the one with the best F0.5 (precision
counted twice as much as recall: a wrong organisation in an actor list misleads, a
missed one is only absent).

    .venv/bin/python tools/choose_confidence.py [../shared/data/conll2003/train.txt]
"""
from __future__ import annotations

import sys
from pathlib import Path

from workbench.ner import NameTagger
from workbench.ner.conll import read_conll, score

TYPES = ("PER", "ORG", "LOC")
FLOORS = [round(0.05 * k, 2) for k in range(20)]


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "data" / "conll2003" / "train.txt"
    documents = read_conll(path)
    counts = {(kind, floor): [0, 0, 0] for kind in TYPES for floor in FLOORS}  # correct, found, gold
    for fold in (0, 1):
        train = [d for i, d in enumerate(documents) if i % 2 != fold]
        held = [d for i, d in enumerate(documents) if i % 2 == fold]
        tagger = NameTagger(model=None).fit(train)
        for floor in FLOORS:
            tagger.min_confidence = {kind: floor for kind in TYPES}
            found = tagger.predict_documents([[text for text, _ in d] for d in held])
            result = score([g for d in held for _, g in d], [s for doc in found for s in doc], TYPES)
            for kind in TYPES:
                r = result[kind]
                correct = round(r["precision"] * r["found"])
                c = counts[kind, floor]
                c[0] += correct
                c[1] += r["found"]
                c[2] += r["gold"]
        print(f"fold {fold}: trained on {len(train)} documents, scored on {len(held)}", file=sys.stderr)
    for kind in TYPES:
        best = None
        for floor in FLOORS:
            correct, found, gold = counts[kind, floor]
            p, r = correct / max(found, 1), correct / max(gold, 1)
            f05 = 1.25 * p * r / (0.25 * p + r) if p + r else 0.0
            print(f"{kind} floor {floor:.2f}: precision {p:.3f} recall {r:.3f} F0.5 {f05:.3f}")
            if best is None or f05 > best[1] + 1e-12:
                best = (floor, f05)
        print(f"{kind}: chosen floor {best[0]:.2f} (F0.5 {best[1]:.3f})")


if __name__ == "__main__":
    main()
