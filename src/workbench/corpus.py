"""Corpus mode: many articles through the same pipeline, topics fitted across them.

A corpus is a JSONL file (one JSON object per line), a CSV file (header row), a
web-archive file (``.warc`` or ``.warc.gz``: each HTML response one article) or a
folder of ``.txt``/``.md``/``.html`` files. Each record needs ``text``; ``id``,
``title``, ``date`` (ISO 8601) and ``source`` are optional. A web page gives its own
title, date (else the crawl's date) and site name (else its host) as ``source``, and
its URL as the field ``url``. A malformed record is reported with its line (record
number, or file) and skipped, or, with ``strict=True``, rejected: never dropped silently.

:func:`analyze_corpus` streams: records are read a chunk at a time, analysed (in
worker processes when there are several cores) and only the mentions and per-article
summaries are kept; the cleaned bodies go straight into the topic model's vectoriser,
so no text is held in memory.
"""
from __future__ import annotations

import csv
import json
import logging
import os
import sys
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._data import display_path, printable
from ._io import check_regular_file, write_bytes_atomic, write_csv_tables, write_json_atomic
from ._parallel import Workers, frozen_heap, worker_state
from .actors import MENTION_COLUMNS, ActorMatcher, mention_table, quote_records
from .compare import COMPARISON_COLUMNS, DIFFERENCE_COLUMNS, compare_groups
from .errors import InputError
from .loading import MAX_BYTES, Article, article_from_page, article_from_text, load_article
from .sentiment import LABELS, add_scores, aggregate_actors, load_scorer, mention_items, scorer_record
from .topics import TopicModel

__all__ = ["Record", "read_corpus", "folder_articles", "analyze_corpus", "CorpusAnalysis", "CORPUS_SUFFIXES",
           "is_corpus_file"]

log = logging.getLogger(__name__)

#: File name endings of corpus files (a folder of articles is a corpus too).
CORPUS_SUFFIXES = (".jsonl", ".csv", ".warc", ".warc.gz")
_FOLDER_SUFFIXES = (".txt", ".md", ".html", ".htm")
csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(frozen=True)
class Record:
    """One article of a corpus; ``where`` says where it came from (file:line)."""

    id: str
    text: str
    title: str = ""
    date: str = ""
    source: str = ""
    where: str = ""
    extra: tuple[tuple[str, str], ...] = ()  # the record's other fields (a CSV column such as category), sorted

    def field(self, name: str) -> str:
        """The value of field ``name`` (one of the fields above, or an extra one), or ""."""
        if name in ("id", "title", "date", "source"):
            return getattr(self, name)
        return dict(self.extra).get(name, "")


#: The fields every record has; any other string or number field is kept in ``Record.extra``.
_KNOWN_FIELDS = ("id", "text", "title", "date", "source")
#: How many web-page warnings the corpus notes quote (all are in results.json).
_WARNINGS_SHOWN = 5


@dataclass
class Skipped:
    """A record that could not be used, and why."""

    where: str
    reason: str


def is_corpus_file(path: str | os.PathLike[str]) -> bool:
    """Whether the file name ends as a corpus file does (:data:`CORPUS_SUFFIXES`)."""
    return Path(path).name.lower().endswith(CORPUS_SUFFIXES)


def read_corpus(path: str | os.PathLike[str], *, strict: bool = False, skipped: list[Skipped] | None = None,
                warned: list[Skipped] | None = None) -> Iterator[Record]:
    """Records of a JSONL/CSV/WARC corpus or a folder of article files, in file order.

    Args:
        path: The corpus file or folder.
        strict: Raise on the first malformed record instead of skipping it.
        skipped: A list that receives every skipped record with its reason.
        warned: A list that receives the warnings of the web pages read (an extraction
            that kept very little, a page not in English), each with where it came from.

    Raises:
        InputError: the corpus is missing or of an unknown kind, or (``strict``) a record
            is malformed; the message names the line.
    """
    p = Path(path)
    shown = display_path(p)
    if not p.exists():
        raise InputError(f"{shown}: no such corpus file or folder", path=shown)
    if not p.is_dir():
        check_regular_file(p, what="a corpus (.jsonl, .csv or .warc file, or a folder of articles)")
    name = p.name.lower()
    page_warnings: list[str] = []  # the warnings of the web page just read, kept if its record is used
    if p.is_dir():
        rows = _folder(p, page_warnings)
    elif name.endswith(".jsonl"):
        rows = _jsonl(p, shown)
    elif name.endswith(".csv"):
        rows = _csv(p, shown)
    elif name.endswith((".warc", ".warc.gz")):
        rows = _warc(p, shown, page_warnings)
    else:
        raise InputError(f"{shown}: a corpus is a .jsonl, .csv, .warc or .warc.gz file or a folder of articles",
                         path=shown)
    seen: set[str] = set()
    for where, fields, error in rows:
        if error is None:
            error = _check(fields, seen)
        if error is not None:
            if strict:
                raise InputError(f"{where}: {error}", path=shown)
            page_warnings.clear()
            log.warning("skipped %s: %s", where, error)
            if skipped is not None:
                skipped.append(Skipped(where, error))
            continue
        seen.add(fields["id"])
        if warned is not None:
            warned.extend(Skipped(where, warning) for warning in page_warnings)
        page_warnings.clear()
        extra = tuple(sorted((str(k), str(v)[:200]) for k, v in fields.items() if k not in _KNOWN_FIELDS
                             and isinstance(v, (str, int, float)) and not isinstance(v, bool)
                             and _is_text(str(k)) and _is_text(str(v))))
        yield Record(fields["id"], fields["text"], fields.get("title", ""), fields.get("date", ""),
                     fields.get("source", ""), where, extra)


def _is_text(value: str) -> bool:
    """No NUL and no lone surrogate: safe to write into results and reports."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in value


def _check(fields: dict, seen: set[str]) -> str | None:
    text = fields.get("text")
    if not isinstance(text, str) or not text.strip():
        return "no text"
    for key in ("id", "title", "date", "source"):
        if key in fields and not isinstance(fields[key], str):
            if isinstance(fields[key], (dict, list)):
                return f"field {key} must be a string or a number, not a JSON {type(fields[key]).__name__}"
            fields[key] = "" if fields[key] is None else str(fields[key])
    for key in _KNOWN_FIELDS:
        value = fields.get(key, "")
        if not _is_text(value):
            return (f"field {key} contains NUL characters (binary data, not text)" if "\x00" in value
                    else f"field {key} is not valid Unicode (a lone surrogate such as \\ud800)")
    if fields.get("date"):
        try:
            fields["date"] = date.fromisoformat(fields["date"][:10]).isoformat()
        except ValueError:
            return f"date {fields['date']!r} is not ISO 8601 (YYYY-MM-DD)"
    if fields["id"] in seen:
        return f"id {fields['id']!r} appears twice"
    return None


def _jsonl(path: Path, shown: str):
    with path.open(encoding="utf-8", errors="strict") as fh:
        number = 0
        while True:
            try:
                line = fh.readline()
            except UnicodeDecodeError:
                yield f"{shown}:{number + 1}", {}, "not valid UTF-8"
                return
            if not line:
                return
            number += 1
            if not line.strip():
                continue
            where = f"{shown}:{number}"
            try:
                fields = json.loads(line)
            except json.JSONDecodeError as exc:
                yield where, {}, f"not JSON ({exc.msg})"
                continue
            except RecursionError:
                yield where, {}, "not a usable record (JSON nested too deeply)"
                continue
            except ValueError as exc:  # an integer of thousands of digits
                yield where, {}, f"not a usable record ({' '.join(str(exc).split())[:80]})"
                continue
            if not isinstance(fields, dict):
                yield where, {}, "not a JSON object"
                continue
            fields.setdefault("id", str(number))
            yield where, fields, None


def _csv(path: Path, shown: str):
    with path.open(encoding="utf-8-sig", newline="") as fh:  # a BOM is not part of the first column's name
        try:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or "text" not in reader.fieldnames:
                raise InputError(f"{shown}: the CSV header needs a 'text' column", path=shown)
            for row in reader:
                where = f"{shown}:{reader.line_num}"
                if None in row:
                    yield where, {}, "more fields than the header"
                    continue
                fields = {k: v for k, v in row.items() if v is not None}
                fields.setdefault("id", str(reader.line_num))
                if not fields["id"]:
                    fields["id"] = str(reader.line_num)
                yield where, fields, None
        except UnicodeDecodeError:
            raise InputError(f"{shown}: is not valid UTF-8", path=shown) from None
        except csv.Error as exc:
            raise InputError(f"{shown}: malformed CSV ({exc})", path=shown) from None


def folder_articles(path: Path) -> tuple[list[Path], list[tuple[Path, str]]]:
    """The article files of a folder (.txt, .md, .html, sorted by name), and the entries
    with those suffixes that are refused, with why: links that point outside the folder
    (never followed: a link could pull any file of the machine into a report) and pipes,
    devices or sockets (reading one may never end)."""
    inside, refused = [], []
    root = path.resolve()
    for f in sorted(path.iterdir()):
        if f.suffix.lower() not in _FOLDER_SUFFIXES or f.is_dir():
            continue
        if f.is_symlink() and not f.resolve().is_relative_to(root):
            refused.append((f, "a link to a file outside the folder (not followed)"))
        elif f.is_file():
            inside.append(f)
        else:
            refused.append((f, "not a regular file (a pipe, device or socket)"))
    return inside, refused


def _folder(path: Path, page_warnings: list[str]):
    files, refused = folder_articles(path)
    if not files and not refused:
        raise InputError(f"{display_path(path)}: the folder has no .txt, .md or .html articles")
    for f, why in refused:
        yield display_path(f), {}, why
    for f in files:
        where = display_path(f)
        try:
            article = load_article(f)
        except InputError as exc:
            yield where, {}, str(exc).removeprefix(f"{where}: ")
            continue
        page_warnings.extend(article.warnings)
        yield where, dict(_article_fields(article), id=printable(f.stem)), None


def _article_fields(article: Article) -> dict[str, str]:
    """A loaded article as record fields: its text (headline first), and what a web page
    says of itself (date, site name as source, URL)."""
    text = "\n\n".join(([article.title] if article.title else []) + list(article.paragraphs))
    fields = {"text": text, "title": article.title, "date": article.date, "source": article.site_name,
              "url": article.url}
    for warning in article.warnings:
        log.warning("%s: %s", article.source, warning)
    return {k: v for k, v in fields.items() if v}


def _warc(path: Path, shown: str, page_warnings: list[str]):
    """The HTML responses of a web archive, each extracted as a web page; request,
    metadata and non-HTML records are not articles and are passed over."""
    from urllib.parse import urlsplit

    from warcio.archiveiterator import ArchiveIterator

    number = 0
    with path.open("rb") as fh:
        records = iter(ArchiveIterator(fh))
        while True:
            try:
                record = next(records)
            except StopIteration:
                return
            except Exception as exc:  # noqa: BLE001 -- a damaged record makes warcio raise anything (AttributeError too)
                reason = printable(" ".join(str(exc).split()))[:120]
                yield f"{shown}:{number + 1}", {}, f"malformed WARC record ({reason}); the rest of the file is not read"
                return
            number += 1
            where = f"{shown}:{number}"
            if record.rec_type != "response" or not record.http_headers:
                continue
            content_type = (record.http_headers.get_header("Content-Type") or "").lower()
            if "html" not in content_type:
                continue
            status = record.http_headers.get_statuscode() or ""
            url = printable(record.rec_headers.get_header("WARC-Target-URI") or "")
            if not status.startswith("2"):
                yield where, {}, f"HTTP status {status or 'missing'} for {url or 'a page without URL'}"
                continue
            try:
                raw = record.content_stream().read(MAX_BYTES + 1)
            except Exception as exc:  # a damaged payload (bad chunking or content encoding): that record only
                yield where, {}, f"unreadable payload ({type(exc).__name__})"
                continue
            if len(raw) > MAX_BYTES:
                yield where, {}, f"the page is larger than {MAX_BYTES:,} bytes"
                continue
            charset = content_type.partition("charset=")[2].split(";")[0].strip(" \"'")
            try:
                article = article_from_page(raw, source=where, charset=charset)
            except InputError as exc:
                yield where, {}, str(exc).removeprefix(f"{where}: ")
                continue
            fields = _article_fields(article)
            page_warnings.extend(article.warnings)
            fields.setdefault("date", (record.rec_headers.get_header("WARC-Date") or "")[:10])
            fields.setdefault("source", (urlsplit(url).hostname or "").removeprefix("www."))
            yield where, dict(fields, id=url or str(number), url=article.url or url), None


# --------------------------------------------------------------------------- analysis
@dataclass
class CorpusAnalysis:
    """Everything found in a corpus.

    Attributes:
        articles: One row per article: id, title, date, source, group (its ``compare`` field),
            paragraphs, mentions, topic.
        topic_model: The model fitted across articles.
        topics: Topics with label, terms, weight, coherence and size (articles dominated).
        mentions: Every mention with its article id and date (large: saved as Parquet).
        actors: One row per rolled-up actor over the corpus.
        actor_topics: Rolled-up actor × topic: mentions and mean polarity.
        actor_time: Rolled-up actor × month: mentions and mean polarity (dated articles only).
        evidence: Per actor its most positive and most negative sentences (one entry per sentence),
            with the article id and title and the mention's span.
        quotes: Every quotation with article id, speaker and actor.
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

    articles: pd.DataFrame
    topic_model: TopicModel
    topics: pd.DataFrame
    mentions: pd.DataFrame
    actors: pd.DataFrame
    actor_topics: pd.DataFrame
    actor_time: pd.DataFrame
    evidence: pd.DataFrame
    quotes: pd.DataFrame
    skipped: list[Skipped] = field(default_factory=list)
    warned: list[Skipped] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    sentiment_model: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    comparison: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=COMPARISON_COLUMNS))
    differences: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=DIFFERENCE_COLUMNS))

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable results (``results.json``); mentions go to Parquet."""
        model = self.topic_model
        return {
            "parameters": self.parameters,
            "sentiment_model": self.sentiment_model,
            "corpus": {"articles": len(self.articles), "mentions": len(self.mentions),
                       "skipped": [{"where": s.where, "reason": s.reason} for s in self.skipped],
                       "warnings": [{"where": w.where, "warning": w.reason} for w in self.warned]},
            "topics": self.topics.to_dict(orient="records"),
            "topic_quality": {"diversity": model.diversity_, "stability": model.stability_,
                              "mean_coherence": float(np.mean(model.coherence_))},
            "articles": self.articles.to_dict(orient="records"),
            "actors": self.actors.drop(columns=["evidence"]).to_dict(orient="records"),
            "actor_topics": self.actor_topics.to_dict(orient="records"),
            "actor_time": self.actor_time.to_dict(orient="records"),
            "evidence": self.evidence.to_dict(orient="records"),
            "quotes": self.quotes.to_dict(orient="records"),
            "notes": self.notes,
            "sources_compared": self.comparison.to_dict(orient="records"),
            "source_differences": self.differences.to_dict(orient="records"),
        }

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables a reader takes away, by file name (the mentions are in Parquet)."""
        return {"actors": self.actors.drop(columns=["evidence"]), "articles": self.articles, "topics": self.topics,
                "actor_topics": self.actor_topics, "actor_time": self.actor_time, "evidence": self.evidence,
                "quotes": self.quotes, "sources_compared": self.comparison, "source_differences": self.differences}

    def write(self, folder: str | os.PathLike[str]) -> tuple[Path, Path]:
        """Write ``results.json``, ``mentions.parquet`` and each of :meth:`tables` as CSV
        into ``folder`` (atomically); returns the first two."""
        import io

        folder = Path(folder)
        results = write_json_atomic(folder / "results.json", self.to_dict())
        buffer = io.BytesIO()
        self.mentions.to_parquet(buffer, index=False, engine="pyarrow", compression="zstd")
        parquet = write_bytes_atomic(folder / "mentions.parquet", buffer.getvalue())
        write_csv_tables(folder, self.tables())
        return results, parquet

    def __repr__(self) -> str:
        return (f"CorpusAnalysis(articles={len(self.articles)}, topics={len(self.topics)}, "
                f"actors={len(self.actors)}, mentions={len(self.mentions)}, skipped={len(self.skipped)})")


@frozen_heap()  # the heap before the call (libraries, models) is not scanned by the GC during it
def analyze_corpus(
    path: str | os.PathLike[str],
    *,
    n_topics: int | str = 5,
    actors: str | os.PathLike[str] | None = None,
    sentiment: str = "linear",
    ner: str = "default",
    n_boot: int = 1000,
    seed: int = 0,
    strict: bool = False,
    compare: str = "source",
    progress: bool = False,
    n_jobs: int | None = -1,
    chunk_size: int = 256,
) -> CorpusAnalysis:
    """Analyse every article of a corpus and fit topics across them.

    The corpus is read once, ``chunk_size`` articles at a time: worker processes clean
    each chunk, find its actors and quotes and score its mentions (the neural backend
    scores in the main process), and the main process feeds the cleaned bodies straight
    into the topic model's vectoriser, so neither the texts nor the cleaned articles
    are held in memory. Then the workers summarise the actors and refit the topics on
    subsamples (stability) while the main process fits the topics. The results do not
    depend on ``n_jobs``, nor on ``chunk_size`` except with the neural backend (its
    batches follow the chunks, which moves probabilities in the 7th decimal).

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
        progress: Show progress bars.
        n_jobs: Processes, as in scikit-learn (-1: every core; 1: no worker processes;
            workers are forked, on Linux only: elsewhere everything runs here).
        chunk_size: Articles per task handed to a worker.
    """
    matcher = ActorMatcher.from_file(actors or None, ner=ner)
    scorer = load_scorer(sentiment)
    tables = _Tables()
    model = TopicModel(n_topics=n_topics, random_state=seed, n_jobs=n_jobs, fewer_if_needed=True)

    scored: list[pd.DataFrame] = []
    summary: list[Future] = []

    def when_read() -> None:  # every article analysed: summarise the actors, half the actors in each worker
        scored.append(add_scores(merged_surnames(mention_table(tables.mentions)), tables.probabilities(), scorer))
        codes, _ = pd.factorize(scored[0]["root"], sort=True)
        half = codes % 2 == 0  # every other actor, in name order
        summary.extend(workers.submit(_summarise, scored[0][part], n_boot, seed) for part in (half, ~half))

    # One set of worker processes for the articles, then the actor summary and the
    # topic refits, while this process fits the topics.
    # A scorer that survives a fork scores in the workers; others (torch) in this process.
    state = {"matcher": matcher, "scorer": scorer if getattr(scorer, "fork_safe", True) else None}
    with Workers(n_jobs, state=state) as workers:
        bodies = _analysed_bodies(path, tables, workers, scorer=scorer, strict=strict, compare=compare,
                                  chunk_size=chunk_size,
                                  progress=progress, when_read=when_read)
        try:
            model.fit(bodies)
        except ValueError:
            if not tables.articles["id"]:
                raise InputError(f"{display_path(path)}: no usable article in the corpus") from None
            raise
        log.info("fitted %d topics across %d articles", model.n_topics_, len(tables.articles["id"]))
        parts = [workers.result(future) for future in summary]
        rollup, evidence, actor_time = (_joined([p[k] for p in parts], keys) for k, keys in enumerate(
            ({"mentions": False, "actor": True}, {"actor": True, "side": True}, {"root": True, "month": True})))
    table = scored[0]
    comparison, differences = compare_groups(table, dict(zip(tables.articles["id"], tables.articles["group"])),
                                             n_boot=n_boot, seed=seed)
    titles = dict(zip(tables.articles["id"], tables.articles["title"]))
    evidence = evidence.assign(title=evidence["article"].map(titles).fillna(""))  # cited by title, not file line

    dominant = model.dominant_topic()
    article_table = pd.DataFrame(tables.articles).assign(topic=dominant)
    topics = model.topics_frame(10)
    topics["size"] = [int((dominant == k).sum()) for k in topics["id"]]
    table["topic"] = np.repeat(dominant, article_table["mentions"])  # mentions come in article order

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
                     f"{len(article_table)} articles and their terms allow no more.")
    parameters = {"corpus": display_path(path), "n_topics": n_topics, "topics_fitted": int(model.n_topics_),
                  "actors": display_path(actors) if actors else "default", "sentiment": sentiment, "ner": ner,
                  "n_boot": n_boot, "seed": seed, "strict": bool(strict), "compare": compare}
    return CorpusAnalysis(
        articles=article_table,
        topic_model=model,
        topics=topics,
        mentions=table,
        actors=rollup,
        actor_topics=_grouped(table, ["root", "topic"]),
        actor_time=actor_time,
        evidence=evidence,
        quotes=pd.DataFrame(tables.quotes),
        skipped=tables.skipped,
        warned=tables.warned,
        parameters=parameters,
        sentiment_model=scorer_record(sentiment, scorer),
        notes=notes,
        comparison=comparison,
        differences=differences,
    )


class _Tables:
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


def _analysed_bodies(path, tables: _Tables, workers: Workers, *, scorer, strict: bool, compare: str, chunk_size: int,
                     progress: bool, when_read: Callable[[], None]) -> Iterator[str]:
    """Analyse the corpus chunk by chunk with ``workers``, keeping the results in
    ``tables``; yield the cleaned bodies in corpus order and call ``when_read`` once
    the last is in ``tables``."""
    from ._progress import progress_bar

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
    for (record, article), found in zip(cleaned, matcher.find_many([a for _, a in cleaned])):
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
        q = quote_records(article, found)
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


def _summarise(table: pd.DataFrame, n_boot: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Per rolled-up actor of ``table`` (all mentions of some of the actors: an actor's
    figures depend on its own mentions only): counts, mean polarity with its interval,
    evidence, and by month (runs in a worker)."""
    dated = table[table["date"] != ""].assign(month=table["date"].str[:7])
    return (aggregate_actors(table, by="root", n_boot=n_boot, random_state=seed, max_evidence=3), _evidence(table),
            _grouped(dated, ["root", "month"]))


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


def _joined(parts: list[pd.DataFrame], order: dict[str, bool]) -> pd.DataFrame:
    """The summaries of the parts as one table, ordered as one summary of all would be."""
    kept = [p for p in parts if not p.empty] or parts[:1]
    return (pd.concat(kept, ignore_index=True).sort_values(list(order), ascending=list(order.values()), kind="stable")
            .reset_index(drop=True))


def _grouped(table: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
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
    negative = ranked[ranked["polarity"] < 0].drop_duplicates(key, keep="first").groupby("root", sort=True).head(per_side)
    cited = pd.MultiIndex.from_frame(negative[key])
    positive = (ranked[(ranked["polarity"] > 0) & ~pd.MultiIndex.from_frame(ranked[key]).isin(cited)]
                .sort_values(["root", "polarity", "article", "start"], ascending=[True, False, True, True], kind="stable")
                .drop_duplicates(key, keep="first").groupby("root", sort=True).head(per_side))
    parts = [negative.assign(side="negative"), positive.assign(side="positive")]
    out = pd.concat(parts).drop(columns=["actor"]).rename(columns={"root": "actor"})
    return out.sort_values(["actor", "side"], kind="stable")[columns].reset_index(drop=True)
