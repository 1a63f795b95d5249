"""TF-IDF topic modeling: a deterministic NMF over TF-IDF, in scikit-learn style.

NMF is initialised by NNDSVD (an SVD, not random draws), so the same texts and
parameters give the same topics on every run. Topics are ordered by their share of
the total document-topic weight, largest first, so topic 0 is the main theme.

Quality figures come with every fit: NPMI coherence of each topic's top-10 terms
(document co-occurrence over the fitted texts), diversity (unique share of the top-25
terms) and stability (mean cosine similarity of the topics to those refitted on
seeded 80% subsamples, matched one-to-one). ``n_topics="auto"`` picks k by them.
"""
from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain, islice

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.decomposition import NMF
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer, TfidfVectorizer
from sklearn.utils.validation import check_is_fitted

from ._parallel import Workers, worker_state
from .term_counts import CorpusTerms, count_partition
from .topic_quality import diversity_depth, npmi_coherence, stability, topic_diversity

__all__ = ["TopicModel", "npmi_coherence", "topic_diversity", "NEWS_STOP_WORDS"]

log = logging.getLogger(__name__)

#: Words of two or more letters; numbers and punctuation are not topic terms.
TOKEN_PATTERN = r"(?u)\b[^\W\d_]{2,}\b"
#: English stop words plus words every news story uses ("said", "mr", "year", …).
NEWS_STOP_WORDS = frozenset(ENGLISH_STOP_WORDS | {
    "said", "says", "say", "mr", "mrs", "ms", "year", "years", "people", "new", "just", "like", "told", "time",
    "make", "way", "going", "want", "think", "added", "including", "according", "week", "month", "day", "today",
    "yesterday", "did", "does", "don", "got", "ve", "ll", "didn", "doesn", "isn",
})
#: Below this many texts the vocabulary keeps every term (one article's paragraphs).
SMALL_CORPUS = 100
#: Above this many texts NMF is fitted on a sample of this many (news articles: a 75 MB
#: matrix, ~150 MB more memory during the fit); see ``TopicModel(max_fit_texts=...)``.
MAX_FIT_TEXTS = 50_000
#: Texts transformed at a time when the fit was on a sample (their weights are computed
#: together, so the size is fixed: the results do not depend on how the corpus was partitioned).
_TRANSFORM_BATCH = 10_000
_UNFITTED = "This TopicModel is not fitted yet; call fit(texts) first."


class TopicModel(TransformerMixin, BaseEstimator):
    """TF-IDF + NMF topics over a list of texts (paragraphs, sentences or articles).

    Args:
        n_topics: Number of topics k, or "auto" to choose k in ``k_range`` by quality
            (see :attr:`k_table_`).
        random_state: Seed of the SVD inside NNDSVD and of the stability subsamples.
        max_features: Vocabulary cap (most frequent terms), None for no cap.
        ngram_range: Term n-gram range, e.g. (1, 2) to add bigrams.
        min_df, max_df: Document-frequency limits as in ``TfidfVectorizer``; "auto" keeps
            every term below 100 texts and uses 2 and 0.5 from there.
        stop_words: "news" (:data:`NEWS_STOP_WORDS`), "english", a list, or None.
        max_iter: NMF iteration cap.
        k_range: Smallest and largest k tried by ``n_topics="auto"``.
        stability_resamples: Subsample refits for :attr:`stability_` (0 to skip).
        n_jobs: Processes for the refits, as in scikit-learn (None: 1; -1: all cores);
            the topics do not depend on it.
        fewer_if_needed: Fit as many topics as the texts allow when that is fewer than
            ``n_topics`` (``n_topics_`` says how many), instead of raising ValueError; for
            texts that arrive as a stream, whose number is not known before the fit.
        max_fit_texts: Above this many texts, NMF (and the quality figures) is fitted on a
            seeded sample of this many and every text's weights come from ``transform``,
            a batch of texts at a time, so memory stays bounded whatever the corpus; None:
            always the whole matrix. The vocabulary and idf are always the whole corpus's.

    Fitted attributes:
        n_topics_: The k used.
        vectorizer_, nmf_: The fitted scikit-learn steps.
        feature_names_: Vocabulary, indexed like the columns of ``components_``.
        components_: Topic-term weights, shape (n_topics, n_terms), topics ordered by weight.
        doc_topics_: Document-topic weights of the fitted texts (all of them, also when
            NMF was fitted on a sample).
        topic_weights_: Share of the total document-topic weight per topic (sums to 1).
        coherence_: NPMI coherence of each topic's top-10 terms over the fitted texts.
        diversity_: Share of unique terms among all topics' top-25 terms (top
            vocabulary/k when that is smaller).
        stability_: Mean matched cosine similarity to subsample refits (nan if skipped).
        converged_: Whether NMF converged within ``max_iter`` iterations (scikit-learn's
            ConvergenceWarning is not shown; reports say it in their notes).
        labels_: A short readable label per topic (distinctive terms, bigrams where frequent).
        k_table_: With ``n_topics="auto"``: k vs coherence, diversity, stability, score.
    """

    def __init__(
        self,
        n_topics: int | str = 3,
        *,
        random_state: int = 0,
        max_features: int | None = 20000,
        ngram_range: tuple[int, int] = (1, 1),
        min_df: int | float | str = "auto",
        max_df: int | float | str = "auto",
        stop_words: str | Sequence[str] | None = "news",
        max_iter: int = 1000,
        k_range: tuple[int, int] = (2, 10),
        stability_resamples: int = 2,
        n_jobs: int | None = None,
        fewer_if_needed: bool = False,
        max_fit_texts: int | None = MAX_FIT_TEXTS,
    ) -> None:
        self.n_topics = n_topics
        self.fewer_if_needed = fewer_if_needed
        self.random_state = random_state
        self.max_features = max_features
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.max_df = max_df
        self.stop_words = stop_words
        self.max_iter = max_iter
        self.k_range = k_range
        self.stability_resamples = stability_resamples
        self.n_jobs = n_jobs
        self.max_fit_texts = max_fit_texts

    def fit(self, texts: Iterable[str], y: object = None) -> TopicModel:
        """Learn the vocabulary and the topics from ``texts``."""
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Iterable[str], y: object = None) -> np.ndarray:
        """Fit and return the document-topic weights of ``texts``."""
        texts = _as_texts(texts)
        sized = isinstance(texts, list)  # a long stream is read once, never held in memory
        terms, analyzer = CorpusTerms(), self.analyzer()
        for batch in _batched(texts, 1000):
            terms.add(count_partition(batch, analyzer))
        return self.fit_terms(terms, texts if sized else None)

    def analyzer(self):
        """The function that turns a text into its terms (lower-cased words of two or more
        letters, stop words out, n-grams): what :func:`workbench.term_counts.count_partition`
        counts with, where the texts are (a picklable scikit-learn analyzer)."""
        return self._vectorizer(small=False).build_analyzer()

    def _vectorizer(self, *, small: bool) -> TfidfVectorizer:
        stop = sorted(NEWS_STOP_WORDS) if self.stop_words == "news" else self.stop_words
        return TfidfVectorizer(
            token_pattern=TOKEN_PATTERN,
            stop_words=stop,
            max_features=self.max_features,
            ngram_range=self.ngram_range,
            min_df=(1 if small else 2) if self.min_df == "auto" else self.min_df,
            max_df=(1.0 if small else 0.5) if self.max_df == "auto" else self.max_df,
            sublinear_tf=True,
            dtype=np.float64,
        )

    def fit_terms(self, terms: CorpusTerms, texts: list[str] | None = None) -> np.ndarray:
        """Fit on term counts made a partition at a time (:class:`workbench.term_counts.CorpusTerms`,
        counted with :meth:`analyzer`) and return the document-topic weights: the same fit
        as :meth:`fit_transform` of the texts. ``texts``, when at hand, only refine the
        labels (bigrams)."""
        if terms.n_texts == 0:
            raise ValueError("texts is empty: a topic model needs at least one text")
        auto = self.n_topics == "auto"
        if not auto and (isinstance(self.n_topics, bool) or not isinstance(self.n_topics, (int, np.integer))
                         or self.n_topics < 1):
            raise ValueError(f"n_topics must be a positive integer or 'auto', got {self.n_topics!r}")
        self.vectorizer_ = self._vectorizer(small=terms.n_texts < SMALL_CORPUS)
        sample = self._fit_sample(terms.n_texts)
        try:
            X = terms.tfidf(self.vectorizer_, rows=sample)
        except ValueError as exc:  # empty vocabulary
            raise ValueError(f"no topic terms in the texts ({exc})") from None
        limit = min(X.shape)
        self.feature_names_ = self.vectorizer_.get_feature_names_out()
        if auto:
            fit = self._choose_k(X)
        else:
            k = int(self.n_topics)
            if k > limit and self.fewer_if_needed:
                k = limit
            if k > limit:
                raise ValueError(f"n_topics={k} is more than the {X.shape[0]} texts / {X.shape[1]} terms allow "
                                 f"(at most {limit})")
            fit = self._fits(X, [k])[0]
        self.n_topics_ = fit["k"]
        self.nmf_, self.order_ = fit["nmf"], fit["order"]
        self.converged_ = bool(self.nmf_.n_iter_ < self.max_iter)
        self.components_ = self.nmf_.components_[self.order_]
        if sample is None:
            self.doc_topics_ = fit["W"][:, self.order_]
        else:  # filled a batch at a time (one array of n × k, however many texts)
            self.doc_topics_ = np.empty((terms.n_texts, self.n_topics_))
            for at, batch in zip(range(0, terms.n_texts, _TRANSFORM_BATCH), terms.weighted_batches(_TRANSFORM_BATCH)):
                self.doc_topics_[at:at + batch.shape[0]] = self.nmf_.transform(batch)[:, self.order_]
        totals = self.doc_topics_.sum(axis=0)
        self.topic_weights_ = totals / totals.sum() if totals.sum() > 0 else np.zeros(self.n_topics_)
        self.coherence_, self.diversity_, self.stability_ = fit["coherence"], fit["diversity"], fit["stability"]
        self.labels_ = self._labels(texts)
        return self.doc_topics_

    def _fit_sample(self, n: int) -> np.ndarray | None:
        """The texts NMF is fitted on when there are more than ``max_fit_texts`` (seeded,
        in corpus order); None: all of them."""
        limit = self.max_fit_texts
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise ValueError(f"max_fit_texts must be a positive integer or None, got {limit!r}")
        if limit is None or n <= limit:
            return None
        return np.sort(np.random.default_rng([self.random_state, n]).choice(n, self.max_fit_texts, replace=False))

    def transform(self, texts: Iterable[str]) -> np.ndarray:
        """Document-topic weights of ``texts`` under the fitted topics."""
        check_is_fitted(self, "components_", msg=_UNFITTED)
        X = self.vectorizer_.transform(_as_texts(texts))
        return self.nmf_.transform(X)[:, self.order_]

    def top_terms(self, n: int = 10) -> list[list[str]]:
        """The ``n`` highest-weighted terms of each topic, one list per topic."""
        check_is_fitted(self, "components_", msg=_UNFITTED)
        return [[str(self.feature_names_[i]) for i in idx] for idx in self._top_indices(n)]

    def dominant_topic(self, doc_topics: np.ndarray | None = None) -> np.ndarray:
        """Index of each document's strongest topic; -1 where a document has no weight."""
        check_is_fitted(self, "components_", msg=_UNFITTED)
        W = self.doc_topics_ if doc_topics is None else doc_topics
        best = W.argmax(axis=1)
        return np.where(W.max(axis=1) > 0, best, -1)

    def topics_frame(self, n: int = 10) -> pd.DataFrame:
        """One row per topic: id, label, terms, weight, coherence."""
        terms = self.top_terms(n)
        return pd.DataFrame(
            {
                "id": np.arange(len(terms)),
                "label": self.labels_,
                "terms": terms,
                "weight": self.topic_weights_,
                "coherence": self.coherence_,
            }
        )

    def _repr_mimebundle_(self, **kwargs) -> dict:
        """What JupyterLab shows: fitted, the topics (IPython asks for this bundle before
        ``_repr_html_``, and scikit-learn's would show the estimator diagram); unfitted,
        scikit-learn's estimator view."""
        if not hasattr(self, "components_"):
            return super()._repr_mimebundle_(**kwargs)
        return {"text/plain": repr(self), "text/html": self._repr_html_()}

    def _repr_html_(self) -> str:
        """Fitted: the topics with their terms; unfitted: scikit-learn's estimator view."""
        if not hasattr(self, "components_"):
            return super()._repr_html_()
        from .views import topic_model_html

        return topic_model_html(self)

    # ----------------------------------------------------------------- internals
    def _fits(self, X, ks: Sequence[int]) -> list[dict]:
        """NMF with each k in ``ks`` and its quality figures (see :meth:`_figures`).

        The subsample refits for stability run in worker processes when ``n_jobs`` > 1,
        while this process fits the full matrix; every fit is the same either way.
        """
        n = X.shape[0]
        sizes = {k: max(int(0.8 * n), k) for k in ks}  # a refit needs k texts; none when that is all of them
        planned = [(k, r) for k in ks if sizes[k] < n and k <= X.shape[1] for r in range(self.stability_resamples)]
        # Workers forked now share X with this process (copy-on-write): a refit is sent its rows, not its matrix.
        with Workers(self.n_jobs if planned else None, state={"topic_matrix": X}) as workers:
            refits = {(k, r): workers.submit(_nmf_components, self._subsample(n, sizes[k], r), k, self.random_state,
                                             self.max_iter) for k, r in planned}
            fits = []
            for k in ks:
                nmf = NMF(n_components=k, init="nndsvd", random_state=self.random_state, max_iter=self.max_iter)
                with warnings.catch_warnings():  # said by converged_ (and the report's notes) instead
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    W = nmf.fit_transform(X)
                others = [workers.result(refits[k, r]) for r in range(self.stability_resamples) if (k, r) in refits]
                fits.append(self._figures(X, k, nmf, W, others))
        return fits

    def _subsample(self, n: int, size: int, r: int) -> np.ndarray:
        """Rows of the ``r``-th seeded subsample (sorted), as used for stability."""
        return np.sort(np.random.default_rng([self.random_state, r]).choice(n, size=size, replace=False))

    @staticmethod
    def _figures(X, k: int, nmf: NMF, W: np.ndarray, others: list[np.ndarray]) -> dict:
        """A fit with its quality figures, topics ordered by weight (ties by index).

        Stability is the mean cosine similarity of the topics to each refit's (``others``,
        on 80% subsamples), matched one-to-one; nan without refits.
        """
        order = np.lexsort((np.arange(k), -np.round(W.sum(axis=0), 12)))
        components = nmf.components_[order]
        tops = _top_indices(components, max(10, diversity_depth(X.shape[1], k)))
        by_term = X.tocsc()  # once, not once a topic
        return {
            "k": k, "nmf": nmf, "W": W, "order": order,
            "coherence": np.array([npmi_coherence(t[:10], by_term) for t in tops]),
            "diversity": topic_diversity([t[:diversity_depth(X.shape[1], k)] for t in tops]),
            "stability": stability(components, others) if others else float("nan"),
        }

    def _choose_k(self, X) -> dict:
        """The fit, among k in ``k_range``, with the best (NPMI + 1) / 2 × diversity × stability."""
        low, high = self.k_range
        high = min(high, min(X.shape) - 1)
        low = min(low, high)
        if high < 1:
            raise ValueError("too few texts or terms to choose a number of topics")
        fits = self._fits(X, range(low, high + 1))
        rows = []
        for fit in fits:
            coherence, stability = float(np.mean(fit["coherence"])), fit["stability"]
            score = (coherence + 1) / 2 * fit["diversity"] * (1.0 if np.isnan(stability) else stability)
            rows.append({"k": fit["k"], "coherence": coherence, "diversity": fit["diversity"], "stability": stability,
                         "score": score})
        self.k_table_ = pd.DataFrame(rows)
        best = int(self.k_table_["score"].idxmax())
        log.info("n_topics='auto' chose k=%d:\n%s", fits[best]["k"], self.k_table_.round(3).to_string(index=False))
        return fits[best]

    def _labels(self, texts: list[str] | None, n: int = 3) -> list[str]:
        """Distinctive terms per topic (weight × exclusivity); a bigram of two of them
        replaces both where it is frequent in the topic's own texts (when the texts
        are at hand, i.e. were given as a list)."""
        H = self.components_
        exclusivity = H / np.maximum(H.sum(axis=0, keepdims=True), 1e-12)
        dominant = self.dominant_topic()
        labels = []
        for k, row in enumerate(H):
            score = row / max(row.max(), 1e-12) * exclusivity[k]
            terms = [str(self.feature_names_[i]) for i in np.argsort(-score, kind="stable")[:n] if row[i] > 0]
            own = [t for t, d in zip(texts, dominant) if d == k] if texts is not None else []
            candidates = {f"{a} {b}" for a in terms for b in terms if a != b}
            if own and candidates:
                counts = CountVectorizer(vocabulary=sorted(candidates), ngram_range=(2, 2),
                                         token_pattern=TOKEN_PATTERN).fit_transform(own).sum(axis=0).A1
                best = int(np.argmax(counts))
                if counts[best] >= max(3, 0.05 * len(own)):
                    bigram = sorted(candidates)[best]
                    terms = [bigram] + [t for t in terms if t not in bigram.split()]
            labels.append(" · ".join(terms))
        return labels

    def _top_indices(self, n: int) -> list[np.ndarray]:
        return _top_indices(self.components_, n)

def _top_indices(components: np.ndarray, n: int) -> list[np.ndarray]:
    """Each topic's ``n`` strongest term columns; ties broken by column (alphabetical)."""
    n = min(n, components.shape[1])
    return [np.argsort(-row, kind="stable")[:n] for row in components]


def _nmf_components(rows: np.ndarray, k: int, random_state: int, max_iter: int) -> np.ndarray:
    """The topic-term matrix of an NMF fit on ``rows`` of the worker's topic matrix (a
    stability refit; runs in a worker)."""
    nmf = NMF(n_components=k, init="nndsvd", random_state=random_state, max_iter=max_iter)
    with warnings.catch_warnings():  # a refit only measures stability
        warnings.simplefilter("ignore", ConvergenceWarning)
        return nmf.fit(worker_state()["topic_matrix"][rows]).components_


def _as_texts(texts: Iterable[str]) -> list[str] | Iterator[str]:
    """A checked list of texts. A generator/iterator becomes one too when it is short
    (under :data:`SMALL_CORPUS` texts, so that it is fitted as a list of them would
    be); a longer one is checked as it is read, and never held in memory."""
    if isinstance(texts, str):
        raise TypeError("texts must be a list of strings, not one string")
    if isinstance(texts, Iterator):
        checked = _checked(texts)
        head = list(islice(checked, SMALL_CORPUS))
        if len(head) == SMALL_CORPUS:
            return chain(head, checked)
        texts = head
    texts = list(texts)
    if not texts:
        raise ValueError("texts is empty: a topic model needs at least one text")
    bad = [i for i, t in enumerate(texts) if not isinstance(t, str)]
    if bad:
        raise TypeError(f"texts must be strings; item {bad[0]} is {type(texts[bad[0]]).__name__}")
    return texts


def _batched(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(texts)
    while batch := list(islice(iterator, size)):
        yield batch


def _checked(texts: Iterator) -> Iterator[str]:
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"texts must be strings; item {i} is {type(text).__name__}")
        yield text
