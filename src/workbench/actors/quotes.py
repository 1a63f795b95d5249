"""Who said what: direct quotations and their speakers.

Quotations are found per paragraph, so an unclosed quotation mark (the seed article
has one) runs to the end of its paragraph and spoils nothing else; such quotes are
kept with ``closed=False``. The speaker is the phrase attributed by a speech verb
right after the quote ("…," a senior State Department official said) or right before
it (X said: "…"). A quote without attribution takes the speaker of another quote in
the same paragraph. A speaker phrase is tied to the actor mentioned in it; "the
official" / "he" refers back to the most recent speaker. Quotes of fewer than three
words with no attribution are scare quotes ("illegal"), not quotations.
"""
from __future__ import annotations

import bisect
import re

import pandas as pd

from ..loading import Article

__all__ = ["find_quotes", "quote_records", "QUOTE_COLUMNS", "SPEECH_VERBS"]

SPEECH_VERBS = (
    "said", "says", "told", "tells", "added", "adds", "stated", "declared", "explained", "argued", "insisted",
    "noted", "warned", "wrote", "writes", "asked", "replied", "continued", "tweeted", "announced", "claimed",
    "acknowledged", "admitted", "recalled", "concluded",
)
_VERB = "|".join(SPEECH_VERBS)
_OPEN = "“\"«"
_CLOSE = "”\"»"
_AFTER = re.compile(
    rf"\s*,?\s*(?:(?P<verb1>{_VERB})\s+(?P<speaker1>[^,.;“”\"]{{2,80}}?)|(?P<speaker2>[^,.;“”\"]{{2,80}}?)\s+(?:{_VERB}))\b"
)
_BEFORE = re.compile(rf"(?P<speaker>[A-Z][^.;“”\"]{{1,80}}?)\s+(?:{_VERB})(?:\s+[^.;“”\":]{{0,40}})?\s*[:,]\s*$")
#: Characters around a quote searched for its speaker: more than the longest phrase the two
#: patterns above can match (paragraphs have single spaces), so a long paragraph with many
#: quotes is not read once per quote.
_REACH = 400
_ANAPHOR = re.compile(
    r"^(?:he|she|they|the (?:[\w-]+ )*"
    r"(?:official|spokesman|spokeswoman|spokesperson|source|diplomat|minister|officer))$",
    re.I,
)

#: Columns of the quotes table.
QUOTE_COLUMNS = ["quote_id", "paragraph", "start", "end", "text", "closed", "speaker", "actor", "root"]


def find_quotes(article: Article, mentions: pd.DataFrame | dict[str, list]) -> pd.DataFrame:
    """Direct quotations with speaker phrase, speaker actor and its root (:data:`QUOTE_COLUMNS`).

    ``mentions`` is the article's mentions table (or its column dict, from
    ``ActorMatcher.find_records``). ``start``/``end`` index the quoted text in
    ``article.body``; ``actor`` is "" when the speaker is not a known actor.
    """
    return pd.DataFrame(quote_records(article, mentions), columns=QUOTE_COLUMNS)


def quote_records(article: Article, mentions: pd.DataFrame | dict[str, list]) -> dict[str, list]:
    """:func:`find_quotes` as a dict of column lists."""
    spans = list(zip(mentions["start"], mentions["end"], mentions["actor"], mentions["root"]))
    span_starts = [m[0] for m in spans]  # mentions are in text order
    rows: dict[str, list] = {name: [] for name in QUOTE_COLUMNS}
    last_speaker: tuple[str, str, str] | None = None
    for p_index, (para, offset) in enumerate(zip(article.paragraphs, article.paragraph_starts)):
        found = []
        for q_start, q_end, closed in _quote_spans(para):
            text = para[q_start:q_end].strip()
            speaker = _speaker(para, q_start, q_end, closed)
            if speaker is None and len(text.split()) < 3:
                continue  # a scare quote, not a quotation
            found.append([offset + q_start, offset + q_end, text, closed, speaker])
        _attribute_to_neighbours(found)
        for start, end, text, closed, speaker in found:
            phrase, actor, root = "", "", ""
            if speaker:
                phrase, s_start, s_end = speaker[0], offset + speaker[1], offset + speaker[2]
                first = bisect.bisect_left(span_starts, s_start)
                inside = [m for m in spans[first:bisect.bisect_left(span_starts, s_end, lo=first)] if m[1] <= s_end]
                if inside:
                    actor, root = inside[-1][2], inside[-1][3]
                elif _ANAPHOR.match(phrase) and last_speaker:
                    actor, root = last_speaker[1], last_speaker[2]
                if actor:
                    last_speaker = (phrase, actor, root)
            values = (len(rows["quote_id"]), p_index, start, end, text, closed, phrase, actor, root)
            for column, value in zip(QUOTE_COLUMNS, values):
                rows[column].append(value)
    return rows


def _attribute_to_neighbours(found: list[list]) -> None:
    """An unattributed quote gets the speaker of the nearest earlier quote of its
    paragraph that has one, else of the nearest later one."""
    earlier: list = [None] * len(found)
    later: list = [None] * len(found)
    for i in range(1, len(found)):
        earlier[i] = found[i - 1][4] or earlier[i - 1]
    for i in range(len(found) - 2, -1, -1):
        later[i] = found[i + 1][4] or later[i + 1]
    for quote, before, after in zip(found, earlier, later):
        if quote[4] is None:
            quote[4] = before or after


_MARK = re.compile("[“”\"«»]")


def _quote_spans(para: str) -> list[tuple[int, int, bool]]:
    """(start, end, closed) of quoted text; an unclosed quote runs to the paragraph end,
    and so does one followed by a new opening mark before any closing one."""
    spans, opened = [], None
    for m in _MARK.finditer(para):
        i, char = m.start(), m.group()
        straight_open = char == '"' and (i == 0 or not para[i - 1].isalnum())
        if opened is None:
            if char in _OPEN and (char != '"' or straight_open):
                opened = i
        elif char in _CLOSE and char != "“":
            spans.append((opened + 1, i, True))
            opened = None
        elif char in "“«":  # a new opening before any close: the earlier one was never closed
            spans.append((opened + 1, len(para), False))
            return spans
    if opened is not None:
        spans.append((opened + 1, len(para), False))
    return spans


def _speaker(para: str, q_start: int, q_end: int, closed: bool) -> tuple[str, int, int] | None:
    """The attributed speaker phrase and its span in the paragraph, if any."""
    if closed:
        m = _AFTER.match(para, q_end + 1, q_end + 1 + _REACH)
        if m:
            group = "speaker1" if m.group("speaker1") else "speaker2"
            return m.group(group).strip(), m.start(group), m.end(group)
    base = max(0, q_start - 1 - _REACH)
    head = para[base: q_start - 1]
    sentence_start = max(head.rfind(". "), head.rfind("” "), head.rfind('" ')) + 1
    m = _BEFORE.search(head[sentence_start:])
    if m:
        base += sentence_start
        return m.group("speaker").strip(), base + m.start("speaker"), base + m.end("speaker")
    return None
