"""The base class of the per-mention scorers: ``predict`` and ``polarity`` follow from a
subclass's ``predict_proba``, and one guard says "call fit first" for all of them."""
from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.exceptions import NotFittedError

from ._items import LABELS, Item

__all__ = ["Scorer"]


class Scorer(BaseEstimator):
    """Base of the per-mention scorers: subclasses implement ``predict_proba`` (and may
    change the decision rule in ``labels_from_proba``); the rest follows from them.

    ``fork_safe``: whether a loaded scorer may score in a forked worker process (the
    corpus pipeline's workers); False for torch models, whose thread pools do not
    survive a fork.
    """

    fork_safe: bool = True
    #: The attribute a fitted (or loaded) scorer has; ``None`` for one with nothing to fit.
    fitted_attribute: str | None = None

    def _needs_loading(self) -> bool:
        """Whether the model named by ``model`` is still to be loaded (False once fitted
        or loaded); the one "call fit first" guard of every scorer.

        Raises:
            NotFittedError: neither fitted nor given a model to load.
        """
        if self.fitted_attribute is None or hasattr(self, self.fitted_attribute):
            return False
        if getattr(self, "model", None) is None:
            raise NotFittedError(f"This {type(self).__name__} has no model: call fit(items, labels) first, "
                                 "or pass model=PATH.")
        return True

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
