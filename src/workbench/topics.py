"""TF-IDF topic modeling: a deterministic NMF over TF-IDF, in scikit-learn style.

NMF is initialised by NNDSVD (an SVD, not random draws), so the same texts and
parameters give the same topics on every run. Topics are ordered by their share of
the total document-topic weight, largest first, so topic 0 is the main theme.
"""
from __future__ import annotations

from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import NMF
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

__all__ = ["TopicModel", "npmi_coherence", "topic_diversity"]

#: Words of two or more letters; numbers and punctuation are not topic terms.
TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}\b"


class TopicModel(TransformerMixin, BaseEstimator):
    """TF-IDF + NMF topics over a list of texts (paragraphs, sentences or articles).

    Args:
        n_topics: Number of topics k.
        random_state: Seed passed to the SVD inside NNDSVD initialisation.
        max_features: Vocabulary cap (most frequent terms), None for no cap.
        ngram_range: Term n-gram range, e.g. (1, 2) to add bigrams.
        min_df, max_df: Document-frequency limits, as in ``TfidfVectorizer``.
        stop_words: Stop-word list ("english", a list, or None).
        max_iter: NMF iteration cap.

    Fitted attributes:
        vectorizer_, nmf_: The fitted scikit-learn steps.
        feature_names_: Vocabulary, indexed like the columns of ``components_``.
        components_: Topic-term weights, shape (n_topics, n_terms), topics ordered by weight.
        doc_topics_: Document-topic weights of the fitted texts.
        topic_weights_: Share of the total document-topic weight per topic (sums to 1).
        coherence_: NPMI coherence of each topic's top-10 terms over the fitted texts.
        diversity_: Share of unique terms among all topics' top-25 terms.
    """

    def __init__(
        self,
        n_topics: int = 3,
        *,
        random_state: int = 0,
        max_features: int | None = 5000,
        ngram_range: tuple[int, int] = (1, 1),
        min_df: int | float = 1,
        max_df: int | float = 1.0,
        stop_words: str | Sequence[str] | None = "english",
        max_iter: int = 1000,
    ) -> None:
        self.n_topics = n_topics
        self.random_state = random_state
        self.max_features = max_features
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.stop_words = stop_words
        self.max_iter = max_iter

    def fit(self, texts: Iterable[str], y: object = None) -> "TopicModel":
        """Learn the vocabulary and k topics from ``texts``."""
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Iterable[str], y: object = None) -> np.ndarray:
        """Fit and return the document-topic weights of ``texts``."""
        texts = _as_texts(texts)
        if not isinstance(self.n_topics, (int, np.integer)) or self.n_topics < 1:
            raise ValueError(f"n_topics must be a positive integer, got {self.n_topics!r}")
        self.vectorizer_ = TfidfVectorizer(
            token_pattern=TOKEN_PATTERN,
            stop_words=self.stop_words,
            max_features=self.max_features,
            ngram_range=self.ngram_range,
            min_df=self.min_df,
            max_df=self.max_df,
            sublinear_tf=True,
        )
        try:
            X = self.vectorizer_.fit_transform(texts)
        except ValueError as exc:  # empty vocabulary
            raise ValueError(f"no topic terms in the texts ({exc})") from None
        limit = min(X.shape)
        if self.n_topics > limit:
            raise ValueError(
                f"n_topics={self.n_topics} is more than the {X.shape[0]} texts / "
                f"{X.shape[1]} terms allow (at most {limit})"
            )
        self.nmf_ = NMF(
            n_components=self.n_topics,
            init="nndsvd",
            random_state=self.random_state,
            max_iter=self.max_iter,
        )
        W = self.nmf_.fit_transform(X)
        totals = W.sum(axis=0)
        # Stable order: by weight, ties by original index.
        self.order_ = np.lexsort((np.arange(self.n_topics), -np.round(totals, 12)))
        self.components_ = self.nmf_.components_[self.order_]
        self.doc_topics_ = W[:, self.order_]
        grand = totals.sum()
        self.topic_weights_ = totals[self.order_] / grand if grand > 0 else np.zeros(self.n_topics)
        self.feature_names_ = self.vectorizer_.get_feature_names_out()
        top10 = self._top_indices(10)
        self.coherence_ = np.array([npmi_coherence(idx, X) for idx in top10])
        self.diversity_ = topic_diversity(self._top_indices(25))
        return self.doc_topics_

    def transform(self, texts: Iterable[str]) -> np.ndarray:
        """Document-topic weights of ``texts`` under the fitted topics."""
        check_is_fitted(self, "components_", msg="This TopicModel is not fitted yet; call fit(texts) first.")
        X = self.vectorizer_.transform(_as_texts(texts))
        return self.nmf_.transform(X)[:, self.order_]

    def top_terms(self, n: int = 10) -> list[list[str]]:
        """The ``n`` highest-weighted terms of each topic, one list per topic."""
        check_is_fitted(self, "components_", msg="This TopicModel is not fitted yet; call fit(texts) first.")
        return [[str(self.feature_names_[i]) for i in idx] for idx in self._top_indices(n)]

    def dominant_topic(self, doc_topics: np.ndarray | None = None) -> np.ndarray:
        """Index of each document's strongest topic; -1 where a document has no weight."""
        check_is_fitted(self, "components_", msg="This TopicModel is not fitted yet; call fit(texts) first.")
        W = self.doc_topics_ if doc_topics is None else doc_topics
        best = W.argmax(axis=1)
        return np.where(W.max(axis=1) > 0, best, -1)

    def topics_frame(self, n: int = 10) -> pd.DataFrame:
        """One row per topic: id, label (its top 3 terms), terms, weight, coherence."""
        terms = self.top_terms(n)
        return pd.DataFrame(
            {
                "id": np.arange(len(terms)),
                "label": [" · ".join(t[:3]) for t in terms],
                "terms": terms,
                "weight": self.topic_weights_,
                "coherence": self.coherence_,
            }
        )

    def _repr_html_(self) -> str:
        """Fitted: the topics with their terms; unfitted: scikit-learn's estimator view."""
        if not hasattr(self, "components_"):
            return super()._repr_html_()
        from html import escape

        rows = "".join(
            f"<tr><td>{r.id}</td><td>{r.weight:.2f}</td><td>{r.coherence:.2f}</td><td>{escape(', '.join(r.terms))}</td></tr>"
            for r in self.topics_frame(10).itertuples()
        )
        return (
            f"<p>TopicModel(n_topics={self.n_topics}) — diversity {self.diversity_:.2f}</p>"
            "<table><tr><th>topic</th><th>weight</th><th>NPMI</th><th>top terms</th></tr>" + rows + "</table>"
        )

    def _top_indices(self, n: int) -> list[np.ndarray]:
        n = min(n, self.components_.shape[1])
        # Stable: descending weight, ties broken by term (alphabetical = column order).
        return [np.argsort(-row, kind="stable")[:n] for row in self.components_]


def npmi_coherence(term_indices: Sequence[int], X: sparse.spmatrix | np.ndarray) -> float:
    """Mean normalised PMI over pairs of terms, from document co-occurrence in ``X``.

    ``X`` is a document-term matrix (any weights; only presence counts). NPMI is 1 for
    terms that always co-occur, 0 for independence and -1 for terms never seen together.
    """
    idx = list(term_indices)
    if len(idx) < 2:
        return float("nan")
    present = sparse.csc_matrix(X)[:, idx] > 0
    present = present.astype(np.float64)
    n_docs = X.shape[0]
    joint = (present.T @ present).toarray() / n_docs
    single = np.diag(joint)
    scores = []
    for a in range(len(idx)):
        for b in range(a + 1, len(idx)):
            p_ab = joint[a, b]
            if p_ab == 0:
                scores.append(-1.0)
            elif p_ab == 1:
                scores.append(1.0)
            else:
                scores.append(np.log(p_ab / (single[a] * single[b])) / -np.log(p_ab))
    return float(np.mean(scores))


def topic_diversity(top_indices: Sequence[Sequence[int]]) -> float:
    """Share of unique terms among all topics' top terms (1 = no term shared)."""
    all_terms = [int(i) for idx in top_indices for i in idx]
    return len(set(all_terms)) / len(all_terms) if all_terms else float("nan")


def _as_texts(texts: Iterable[str]) -> list[str]:
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, not one string")
    texts = list(texts)
    if not texts:
        raise ValueError("texts is empty: a topic model needs at least one text")
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        raise TypeError(f"texts must be strings; item {bad[0]} is {type(texts[bad[0]]).__name__}")
    return texts
