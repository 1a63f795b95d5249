"""The per-article work of a corpus, chunk by chunk in worker processes, and the tables it
fills (see :func:`workbench.corpus.analyze_corpus`)."""
from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd

from .._parallel import Workers, worker_state
from ..actors import MENTION_COLUMNS, ActorMatcher
from ..errors import InputError
from ..loading import Article, article_from_text
from ..sentiment import LABELS, aggregate_actors, mention_items
from ..steps import actors_and_quotes
from .readers import Record, Skipped, read_corpus

__all__ = ["ChunkTables", "analysed_bodies", "summarise", "merged_surnames", "joined", "grouped"]

log = logging.getLogger(__name__)


class ChunkTables:
    """The per-article results of a corpus, gathered chunk by chunk as column lists."""

    def __init__(self) -> None:
        self.articles, self.mentions, self.quotes = (_empty(columns) for columns in _TABLES.values())
        self.skipped: list[Skipped] = []
        self.warned: list[Skipped] = []  # web pages' warnings, with where
        self._probabilities: list[pd.DataFrame] = []

    def add(self, chunk: dict[str, Any], scorer) -> list[str]:
        """Keep a chunk's tables and probabilities (scoring its mentions here when the
        workers could not); return its cleaned bodies."""
        for name in _TABLES:
            for key, values in getattr(self, name).items():
                values.extend(chunk[name][key])
        self.skipped.extend(chunk["skipped"])
        proba = chunk["proba"] if chunk["proba"] is not None else _scored(chunk["mentions"], scorer)
        if proba is not None:
            self._probabilities.append(proba)
        return chunk["bodies"]

    def probabilities(self) -> pd.DataFrame:
        if not self._probabilities:
            return pd.DataFrame(columns=list(LABELS), dtype=float)
        return pd.concat(self._probabilities, ignore_index=True)


_QUOTE_FIELDS = ("speaker", "actor", "root", "text", "closed")  # of quote_records, kept per quote
#: The per-article tables of a corpus and their columns, as a chunk and as the whole.
_TABLES = {
    "articles": ("id", "title", "date", "source", "group", "paragraphs", "mentions"),
    "mentions": ("article", "date", *MENTION_COLUMNS),
    "quotes": ("article", *_QUOTE_FIELDS),
}


def _empty(columns: tuple[str, ...]) -> dict[str, list]:
    return {k: [] for k in columns}


def analysed_bodies(path, tables: ChunkTables, workers: Workers, *, scorer, strict: bool, compare: str, chunk_size: int,
                     progress: bool, when_read: Callable[[], None]) -> Iterator[str]:
    """Analyse the corpus chunk by chunk with ``workers``, keeping the results in
    ``tables``; yield the cleaned bodies in corpus order and call ``when_read`` once
    the last is in ``tables``."""
    from .._progress import progress_bar

    with progress_bar(desc="articles", unit=" art", disable=not progress) as bar:
        pending: deque = deque()
        for chunk in _chunks(path, chunk_size, tables.warned):
            pending.append(workers.submit(_analyse_chunk, chunk, strict, compare))
            while len(pending) > 2 * workers.n_jobs:  # a bounded queue: memory stays flat
                done = tables.add(workers.result(pending.popleft()), scorer)
                bar.update(len(done))
                yield from done
        while pending:
            done = tables.add(workers.result(pending.popleft()), scorer)
            bar.update(len(done))
            if not pending:
                when_read()
            yield from done


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
    scorer = worker_state()["scorer"]
    out["proba"] = _scored(mentions, scorer) if scorer is not None else None
    return out


def _scored(mentions: dict[str, list], scorer) -> pd.DataFrame | None:
    """The scorer's probabilities for a chunk's mentions (None when it has none)."""
    items = mention_items(mentions["sentence"], mentions["span_start"], mentions["span_end"])
    return scorer.predict_proba(items) if items else None


def summarise(table: pd.DataFrame, n_boot: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per rolled-up actor of ``table`` (all mentions of some of the actors: an actor's
    figures depend on its own mentions only): counts, mean polarity with its interval,
    evidence, and by month (runs in a worker)."""
    dated = table[table["date"] != ""].assign(month=table["date"].str[:7])
    return (aggregate_actors(table, by="root", n_boot=n_boot, random_state=seed, max_evidence=3), _evidence(table),
            grouped(dated, ["root", "month"]))


def merged_surnames(mentions: pd.DataFrame, share: float = 0.9) -> pd.DataFrame:
    """Across a corpus, a person known by one word in some articles ("Blair", where only
    "Mr Blair" appears) is the person named in full elsewhere when one full name carries
    that surname in at least ``share`` of the full-name mentions ("Tony Blair" 497,
    "Cherie Blair" 6). Within an article, :mod:`workbench.actors.people` groups already."""
    people = mentions[mentions["type"] == "person"]
    if people.empty:
        return mentions
    counts = people["actor"].value_counts()
    full = counts[counts.index.str.contains(" ")]
    by_surname = full.groupby(full.index.str.rsplit(" ", n=1).str[-1])
    best = {surname: (group.idxmax(), group.max() / group.sum()) for surname, group in by_surname}
    renamed = {name: best[name][0] for name in counts.index
               if " " not in name and name in best and best[name][1] >= share}
    if not renamed:
        return mentions
    out = mentions.copy()
    rows = out["type"].eq("person") & out["actor"].isin(renamed)
    out.loc[rows, "actor"] = out.loc[rows, "actor"].map(renamed)
    own_root = rows & out["root"].isin(renamed)
    out.loc[own_root, "root"] = out.loc[own_root, "root"].map(renamed)
    return out


def joined(parts: list[pd.DataFrame], order: dict[str, bool]) -> pd.DataFrame:
    """The summaries of the parts as one table, ordered as one summary of all would be."""
    kept = [p for p in parts if not p.empty] or parts[:1]
    return (pd.concat(kept, ignore_index=True).sort_values(list(order), ascending=list(order.values()), kind="stable")
            .reset_index(drop=True))


def grouped(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if table.empty:
        return pd.DataFrame(columns=[*keys, "mentions", "score"])
    out = table.groupby(keys, sort=True)["polarity"].agg(mentions="size", score="mean").reset_index()
    return out


def _evidence(table: pd.DataFrame, per_side: int = 3) -> pd.DataFrame:
    """Each actor's most negative and most positive sentences (article, sentence, the
    mention's span): one entry per actor and sentence, scored by its strongest mention
    there, so a sentence naming an actor twice is not cited twice."""
    columns = ["actor", "side", "polarity", "article", "sentence", "span_start", "span_end"]
    key = ["root", "article", "sentence_id"]
    ranked = table.sort_values(["root", "polarity", "article", "start"], kind="stable")
    negative = (
        ranked[ranked["polarity"] < 0].drop_duplicates(key, keep="first").groupby("root", sort=True).head(per_side)
    )
    cited = pd.MultiIndex.from_frame(negative[key])
    positive = (
        ranked[(ranked["polarity"] > 0) & ~pd.MultiIndex.from_frame(ranked[key]).isin(cited)]
        .sort_values(["root", "polarity", "article", "start"], ascending=[True, False, True, True], kind="stable")
        .drop_duplicates(key, keep="first")
        .groupby("root", sort=True)
        .head(per_side)
    )
    parts = [negative.assign(side="negative"), positive.assign(side="positive")]
    out = pd.concat(parts).drop(columns=["actor"]).rename(columns={"root": "actor"})
    return out.sort_values(["actor", "side"], kind="stable")[columns].reset_index(drop=True)
