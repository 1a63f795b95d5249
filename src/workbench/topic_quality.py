"""How good a topic model is: NPMI coherence of a topic's top terms, diversity of the
topics' top terms, and stability of the topics across refits on subsamples."""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.optimize import linear_sum_assignment

__all__ = ["npmi_coherence", "topic_diversity", "stability", "diversity_depth"]


def stability(reference: np.ndarray, others: Sequence[np.ndarray]) -> float:
    """Mean cosine similarity of ``reference`` topics to each of ``others``, matched one-to-one."""
    ref = reference / np.maximum(np.linalg.norm(reference, axis=1, keepdims=True), 1e-12)
    scores = []
    for components in others:
        other = components / np.maximum(np.linalg.norm(components, axis=1, keepdims=True), 1e-12)
        similarity = ref @ other.T
        i, j = linear_sum_assignment(-similarity)
        scores.append(float(similarity[i, j].mean()))
    return float(np.mean(scores))


def diversity_depth(n_terms: int, k: int) -> int:
    """Top terms per topic for diversity: 25, fewer when the vocabulary has fewer than
    25 terms per topic (else diversity would punish k for a small vocabulary)."""
    return min(25, max(5, n_terms // k))


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
