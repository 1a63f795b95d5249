"""Word tokens with character offsets, as the name tagger sees them.

A token is a word (letters and digits, joined by inner hyphens, ampersands and
apostrophes: "Ange-Felix", "AT&T", "O'Neill"), an abbreviation with dots ("U.S.",
"St.", an initial "J."), a number ("1,200.5"), a possessive ("'s") or any other single
character.
"""
from __future__ import annotations

import re

import numpy as np

__all__ = ["TOKEN", "spaced_tokens", "tokenize"]

#: Abbreviations that keep their full stop inside names ("St. Louis", "Mr. Smith"): each a capital and at
#: most three small letters (the pattern looks for that shape first, which most words fail at once).
ABBREVIATIONS = ("Mr", "Mrs", "Ms", "Dr", "Prof", "St", "Mt", "Ft", "Jr", "Sr", "Gen", "Sen", "Rep", "Gov", "Lt",
                 "Col", "Capt", "Sgt", "Maj", "Adm", "Rev", "Co", "Corp", "Inc", "Ltd", "Bros", "No")
TOKEN = re.compile(
    r"(?:[^\W\d_]\.){2,}(?![^\W_])"  # U.S., U.N., a.m.
    r"|(?=[A-Z][a-z]{0,3}\.)(?:" + "|".join(ABBREVIATIONS) + r"|[A-Z])\.(?=\s+[A-Z])"  # St. Louis, J. Smith
    r"|\d+(?:[.,]\d+)+"  # 1,200.5
    r"|[^\W_]+(?:(?:['’](?![sS]\b)|[-&])[^\W_]+)*"  # words, Ange-Felix, AT&T, O'Neill
    r"|['’][sS]\b"  # possessive 's
    r"|\S"
)


#: TOKEN with the spaces before it; tried first, the commonest token: a word starting with a letter and not
#: followed by what could join or end it otherwise (". ' ’ - &"), which no earlier alternative matches.
_SPACED = re.compile(r"\s*+(?:[^\W\d_][^\W_]*+(?![.'’&-])|" + TOKEN.pattern + ")")


def spaced_tokens(text: str) -> tuple[list[str], np.ndarray]:
    """The tokens of ``text``, each with the spaces before it (" Blair"), and their end
    offsets (found in one C-level pass: the ends are the running sum of the matches'
    lengths)."""
    spaced = _SPACED.findall(text)
    return spaced, np.cumsum(np.fromiter(map(len, spaced), dtype=np.int64, count=len(spaced)))


def tokenize(text: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Tokens of ``text`` with their start and end offsets."""
    spaced, ends = spaced_tokens(text)
    words = list(map(str.lstrip, spaced))
    return words, ends - np.fromiter(map(len, words), dtype=np.int64, count=len(words)), ends
