"""The default per-mention scorer: a target-dependent linear model trained on NewsMTSC.

:class:`TargetSentiment` is a multinomial logistic regression over hashed
target-dependent features (:mod:`workbench.sentiment.features`). The shipped model,
``data/target_sentiment.npz``, is rebuilt by ``workbench sentiment train``.

Model files hold only numbers and JSON text in a zip of ``.npy`` arrays, read with
``numpy.load(..., allow_pickle=False)``: loading a model file someone gave you cannot
run code. Files are written with fixed zip timestamps, so the same training gives
the same bytes.
"""
from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from .._data import DEFAULT_MODEL
from .._io import read_model_file, write_npz_atomic
from ..errors import InputError
from ._items import LABELS, Item, check_items, check_labels, items_sha256
from .base import Scorer
from .features import FeatureExtractor

__all__ = ["TargetSentiment", "DEFAULT_MODEL", "MODEL_FORMAT"]

#: Bumped whenever features or the file layout change; older files are refused.
MODEL_FORMAT = "workbench-target-sentiment/1"


class TargetSentiment(Scorer):
    """Sentiment toward a target mention, from a trained target-dependent model.

    ``TargetSentiment()`` uses the shipped model (loaded on first use, well under a
    second); ``TargetSentiment(model=None).fit(items, labels)`` trains a new one and
    ``TargetSentiment(model="path.npz")`` uses a saved one.

    Args:
        model: "default" (the shipped model), a model file path, or None (fit first).
            A loaded model brings its own n_bits, window, C and max_iter.
        C: Inverse regularisation strength of the logistic regression.
        n_bits: Width of the hashed feature space (2**n_bits columns).
        window: Words on each side of the target in the window features.
        max_iter: Solver iteration cap.

    Fitted attributes:
        coef_: Sparse (3, 2**n_bits) weights, rows in :data:`LABELS` order.
        intercept_: Intercepts, in the same order.
        classes_: The labels, :data:`LABELS`.
        info_: What the model was trained on (training data hash, sizes, parameters);
            for a loaded model also its file and the file's sha256.
    """

    fitted_attribute = "coef_"

    def __init__(
        self,
        model: str | os.PathLike[str] | None = "default",
        *,
        C: float = 0.3,
        n_bits: int = 20,
        window: int = 6,
        max_iter: int = 3000,
    ) -> None:
        self.model = model
        self.C = C
        self.n_bits = n_bits
        self.window = window
        self.max_iter = max_iter

    # ------------------------------------------------------------------ training
    def fit(self, items: Iterable[Item], labels: Sequence[str]) -> TargetSentiment:
        """Train on items ``(sentence, start, end)`` and their labels."""
        items = check_items(items)
        labels = check_labels(items, labels)
        if len(set(labels)) < 2:
            raise ValueError("training needs at least two different labels")
        X = self._extractor().transform(items)
        clf = LogisticRegression(C=self.C, max_iter=self.max_iter).fit(X, labels)
        if len(clf.classes_) == 2:  # binary: one weight row, split symmetrically into two
            rows = np.vstack([-clf.coef_[0], clf.coef_[0]]) / 2
            biases = np.array([-clf.intercept_[0], clf.intercept_[0]]) / 2
        else:
            rows, biases = clf.coef_, clf.intercept_
        coef = np.zeros((len(LABELS), X.shape[1]))
        intercept = np.full(len(LABELS), -1e3)  # a label absent from training is never predicted
        for row, label in enumerate(clf.classes_):
            coef[LABELS.index(label)] = rows[row]
            intercept[LABELS.index(label)] = biases[row]
        self.coef_ = sparse.csr_matrix(coef.astype(np.float32))
        self.intercept_ = intercept.astype(np.float32)
        self.classes_ = np.array(LABELS)
        self.info_ = {
            "format": MODEL_FORMAT,
            "n_train": len(items),
            "train_sha256": items_sha256(items, labels),
            "label_counts": {label: labels.count(label) for label in LABELS},
            "params": {"C": self.C, "n_bits": self.n_bits, "window": self.window, "max_iter": self.max_iter},
        }
        return self

    # --------------------------------------------------------------- prediction
    def predict_proba(self, items: Iterable[Item]) -> pd.DataFrame:
        """Probabilities of negative / neutral / positive, one row per item."""
        self.ensure_loaded()
        X = self._extractor().transform(check_items(items))
        scores = np.asarray(X @ self._weights_by_feature(), dtype=np.float64) + self.intercept_
        scores -= scores.max(axis=1, keepdims=True)
        proba = np.exp(scores)
        proba /= proba.sum(axis=1, keepdims=True)
        return pd.DataFrame(proba, columns=list(LABELS))

    def explain(self, item: Item, *, top: int = 12) -> pd.DataFrame:
        """Which features moved the prediction for one item, strongest first.

        Columns: feature (its name, e.g. ``L1:praised`` = the word right before the
        target), value, the weight × value it adds to each label's score, and
        ``toward_positive`` (positive minus negative contribution).
        """
        self.ensure_loaded()
        extractor = self._extractor()
        feats = [(name, value) for name, value in extractor.features(check_items([item])[0]) if value]
        rows = extractor._hasher.transform([[f] for f in feats]).tocsr()
        cols = [row.indices[0] if row.nnz else -1 for row in rows]
        weights = np.asarray(self.coef_[:, [c for c in cols if c >= 0]].todense()).T
        frame = pd.DataFrame({"feature": [n for (n, _), c in zip(feats, cols) if c >= 0],
                              "value": [v for (_, v), c in zip(feats, cols) if c >= 0]})
        for k, label in enumerate(LABELS):
            frame[label] = weights[:, k] * frame["value"]
        frame["toward_positive"] = frame["positive"] - frame["negative"]
        order = frame["toward_positive"].abs().sort_values(ascending=False, kind="stable").index
        return frame.loc[order].head(top).reset_index(drop=True)

    # --------------------------------------------------------------- persistence
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the fitted model to ``path`` (deterministic bytes; no pickle)."""
        self.ensure_loaded()
        coef = self.coef_.tocsc()
        used = np.flatnonzero(np.diff(coef.indptr))
        return write_npz_atomic(path, {
            "columns": used.astype(np.int32),
            "weights": np.asarray(coef[:, used].todense(), dtype=np.float32),
            "intercept": self.intercept_.astype(np.float32),
            "labels": np.array(LABELS),
            "info": np.array(json.dumps(self.info_, sort_keys=True)),
        })

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> TargetSentiment:
        """A scorer with the model in ``path``.

        Raises:
            InputError: the file is missing, corrupted, or not a model of this format.
        """
        return cls(model=path).ensure_loaded()

    def ensure_loaded(self) -> TargetSentiment:
        """Load the model named by ``model`` unless fitted already; return self.

        Raises:
            InputError: the model file is missing, corrupted, or of another format.
        """
        if not self._needs_loading():
            return self
        hint = "rebuild it with `workbench sentiment train`"
        arrays, shown, digest = read_model_file(self.model, default=DEFAULT_MODEL, what="sentiment model", hint=hint)
        try:
            info = json.loads(str(arrays["info"]))
            labels = tuple(str(x) for x in arrays["labels"]) if arrays["labels"].ndim == 1 else ()
            columns, weights, intercept = arrays["columns"], arrays["weights"], arrays["intercept"]
            if not isinstance(info, dict):
                raise ValueError("info is not an object")
        except (ValueError, KeyError, RecursionError) as exc:
            raise InputError(
                f"{shown}: not a readable sentiment model ({type(exc).__name__}); {hint}", path=shown
            ) from None
        if info.get("format") != MODEL_FORMAT or labels != LABELS:
            raise InputError(f"{shown}: model format {str(info.get('format'))[:40]!r}, expected {MODEL_FORMAT!r}; "
                             f"{hint}", path=shown)
        params = info.get("params")
        if not (isinstance(params, dict) and all(isinstance(params.get(k), int) and not isinstance(params[k], bool)
                                                 for k in ("n_bits", "window", "max_iter"))
                and 8 <= params["n_bits"] <= 24 and 1 <= params["window"] <= 100):
            raise InputError(f"{shown}: model parameters are missing or out of range; {hint}", path=shown)
        n_cols = 2 ** params["n_bits"]
        if (weights.shape != (len(LABELS), len(columns)) or columns.ndim != 1 or intercept.shape != (len(LABELS),)
                or columns.dtype.kind not in "iu" or weights.dtype.kind != "f" or intercept.dtype.kind != "f"
                or (len(columns) and (columns.min() < 0 or columns.max() >= n_cols))):
            raise InputError(f"{shown}: model arrays are inconsistent; {hint}", path=shown)
        if not (np.isfinite(weights).all() and np.isfinite(intercept).all()):
            raise InputError(f"{shown}: model weights hold NaN or infinite values; {hint}", path=shown)
        self.n_bits, self.window, self.C, self.max_iter = (
            params["n_bits"],
            params["window"],
            params["C"],
            params["max_iter"],
        )
        coef = sparse.csr_matrix(
            (weights.ravel(), (np.repeat(np.arange(len(LABELS)), len(columns)), np.tile(columns, len(LABELS)))),
            shape=(len(LABELS), n_cols),
            dtype=np.float32,
        )
        self.coef_, self.intercept_ = coef, intercept.astype(np.float32)
        self.classes_ = np.array(LABELS)
        self.info_ = dict(info, file=shown, file_sha256=digest)
        self._extractor()  # it and the transposed weights are made once here, not in each corpus worker
        self._weights_by_feature()
        return self

    def _weights_by_feature(self) -> np.ndarray:
        """``coef_.T`` as a dense float32 array (12 MB for 2**20 features), made once: the
        sparse × dense product is three times faster than sparse × sparse, with the same
        float32 sums in the same order (each row's features in column order)."""
        cached = getattr(self, "_weights_cache", None)
        if cached is None or cached[0] is not self.coef_:
            cached = self._weights_cache = (self.coef_, np.ascontiguousarray(self.coef_.T.toarray()))
        return cached[1]

    def _extractor(self) -> FeatureExtractor:
        cached = getattr(self, "_extractor_cache", None)
        if cached is None or (cached.n_bits, cached.window) != (self.n_bits, self.window):
            cached = self._extractor_cache = FeatureExtractor(n_bits=self.n_bits, window=self.window)
        return cached
