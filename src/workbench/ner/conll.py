"""CoNLL-2003 files as running text, and span-level scores of a name finder on them.

A CoNLL file holds one ``TOKEN POS CHUNK NER`` line a token, blank lines between
sentences and ``-DOCSTART-`` lines between documents; tags are IOB1 or IOB2. Tokens are
joined back into text (no space before closing punctuation and "'s", none after opening
brackets), and each name becomes a character span of its sentence, so any finder —
with its own tokeniser — can be scored on the same text.

Scores (:func:`score`) are by exact span and type. A found span that overlaps a gold
MISC name counts neither way (nationalities, events and works are not actors here).
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..errors import InputError

__all__ = ["read_conll", "score", "score_sets"]

_NO_SPACE_BEFORE = frozenset(".,;:!?)]}%") | {"'s", "'S", "n't", "'", "'re", "'ve", "'ll", "'d", "'m"}
_NO_SPACE_AFTER = frozenset("([{$")

Span = tuple[int, int, str]


def read_conll(path: str | os.PathLike[str]) -> list[list[tuple[str, list[Span]]]]:
    """Documents of ``path``, each a list of (sentence text, [(start, end, type), …]).

    Raises:
        InputError: the file is missing or a line is not in CoNLL layout.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such CoNLL file", path=str(path))
    documents: list[list[tuple[str, list[Span]]]] = [[]]
    tokens: list[tuple[str, str]] = []

    def close_sentence() -> None:
        if tokens:
            documents[-1].append(_sentence(tokens))
            tokens.clear()

    with open(path, encoding="utf-8") as fh:
        for number, line in enumerate(fh, start=1):
            fields = line.split()
            if not fields:
                close_sentence()
            elif fields[0] == "-DOCSTART-":
                close_sentence()
                if documents[-1]:
                    documents.append([])
            elif len(fields) < 2 or not (fields[-1] == "O" or fields[-1][:2] in ("B-", "I-")):
                raise InputError(f"{path}:{number}: expected 'TOKEN ... TAG' with an IOB tag, got {line.strip()!r}")
            else:
                tokens.append((fields[0], fields[-1]))
    close_sentence()
    return [d for d in documents if d]


def _sentence(tokens: Sequence[tuple[str, str]]) -> tuple[str, list[Span]]:
    text, spans, current = "", [], None
    previous = ""
    for token, tag in tokens:
        if text and token not in _NO_SPACE_BEFORE and previous not in _NO_SPACE_AFTER:
            text += " "
        start = len(text)
        text += token
        previous = token
        kind = tag[2:] if tag != "O" else None
        begins = tag.startswith("B-") or (current is not None and kind != current[2])
        if current is not None and (kind is None or begins):
            spans.append(tuple(current))
            current = None
        if kind is not None:
            if current is None:
                current = [start, len(text), kind]
            else:
                current[1] = len(text)
    if current is not None:
        spans.append(tuple(current))
    return text, spans


def score(gold: Iterable[Sequence[Span]], found: Iterable[Sequence[Span]],
          types: Sequence[str] = ("PER", "ORG", "LOC")) -> dict[str, dict[str, float]]:
    """Per type: precision, recall and F1 of exact (start, end, type) matches, over
    sentences given as parallel lists of spans. Found spans overlapping a gold MISC
    span, and gold MISC spans, are left out."""
    gold_items, found_items = set(), set()
    for i, (g, f) in enumerate(zip(gold, found)):
        misc = [(s, e) for s, e, t in g if t == "MISC"]
        gold_items |= {(i, *x) for x in g if x[2] != "MISC"}
        found_items |= {(i, *x) for x in f if not any(s < x[1] and x[0] < e for s, e in misc)}
    return score_sets(gold_items, found_items, types)


def score_sets(gold: set[tuple], found: set[tuple], types: Sequence[str]) -> dict[str, dict[str, float]]:
    """Per type (each item's last field): precision, recall, F1 and counts of two sets."""
    out = {}
    for kind in types:
        g = {x for x in gold if x[-1] == kind}
        f = {x for x in found if x[-1] == kind}
        hit = len(g & f)
        p = hit / len(f) if f else 0.0
        r = hit / len(g) if g else 0.0
        out[kind] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                     "gold": len(g), "found": len(f)}
    return out
