"""The per-article work of a corpus, partition (chunk) by partition in workers, and the
tables it fills (see :func:`workbench.corpus.analyze_corpus`)."""
from __future__ import annotations

import logging
from collections import deque
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._parallel import InOrder, worker_state
from ..actors import MENTION_COLUMNS, ActorMatcher, mention_table
from ..errors import InputError
from ..loading import Article, article_from_text
from ..sentiment import LABELS, add_scores, mention_items
from ..steps import actors_and_quotes
from ..term_counts import CorpusTerms, count_partition
from ..topics import SMALL_CORPUS
from .evidence import EVIDENCE_COLUMNS
from .readers import Record, Skipped, count_records, read_corpus
from .store import MentionStore, RowStore
from .tally import ActorTally

if TYPE_CHECKING:
    from .._cluster import ClusterWorkers
    from .._parallel import Workers

__all__ = ["ChunkTables", "Coded", "analyse_partitions", "MENTION_TABLE_COLUMNS", "summarise"]

log = logging.getLogger(__name__)


class ChunkTables:
    """The per-article results of a corpus, gathered chunk by chunk: the articles' and
    quotes' rows in :attr:`articles` and :attr:`quotes` (on disk), with what the summaries
    need of each article kept small (its mentions, group and month, as numbers); what was
    skipped; the mentions' statistics in :attr:`tally` and their rows in :attr:`store`
    (on disk)."""

    def __init__(self) -> None:
        self.articles = RowStore("articles", _TABLES["articles"])
        self.quotes = RowStore("quotes", _TABLES["quotes"])
        self.groups, self.months = Coded(), Coded()  # each article's group, and its date's month ("" undated)
        self._mentions: list[np.ndarray] = []
        self.skipped: list[Skipped] = []
        self.warned: list[Skipped] = []  # web pages' warnings, with where
        self.tally = ActorTally(units_on_disk=True)
        self.store = MentionStore()
        self.terms = CorpusTerms()  # the bodies' term counts, for the topics
        self.first_bodies: list[str] = []  # the first few bodies (a small corpus's topic labels use them)

    def add(self, chunk: dict[str, Any], scorer) -> None:
        """Keep a chunk's results (scoring its mentions here when the workers could not)."""
        first = self.articles.rows
        articles = chunk["articles"]
        self.articles.append(pd.DataFrame(articles))
        self.groups.extend(articles["group"])
        self.months.extend(date[:7] for date in articles["date"])
        self._mentions.append(np.asarray(articles["mentions"], dtype=np.int64))
        self.quotes.append(pd.DataFrame(chunk["quotes"]))
        self.skipped.extend(chunk["skipped"])
        table, part = chunk["table"], chunk["tally"]
        if table is None and chunk["mentions"]["article"]:  # the workers could not score
            table, part = _tallied(chunk, scorer)
        if table is not None:
            self.tally.merge(part, first)
            self.store.append(table)
        self.terms.add(chunk["terms"])
        self.first_bodies.extend(chunk["bodies"][:max(0, SMALL_CORPUS - len(self.first_bodies))])

    def mentions_per_article(self) -> np.ndarray:
        """Each article's number of mentions, in corpus order."""
        return np.concatenate([np.zeros(0, dtype=np.int64), *self._mentions])

    def titles_of(self, ids: set[str]) -> dict[str, str]:
        """The titles of the articles ``ids`` (read from the closed article rows)."""
        found = {}
        for batch in self.articles.batches(columns=["id", "title"]):
            found.update((i, t) for i, t in zip(batch["id"].tolist(), batch["title"].tolist()) if i in ids)
        return found


class Coded:
    """Strings kept as numbers, one per item (a million articles' groups: 4 MB)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._number: dict[str, int] = {}
        self._parts: list[np.ndarray] = []

    def extend(self, values) -> None:
        numbers = []
        for value in values:
            number = self._number.get(value)
            if number is None:
                number = self._number[value] = len(self.names)
                self.names.append(value)
            numbers.append(number)
        self._parts.append(np.asarray(numbers, dtype=np.int32))

    def values(self) -> np.ndarray:
        """The strings, one per item, in order (an object array)."""
        numbers = np.concatenate([np.zeros(0, dtype=np.int32), *self._parts])
        return np.array(self.names, dtype=object)[numbers] if self.names else np.array([], dtype=object)


_QUOTE_FIELDS = ("speaker", "actor", "root", "text", "closed")  # of quote_records, kept per quote
#: The per-article tables of a corpus and their columns, as a chunk and as the whole.
_TABLES = {
    "articles": ("id", "title", "date", "source", "group", "paragraphs", "mentions"),
    "mentions": ("article", "date", *MENTION_COLUMNS),
    "quotes": ("article", *_QUOTE_FIELDS),
}


#: The columns of a corpus's mention rows (``mentions.parquet`` adds ``topic``).
MENTION_TABLE_COLUMNS = [*_TABLES["mentions"], *LABELS, "polarity", "label"]


def _empty(columns: tuple[str, ...]) -> dict[str, list]:
    return {k: [] for k in columns}


def analyse_partitions(path, tables: ChunkTables, workers: Workers | ClusterWorkers, *, scorer, strict: bool,
                       compare: str, chunk_size: int, progress: bool) -> None:
    """Analyse the corpus a partition (``chunk_size`` records) at a time with ``workers``
    (about two per worker in flight: memory stays flat), keeping the results in
    ``tables`` in corpus order. The last partitions are smaller, so that the workers
    finish together (see :func:`_partitions`)."""
    from .._progress import progress_bar

    total = count_records(path) if progress else None  # a second read of the file: only for a bar shown
    with progress_bar(desc="articles", unit=" art", total=total, disable=not progress) as bar:
        partitions = _chunks(path, chunk_size, tables.warned)
        if workers.parallel:
            partitions = _partitions(partitions, workers.n_jobs)
        calls = ((_analyse_chunk, chunk, strict, compare) for chunk in partitions)
        for chunk in InOrder(workers, calls, window=2 * workers.n_jobs + 1):
            tables.add(chunk, scorer)
            bar.update(len(chunk["articles"]["id"]) + len(chunk["skipped"]))


def _chunks(path, size: int, warned: list[Skipped]) -> Iterator[list[Record | Skipped]]:
    """The corpus's records ``size`` at a time, each malformed record in its place (so
    that, with ``strict``, the first in file order is the one rejected); the web pages'
    warnings go to ``warned``."""
    skipped: list[Skipped] = []
    chunk: list[Record | Skipped] = []
    for record in read_corpus(path, skipped=skipped, warned=warned):
        chunk.extend(skipped)
        skipped.clear()
        chunk.append(record)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    chunk.extend(skipped)
    if chunk:
        yield chunk


#: The smallest part the last records are cut into: a partition costs some 10 ms beyond its articles (in
#: the worker, and again where it is merged); on BBC, 96 gave the shortest runs (48, or
#: whole chunks, longer).
_MIN_PARTITION = 96


def _partitions(chunks: Iterator[list], workers: int) -> Iterator[list]:
    """``chunks`` in order, the last ``workers`` of them and the rest re-cut into
    decreasing parts (each a ``2 * workers``-th of what is left, at least
    :data:`_MIN_PARTITION` records, at most a chunk; what would be left under the least
    joins the last part), so that the workers finish within a small part of each other
    rather than one working through a whole chunk alone. The records and their order are
    unchanged (the results do not depend on partitions)."""
    held: deque[list] = deque()
    size = 0
    for chunk in chunks:
        size = max(size, len(chunk))
        held.append(chunk)
        if len(held) > workers:
            yield held.popleft()
    rest = [record for chunk in held for record in chunk]
    while rest:
        part = min(size, max(-(-len(rest) // (2 * workers)), _MIN_PARTITION))
        if len(rest) - part < _MIN_PARTITION and len(rest) <= size:
            part = len(rest)
        yield rest[:part]
        rest = rest[part:]


def _analyse_chunk(chunk: list[Record | Skipped], strict: bool, compare: str = "source") -> dict[str, Any]:
    """Clean each record of a chunk, find its actors and quotes, and score its mentions
    when the scorer may run in a worker (runs in a worker)."""
    matcher: ActorMatcher = worker_state()["matcher"]
    out: dict[str, Any] = {"bodies": [], "skipped": [], **{name: _empty(cols) for name, cols in _TABLES.items()}}
    articles, mentions, quotes = out["articles"], out["mentions"], out["quotes"]
    cleaned: list[tuple[Record, Article]] = []
    for record in chunk:
        if isinstance(record, Skipped):
            if strict:
                raise InputError(f"{record.where}: {record.reason}")
            out["skipped"].append(record)
            continue
        try:
            cleaned.append((record, article_from_text(record.text, source=record.id)))
        except InputError as exc:
            if strict:
                raise InputError(f"{record.where}: {exc}") from None
            out["skipped"].append(Skipped(record.where, str(exc)))
    for (record, article), (found, q) in zip(cleaned, actors_and_quotes([a for _, a in cleaned], matcher)):
        out["bodies"].append(article.body)
        n = len(found["actor"])
        for key in ("id", "title", "date", "source"):
            articles[key].append(getattr(record, key) or (article.title if key == "title" else ""))
        articles["group"].append(record.field(compare))
        articles["paragraphs"].append(len(article.paragraphs))
        articles["mentions"].append(n)
        mentions["article"].extend([record.id] * n)
        mentions["date"].extend([record.date] * n)
        for key in MENTION_COLUMNS:
            mentions[key].extend(found[key])
        quotes["article"].extend([record.id] * len(q["text"]))
        for key in _QUOTE_FIELDS:
            quotes[key].extend(q[key])
    out["terms"] = count_partition(out["bodies"], worker_state()["analyzer"])
    out["bodies"] = out["bodies"][:SMALL_CORPUS]  # only a small corpus's labels read them
    scorer = worker_state()["scorer"]
    out["table"], out["tally"] = _tallied(out, scorer) if scorer is not None else (None, None)
    if out["table"] is not None:
        out["mentions"] = None  # in the table now: not sent twice
    return out


def _tallied(chunk: dict[str, Any], scorer) -> tuple[pd.DataFrame | None, ActorTally | None]:
    """A chunk's scored mention rows and their tally (None, None when it has no mention)."""
    mentions = chunk["mentions"]
    items = mention_items(mentions["sentence"], mentions["span_start"], mentions["span_end"])
    if not items:
        return None, None
    table = add_scores(mention_table(mentions), scorer.predict_proba(items), scorer)
    positions = np.repeat(np.arange(len(chunk["articles"]["id"])), chunk["articles"]["mentions"])
    return table, ActorTally.of_partition(table, positions)


def summarise(tally: ActorTally | None, n_boot: int, seed: int, bucket: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rolled-up actors of a bucket of a corpus's tally (with intervals), and, for
    bucket 0, its evidence table (runs in a worker while the main process fits the
    topics; ``tally`` None: the one the worker was forked with)."""
    tally = worker_state()["tally"] if tally is None else tally
    evidence = tally.evidence() if bucket == 0 else pd.DataFrame(columns=EVIDENCE_COLUMNS)
    return tally.rollup(n_boot=n_boot, seed=seed, bucket=bucket), evidence

