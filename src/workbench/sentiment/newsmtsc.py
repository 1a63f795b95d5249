"""NewsMTSC's JSONL format: read it into items and labels, and score a model on it.

One record per sentence: ``{"sentence_normalized": str, "targets": [{"from", "to",
"polarity": 2.0|4.0|6.0, ...}, ...]}``; ``to`` is exclusive; polarity 2 = negative,
4 = neutral, 6 = positive. Each target is one example.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

from .._data import data_path, display_path
from .._io import check_regular_file
from ..errors import InputError
from ._items import LABELS, Item

__all__ = ["read_newsmtsc", "evaluate", "split_path", "TRAIN", "SPLITS"]

#: The copies shipped in ``data/newsmtsc/`` (see the README there for source and licence).
TRAIN = "newsmtsc/train.jsonl"
SPLITS = {"dev_mt": "newsmtsc/dev_mt.jsonl", "dev_rw": "newsmtsc/dev_rw.jsonl", "train": TRAIN}

#: Largest NewsMTSC-format file read (train is 3 MB).
MAX_NEWSMTSC_BYTES = 500_000_000

POLARITY_LABELS = {2.0: "negative", 4.0: "neutral", 6.0: "positive"}


def split_path(split: str | os.PathLike[str]) -> Path:
    """Path of a named split (``dev_mt``, ``dev_rw``, ``train``) or of a file in NewsMTSC format."""
    return data_path(SPLITS[split]) if str(split) in SPLITS else Path(split)


def read_newsmtsc(path: str | os.PathLike[str]) -> tuple[list[Item], list[str]]:
    """Items and gold labels of a NewsMTSC JSONL file, in file order.

    Raises:
        InputError: the file is missing or a record is malformed (the message gives its line).
    """
    p = Path(path)
    shown = display_path(p)
    if not p.exists():
        raise InputError(f"{shown}: no such NewsMTSC file", path=shown)
    check_regular_file(p, what="a NewsMTSC JSONL file", max_bytes=MAX_NEWSMTSC_BYTES)
    items: list[Item] = []
    labels: list[str] = []
    with p.open(encoding="utf-8") as fh:
        number = 0
        while True:
            try:
                line = fh.readline()
            except UnicodeDecodeError:
                raise InputError(f"{shown}: line {number + 1} is not valid UTF-8", path=shown) from None
            if not line:
                break
            number += 1
            if not line.strip():
                continue
            try:
                record = json.loads(line)
                sentence = record["sentence_normalized"]
                if not isinstance(sentence, str):
                    raise TypeError("sentence_normalized is not a string")
                for target in record["targets"]:
                    start, end = int(target["from"]), int(target["to"])
                    if not 0 <= start < end <= len(sentence):
                        raise ValueError(f"span {start}-{end} outside the sentence")
                    labels.append(POLARITY_LABELS[float(target["polarity"])])
                    items.append((sentence, start, end))
            except (ValueError, KeyError, TypeError, IndexError, RecursionError) as exc:
                why = " ".join(str(exc).split())[:100] or type(exc).__name__
                raise InputError(f"{shown}: line {number} is not a NewsMTSC record ({why})", path=shown) from None
    if not items:
        raise InputError(f"{shown}: no targets found", path=shown)
    return items, labels


def evaluate(scorer, items: list[Item], labels: list[str]) -> dict:
    """Macro-F1 and accuracy (in percent), per-class F1 and the confusion matrix."""
    predicted = np.asarray(scorer.predict(items))
    gold = np.asarray(labels)
    matrix = confusion_matrix(gold, predicted, labels=list(LABELS))
    return {
        "n": len(gold),
        "macro_f1": 100 * f1_score(gold, predicted, labels=list(LABELS), average="macro", zero_division=0),
        "accuracy": 100 * accuracy_score(gold, predicted),
        "f1_per_class": dict(
            zip(LABELS, 100 * f1_score(gold, predicted, labels=list(LABELS), average=None, zero_division=0))
        ),
        "confusion": pd.DataFrame(matrix, index=[f"gold {x}" for x in LABELS], columns=[f"pred {x}" for x in LABELS]),
    }
