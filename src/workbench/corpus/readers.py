"""Corpus readers: JSONL, CSV, web archives (WARC) and folders of article files become
:class:`Record` objects, in file order, each malformed one reported with where it was
and why (see :mod:`workbench.corpus`)."""
from __future__ import annotations

import csv
import json
import logging
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from .._data import display_path, printable
from .._io import check_regular_file
from ..errors import InputError
from ..loading import ARTICLE_SUFFIXES, MAX_BYTES, Article, article_from_page, load_article

__all__ = ["count_records", "Record", "Skipped", "read_corpus", "folder_articles", "is_corpus_file", "CORPUS_SUFFIXES"]

log = logging.getLogger(__name__)

#: File name endings of corpus files (a folder of articles is a corpus too).
CORPUS_SUFFIXES = (".jsonl", ".csv", ".warc", ".warc.gz")
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


def count_records(path: str | os.PathLike[str]) -> int | None:
    """How many records :func:`read_corpus` will give or skip (for a progress bar's
    total): non-blank lines of a JSONL file, rows of a CSV file, articles of a folder;
    None for a web archive or where the corpus cannot be read (the reader says why)."""
    p = Path(path)
    name = p.name.lower()
    try:
        if p.is_dir():
            files, refused = folder_articles(p)
            return len(files) + len(refused)
        if not p.is_file():
            return None
        if name.endswith(".jsonl"):
            with p.open("rb") as fh:
                return sum(1 for line in fh if line.strip())
        if name.endswith(".csv"):
            with p.open(encoding="utf-8-sig", newline="") as fh:
                return max(0, sum(1 for _ in csv.reader(fh)) - 1)
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return None


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
        if f.suffix.lower() not in ARTICLE_SUFFIXES or f.is_dir():
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

