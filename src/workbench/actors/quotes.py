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
_AFTER = re.compile(rf"^\s*,?\s*(?:(?P<verb1>{_VERB})\s+(?P<speaker1>[^,.;“”\"]{{2,80}}?)|(?P<speaker2>[^,.;“”\"]{{2,80}}?)\s+(?:{_VERB}))\b")
_BEFORE = re.compile(rf"(?P<speaker>[A-Z][^.;“”\"]{{1,80}}?)\s+(?:{_VERB})(?:\s+[^.;“”\":]{{0,40}})?\s*[:,]\s*$")
_ANAPHOR = re.compile(r"^(?:he|she|they|the (?:[\w-]+ )*(?:official|spokesman|spokeswoman|spokesperson|source|diplomat|minister|officer))$", re.I)

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
        for i, quote in enumerate(found):  # unattributed: a neighbour's speaker in the paragraph
            if quote[4] is None:
                before = [q[4] for q in found[:i] if q[4]]
                after = [q[4] for q in found[i + 1:] if q[4]]
                quote[4] = before[-1] if before else (after[0] if after else None)
        for start, end, text, closed, speaker in found:
            phrase, actor, root = "", "", ""
            if speaker:
                phrase, s_start, s_end = speaker[0], offset + speaker[1], offset + speaker[2]
                inside = [m for m in spans if s_start <= m[0] and m[1] <= s_end]
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
        tail = para[q_end + 1:]
        m = _AFTER.match(tail)
        if m:
            group = "speaker1" if m.group("speaker1") else "speaker2"
            base = q_end + 1
            return m.group(group).strip(), base + m.start(group), base + m.end(group)
    head = para[: q_start - 1]
    sentence_start = max(head.rfind(". "), head.rfind("” "), head.rfind('" ')) + 1
    m = _BEFORE.search(head[sentence_start:])
    if m:
        base = sentence_start
        return m.group("speaker").strip(), base + m.start("speaker"), base + m.end("speaker")
    return None
