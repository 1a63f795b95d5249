"""Saved web pages: HTML bytes become the article's paragraphs and the page's metadata.

The article text is found by trafilatura (the best-scoring open extractor on public
benchmarks; ``benchmarks/eval_html.py`` measures it on the dev pages), with reader
comments left out and recall favoured. The page's visible text is walked once more so
that what the extractor dropped is reported (:attr:`Page.dropped`), and an extraction
that keeps very little is a warning, never a silent near-empty article.

The bytes are decoded by :func:`workbench.decoding.decode_html`; :attr:`Page.encoding`
records the encoding used and how it was chosen, e.g. "windows-1252 (declared)".
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from .decoding import decode_html
from .errors import InputError

__all__ = ["Page", "read_page", "strip_site_suffix", "MAX_DROPPED_LISTED", "TRAFILATURA_OPTIONS"]

log = logging.getLogger(__name__)

#: At most this many dropped blocks are listed (each cut to :data:`_DROPPED_CHARS`); all are counted.
MAX_DROPPED_LISTED = 200
_DROPPED_CHARS = 300
#: An extraction keeping fewer words, or less than this share of the page's visible words, is a warning.
MIN_WORDS, MIN_SHARE = 50, 0.10

_SKIP = frozenset({"script", "style", "noscript", "template", "head", "svg", "math", "iframe", "object", "canvas",
                   "select", "textarea"})
_BLOCKS = frozenset({"address", "article", "aside", "blockquote", "body", "br", "caption", "dd", "details", "dialog",
                     "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4",
                     "h5", "h6", "header", "hgroup", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
                     "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul", "button", "option",
                     "label", "legend", "menu"})
_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|::|»|·|•)\s+")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Page:
    """What a web page holds: the article and its metadata, and what was left out.

    Attributes:
        title: The headline, without the site's name ("" when the page has none).
        paragraphs: The article's paragraphs, in page order.
        date: Publication date as YYYY-MM-DD ("" when none was found).
        authors: The bylines' names.
        site_name: The site's name, e.g. "BBC News" (else the host name).
        url: The page's canonical URL ("" when it gives none).
        language: The page's declared language, e.g. "en" or "en-US" ("" when undeclared).
        encoding: The encoding the bytes were read in, and how it was chosen, e.g.
            "windows-1252 (declared)".
        dropped: ``(source line, text)`` of the page's text blocks the article leaves out
            (menus, teasers, comments, notices), at most :data:`MAX_DROPPED_LISTED`.
        dropped_blocks: How many blocks were dropped in all.
        page_words: Words of visible text on the page.
        kept_words: Words of the headline and the article.
        warnings: Reasons to distrust the extraction, in words.
        paragraph_lines: The page source line where each paragraph's text starts (0 when
            the extractor joined or cut blocks so that no block has that text).
    """

    title: str
    paragraphs: tuple[str, ...]
    date: str
    authors: tuple[str, ...]
    site_name: str
    url: str
    language: str
    encoding: str
    dropped: tuple[tuple[int, str], ...]
    dropped_blocks: int
    page_words: int
    kept_words: int
    warnings: tuple[str, ...]
    paragraph_lines: tuple[int, ...] = ()


def strip_site_suffix(title: str, site_name: str = "", url: str = "") -> str:
    """The title without trailing (or leading) segments naming the site, e.g.
    "Story - The New York Times" → "Story" when the site name or the host says so."""
    title = " ".join(title.split())
    names = {_key(site_name)} - {""}
    host = (urlsplit(url).hostname or "") if url else ""
    if host:
        labels = host.removeprefix("www.").split(".")
        names |= {_key(".".join(labels))} | {_key(label) for label in labels[:-1] if len(label) >= 3}
    cuts = [(m.start(), m.end()) for m in _SEPARATORS.finditer(title)]
    segments = [(start, end) for start, end in zip([0] + [e for _, e in cuts], [s for s, _ in cuts] + [len(title)])]
    while len(segments) > 1 and _names_site(title[slice(*segments[-1])], names):
        segments.pop()
    while len(segments) > 1 and _names_site(title[slice(*segments[0])], names):
        segments.pop(0)
    return title[segments[0][0]:segments[-1][1]]


def _key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold()).removeprefix("the")


def _names_site(part: str, names: set[str]) -> bool:
    key = _key(part)
    return bool(key) and any(key == n or (len(n) > 3 and (key.startswith(n) or n.startswith(key))) for n in names)


def read_page(raw: bytes, *, source: str, charset: str = "") -> Page:
    """Decode, extract and describe one saved web page.

    Raises:
        InputError: the bytes are not a readable page, or the page has no visible text.
    """
    import lxml.html
    from lxml import etree

    markup, encoding = decode_html(raw, source, charset)
    try:
        tree = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError) as exc:
        raise InputError(f"{source}: not a readable HTML page ({' '.join(str(exc).split())[:80]})") from None
    blocks = _visible_blocks(tree)
    page_words = sum(len(_WORD.findall(text)) for _, text in blocks)
    doc = _extract(tree, source)
    url = (doc.url or "") if doc else ""
    site = _site_name(doc.sitename if doc else "", url)
    paragraphs = tuple(p for p in (" ".join(line.split()) for line in (doc.text or "").split("\n")) if p) if doc else ()
    warnings = []
    if not paragraphs:
        if not blocks:
            raise InputError(f"{source}: the HTML page has no article text (no visible text, or markup nested "
                             "too deeply to read)")
        paragraphs = tuple(text for _, text in blocks)
        warnings.append("the extractor found no article on the page, so all of its visible text was kept "
                        "(menus and other page furniture included)")
    title = strip_site_suffix(doc.title or "", site, url) if doc else ""
    if paragraphs and title and paragraphs[0] == title:
        paragraphs = paragraphs[1:] or paragraphs
    kept_words = sum(len(_WORD.findall(p)) for p in (title, *paragraphs))
    if kept_words < MIN_WORDS or (page_words and kept_words < MIN_SHARE * page_words):
        warnings.append(f"the article kept {kept_words} of the page's {page_words} words of visible text: "
                        "the extraction may have missed the article, check the page")
    language = _language(tree)
    if language and not language.lower().startswith("en"):
        warnings.append(f"the page's language is {language}: actors and sentiment are built for English news")
    dropped = _dropped(blocks, (title, *paragraphs))
    lines: dict[str, int] = {}
    for line, text in blocks:
        lines.setdefault(text, line)
    return Page(
        title=title,
        paragraphs=paragraphs,
        date=(doc.date or "")[:10] if doc else "",
        authors=_authors(doc.author if doc else ""),
        site_name=site,
        url=url,
        language=language,
        encoding=encoding,
        dropped=tuple((line, text[:_DROPPED_CHARS]) for line, text in dropped[:MAX_DROPPED_LISTED]),
        dropped_blocks=len(dropped),
        page_words=page_words,
        kept_words=kept_words,
        warnings=tuple(warnings),
        paragraph_lines=tuple(lines.get(p, 0) for p in paragraphs),
    )


def _extract(tree, source: str):
    """trafilatura's extraction. Where its extractors keep under its minimum (250
    characters), it falls back to a dump of the page's text (menus and forms included,
    split at every inline tag); such a result — short, or mostly the text of links — is
    replaced by an extraction without that rescue."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(tree, **TRAFILATURA_OPTIONS)
        if doc is None or len(doc.text or "") < _rescue_floor() or _mostly_links(doc.text, tree):
            again = trafilatura.bare_extraction(tree, config=_without_rescue(), **TRAFILATURA_OPTIONS)
            doc = again if again is not None and (again.text or "").strip() else doc
        return doc
    except (ValueError, TypeError, RecursionError) as exc:  # trafilatura's own failures on odd markup
        log.warning("%s: the extractor failed (%s); the page's visible text is used", source, exc)
        return None


def _mostly_links(text: str, tree) -> bool:
    """Whether most of the text's words are in lines that are each the whole text of a
    link on the page (a menu, not an article)."""
    links = {" ".join(a.text_content().split()) for a in tree.iter("a")}
    lines = [" ".join(line.split()) for line in text.split("\n")]
    linked = sum(len(line.split()) for line in lines if line in links)
    return linked > 0.5 * sum(len(line.split()) for line in lines)


#: How the workbench calls trafilatura: reader comments out, recall favoured (best on the dev pages).
TRAFILATURA_OPTIONS = {"with_metadata": True, "include_comments": False, "favor_recall": True, "deduplicate": False}


@lru_cache(maxsize=1)
def _without_rescue():
    from trafilatura.settings import use_config

    config = use_config()
    config.set("DEFAULT", "MIN_EXTRACTED_SIZE", "0")
    return config


@lru_cache(maxsize=1)
def _rescue_floor() -> int:
    from trafilatura.settings import use_config

    return use_config().getint("DEFAULT", "MIN_EXTRACTED_SIZE")


def _visible_blocks(tree) -> list[tuple[int, str]]:
    """``(source line, text)`` of each block of visible text, in page order (no recursion:
    a hostile page may nest thousands deep)."""
    from lxml import etree

    blocks: list[tuple[int, str]] = []
    buffer: list[str] = []
    line = [0]
    skipping = 0

    def flush() -> None:
        text = " ".join("".join(buffer).split())
        if text:
            blocks.append((line[0], text))
        buffer.clear()

    for event, el in etree.iterwalk(tree, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if skipping or tag in _SKIP or not tag:
                skipping += tag in _SKIP or not tag
                continue
            if tag in _BLOCKS:
                flush()
                line[0] = el.sourceline or 0
            elif not buffer:
                line[0] = el.sourceline or line[0]
            if el.text:
                buffer.append(el.text)
        else:
            if tag in _SKIP or not tag:
                skipping -= 1
            elif not skipping and tag in _BLOCKS:
                flush()
            if not skipping and el.tail:
                if not buffer:
                    line[0] = el.sourceline or line[0]
                buffer.append(el.tail)
    flush()
    return blocks


def _dropped(blocks: list[tuple[int, str]], kept_text: tuple[str, ...]) -> list[tuple[int, str]]:
    """The blocks whose words are mostly not in the kept text, headline and article (word
    trigrams, so the check is linear in the page's size)."""
    kept: set[tuple[str, ...]] = set()
    for para in kept_text:
        kept |= _shingles(_WORD.findall(para.casefold()))
    out = []
    for line, text in blocks:
        grams = _shingles(_WORD.findall(text.casefold()))
        if grams and sum(g in kept for g in grams) < 0.5 * len(grams):
            out.append((line, text))
    return out


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    if len(words) < 3:
        return {tuple(words)} if words else set()
    return {tuple(words[i:i + 3]) for i in range(len(words) - 2)}


def _site_name(name: str, url: str) -> str:
    name = " ".join((name or "").split())
    if not name or name.startswith(("http://", "https://")):
        host = urlsplit(name or url).hostname or ""
        return host.removeprefix("www.")
    return name


def _authors(byline: str) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for name in (byline or "").split(";"):
        name = " ".join(name.split())
        if name and name.casefold() not in seen:
            seen[name.casefold()] = name
    return tuple(seen.values())


def _language(tree) -> str:
    lang = tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    if not lang:
        for meta in tree.iter("meta"):
            if (meta.get("http-equiv") or "").lower() == "content-language" or meta.get("property") == "og:locale":
                lang = meta.get("content") or ""
                break
    lang = lang.strip().replace("_", "-")
    if not re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*", lang):
        return ""
    head, *rest = lang.split("-")
    return "-".join([head.lower()] + [r.upper() if len(r) == 2 else r for r in rest])
