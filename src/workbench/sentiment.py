"""Sentiment toward a target mention, and its aggregation per actor.

Every scorer takes *items* ``(sentence, start, end)`` — the sentence and the
character span of the target mention in it, ``end`` exclusive — and returns one
prediction per item, so a trained target-dependent model can replace the lexicon
scorer without touching callers:

- ``predict_proba(items)`` → DataFrame with columns ``negative``, ``neutral``, ``positive``
- ``predict(items)`` → array of labels from :data:`LABELS`
- ``polarity(items)`` → array of ``p(positive) - p(negative)`` in [-1, 1]

:func:`get_scorer` maps a backend name (the report parameter ``sentiment``) to a scorer.
"""
from __future__ import annotations

import re
import zlib
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

__all__ = ["LABELS", "LexiconSentiment", "get_scorer", "SCORERS", "aggregate_actors", "score_mentions"]

LABELS = ("negative", "neutral", "positive")
Item = tuple[str, int, int]

_CLAUSE_BREAK = re.compile(r"[;:—–]|\s-\s|,?\s\b(?:but|while|whereas|although|though|however)\b", re.I)
_TOKEN = re.compile(r"\S+")


def _check_items(items: Iterable[Item]) -> list[Item]:
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


class LexiconSentiment(BaseEstimator):
    """VADER lexicon scores of the clause around the target, the mention itself left out.

    A transparent baseline: the text scored is at most ``window`` words either side of
    the mention, cut at clause breaks (";", "—", "but", "while", …), so words aimed
    at another clause's subject count less. VADER's compound score ``c`` becomes
    probabilities ``positive = max(c, 0)``, ``negative = max(-c, 0)``,
    ``neutral = 1 - |c|``; the label is positive/negative when ``|c| >= threshold``.

    Args:
        window: Words of context on each side of the mention.
        threshold: |compound| from which a mention is positive or negative
            (0.05 is VADER's own convention).
    """

    def __init__(self, window: int = 10, threshold: float = 0.05) -> None:
        self.window = window
        self.threshold = threshold

    def fit(self, items: Iterable[Item] | None = None, labels: Sequence[str] | None = None) -> "LexiconSentiment":
        """Nothing to learn; present for a uniform scorer API."""
        return self

    def context(self, sentence: str, start: int, end: int) -> str:
        """The text that is scored for the mention ``sentence[start:end]``."""
        left, right = sentence[:start], sentence[end:]
        breaks = list(_CLAUSE_BREAK.finditer(left))
        if breaks:
            left = left[breaks[-1].end():]
        first = _CLAUSE_BREAK.search(right)
        if first:
            right = right[: first.start()]
        left_words = _TOKEN.findall(left)[-self.window:] if self.window else []
        right_words = _TOKEN.findall(right)[: self.window]
        return " ".join(left_words + right_words)

    def predict_proba(self, items: Iterable[Item]) -> pd.DataFrame:
        analyzer = _vader()
        compound = np.array(
            [analyzer.polarity_scores(self.context(*item))["compound"] for item in _check_items(items)],
            dtype=float,
        )
        return pd.DataFrame(
            {
                "negative": np.clip(-compound, 0, None),
                "neutral": 1 - np.abs(compound),
                "positive": np.clip(compound, 0, None),
            }
        )

    def predict(self, items: Iterable[Item]) -> np.ndarray:
        polarity = self.polarity(items)
        labels = np.full(len(polarity), "neutral", dtype=object)
        labels[polarity >= self.threshold] = "positive"
        labels[polarity <= -self.threshold] = "negative"
        return labels

    def polarity(self, items: Iterable[Item]) -> np.ndarray:
        proba = self.predict_proba(items)
        return (proba["positive"] - proba["negative"]).to_numpy()


_VADER = None


def _vader():
    """VADER's analyzer, built once (it reads its lexicon from the package)."""
    global _VADER
    if _VADER is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _VADER = SentimentIntensityAnalyzer()
    return _VADER


#: Backend name → scorer factory; the report parameter ``sentiment`` picks one.
SCORERS = {"lexicon": LexiconSentiment}


def get_scorer(name: str = "lexicon"):
    """A fresh scorer for backend ``name`` (see :data:`SCORERS`)."""
    try:
        return SCORERS[name]()
    except KeyError:
        raise ValueError(f"unknown sentiment backend {name!r}; choose from {', '.join(sorted(SCORERS))}") from None


def score_mentions(mentions: pd.DataFrame, scorer) -> pd.DataFrame:
    """``mentions`` with ``label``, ``polarity`` and the three probabilities added."""
    out = mentions.copy()
    items = list(zip(out["sentence"], out["span_start"], out["span_end"]))
    if not items:
        for col in ("label", "polarity", *LABELS):
            out[col] = pd.Series(dtype=object if col == "label" else float)
        return out
    proba = scorer.predict_proba(items).reset_index(drop=True)
    for col in LABELS:
        out[col] = proba[col].to_numpy()
    out["polarity"] = (proba["positive"] - proba["negative"]).to_numpy()
    out["label"] = scorer.predict(items)
    return out


def aggregate_actors(
    mentions: pd.DataFrame,
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    random_state: int = 0,
) -> pd.DataFrame:
    """One row per actor from scored mentions.

    Columns: actor, type, parent, aliases (surface forms seen, most frequent first),
    mentions, positive, neutral, negative (label counts), score (mean polarity),
    ci_low/ci_high (percentile bootstrap interval of the mean, ``n_boot`` resamples,
    seeded per actor from ``random_state`` and the actor's name, so an actor's interval
    does not depend on the others), evidence (one dict per distinct sentence:
    sentence_id, sentence, label, polarity; strongest first).
    Sorted by mentions (descending), then actor name.
    """
    columns = ["actor", "type", "parent", "aliases", "mentions", "positive", "neutral", "negative",
               "score", "ci_low", "ci_high", "evidence"]
    rows = []
    for actor, group in mentions.groupby("actor", sort=True):
        polarity = group["polarity"].to_numpy(dtype=float)
        counts = group["label"].value_counts()
        alias_counts = group["alias"].value_counts()
        aliases = sorted(alias_counts.index, key=lambda a: (-alias_counts[a], a))
        low, high = _bootstrap_ci(polarity, n_boot, confidence, random_state, actor)
        evidence = (
            group.assign(strength=group["polarity"].abs())
            .sort_values(["strength", "sentence_id"], ascending=[False, True], kind="stable")
            .drop_duplicates("sentence_id")
        )
        rows.append(
            {
                "actor": actor,
                "type": group["type"].iloc[0],
                "parent": group["parent"].iloc[0],
                "aliases": aliases,
                "mentions": len(group),
                "positive": int(counts.get("positive", 0)),
                "neutral": int(counts.get("neutral", 0)),
                "negative": int(counts.get("negative", 0)),
                "score": float(polarity.mean()),
                "ci_low": low,
                "ci_high": high,
                "evidence": [
                    {"sentence_id": int(r.sentence_id), "sentence": r.sentence, "label": r.label,
                     "polarity": float(r.polarity)}
                    for r in evidence.itertuples()
                ],
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["mentions", "actor"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _bootstrap_ci(values: np.ndarray, n_boot: int, confidence: float, seed: int, key: str) -> tuple[float, float]:
    if len(values) == 1 or n_boot < 1:
        return float(values.mean()), float(values.mean())
    rng = np.random.default_rng([seed, zlib.crc32(key.encode("utf-8"))])
    means = values[rng.integers(0, len(values), size=(n_boot, len(values)))].mean(axis=1)
    alpha = (1 - confidence) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))
