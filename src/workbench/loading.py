"""Loading and cleaning: a file or a string becomes an :class:`Article`.

The received file is never changed; cleaning produces new objects. Boilerplate lines
are removed by named rules and kept in :attr:`Article.removed`, so nothing is lost
silently. Sentences carry character offsets into the cleaned body
(``article.body[s.start:s.end] == s.text``).

Readers are chosen by file suffix (:data:`READERS`): plain text (UTF-8, or UTF-16 with a
byte-order mark), and saved web pages, whose article and metadata are found by
:mod:`workbench.webpage` (what the extractor left out is listed in ``removed`` too).
Corpus records (:mod:`workbench.corpus`) go through :func:`article_from_text` like any
text.
"""
from __future__ import annotations

import codecs
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ._data import DEFAULT_ARTICLE, data_path, display_path
from ._io import read_user_file
from .decoding import detected_encoding
from .errors import InputError
from .webpage import read_page

__all__ = [
    "Article",
    "Sentence",
    "RemovedLine",
    "RemovedLines",
    "load_article",
    "article_from_text",
    "article_from_page",
    "split_sentences",
    "BOILERPLATE_RULES",
    "MAX_BYTES",
    "ARTICLE_SUFFIXES",
]

#: Largest article file accepted, in bytes (a news article is rarely above 100 kB).
MAX_BYTES = 20_000_000
#: The reason given for a web page's text block that the extractor left out of the article.
PAGE_FURNITURE = "page text outside the article"


@dataclass(frozen=True)
class Sentence:
    """One sentence of the cleaned body; ``start``/``end`` index into ``Article.body``."""

    index: int
    paragraph: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class RemovedLine:
    """A source line dropped as boilerplate: 1-based line number, text and the rule."""

    line: int
    text: str
    reason: str


class RemovedLines(tuple):
    """The lines removed as boilerplate (a tuple of :class:`RemovedLine`), shown as a table
    in JupyterLab."""

    def _repr_html_(self) -> str:
        from .views import removed_lines_html

        return removed_lines_html(self)


@dataclass(frozen=True)
class Article:
    """A cleaned news article.

    Attributes:
        title: The headline ("" when the text has none).
        dateline: Place (and agency) that opened the first paragraph, e.g. "NAPLES, Italy".
        paragraphs: Body paragraphs, whitespace-normalised, dateline removed.
        body: Paragraphs joined by a blank line; the text all offsets refer to.
        paragraph_starts: Offset of each paragraph in ``body``.
        sentences: Sentences with offsets into ``body``.
        removed: Boilerplate lines removed, with the rule that removed each.
        sha256: Hex digest of the source bytes (of the UTF-8 text for strings).
        source: Where the text came from (a project-relative path or "<string>").
        date: Publication date, YYYY-MM-DD ("" when unknown); from a web page's metadata.
        authors: The byline's names (web pages).
        site_name: The publishing site, e.g. "BBC News" (web pages).
        url: The page's canonical URL (web pages).
        language: The declared language, e.g. "en-US" (web pages).
        encoding: How the source bytes were decoded, e.g. "utf-8" or "windows-1252 (declared)".
        warnings: Reasons to distrust the text, e.g. an extraction that kept very little.
        removed_total: How many lines or page blocks were removed in all (``removed`` lists
            at most a few hundred of a page's blocks).
    """

    title: str
    dateline: str
    paragraphs: tuple[str, ...]
    body: str
    paragraph_starts: tuple[int, ...]
    sentences: tuple[Sentence, ...]
    removed: tuple[RemovedLine, ...]
    sha256: str
    source: str
    date: str = ""
    authors: tuple[str, ...] = ()
    site_name: str = ""
    url: str = ""
    language: str = ""
    encoding: str = ""
    warnings: tuple[str, ...] = ()
    removed_total: int = 0

    def _repr_html_(self) -> str:
        from .views import article_html

        return article_html(self)

    def __repr__(self) -> str:
        return (
            f"Article(title={self.title!r}, paragraphs={len(self.paragraphs)}, "
            f"sentences={len(self.sentences)}, removed={len(self.removed)}, "
            f"sha256={self.sha256[:12]}…)"
        )


# --------------------------------------------------------------------------- rules
#: (reason, pattern) pairs; a line matching a pattern is removed with that reason. A
#: reason may have several patterns (an anchored and an unanchored one apart scan faster).
BOILERPLATE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "see-also teaser",
        re.compile(r"^(see also|read more|related|also read|recommended|more from)\b[\s:\u00a0]", re.I),
    ),
    (
        "comment form",
        re.compile(
            r"^(leave a (reply|comment)|post comment|cancel reply"
            r"|your email address will not be published"
            r"|required fields are marked"
            r"|save my name, email)",
            re.I,
        ),
    ),
    ("credit line", re.compile(r"^((additional )?reporting by|editing by|writing by)\b", re.I)),
    ("credit line", re.compile(r"contributed (reporting )?to this (report|article|story)\.?$", re.I)),
    (
        "sharing widget",
        re.compile(r"^(share (this|on)|follow us on|click here to|sign up for our newsletter)\b", re.I),
    ),
)

_DATELINE = re.compile(
    r"^(?P<dateline>[A-Z][A-Z.'\- ]+(?:,\s*[A-Z][\w.'\- ]*?)?(?:\s*\([^)]{1,40}\))?)"
    r"\s*(?:—|–|--| - )\s*"
)

_ABBREVIATIONS = frozenset(
    "u.s u.k u.n e.u mr mrs ms dr prof gen sen rep gov lt col capt sgt maj adm st jr sr "
    "no vs etc inc corp co ltd jan feb mar apr jun jul aug sep sept oct nov dec "
    "a.m p.m e.g i.e approx dept est fig".split()
)
# Starts only at the first mark of a run and takes the run whole (possessive), so a run of
# 100,000 dots is read once, not once per dot. The look-behind comes after the first mark, so that
# the pattern starts with a character set: Python's re then skips to the marks without trying between.
_BOUNDARY = re.compile(r"[.!?](?<![.!?][.!?])[.!?]*+[\"”’')\]]*+(?=\s+[\"“‘(\[]?[A-Z0-9])")
#: Longest word :func:`_ends_with_abbreviation` looks at (abbreviations are short).
_LONGEST_ABBREVIATION = 16


# ------------------------------------------------------------------------ public API
def load_article(path: str | os.PathLike[str] | None = None, *, max_bytes: int = MAX_BYTES) -> Article:
    """Load and clean an article file (default: the project's seed article).

    Raises:
        InputError: the file is missing, a directory, empty, binary, too large or not
            decodable; the message says which, in one line.
    """
    p = Path(path) if path else data_path(DEFAULT_ARTICLE)
    raw = _read_bytes(p, max_bytes=max_bytes)
    reader = READERS.get(p.suffix.lower(), _read_plain_text)
    return reader(raw, source=display_path(p))


def article_from_text(text: str, *, source: str = "<string>", sha256: str | None = None,
                      encoding: str = "") -> Article:
    """Clean a plain-text article (one paragraph per line or blank-line separated)."""
    if not text.strip():
        raise InputError(f"{source}: the article is empty (no text after removing whitespace)")
    digest = sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest()
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")

    kept: list[tuple[int, str]] = []
    removed: list[RemovedLine] = []
    for number, line in enumerate(lines, start=1):
        clean = _squash(line)
        reason = _boilerplate_reason(clean) if clean else None
        if reason:
            removed.append(RemovedLine(number, clean, reason))
        else:
            kept.append((number, clean))

    filled = [i for i, (_, t) in enumerate(kept) if t]
    # Blank lines *between* text mean blank-line separated paragraphs; blank lines at the
    # ends (the newline nearly every file ends with) say nothing about the layout.
    inner = kept[filled[0]:filled[-1] + 1] if filled else []
    paragraphs = _group_paragraphs(kept, blank_separated=any(not t for _, t in inner))
    if not paragraphs:
        raise InputError(f"{source}: nothing is left of the article after removing boilerplate")

    title = ""
    if len(paragraphs) > 1 and _looks_like_headline(paragraphs[0]):
        title, paragraphs = paragraphs[0], paragraphs[1:]
    return _assemble(title, paragraphs, removed, sha256=digest, source=source, encoding=encoding)


def _assemble(title: str, paragraphs: list[str], removed: list[RemovedLine], *, sha256: str, source: str,
              removed_total: int | None = None, **metadata) -> Article:
    """The Article of cleaned paragraphs: dateline taken off the first, sentences split."""
    dateline = ""
    match = _DATELINE.match(paragraphs[0])
    if match and match.end() < len(paragraphs[0]):
        dateline = match.group("dateline").strip()
        paragraphs = [paragraphs[0][match.end():]] + paragraphs[1:]

    starts, offset = [], 0
    for para in paragraphs:
        starts.append(offset)
        offset += len(para) + 2
    body = "\n\n".join(paragraphs)
    sentences = []
    for p_index, (para, start) in enumerate(zip(paragraphs, starts)):
        for s, e in split_sentences(para):
            sentences.append(Sentence(len(sentences), p_index, start + s, start + e, para[s:e]))
    return Article(
        title=title,
        dateline=dateline,
        paragraphs=tuple(paragraphs),
        body=body,
        paragraph_starts=tuple(starts),
        sentences=tuple(sentences),
        removed=RemovedLines(removed),
        sha256=sha256,
        source=source,
        removed_total=len(removed) if removed_total is None else removed_total,
        **metadata,
    )


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Character spans ``(start, end)`` of the sentences of one paragraph.

    A rule-based splitter for news prose: it splits after ``.``, ``!`` or ``?`` (and
    closing quotes) when the next word starts with a capital, a digit or an opening
    quote, except after known abbreviations ("U.S.", "Mr.") and initials ("J.").
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if match.group().startswith(".") and _ends_with_abbreviation(
                text[max(start, match.start() - _LONGEST_ABBREVIATION):match.start()]):
            continue
        spans.append((start, match.end()))
        start = match.end()
        while start < len(text) and text[start].isspace():
            start += 1
    if start < len(text):
        spans.append((start, len(text.rstrip())))
    return [(s, e) for s, e in spans if e > s]


# ------------------------------------------------------------------------- readers
def _read_plain_text(raw: bytes, *, source: str) -> Article:
    text, encoding = _decode(raw, source)
    return article_from_text(text, source=source, sha256=hashlib.sha256(raw).hexdigest(), encoding=encoding)


def article_from_page(raw: bytes, *, source: str = "<page>", charset: str = "") -> Article:
    """Clean a saved web page (HTML bytes): the article the extractor finds, with the
    page's metadata, and what it left out in ``removed``. ``charset`` is the encoding
    the server declared (an HTTP Content-Type), if known."""
    page = read_page(raw, source=source, charset=charset)
    paragraphs, removed = [], []
    for line, para in zip(page.paragraph_lines, page.paragraphs):
        reason = _boilerplate_reason(para)
        if reason:
            removed.append(RemovedLine(line, para, reason))
        else:
            paragraphs.append(para)
    if not paragraphs:
        raise InputError(f"{source}: nothing is left of the article after removing boilerplate")
    removed += [RemovedLine(line, text, PAGE_FURNITURE) for line, text in page.dropped]
    removed.sort(key=lambda r: r.line)
    return _assemble(page.title, paragraphs, removed, sha256=hashlib.sha256(raw).hexdigest(), source=source,
                     removed_total=len(removed) - len(page.dropped) + page.dropped_blocks,
                     date=page.date, authors=page.authors, site_name=page.site_name, url=page.url,
                     language=page.language, encoding=page.encoding, warnings=page.warnings)


#: Reader per file suffix; unknown suffixes are read as plain text.
READERS: dict[str, Callable[..., Article]] = {
    ".txt": _read_plain_text,
    ".md": _read_plain_text,
    ".html": article_from_page,
    ".htm": article_from_page,
}
#: The file suffixes read as articles (a folder corpus or a batch takes these files).
ARTICLE_SUFFIXES = tuple(READERS)


# ------------------------------------------------------------------------- helpers
def _read_bytes(path: Path, *, max_bytes: int) -> bytes:
    shown = display_path(path)
    raw = read_user_file(path, what="an article file", max_bytes=max_bytes)
    if not raw.strip():
        raise InputError(f"{shown}: the file is empty", path=shown)
    return raw


def _decode(raw: bytes, source: str) -> tuple[str, str]:
    """UTF-8 (BOM allowed) or BOM-marked UTF-16, and which it was; anything else is
    refused with a hint naming the encoding the bytes look like."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return raw.decode("utf-16"), "utf-16 (byte-order mark)"
        except UnicodeDecodeError:
            raise InputError(f"{source}: starts with a UTF-16 byte-order mark but is not valid UTF-16") from None
    if b"\x00" in raw:
        raise InputError(f"{source}: looks like a binary file (it contains NUL bytes), not article text")
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        guess = detected_encoding(raw)
        hint = (f"it looks like {guess}; convert it first, e.g. iconv -f {guess.upper()} -t UTF-8"
                if guess else "convert it to UTF-8 first")
        raise InputError(
            f"{source}: is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at offset {exc.start}); {hint}"
        ) from None


def _squash(text: str) -> str:
    """Whitespace runs as one space, none at the ends (str.split's whitespace is re's \\s)."""
    return " ".join(text.split())


def _boilerplate_reason(line: str) -> str | None:
    for reason, pattern in BOILERPLATE_RULES:
        if pattern.search(line):
            return reason
    return None


def _group_paragraphs(lines: list[tuple[int, str]], *, blank_separated: bool) -> list[str]:
    """Blank-line separated blocks (inner line breaks joined), else one line each."""
    if not blank_separated:
        return [text for _, text in lines if text]
    paragraphs, block = [], []
    for _, text in lines + [(0, "")]:
        if text:
            block.append(text)
        elif block:
            paragraphs.append(" ".join(block))
            block = []
    return paragraphs


def _looks_like_headline(paragraph: str) -> bool:
    return len(paragraph.split()) <= 25 and not paragraph.endswith((".", ",", ";", ":"))


def _ends_with_abbreviation(text: str) -> bool:
    word = text.rsplit(None, 1)[-1] if text.strip() else ""
    word = word.lstrip("\"“‘'([").lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())
