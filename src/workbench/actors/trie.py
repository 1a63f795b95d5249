"""Regexes shaped as character tries: one alternation of many words that does not try
every word at every position."""
from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["first_letters", "trie_pattern", "trie_regex"]


def trie_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One regex matching any of ``words`` as a whole word, preferring the longest."""
    words = list(words)
    return re.compile(first_letters(words) + r"(?<![\w.])(?:" + trie_regex(words) + r")(?![\w])")


def first_letters(words: Iterable[str]) -> str:
    """A lookahead for the letters ``words`` start with: a regex starting with it skips,
    fast, the places where none can start."""
    letters = "".join(sorted({w[0] for w in words if w}))
    return f"(?=[{re.escape(letters)}])" if letters else ""


def trie_regex(words: Iterable[str]) -> str:
    """Regex source matching any of ``words``, the longer first where one extends another
    (as an alternation sorted longest-first would), shaped as a character trie."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:  # a word may stop here: the rest is optional (greedy, so longer first)
            return "(?:" + body + ")?"
        return body

    return build(trie)
