"""Term counts made a partition at a time and merged: the vocabulary pass of the topics.

:func:`count_partition` counts one partition's texts (in a worker, where the texts
are); :class:`CorpusTerms` merges the partitions in corpus order into one count
matrix, as compact arrays (4-byte term ids and counts). Counting is scikit-learn's
``CountVectorizer._count_vocab`` step for step — term ids in order of first
occurrence, one entry per term and text — so the matrix, and the TF-IDF made from it
with the vectoriser's own pruning and weighting (:meth:`CorpusTerms.tfidf`), are
exactly those ``TfidfVectorizer.fit_transform`` gives for the texts read in one stream:
the topics do not depend on how the corpus was partitioned, nor where it was counted.
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
        counts as it goes. ValueError when no term is left."""
        if not self.vocabulary:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        indptr = np.concatenate([[0], np.cumsum(np.concatenate(self._lengths))])
        self._lengths.clear()
        index_type = np.int64 if indptr[-1] > np.iinfo(np.int32).max else np.int32
        indices = np.concatenate(self._indices, dtype=index_type)
        self._indices.clear()
        values = np.concatenate(self._counts, dtype=vectorizer.dtype)
        self._counts.clear()
        X = sparse.csr_matrix((values, indices, indptr.astype(index_type)), shape=(len(indptr) - 1,
                                                                                   len(self.vocabulary)))
        del values, indices
        X.sort_indices()
        vocabulary = dict(self.vocabulary)
        # CountVectorizer.fit_transform's pruning, by its own steps
        n_doc = X.shape[0]
        max_df, min_df, max_features = vectorizer.max_df, vectorizer.min_df, vectorizer.max_features
        high = max_df if isinstance(max_df, Integral) else max_df * n_doc
        low = min_df if isinstance(min_df, Integral) else min_df * n_doc
        if high < low:
            raise ValueError("max_df corresponds to < documents than min_df")
        if max_features is not None:
            X = vectorizer._sort_features(X, vocabulary)
        X = vectorizer._limit_features(X, vocabulary, high, low, max_features)
        if max_features is None:
            X = vectorizer._sort_features(X, vocabulary)
        vectorizer.vocabulary_ = vocabulary
        weighting = TfidfTransformer(norm=vectorizer.norm, use_idf=vectorizer.use_idf,
                                     smooth_idf=vectorizer.smooth_idf, sublinear_tf=vectorizer.sublinear_tf)
        vectorizer.idf_ = weighting.fit(X).idf_  # the topic model's vectoriser always weights by idf
        return sparse.csr_matrix(weighting.transform(X, copy=False))
