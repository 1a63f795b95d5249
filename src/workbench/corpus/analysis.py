"""Corpus analysis: :func:`analyze_corpus` and what it returns, :class:`CorpusAnalysis`
(the chunked per-article work is in :mod:`.chunks`)."""
from __future__ import annotations

import logging
import os
from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._cluster import ClusterWorkers
from .._data import display_path
from .._io import PlainRows, write_bytes_atomic, write_csv_tables, write_json_atomic
from .._parallel import InOrder, Workers, corpus_collector
from ..actors import ActorMatcher
from ..compare import COMPARISON_COLUMNS, DIFFERENCE_COLUMNS, compare_groups
from ..errors import InputError
from ..parameters import defaults_of
from ..sentiment import load_scorer, scorer_record
from ..topics import SMALL_CORPUS, TopicModel
from .chunks import MENTION_TABLE_COLUMNS, ChunkTables, analyse_partitions, summarise
from .readers import Skipped
from .store import MentionStore, RowStore, system_memory
from .tally import joined, merged_names

__all__ = ["CorpusAnalysis", "analyze_corpus"]

log = logging.getLogger(__name__)

#: How many web-page warnings the corpus notes quote (all are in results.json).
_WARNINGS_SHOWN = 5
#: The defaults are the corpus report notebook's (``notebooks/corpus_report.ipynb``), read once.
_DEFAULTS = defaults_of("corpus")


@dataclass
class CorpusAnalysis:
    """Everything found in a corpus.

    Attributes:
        article_store: One row per article: id, title, date, source, group (its ``compare``
            field), paragraphs, mentions, in a Parquet file (:attr:`articles` reads it whole,
            with each article's topic; :meth:`write` streams it).
        article_topics: Each article's dominant topic, in corpus order.
        topic_model: The model fitted across articles.
        topics: Topics with label, terms, weight, coherence and size (articles dominated).
        mention_store: Every mention with its article id, date and topic, in a Parquet file
            (:attr:`mentions` reads it whole; :meth:`write` copies it).
        rollup: One row per rolled-up actor over the corpus (the name ``Analysis.rollup`` has for
            one article; ``actors`` is kept as another name for it, which the shipped corpus
            notebook reads).
        actor_topics: Rolled-up actor × topic: mentions and mean polarity.
        actor_time: Rolled-up actor × month: mentions and mean polarity (dated articles only).
        evidence: Per actor its most positive and most negative sentences (one entry per sentence),
            with the article id and title and the mention's span.
        quote_store: Every quotation with article id, speaker and actor, in a Parquet file
            (:attr:`quotes` reads it whole; :meth:`write` streams it).
        skipped: Records not used, with where and why.
        warned: The web pages' warnings (little article text kept, not in English), with where.
        parameters: The parameters used.
        notes: Adjustments made on the way, in words (e.g. fewer topics for a small corpus).
        comparison: The main actors' scores per group (per source, or per value of the
            ``compare`` field), with intervals over each group's articles
            (:func:`workbench.compare.compare_groups`; empty under two groups).
        differences: Per main actor, the difference between the two largest groups, with its interval.
        sentiment_model: The scorer used (backend; for a trained model its weights' sha256).
    """

    article_store: RowStore
    article_topics: np.ndarray
    topic_model: TopicModel
    topics: pd.DataFrame
    mention_store: MentionStore
    rollup: pd.DataFrame
    actor_topics: pd.DataFrame
    actor_time: pd.DataFrame
    evidence: pd.DataFrame
    quote_store: RowStore
    skipped: list[Skipped] = field(default_factory=list)
    warned: list[Skipped] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    sentiment_model: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    comparison: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COMPARISON_COLUMNS))
    differences: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DIFFERENCE_COLUMNS))

    @property
    def articles(self) -> pd.DataFrame:
        """One row per article, with its topic, read from the Parquet file (all in memory)."""
        return self.article_store.read().assign(topic=self.article_topics)

    @property
    def n_articles(self) -> int:
        return self.article_store.rows

    @property
    def mentions(self) -> pd.DataFrame:
        """Every mention, read from the Parquet file (all in memory: for corpora that fit)."""
        return self.mention_store.read()

    @property
    def n_mentions(self) -> int:
        return self.mention_store.rows

    @property
    def quotes(self) -> pd.DataFrame:
        """Every quotation, read from the Parquet file (all in memory: for corpora that fit)."""
        return self.quote_store.read()

    @property
    def n_quotes(self) -> int:
        return self.quote_store.rows

    @property
    def actors(self) -> pd.DataFrame:
        """:attr:`rollup`, by the name the shipped corpus report notebook reads (renaming it
        there would change every corpus report's bytes)."""
        return self.rollup

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable results (``results.json``); mentions go to Parquet."""
        return self._results(PlainRows(self._article_records()), PlainRows(self.quote_store.records()))

    def _article_records(self) -> PlainRows:
        return self.article_store.records(extra={"topic": self.article_topics})

    def _results(self, articles: list, quotes: list) -> dict[str, Any]:
        model = self.topic_model
        return {
            "parameters": self.parameters,
            "sentiment_model": self.sentiment_model,
            "corpus": {"articles": self.n_articles, "mentions": self.n_mentions,
                       "skipped": [{"where": s.where, "reason": s.reason} for s in self.skipped],
                       "warnings": [{"where": w.where, "warning": w.reason} for w in self.warned]},
            "topics": self.topics.to_dict(orient="records"),
            "topic_quality": {"diversity": model.diversity_, "stability": model.stability_,
                              "mean_coherence": float(np.mean(model.coherence_))},
            "articles": articles,
            "actors": self.rollup.drop(columns=["evidence"]).to_dict(orient="records"),
            "actor_topics": self.actor_topics.to_dict(orient="records"),
            "actor_time": self.actor_time.to_dict(orient="records"),
            "evidence": self.evidence.to_dict(orient="records"),
            "quotes": quotes,
            "notes": self.notes,
            "sources_compared": self.comparison.to_dict(orient="records"),
            "source_differences": self.differences.to_dict(orient="records"),
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables a reader takes away, by file name (the mentions are in Parquet)."""
        return self._tables(self.articles, self.quotes)

    def _tables(self, articles: Any, quotes: Any) -> dict[str, Any]:
        return {"actors": self.rollup.drop(columns=["evidence"]), "articles": articles, "topics": self.topics,
                "actor_topics": self.actor_topics, "actor_time": self.actor_time, "evidence": self.evidence,
                "quotes": quotes, "sources_compared": self.comparison, "source_differences": self.differences}

    @system_memory()
    def write(self, folder: str | os.PathLike[str]) -> tuple[Path, Path]:
        """Write ``results.json``, ``mentions.parquet`` and each of :meth:`tables` as CSV
        into ``folder`` (atomically); returns the first two."""
        folder = Path(folder)
        results = write_json_atomic(folder / "results.json",
                                    self._results(self._article_records(), self.quote_store.records()))
        with open(self.mention_store.path, "rb") as fh:
            parquet = write_bytes_atomic(folder / "mentions.parquet", iter(lambda: fh.read(1 << 20), b""))
        write_csv_tables(folder, self._tables(self.article_store.batches(extra={"topic": self.article_topics}),
                                              self.quote_store.batches()))
        return results, parquet

    def __repr__(self) -> str:
        return (f"CorpusAnalysis(articles={self.n_articles}, topics={len(self.topics)}, "
                f"actors={len(self.rollup)}, mentions={self.n_mentions}, skipped={len(self.skipped)})")


@corpus_collector()  # the heap before the call (libraries, models) is frozen; young objects collected seldom
@system_memory()
def analyze_corpus(
    path: str | os.PathLike[str],
    *,
    n_topics: int | str = _DEFAULTS["n_topics"],
    actors: str | os.PathLike[str] | None = None,
    sentiment: str = _DEFAULTS["sentiment"],
    ner: str = _DEFAULTS["ner"],
    n_boot: int = _DEFAULTS["n_boot"],
    seed: int = _DEFAULTS["seed"],
    strict: bool = bool(_DEFAULTS["strict"]),
    compare: str = _DEFAULTS["compare"],
    scheduler: str | None = _DEFAULTS["scheduler"] or None,
    progress: bool = False,
    n_jobs: int | None = -1,
    chunk_size: int = 512,
) -> CorpusAnalysis:
    """Analyse every article of a corpus and fit topics across them.

    The corpus is read once, a partition of ``chunk_size`` records at a time: workers
    (forked processes, or a Dask cluster's with ``scheduler``) clean each partition,
    find its actors and quotes, score its mentions (the neural backend scores in the
    main process), count its topic terms and tally its actor statistics; the main
    process merges them in input order and appends the mention rows to a Parquet file,
    so neither the texts nor the mentions are held in memory. Then the workers finish
    the actor tables while the main process fits the topics. The results do not depend
    on ``n_jobs``, ``scheduler`` or the number of workers, nor on ``chunk_size`` except
    with the neural backend (its batches follow the chunks, which moves probabilities in
    the 7th decimal).

    Args:
        path: JSONL/CSV file or folder (see :func:`read_corpus`).
        n_topics: Topics across articles, or "auto".
        actors: Actor dictionary file (extends the default); None for the default.
        sentiment: Per-mention scorer backend.
        ner: Name finder (see :data:`workbench.ner.NER_BACKENDS`).
        n_boot: Bootstrap resamples for the per-actor intervals.
        seed: Seed of the topic model and bootstrap.
        strict: Reject the corpus on the first malformed record instead of skipping it.
        compare: The record field whose values are compared ("source", or any other field
            of the records, such as a CSV's ``category`` column); see ``comparison``.
        scheduler: Address of a Dask distributed scheduler (``tcp://host:8786``): the
            per-article work and the actor summary run on its workers (extra ``[dask]``),
            with the same results as here; None or "" for this machine's processes.
        progress: Show progress bars.
        n_jobs: Processes, as in scikit-learn (-1: every core; 1: no worker processes;
            workers are forked, on Linux only: elsewhere everything runs here).
        chunk_size: Articles per task handed to a worker.
    """
    matcher = ActorMatcher.from_file(actors or None, ner=ner)
    scorer = load_scorer(sentiment)
    tables = ChunkTables()
    tally = tables.tally
    model = TopicModel(n_topics=n_topics, random_state=seed, n_jobs=n_jobs, fewer_if_needed=True)

    # One set of workers (processes here, or a Dask cluster's) for the articles, then the
    # actor summary (in two halves), while this process fits the topics (its refits in processes here).
    # A scorer that survives a fork scores in the workers; others (torch) in this process.
    state = {"matcher": matcher, "scorer": scorer if getattr(scorer, "fork_safe", True) else None,
             "analyzer": model.analyzer()}
    with (ClusterWorkers(scheduler, state=state) if scheduler else Workers(n_jobs, state=state)) as workers:
        analyse_partitions(path, tables, workers, scorer=scorer, strict=strict, compare=compare,
                           chunk_size=chunk_size, progress=progress)
        # every article analysed: merge surnames, summarise the actors (a bucket of them a task) in workers
        tally.rename(merged_names(tally.person_counts()))
        buckets = tally.regroup()  # the units sorted by actor on disk, once, before the workers read them
        # A cluster's workers are sent each bucket's part of the tally (a few at a time); processes
        # of this machine are forked with the whole of it (shared, not copied: nothing to pickle).
        with nullcontext(workers) if scheduler else Workers(n_jobs, state={"tally": tally}) as summarisers:
            calls = ((summarise, tally.summary_part(b) if scheduler else None, n_boot, seed, b) for b in range(buckets))
            summary = InOrder(summarisers, calls, window=2 * summarisers.n_jobs)
            try:
                small = tables.terms.n_texts < SMALL_CORPUS
                model.fit_terms(tables.terms, tables.first_bodies if small else None)
            except ValueError:
                if not tables.articles.rows:
                    raise InputError(f"{display_path(path)}: no usable article in the corpus") from None
                raise
            log.info("fitted %d topics across %d articles", model.n_topics_, tables.articles.rows)
            # while the workers finish the summary: what needs the topics and the tally only
            dominant = model.dominant_topic()
            tables.store.finish(tally.rename_map(), dominant, tables.mentions_per_article(), MENTION_TABLE_COLUMNS,
                                progress=progress)
            actor_time = tally.by_article_value(tables.months.values(), "month", skip="")
            actor_topics = tally.by_article_value(dominant, "topic")
            comparison, differences = compare_groups(tally.unit_tables(), tables.groups.values(),
                                                     tally.root_names(), n_boot=n_boot, seed=seed)
            topics = model.topics_frame(10)
            topics["size"] = [int((dominant == k).sum()) for k in topics["id"]]
            tables.articles.close()
            tables.quotes.close()
            parts = list(summary)
    rollup, evidence = joined([p[0] for p in parts]), parts[0][1]
    titles = tables.titles_of(set(evidence["article"]))
    evidence = evidence.assign(title=evidence["article"].map(titles).fillna(""))  # cited by title, not file line

    notes = []
    if not model.converged_:
        notes.append(f"The topic model (NMF) did not converge within {model.max_iter} iterations; its topics "
                     "may change with more.")
    if tables.warned:
        shown = "; ".join(f"{w.where}: {w.reason}" for w in tables.warned[:_WARNINGS_SHOWN])
        more = len(tables.warned) - _WARNINGS_SHOWN
        notes.append(f"{len(tables.warned)} warning{'s' if len(tables.warned) != 1 else ''} about web pages of the "
                     f"corpus (all are in results.json): {shown}" + (f"; and {more} more." if more > 0 else "."))
    if n_topics != "auto" and model.n_topics_ < n_topics:
        notes.append(f"n_topics lowered from {n_topics} to {model.n_topics_}: the corpus's "
                     f"{tables.articles.rows} articles and their terms allow no more.")
    parameters = {"corpus": display_path(path), "n_topics": n_topics, "topics_fitted": int(model.n_topics_),
                  "actors": display_path(actors) if actors else "default", "sentiment": sentiment, "ner": ner,
                  "n_boot": n_boot, "seed": seed, "strict": bool(strict), "compare": compare}
    return CorpusAnalysis(
        article_store=tables.articles,
        article_topics=np.asarray(dominant),
        topic_model=model,
        topics=topics,
        mention_store=tables.store,
        rollup=rollup,
        actor_topics=actor_topics,
        actor_time=actor_time,
        evidence=evidence,
        quote_store=tables.quotes,
        skipped=tables.skipped,
        warned=tables.warned,
        parameters=parameters,
        sentiment_model=scorer_record(sentiment, scorer),
        notes=notes,
        comparison=comparison,
        differences=differences,
    )


