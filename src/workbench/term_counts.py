"""Term counts made a partition at a time and merged: the vocabulary pass of the topics.

:func:`count_partition` counts one partition's texts (in a worker, where the texts
are); :class:`CorpusTerms` merges the partitions in corpus order into one count
matrix, as compact arrays (4-byte term ids and counts). Counting is scikit-learn's
``CountVectorizer._count_vocab`` step for step — term ids in order of first
occurrence, one entry per term and text — and the pruning and weighting
(:meth:`CorpusTerms.tfidf`) are the vectoriser's, so the TF-IDF matrix is exactly the
one ``TfidfVectorizer.fit_transform`` gives for the texts read in one stream: the topics
do not depend on how the corpus was partitioned, nor where it was counted.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from numbers import Integral

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer

__all__ = ["PartitionTerms", "CorpusTerms", "count_partition"]


@dataclass
class PartitionTerms:
    """One partition's term counts: its terms in order of first occurrence, and per text
    the (term id, count) entries, as CSR arrays."""

    terms: list[str]
    indices: np.ndarray  # int32 term ids (into ``terms``)
    counts: np.ndarray  # int32
    lengths: np.ndarray  # int64 entries per text

    @property
    def n_texts(self) -> int:
        return len(self.lengths)


def count_partition(texts: Iterable[str], analyzer: Callable[[str], list[str]]) -> PartitionTerms:
    """The term counts of ``texts`` with ``analyzer`` (a vectoriser's ``build_analyzer()``)."""
    vocabulary: dict[str, int] = {}
    indices: list[int] = []
    counts: list[int] = []
    lengths: list[int] = []
    for text in texts:
        counter: dict[int, int] = {}
        for term in analyzer(text):
            index = vocabulary.setdefault(term, len(vocabulary))
            counter[index] = counter.get(index, 0) + 1
        indices.extend(counter)
        counts.extend(counter.values())
        lengths.append(len(counter))
    return PartitionTerms(list(vocabulary), np.array(indices, dtype=np.int32), np.array(counts, dtype=np.int32),
                          np.array(lengths, dtype=np.int64))


class CorpusTerms:
    """Partitions' term counts merged in corpus order (:meth:`add`), then weighted (:meth:`tfidf`)."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self._indices: list[np.ndarray] = []
        self._counts: list[np.ndarray] = []
        self._lengths: list[np.ndarray] = []
        self.n_texts = 0

    def add(self, part: PartitionTerms) -> None:
        """Append a partition's texts after those so far."""
        vocabulary = self.vocabulary
        remap = np.fromiter((vocabulary.setdefault(t, len(vocabulary)) for t in part.terms), dtype=np.int32,
                            count=len(part.terms))
        self._indices.append(remap[part.indices] if len(part.indices) else part.indices)
        self._counts.append(part.counts)
        self._lengths.append(part.lengths)
        self.n_texts += part.n_texts

    def tfidf(self, vectorizer: TfidfVectorizer) -> sparse.csr_matrix:
        """The TF-IDF matrix of the texts as ``vectorizer`` (unfitted) would make it from
        them, leaving ``vectorizer`` fitted (vocabulary and idf) for new texts. Frees the
        counts as it goes. ValueError when no term is left.

        The vectoriser's pruning (``CountVectorizer._sort_features`` and
        ``_limit_features``: document-frequency bounds, then the most frequent
        ``max_features`` in name order) is decided from per-term counts before the matrix
        exists, so only the kept entries are ever gathered (the vectoriser builds the whole
        matrix, then a pruned copy); a row's entries keep the order the vectoriser leaves
        them in (by first occurrence in the corpus)."""
        if not self.vocabulary:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        n_doc, n_terms = self.n_texts, len(self.vocabulary)
        max_df, min_df, max_features = vectorizer.max_df, vectorizer.min_df, vectorizer.max_features
        high = max_df if isinstance(max_df, Integral) else max_df * n_doc
        low = min_df if isinstance(min_df, Integral) else min_df * n_doc
        if high < low:
            raise ValueError("max_df corresponds to < documents than min_df")
        final = self._kept_terms(high, low, max_features)  # old id -> new id, -1 if pruned
        indices, values, lengths = [], [], []
        while self._indices:  # a partition at a time, freed as it goes
            rows = self._lengths.pop(0)
            indptr = np.concatenate([[0], np.cumsum(rows)])
            part = sparse.csr_matrix((self._counts.pop(0), self._indices.pop(0), indptr), shape=(len(rows), n_terms))
            part.sort_indices()  # by first occurrence in the corpus, as the vectoriser's matrix
            new = final[part.indices]
            keep = new >= 0
            indices.append(new[keep].astype(np.int32))
            values.append(part.data[keep].astype(vectorizer.dtype))
            lengths.append(np.diff(np.concatenate([[0], np.cumsum(keep)])[part.indptr]))
        indptr = np.concatenate([[0], np.cumsum(np.concatenate(lengths))])
        index_type = np.int64 if indptr[-1] > np.iinfo(np.int32).max else np.int32
        X = sparse.csr_matrix((np.concatenate(values), np.concatenate(indices, dtype=index_type),
                               indptr.astype(index_type)), shape=(n_doc, int(final.max()) + 1))
        del values, indices
        vectorizer.vocabulary_ = {term: final[i] for term, i in self.vocabulary.items() if final[i] >= 0}
        weighting = TfidfTransformer(norm=vectorizer.norm, use_idf=vectorizer.use_idf,
                                     smooth_idf=vectorizer.smooth_idf, sublinear_tf=vectorizer.sublinear_tf)
        vectorizer.idf_ = weighting.fit(X).idf_  # the topic model's vectoriser always weights by idf
        return sparse.csr_matrix(weighting.transform(X, copy=False))

    def _kept_terms(self, high: float, low: float, limit: int | None) -> np.ndarray:
        """Per term id, its column after the vectoriser's pruning (terms in name order), or -1."""
        n_terms = len(self.vocabulary)
        dfs = np.zeros(n_terms, dtype=np.int64)
        tfs = np.zeros(n_terms)
        for ids, counts in zip(self._indices, self._counts):
            dfs += np.bincount(ids, minlength=n_terms)
            tfs += np.bincount(ids, weights=counts, minlength=n_terms)
        by_name = np.array([i for _, i in sorted(self.vocabulary.items())], dtype=np.int64)  # column -> term id
        dfs, tfs = dfs[by_name], tfs[by_name]
        mask = (dfs <= high) & (dfs >= low)
        if limit is not None and mask.sum() > limit:  # CountVectorizer._limit_features, step for step
            mask_inds = (-tfs[mask]).argsort()[:limit]
            new_mask = np.zeros(n_terms, dtype=bool)
            new_mask[np.where(mask)[0][mask_inds]] = True
            mask = new_mask
        if not mask.any():
            raise ValueError("After pruning, no terms remain. Try a lower min_df or a higher max_df.")
        final = np.full(n_terms, -1, dtype=np.int64)
        final[by_name[mask]] = np.arange(int(mask.sum()))
        return final
