"""What the tagger's spans become as names: a function word or month it took in
dropped, the full stop of "Corp." or "Jr." kept, a person it cut in two joined, the
place that opens a dateline typed as a place, and one type per name within a document."""
from __future__ import annotations

import re
from collections.abc import Sequence

from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

__all__ = ["without_function_word", "with_abbreviation_stop", "joined_person_parts", "dateline_place",
           "consistent_types"]

#: (start, end, type) of a name, character offsets.
Span = tuple[int, int, str]

#: Words that open a sentence, not a name ("Before Niger", "The Pentagon"): articles,
#: prepositions, conjunctions, pronouns and auxiliaries. Not scikit-learn's stop list,
#: which also holds "First", "All", "Bill" and "System" ("First Union", "All Blacks");
#: without "May", "Will" and "Can", which are also first names.
FUNCTION_WORDS = frozenset("""
a an the and or but nor of in on at to for from by with as if when while after before since during under over
into onto about against between through throughout across along around among amid despite without within upon
via per than then so yet also both each every either neither some any many much most more such no not he she
it they we i you his her its their our my your me him them us this that these those there here is are was were
be been being am do does did has have had would shall should could might must who whom whose which
what where why how although though because unless until whether
""".split())
#: A month before an organisation or place is the date's ("September Treasury bills").
MONTHS = frozenset("January February March April May June July August September October November December".split())


def without_function_word(text: str, start: int, end: int, kind: str) -> Span:
    """A name without a capitalised function word it starts with ("Before Niger"), a
    month before an organisation or place ("August National Association of …") or a
    lower-case word it ends with ("Willow the"); a lone stop word is no name."""
    head, space, rest = text[start:end].partition(" ")
    if space and rest[:1].isupper() and (head.lower() in FUNCTION_WORDS or kind != "PER" and head in MONTHS):
        start += len(head) + 1
    rest, space, tail = text[start:end].rpartition(" ")
    while space and tail[:1].islower():
        end = start + len(rest)
        rest, space, tail = rest.rpartition(" ")
    word = text[start:end]
    if " " not in word and not word.isupper() and word.lower() in ENGLISH_STOP_WORDS:
        return start, start, kind
    return start, end, kind


_ABBREVIATION_END = re.compile(r"(?<![\w.])(?:Co|Cos|Corp|Inc|Ltd|Bros|Jr|Sr)$")


def with_abbreviation_stop(text: str, start: int, end: int, kind: str) -> Span:
    """A name that ends in an abbreviation keeps its full stop ("Norwest Corp.",
    "Martin Luther King Jr."), which the tokeniser splits off before a lower-case word
    or the sentence's end."""
    if text[end:end + 1] == "." and _ABBREVIATION_END.search(text, start, end):
        end += 1
    return start, end, kind


# "MILWAUKEE, Wisconsin 1996-08-29", "NEW YORK 1996-08-30": an agency's dateline, whose
# upper-case city reads like a club's name to the tagger in a sports report.
_DATELINE_TAIL = re.compile(r"(?:, [A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2})? \d{4}-\d{2}-\d{2}\s*$"
                            r"|, [A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,2}\.?\s*$")


def dateline_place(text: str, spans: list[Span]) -> list[Span]:
    """The upper-case place that opens a dateline ("CITY, Region date") is a place."""
    if not spans or spans[0][0] != 0 or spans[0][2] == "LOC":
        return spans
    start, end, _ = spans[0]
    name = text[start:end]
    if " " not in name and len(name) < 4 or not name.isupper() or not _DATELINE_TAIL.match(text, end):
        return spans
    return [(start, end, "LOC"), *spans[1:]]


_INITIAL_AND_NAME = re.compile(r" [A-Z]\.? [A-Z][\w'’-]*")
_GAP = re.compile(r" (?:[A-Z]\.? )?")
_WORD_BEFORE = re.compile(r"(?<![\w'’.-])([A-Z][a-z]+) $")


def joined_person_parts(text: str, spans: list[Span], first_names: frozenset[str]) -> list[Span]:
    """Person names the tagger cut in two: "Ange-Felix" + "Patasse" (one space apart),
    "George" + "W Bush" (a middle initial without a full stop), and a first name left
    out before a surname ("Bill" + "Gates")."""
    out: list[Span] = []
    for start, end, kind in spans:
        if kind == "PER" and " " not in text[start:end]:
            m = _WORD_BEFORE.search(text, max(0, start - 20), start)
            if m and m.group(1).lower() in first_names and not (out and out[-1][1] > m.start(1)):
                start = m.start(1)
        if out and kind == "PER" and out[-1][2] == "PER" and _GAP.fullmatch(text, out[-1][1], start):
            out[-1] = (out[-1][0], end, kind)
            continue
        if kind == "PER":
            m = _INITIAL_AND_NAME.match(text, end)
            if m and not any(s < m.end() and m.start() < e for s, e, _ in spans if s >= end):
                end = m.end()
        out.append((start, end, kind))
    return out


def consistent_types(texts: Sequence[str], spans: list[list[Span]]) -> list[list[Span]]:
    """One type per name within a document: each name takes the type it is given most
    often (a tie keeps each), and a one-word name that ends a person's longer name is
    that person."""
    votes: dict[str, dict[str, int]] = {}
    for text, found in zip(texts, spans):
        for start, end, kind in found:
            counts = votes.setdefault(text[start:end], {})
            counts[kind] = counts.get(kind, 0) + 1
    chosen = {}
    for name, counts in votes.items():
        if len(counts) == 1:
            chosen[name] = next(iter(counts))
        else:
            ranked = sorted(counts.items(), key=lambda kv: -kv[1])
            chosen[name] = ranked[0][0] if ranked[0][1] > ranked[1][1] else None
    surnames = {name.rsplit(" ", 1)[-1] for name, kind in chosen.items() if kind == "PER" and " " in name}
    if all(len(counts) == 1 and (name not in surnames or "PER" in counts) for name, counts in votes.items()):
        return spans  # nothing to change
    return [[(start, end, "PER" if text[start:end] in surnames else chosen[text[start:end]] or kind)
             for start, end, kind in found] for text, found in zip(texts, spans)]
