"""Features of the name tagger, computed once per distinct word and gathered per token.

Each word type gets a fixed set of hashed feature columns: its own features (the word,
its lower case, shape, prefixes and suffixes, and lexicon flags: first name, surname,
common lower-case word, place) and the features it lends to a neighbour one or two
tokens away. A token's row is its own columns plus its neighbours' — one numpy gather,
so the cost per token is a few array reads, not string work.

Only *candidate* tokens are scored: tokens with a capital letter, and connectors
("of", "de", "and", …) between capitalised tokens ("Bank of England"). Every other
token is outside any name.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from itertools import repeat

import numpy as np
import pandas as pd
from sklearn.utils import murmurhash3_32

from .._lookup import numbered, spaced_numbered

__all__ = ["CONNECTORS", "FeatureTable", "N_LABELS"]

#: Lower-case words that may sit inside a name between capitalised words.
CONNECTORS = frozenset(
    "of de da du des del della di van von der den la le al el bin ben y and & for the on upon".split()
)
#: Neighbour positions whose words lend features, in the order of :meth:`FeatureTable.neighbours`;
#: own features per word, and how many a word lends at ±1 and at ±2.
NEIGHBOURS = (-1, 1, -2, 2)
N_OWN, N_NEAR, N_FAR = 15, 6, 3
#: BIO labels of four entity types, and "O".
N_LABELS = 9
#: Token forms with their spaces (" Blair", "\nBlair") kept for :meth:`FeatureTable.spaced_types` (some
#: 100 bytes each: memory stays bounded over a long corpus run).
MAX_SPACED = 200_000

_SHAPE = str.maketrans(
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "X" * 26 + "x" * 26 + "d" * 10,
)
_RUNS = re.compile(r"(.)\1+")
#: Which own features a word lends to its neighbours (lower case, short shape, lexicon
#: flags, the word, flags with shape, suffix); ±1 lend the first N_NEAR, ±2 the first N_FAR.
_LENT = np.array([1, 3, 9, 0, 10, 7])


@lru_cache(maxsize=1 << 16)
def short_shape(shape: str) -> str:
    """A shape with its runs squeezed: "XxXxxxx" → "XxXx" (shapes repeat: computed once each)."""
    return _RUNS.sub(r"\1", shape)


def shape(word: str) -> str:
    """"McCurry" → "XxXxxxx"; letters outside ASCII keep their case class."""
    out = word.translate(_SHAPE)
    if not out.isascii():
        out = "".join("X" if c.isupper() else "x" if c.islower() else "d" if c.isdigit() else c for c in out)
    return out


class FeatureTable:
    """Hashed feature columns per word type, grown as new words are seen.

    Args:
        lexicon: ``first_names``, ``surnames``, ``lowercase`` and ``places`` word lists.
        n_bits: Columns are hashed into ``2**n_bits``.
    """

    PAD = 0  # the type of the positions beyond a sentence's ends

    def __init__(self, lexicon: dict[str, Iterable[str]], n_bits: int) -> None:
        self.n_bits = n_bits
        self._mask = (1 << n_bits) - 1
        self._sets = {key: frozenset(lexicon[key]) for key in ("first_names", "surnames", "lowercase", "places")}
        self.first_names = self._sets["first_names"]
        self.index: dict[str, int] = {}
        self._spaced: dict[str, int] = {}  # a token with the spaces before it (" Blair") → its word's type
        self._capacity = 1024
        self.own = np.zeros((self._capacity, N_OWN), dtype=np.int32)
        self.near = np.zeros((2, self._capacity, N_NEAR), dtype=np.int32)
        self.far = np.zeros((2, self._capacity, N_FAR), dtype=np.int32)
        self.capital = np.zeros(self._capacity, dtype=bool)
        self.connector = np.zeros(self._capacity, dtype=bool)
        self.lower_key = np.zeros(self._capacity, dtype=np.int64)  # a hash of the lower-cased word
        self.lowercase = np.zeros(self._capacity, dtype=bool)
        self.length = np.zeros(self._capacity, dtype=np.int64)  # the word's characters
        self._add(["<pad>"], pad=True)
        self._bos = self._hash("t:bos")
        self._headline = self._hash("t:caps-sentence")
        self._none = self._hash("t:none")
        n = N_LABELS
        self._context = {
            "prev": np.array([self._hash(f"c:pl={i}") for i in range(n)]),
            "next": np.array([self._hash(f"c:nl={i}") for i in range(n)]),
            "own": np.array([self._hash(f"c:o={i}") for i in range(n)]),
            "doc": np.array([self._hash(f"c:d={i}") for i in range(6)]),
            "doc_own": np.array([[self._hash(f"c:do={i}|{j}") for j in range(n)] for i in range(6)]),
            "doc_lower": np.array([self._hash(f"c:dl={i}") for i in range(2)]),
        }

    def _hash(self, feature: str) -> int:
        return murmurhash3_32(feature, seed=0, positive=True) & self._mask

    def types(self, words: list[str]) -> np.ndarray:
        """The type index of each word (new words get their columns now)."""
        return numbered(self.index, words, self._add, np.int32)

    def spaced_types(self, spaced: list[str]) -> np.ndarray:
        """:meth:`types` of tokens given with the spaces before them (" Blair", "\\nBlair"),
        looked up as they are: the spaces are stripped only from forms not seen before
        (the forms kept are at most :data:`MAX_SPACED`; then they start afresh)."""
        return spaced_numbered(self._spaced, spaced, self.types, MAX_SPACED, np.int32)

    def _add(self, words: list[str], pad: bool = False) -> None:
        """Columns for new words: the 15 own features' hashes, mixed with a salt per use
        (own, or lent to the neighbour at -2, -1, +1, +2) by integer arithmetic."""
        first = len(self.index)
        while first + len(words) > self._capacity:
            self._grow()
        at = slice(first, first + len(words))
        names = ["pad"] * N_OWN if pad else [name for word in words for name in self._own_names(word)]
        base = np.fromiter(map(murmurhash3_32, names, repeat(0), repeat(True)), dtype=np.uint64,
                           count=len(names)).reshape(len(words), N_OWN)
        if not pad:
            self.capital[at] = [any(c.isupper() for c in w) for w in words]
            self.connector[at] = [w.lower() in CONNECTORS for w in words]
            self.lower_key[at] = [murmurhash3_32(w.lower(), seed=1) for w in words]
            self.lowercase[at] = [w == w.lower() for w in words]
            self.length[at] = [len(w) for w in words]
        self.own[at] = self._mix(base, 0)
        for side, salt in enumerate((1, 2)):
            self.near[side, at] = self._mix(base[:, _LENT[:N_NEAR]], salt)
        for side, salt in enumerate((3, 4)):
            self.far[side, at] = self._mix(base[:, _LENT[:N_FAR]], salt)
        self.index.update(zip(words, range(first, first + len(words))))  # last: a word indexed has its rows

    def _own_names(self, word: str) -> tuple[str, ...]:
        """The names of a word's own features (hashed into its columns)."""
        sets = self._sets
        low = word.lower()
        sh = shape(word)
        short = short_shape(sh)
        flags = ("F" if low in sets["first_names"] else "-") + ("S" if low in sets["surnames"] else "-") + \
                ("L" if low in sets["lowercase"] else "-") + ("P" if low in sets["places"] else "-")
        return (f"w={word}", f"l={low}", f"s={sh if len(sh) <= 6 else short}", f"ss={short}",
                f"p2={low[:2]}", f"p3={low[:3]}", f"x2={low[-2:]}", f"x3={low[-3:]}", f"x4={low[-4:]}",
                f"f={flags}", f"fs={flags}|{short}", f"fn={flags[0]}", f"sn={flags[1]}", f"lc={flags[2]}|{short}",
                f"len={min(len(word), 12)}|{short[:1]}")

    def _mix(self, base: np.ndarray, salt: int) -> np.ndarray:
        """A column per (feature hash, use): multiplicative hashing of hash ^ salt."""
        mixed = ((base ^ np.uint64(salt * 0x9E3779B9)) * np.uint64(0x85EBCA6B)) & np.uint64(0xFFFFFFFF)
        return (mixed >> np.uint64(32 - self.n_bits)).astype(np.int32)

    def _grow(self) -> None:
        self._capacity *= 2
        for name in ("own", "capital", "connector", "lower_key", "lowercase", "length"):
            old = getattr(self, name)
            new = np.zeros((self._capacity, *old.shape[1:]), dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)
        for name in ("near", "far"):
            old = getattr(self, name)
            new = np.zeros((2, self._capacity, old.shape[2]), dtype=old.dtype)
            new[:, : old.shape[1]] = old
            setattr(self, name, new)

    def candidates(self, types: np.ndarray, sentence_of: np.ndarray) -> np.ndarray:
        """Positions that may be part of a name: capitalised tokens, and connectors with a
        capitalised token right before and a capitalised token (or another connector
        and then one) right after, in the same sentence."""
        cap = self.capital[types]
        con = self.connector[types]
        n = len(types)
        same_prev = np.zeros(n, dtype=bool)
        same_prev[1:] = sentence_of[1:] == sentence_of[:-1]
        cap_prev = np.zeros(n, dtype=bool)
        cap_prev[1:] = cap[:-1]
        cap_next = np.zeros(n, dtype=bool)
        cap_next[:-1] = cap[1:] & same_prev[1:]
        cap_next2 = np.zeros(n, dtype=bool)
        cap_next2[:-2] = con[1:-1] & cap[2:] & same_prev[1:-1] & same_prev[2:]
        single = con & cap_prev & same_prev & cap_next
        double = con & cap_prev & same_prev & cap_next2  # "Bank of the West": the first of two connectors
        second = np.zeros(n, dtype=bool)
        second[1:] = double[:-1]
        return cap | single | double | second

    def rows(self, types: np.ndarray, sentence_of: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """The feature columns of the tokens at ``positions`` (one row each): the word's
        own, its neighbours' (-1, +1, -2, +2) and the token's (:meth:`token_columns`)."""
        near = self.neighbours(types, sentence_of, positions)
        return np.hstack([self.own[types[positions]], self.near[0][near[:, 0]], self.near[1][near[:, 1]],
                          self.far[0][near[:, 2]], self.far[1][near[:, 3]],
                          self.token_columns(types, sentence_of, positions)])

    def neighbours(self, types: np.ndarray, sentence_of: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """The types at -1, +1, -2 and +2 of each position (the padding type beyond its sentence)."""
        n = len(types)
        out = np.empty((len(positions), len(NEIGHBOURS)), dtype=np.int32)
        for k, offset in enumerate(NEIGHBOURS):
            other = np.clip(positions + offset, 0, n - 1)
            inside = (
                (positions + offset >= 0) & (positions + offset < n) & (sentence_of[other] == sentence_of[positions])
            )
            out[:, k] = np.where(inside, types[other], self.PAD)
        return out

    def token_columns(self, types: np.ndarray, sentence_of: np.ndarray, positions: np.ndarray) -> np.ndarray:
        """The two columns of the token itself: first in its sentence, in a headline."""
        n = len(types)
        prev = np.clip(positions - 1, 0, n - 1)
        first = (positions == 0) | (sentence_of[prev] != sentence_of[positions])
        return np.stack([np.where(first, self._bos, self._none),
                         np.where(self._caps_sentence(types, sentence_of)[positions], self._headline, self._none)],
                        axis=1).astype(np.int32)

    def type_scores(self, weights: np.ndarray, lookup: np.ndarray, done: int) -> list[np.ndarray]:
        """Per word type from ``done`` on: the summed weights of its own columns and of the
        columns it lends at -1, +1, -2, +2 (so a token's score needs 5 rows, not 33)."""
        n = len(self.index)
        return [weights[lookup[table[done:n]]].sum(axis=1)
                for table in (self.own, self.near[0], self.near[1], self.far[0], self.far[1])]

    def _caps_sentence(self, types: np.ndarray, sentence_of: np.ndarray) -> np.ndarray:
        """Per token: whether most words of its sentence are capitalised (a headline)."""
        if len(types) == 0:
            return np.zeros(0, dtype=bool)
        counts = np.bincount(sentence_of)
        caps = np.bincount(sentence_of, weights=self.capital[types])
        share = caps / np.maximum(counts, 1)
        return (share > 0.6)[sentence_of] & (counts > 3)[sentence_of]

    def context_rows(self, types: np.ndarray, positions: np.ndarray, labels: np.ndarray, doc_of: np.ndarray,
                     n_docs: int) -> np.ndarray:
        """Second-pass columns of the candidates at ``positions``, from the first pass's
        ``labels`` of them: the labels right before and after, the token's own, and the
        entity type the same word most often gets elsewhere in its document (none, a
        type, or a tie), and whether the document also has the word in lower case.
        ``doc_of`` is each token's document (0 … ``n_docs`` - 1)."""
        n = len(positions)
        adjacent = np.zeros(n, dtype=bool)
        adjacent[1:] = positions[1:] == positions[:-1] + 1
        prev = np.zeros(n, dtype=np.int64)
        prev[1:] = np.where(adjacent[1:], labels[:-1], 0)
        nxt = np.zeros(n, dtype=np.int64)
        nxt[:-1] = np.where(adjacent[1:], labels[1:], 0)
        entity = (labels + 1) // 2  # 0 = none, 1..4 = PER, ORG, LOC, MISC
        keys = self.lower_key[types] * n_docs + doc_of  # a word in a document; "MILWAUKEE" is "Milwaukee"
        local, words = pd.factorize(keys[positions])  # hashing (np.unique and np.isin sort)
        counts = np.zeros((len(words), 5), dtype=np.int64)
        np.add.at(counts, (local, entity), 1)
        others = counts[local]
        others[np.arange(n), entity] -= 1
        named = others[:, 1:]
        best = named.argmax(axis=1) + 1
        tie = (named == named.max(axis=1, keepdims=True)).sum(axis=1) > 1
        doc = np.where(named.max(axis=1) == 0, 0, np.where(tie, 5, best))
        lower_in_doc = pd.Series(keys[positions]).isin(keys[self.lowercase[types]]).to_numpy()
        c = self._context
        return np.stack([c["prev"][prev], c["next"][nxt], c["own"][labels], c["doc"][doc],
                         c["doc_own"][doc, labels], c["doc_lower"][lower_in_doc.astype(np.int64)]], axis=1)
