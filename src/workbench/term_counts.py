"""Term counts made a partition at a time and merged: the vocabulary pass of the topics.

:func:`count_partition` counts one partition's texts (in a worker, where the texts
are); :class:`CorpusTerms` merges the partitions in corpus order, keeping each text's
entries on disk (4-byte term ids and counts). Counting is scikit-learn's
``CountVectorizer._count_vocab`` step for step — term ids in order of first
occurrence, one entry per term and text — and the pruning and weighting
(:meth:`CorpusTerms.tfidf`) are the vectoriser's, so the TF-IDF matrix is exactly the
one ``TfidfVectorizer.fit_transform`` gives for the texts read in one stream: the topics
do not depend on how the corpus was partitioned, nor where it was counted.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from numbers import Integral
from typing import Any

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
    """Partitions' term counts merged in corpus order (:meth:`add`), then weighted
    (:meth:`tfidf`, :meth:`weighted_batches`).

    In memory stay the vocabulary and each term's document and total counts; each text's
    (term id, count) entries go to a temporary file as partitions arrive (a million news
    articles have some 200 million, 1.6 GB as 4-byte ids and counts) and are read back a
    partition at a time."""

    def __init__(self) -> None:
        self.vocabulary: dict[str, int] = {}
        self._dfs = np.zeros(0, dtype=np.int64)  # texts with each term (capacity grows)
        self._tfs = np.zeros(0)  # occurrences of each term
        self._file = tempfile.TemporaryFile(prefix="workbench-terms-")  # gone when closed or collected
        self._parts: list[tuple[int, int, int]] = []  # per partition: offset, entries, texts
        self._end = 0
        self._pruned: tuple[np.ndarray, TfidfTransformer, Any] | None = None  # set by tfidf
        self.n_texts = 0

    def add(self, part: PartitionTerms) -> None:
        """Append a partition's texts after those so far."""
        vocabulary = self.vocabulary
        remap = np.fromiter((vocabulary.setdefault(t, len(vocabulary)) for t in part.terms), dtype=np.int32,
                            count=len(part.terms))
        ids = remap[part.indices] if len(part.indices) else part.indices.astype(np.int32)
        n_terms = len(vocabulary)
        # each text's entries sorted by corpus term id (the vectoriser's order) now, while workers analyse
        # the next partitions, rather than when the topics are fitted
        indptr = np.concatenate([[0], np.cumsum(part.lengths)])
        entries = sparse.csr_matrix((part.counts.copy(), ids, indptr), shape=(part.n_texts, n_terms))
        entries.sort_indices()
        ids, counts = entries.indices, entries.data
        if n_terms > len(self._dfs):
            grown = max(n_terms, 2 * len(self._dfs))
            self._dfs = np.concatenate([self._dfs, np.zeros(grown - len(self._dfs), dtype=np.int64)])
            self._tfs = np.concatenate([self._tfs, np.zeros(grown - len(self._tfs))])
        self._dfs[:n_terms] += np.bincount(ids, minlength=n_terms)
        self._tfs[:n_terms] += np.bincount(ids, weights=counts, minlength=n_terms)
        data = b"".join(a.tobytes() for a in (ids.astype(np.int32), counts.astype(np.int32),
                                             part.lengths.astype(np.int64)))
        self._file.seek(self._end)
        self._file.write(data)
        self._file.flush()  # read back with os.pread, below the file object's buffer
        self._parts.append((self._end, len(ids), part.n_texts))
        self._end += len(data)
        self.n_texts += part.n_texts
        self._pruned = None

    def tfidf(self, vectorizer: TfidfVectorizer, rows: np.ndarray | None = None) -> sparse.csr_matrix:
        """The TF-IDF matrix of the texts as ``vectorizer`` (unfitted) would make it from
        them — or of the texts at ``rows`` only (sorted positions), weighted as in the
        whole — leaving ``vectorizer`` fitted (vocabulary and idf) for new texts.
        ValueError when no term is left.

        The vectoriser's pruning (``CountVectorizer._sort_features`` and
        ``_limit_features``: document-frequency bounds, then the most frequent
        ``max_features`` in name order) and the idf are decided from per-term counts,
        so only the kept entries of the wanted rows are ever gathered (the vectoriser
        builds the whole matrix, then a pruned copy); a row's entries keep the order the
        vectoriser leaves them in (by first occurrence in the corpus)."""
        if not self.vocabulary:
            raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
        n_doc = self.n_texts
        max_df, min_df, max_features = vectorizer.max_df, vectorizer.min_df, vectorizer.max_features
        high = max_df if isinstance(max_df, Integral) else max_df * n_doc
        low = min_df if isinstance(min_df, Integral) else min_df * n_doc
        if high < low:
            raise ValueError("max_df corresponds to < documents than min_df")
        final, kept = self._kept_terms(high, low, max_features)  # old id -> new id (-1 if pruned); new -> old
        vectorizer.vocabulary_ = {term: final[i] for term, i in self.vocabulary.items() if final[i] >= 0}
        weighting = TfidfTransformer(norm=vectorizer.norm, use_idf=vectorizer.use_idf,
                                     smooth_idf=vectorizer.smooth_idf, sublinear_tf=vectorizer.sublinear_tf)
        # the idf TfidfTransformer.fit gives the whole count matrix (the topic model's vectoriser always uses it)
        df = self._dfs[kept].astype(vectorizer.dtype) + float(weighting.smooth_idf)
        idf = np.full_like(df, fill_value=n_doc + int(weighting.smooth_idf), dtype=vectorizer.dtype)
        idf /= df
        np.log(idf, out=idf)
        idf += 1.0
        weighting.idf_ = vectorizer.idf_ = idf
        self._pruned = (final, weighting, vectorizer.dtype)
        return self._weighted(self._pruned_parts(rows))

    def weighted_batches(self, size: int) -> Iterator[sparse.csr_matrix]:
        """Every text's TF-IDF row, ``size`` texts at a time in corpus order (the last:
        the rest), pruned and weighted as the last :meth:`tfidf` did."""
        if self._pruned is None:
            raise RuntimeError("weighted_batches needs the pruning and weighting of tfidf() first")
        weighting = self._pruned[1]
        pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        held = 0
        for part in self._pruned_parts(None):
            pending.append(part)
            held += len(part[2])
            if held >= size:
                X = self._counts(pending)
                whole = held // size * size
                for at in range(0, whole, size):
                    yield sparse.csr_matrix(weighting.transform(X[at:at + size], copy=False))
                rest = X[whole:]
                pending, held = [(rest.indices, rest.data, np.diff(rest.indptr))], rest.shape[0]
        if held:
            yield sparse.csr_matrix(weighting.transform(self._counts(pending), copy=False))

    def _pruned_parts(self, rows: np.ndarray | None) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per partition, the kept entries of its texts (of those at ``rows`` only, if
        given): new term ids, counts and entries per text."""
        final, _, dtype = self._pruned
        n_terms = len(self.vocabulary)
        first = 0
        for offset, entries, texts in self._parts:
            raw = bytearray(os.pread(self._file.fileno(), 8 * entries + 8 * texts, offset))  # writable, for scipy
            ids = np.frombuffer(raw, dtype=np.int32, count=entries)
            counts = np.frombuffer(raw, dtype=np.int32, count=entries, offset=4 * entries)
            lengths = np.frombuffer(raw, dtype=np.int64, count=texts, offset=8 * entries)
            part = sparse.csr_matrix((counts, ids, np.concatenate([[0], np.cumsum(lengths)])),
                                     shape=(texts, n_terms))  # entries by corpus term id, as add sorted them
            if rows is not None:
                part = part[rows[(rows >= first) & (rows < first + texts)] - first]
            first += texts
            new = final[part.indices]
            keep = new >= 0
            yield (new[keep].astype(np.int32), part.data[keep].astype(dtype),
                   np.diff(np.concatenate([[0], np.cumsum(keep)])[part.indptr]))

    def _weighted(self, parts: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> sparse.csr_matrix:
        """The partitions' kept entries as one TF-IDF matrix."""
        return sparse.csr_matrix(self._pruned[1].transform(self._counts(parts), copy=False))

    def _counts(self, parts: Iterable[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> sparse.csr_matrix:
        """The partitions' kept entries as one count matrix (kept columns)."""
        final = self._pruned[0]
        indices, values, lengths = (list(column) for column in zip(*parts))
        indptr = np.concatenate([[0], np.cumsum(np.concatenate(lengths))])
        index_type = np.int64 if indptr[-1] > np.iinfo(np.int32).max else np.int32
        return sparse.csr_matrix((np.concatenate(values), np.concatenate(indices, dtype=index_type),
                                  indptr.astype(index_type)), shape=(len(indptr) - 1, int(final.max()) + 1))

    def _kept_terms(self, high: float, low: float, limit: int | None) -> tuple[np.ndarray, np.ndarray]:
        """Per term id, its column after the vectoriser's pruning (terms in name order), or
        -1; and per column, its term id."""
        n_terms = len(self.vocabulary)
        names = sorted(self.vocabulary)  # (the terms alone: sorting (term, id) pairs took ten times as long)
        by_name = np.fromiter(map(self.vocabulary.__getitem__, names), dtype=np.int64, count=n_terms)  # column -> id
        dfs, tfs = self._dfs[by_name], self._tfs[by_name]
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
        return final, by_name[mask]
