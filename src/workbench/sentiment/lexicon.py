"""The lexicon baseline: VADER scores of the clause around a target mention."""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ._items import Item, check_items
from .base import Scorer

__all__ = ["LexiconSentiment", "vader_lexicon"]

_CLAUSE_BREAK = re.compile(r"[;:—–]|\s-\s|,?\s\b(?:but|while|whereas|although|though|however)\b", re.I)
_TOKEN = re.compile(r"\S+")


class LexiconSentiment(Scorer):
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

    def fit(self, items: Iterable[Item] | None = None, labels: Sequence[str] | None = None) -> LexiconSentiment:
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
            [analyzer.polarity_scores(self.context(*item))["compound"] for item in check_items(items)],
            dtype=float,
        )
        return pd.DataFrame(
            {
                "negative": np.clip(-compound, 0, None),
                "neutral": 1 - np.abs(compound),
                "positive": np.clip(compound, 0, None),
            }
        )

    def labels_from_proba(self, proba: pd.DataFrame) -> np.ndarray:
        """VADER's rule: positive/negative where ``|compound| >= threshold``, else neutral."""
        polarity = (proba["positive"] - proba["negative"]).to_numpy()
        labels = np.full(len(polarity), "neutral", dtype=object)
        labels[polarity >= self.threshold] = "positive"
        labels[polarity <= -self.threshold] = "negative"
        return labels


_VADER = None


def _vader():
    """VADER's analyzer, built once (it reads its lexicon from the package)."""
    global _VADER
    if _VADER is None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        _VADER = SentimentIntensityAnalyzer()
    return _VADER


def vader_lexicon() -> dict[str, float]:
    """VADER's word → valence (-4 … +4) lexicon, as shipped inside vaderSentiment."""
    return _vader().lexicon
