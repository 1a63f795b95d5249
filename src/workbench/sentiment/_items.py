"""What every scorer shares: items ``(sentence, start, end)``, the three labels, and
the base class that derives ``predict`` and ``polarity`` from ``predict_proba``."""
from __future__ import annotations

from typing import Iterable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

LABELS = ("negative", "neutral", "positive")
Item = tuple[str, int, int]


def check_items(items: Iterable[Item]) -> list[Item]:
    """Items as a list, each checked to be a sentence with a mention span inside it."""
    checked = []
    for i, item in enumerate(items):
        try:
            sentence, start, end = item
        except (TypeError, ValueError):
            raise ValueError(f"item {i} must be (sentence, start, end), got {item!r}") from None
        if not isinstance(sentence, str) or not (0 <= int(start) < int(end) <= len(sentence)):
            raise ValueError(f"item {i}: span ({start}, {end}) is not a mention inside its sentence")
        checked.append((sentence, int(start), int(end)))
    return checked


def check_labels(items: list[Item], labels: Iterable[str]) -> list[str]:
    """Labels as a list, one per item, each from :data:`LABELS`."""
    labels = list(labels)
    if len(items) != len(labels):
        raise ValueError(f"{len(items)} items but {len(labels)} labels")
    unknown = sorted(set(labels) - set(LABELS))
    if unknown:
        raise ValueError(f"labels must be among {', '.join(LABELS)}; got {', '.join(map(repr, unknown))}")
    return labels


def items_sha256(items: Iterable[Item], labels: Iterable[str]) -> str:
    """A hash of labelled items: which data a model was trained (or chose its epoch) on."""
    import hashlib

    digest = hashlib.sha256()
    for (sentence, start, end), label in zip(items, labels):
        digest.update(f"{sentence}\t{start}\t{end}\t{label}\n".encode("utf-8"))
    return digest.hexdigest()


class Scorer(BaseEstimator):
    """Base of the per-mention scorers: subclasses implement ``predict_proba`` (and may
    change the decision rule in ``labels_from_proba``); the rest follows from them.

    ``fork_safe``: whether a loaded scorer may score in a forked worker process (the
    corpus pipeline's workers); False for torch models, whose thread pools do not
    survive a fork.
    """

    fork_safe: bool = True

    def predict_proba(self, items: Iterable[Item]) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def labels_from_proba(self, proba: pd.DataFrame) -> np.ndarray:
        """The label of each row of ``predict_proba``'s output (default: the most probable)."""
        return np.array(LABELS, dtype=object)[proba[list(LABELS)].to_numpy().argmax(axis=1)]

    def predict(self, items: Iterable[Item]) -> np.ndarray:
        """One label per item, from :data:`LABELS`."""
        return self.labels_from_proba(self.predict_proba(items))

    def polarity(self, items: Iterable[Item]) -> np.ndarray:
        """``p(positive) - p(negative)`` per item, in [-1, 1]."""
        proba = self.predict_proba(items)
        return (proba["positive"] - proba["negative"]).to_numpy()
