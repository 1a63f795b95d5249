"""The features of :meth:`FeatureExtractor.features`, for many items at once, with arrays.

A corpus has tens of thousands of mentions to score; naming each mention's ~75 features
as strings and hashing them one by one was most of the time its scoring took. Here the
batch's sentences are tokenised once (joined, in one regular-expression pass), each word
type gets its hashed column per feature family once (``u:``, ``L1:``, ``lexw:L:pos:``, …,
kept while the process lives), pairs of word types (bigrams) are hashed once per
batch, and every mention's features are gathered from its sentence's tokens with array
arithmetic over all mentions together.

The matrix is the one hashing ``features(item)`` gives (``tests/test_target_model.py``
compares the two on NewsMTSC), so ``features`` stays the readable definition (``explain``
names features with it); an item these arrays do not cover (a span between tokens, a
sentence without tokens) takes that path.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.utils import murmurhash3_32

from .._lookup import numbered, spaced_numbered
from ._items import Item

__all__ = ["FeatureArrays", "hashed_columns"]

#: Word types kept before the tables start afresh (a long corpus run's memory stays bounded).
MAX_TYPES = 500_000
#: Token forms with the whitespace before them (" good") kept, at some 100 bytes each.
MAX_FORMS = 200_000
_PAIR = np.int64(1 << 32)
_DISTANCE_LIMITS = np.array([1, 2, 4, 7, 12])
_BUCKETS = ("1", "2", "3-4", "5-7", "8-12", "13+")
_SIGNS = ("neg", "pos")


def hashed_columns(names: Sequence[str], n_features: int) -> np.ndarray:
    """The column each feature name hashes to, as scikit-learn's ``FeatureHasher`` puts it
    (signed 32-bit MurmurHash3 of the UTF-8 name, its absolute value modulo the width)."""
    hashes = np.fromiter(map(murmurhash3_32, names), dtype=np.int64, count=len(names))
    return (np.abs(hashes) % n_features).astype(np.int32)


class FeatureArrays:
    """Hashed feature matrices of items, computed with arrays (see the module docstring).

    Args:
        n_features: Width of the hashed feature space.
        window: Words on each side of the target in the window bags.
        lexicon: Word → valence (VADER's lexicon).
        vocabulary: The word sets the features test, by name: ``negations``,
            ``clause_breaks``, ``quotes``, ``reporting_verbs``, ``pronouns``.
        tokenize: The extractor's tokeniser (word, start, end triples), for sentences
            whose lower case changes their length.
        token_pattern: Its regular expression.
    """

    def __init__(self, n_features: int, window: int, lexicon: dict[str, float], vocabulary: dict[str, frozenset],
                 tokenize: Callable[[str], tuple], token_pattern: re.Pattern) -> None:
        self.n_features = n_features
        self.window = window
        self._lexicon = lexicon
        self._vocabulary = vocabulary
        self._tokenize = tokenize
        # every character is either skipped before a token or starts one: the matches tile the text
        self._token = token_pattern
        self._spaced_token = re.compile(r"[\s_]*+(?:" + token_pattern.pattern + ")")
        const = {name: i for i, name in enumerate(
            [f"lex:{side}:{bucket}:{sign}" for side in "LR" for bucket in _BUCKETS for sign in _SIGNS]
            + [f"lexc:{where}:{sign}" for where in ("other", "same") for sign in _SIGNS]
            + [f"lexneg:{side}:{sign}" for side in "LR" for sign in _SIGNS]
            + ["lexsum:pos", "lexsum:neg", "lexsum:diff", "t:no_quote", "t:quote_elsewhere", "t:in_quote",
               "t:speaker", "t:source", "t:agent", "t:pronoun", "t:first", "bias"]
            + [f"t:pos{k}" for k in range(5)])}
        columns = hashed_columns(list(const), n_features)
        self._const = {name: int(columns[i]) for name, i in const.items()}
        self._lex = columns[:24].reshape(2, 6, 2)  # [side, bucket, sign]
        self._lexc = columns[24:28].reshape(2, 2)  # [same clause, sign]
        self._lexneg = columns[28:32].reshape(2, 2)  # [side, sign]
        self._quote = columns[35:38]  # none, elsewhere, around the target
        self._pos = columns[-5:]
        self._start()

    def _start(self) -> None:
        """Empty tables, but for the markers of the target and the sentence's ends."""
        self.index: dict[str, int] = {}
        self.words: list[str] = []
        self._spaced: dict[str, int] = {}  # a token with what was skipped before it (" good") → its word's type
        self._flags = np.zeros((0, 8), dtype=bool)  # see _add
        self._length = np.zeros(0, dtype=np.int64)
        self._valence = np.zeros(0)
        self._families: dict[str, np.ndarray] = {}
        self._target, self._begin, self._end = self.types(["<t>", "<s>", "</s>"])
        self._flags[self._target, 0] = True  # the target counts as a word of the sentence bag

    # ------------------------------------------------------------------ word types
    def types(self, words: list[str]) -> np.ndarray:
        """The type of each word (new words are added)."""
        return numbered(self.index, words, self._add)

    def _spaced_types(self, spaced: list[str]) -> np.ndarray:
        """:meth:`types` of tokens given with the whitespace before them, looked up as they
        are: it is stripped only from forms not seen before (at most :data:`MAX_FORMS` forms
        are kept; then they start afresh)."""
        return spaced_numbered(self._spaced, spaced, self.types, MAX_FORMS)

    def _add(self, words: list[str]) -> None:
        """Flags of new words: alphanumeric first character, negation, clause break,
        quote, reporting verb, pronoun, "according", "by"; and their valence."""
        v = self._vocabulary
        flags = np.array([(w[0].isalnum(), w in v["negations"], w in v["clause_breaks"],
                           w in v["quotes"], w in v["reporting_verbs"], w in v["pronouns"], w == "according",
                           w == "by") for w in words], dtype=bool).reshape(len(words), 8)
        valence = [self._lexicon.get(w) or 0.0 for w in words]
        self._flags = np.vstack([self._flags, flags])  # the arrays first: a word indexed always has its row
        self._valence = np.concatenate([self._valence, valence])
        self._length = np.concatenate([self._length, [len(w) for w in words]])
        self.index.update(zip(words, range(len(self.words), len(self.words) + len(words))))
        self.words.extend(words)

    def _family(self, prefix: str, types: np.ndarray) -> np.ndarray:
        """The columns of ``prefix + word`` for the word of each type (hashed once per type)."""
        table = self._families.get(prefix)
        if table is None or len(table) < len(self.words):
            grown = np.full(len(self.words), -1, dtype=np.int32)
            if table is not None:
                grown[:len(table)] = table
            table = self._families[prefix] = grown
        columns = table[types]
        missing = columns < 0
        if missing.any():
            new = np.unique(types[missing])
            table[new] = hashed_columns([prefix + self.words[t] for t in new.tolist()], self.n_features)
            columns = table[types]
        return columns

    def _pairs(self, prefix: str, first: np.ndarray, second: np.ndarray) -> np.ndarray:
        """The columns of ``prefix + first + "_" + second`` for pairs of types."""
        if not len(first):
            return np.zeros(0, dtype=np.int32)
        back, keys = pd.factorize(first * _PAIR + second)  # by hashing: faster than sorting (np.unique)
        words = self.words
        names = [f"{prefix}{words[k >> 32]}_{words[k & 0xFFFFFFFF]}" for k in keys.tolist()]
        return hashed_columns(names, self.n_features)[back]

    # ------------------------------------------------------------------ tokens
    def _tokens(self, sentences: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The tokens of the sentences, flattened: types, start and end in their
        sentence, and the number of tokens of each sentence."""
        joined = "\n".join(sentences)
        lowered = joined.lower()
        if len(lowered) != len(joined):  # a character whose lower case is longer ("İ"): one at a time
            tokens = [self._tokenize(s) for s in sentences]
            flat = [t for ts in tokens for t in ts]
            return (self.types([w for w, _, _ in flat]), np.array([s for _, s, _ in flat], dtype=np.int64),
                    np.array([e for _, _, e in flat], dtype=np.int64), np.array([len(t) for t in tokens]))
        lowered = lowered.replace("’", "'")
        # the tokens, each with what was skipped before it (whitespace; and "_", which is rare)
        spaced = self._spaced_token.findall(lowered)
        ends = np.cumsum(np.fromiter(map(len, spaced), dtype=np.int64, count=len(spaced)))
        types = self.types(self._token.findall(lowered)) if "_" in lowered else self._spaced_types(spaced)
        starts = ends - self._length[types]
        base = np.cumsum([0] + [len(s) + 1 for s in sentences[:-1]])
        sentence = np.searchsorted(base, starts, side="right") - 1
        return types, starts - base[sentence], ends - base[sentence], np.bincount(sentence, minlength=len(sentences))

    # ------------------------------------------------------------------ features
    def transform(self, items: Sequence[Item], slow: Callable[[Sequence[Item]], sparse.csr_matrix]
                  ) -> sparse.csr_matrix:
        """The hashed feature matrix of ``items`` (float64 CSR, one row per item);
        ``slow`` gives the rows of items these arrays do not cover."""
        if len(self.words) > MAX_TYPES:
            self._start()
        n = len(items)
        of_sentence: dict[str, int] = {}
        sentence = np.fromiter((of_sentence.setdefault(s, len(of_sentence)) for s, _, _ in items), dtype=np.int64,
                               count=n)
        types, tok_start, tok_end, counts = self._tokens(list(of_sentence))
        offset = np.concatenate([[0], np.cumsum(counts)])
        lo, size = offset[sentence], counts[sentence]
        # the target: the tokens the span overlaps (their ends after its start, their starts before its end)
        span_start = np.fromiter((a for _, a, _ in items), dtype=np.int64, count=n)
        span_end = np.fromiter((b for _, _, b in items), dtype=np.int64, count=n)
        sent_of_token = np.repeat(np.arange(len(counts)), counts)
        end_keys = sent_of_token * _PAIR + tok_end
        start_keys = sent_of_token * _PAIR + tok_start
        first = np.searchsorted(end_keys, sentence * _PAIR + span_start, side="right") - lo
        last = np.searchsorted(start_keys, sentence * _PAIR + span_end, side="left") - 1 - lo
        covered = (first <= last) & (first < size) & (last >= 0)
        rows = np.flatnonzero(covered)
        X = self._matrix(types, lo[rows], size[rows], first[rows], last[rows])
        if len(rows) == n:
            return X
        rest = np.flatnonzero(~covered)
        stacked = sparse.vstack([X, slow([items[i] for i in rest.tolist()])], format="csr")
        order = np.empty(n, dtype=np.int64)
        order[np.concatenate([rows, rest])] = np.arange(n)
        return stacked[order]

    def _matrix(self, types: np.ndarray, lo: np.ndarray, size: np.ndarray, first: np.ndarray,
                last: np.ndarray) -> sparse.csr_matrix:
        """The rows of mentions whose target is tokens ``first``…``last`` of a sentence
        of ``size`` tokens starting at ``lo`` in ``types``."""
        n = len(lo)
        flags, valence, window = self._flags, self._valence, self.window
        alnum, negation, brk, quote, report, pronoun, according, by = (flags[:, k] for k in range(8))
        entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

        def add(rows, columns, values) -> None:
            entries.append((rows, columns, np.broadcast_to(np.asarray(values, dtype=np.float64), rows.shape)))

        def add_named(rows, name: str, values=1.0) -> None:  # a feature of one name, for these mentions
            add(rows, np.full(len(rows), self._const[name], dtype=np.int32), values)

        mentions = np.arange(n)

        def token(position, valid, pad):  # the type at a position of the sentence, or ``pad`` outside it
            return np.where(valid, types[np.clip(lo + position, 0, max(len(types) - 1, 0))], pad)

        # The masked sentence: tokens before the target, <t>, tokens after it.
        length = size - (last - first)
        m = np.repeat(mentions, length)
        start = np.concatenate([[0], np.cumsum(length)])
        q = np.arange(len(m)) - start[m]
        f = first[m]
        masked = types[lo[m] + np.where(q > f, q + (last - first)[m], q)]
        masked[q == f] = self._target

        # 1. Sentence bag: words and bigrams, the target masked.
        content = np.flatnonzero(alnum[masked])
        scale = 1 / np.sqrt(np.maximum(np.bincount(m[content], minlength=n), 1))
        add(m[content], self._family("u:", masked[content]), scale[m[content]])
        a, b = content[:-1], content[1:]
        same = m[a] == m[b]
        a, b = a[same], b[same]
        add(m[a], self._pairs("b:", masked[a], masked[b]), scale[m[a]])

        # 2. Immediate context and window bags.
        left = [token(first - 1 - k, first - 1 - k >= 0, self._begin) for k in range(max(3, window))]
        right = [token(last + 1 + k, last + 1 + k < size, self._end) for k in range(max(3, window))]
        for k in range(3):
            add(mentions, self._family(f"L{k + 1}:", left[k]), 1.0)
            add(mentions, self._family(f"R{k + 1}:", right[k]), 1.0)
        add(mentions, self._pairs("L12:", left[1], left[0]), 1.0)
        add(mentions, self._pairs("R12:", right[0], right[1]), 1.0)
        for side, near in (("Lw:", left), ("Rw:", right)):
            bag = np.stack(near[:window], axis=1)
            words = alnum[bag]
            weight = 1 / np.sqrt(np.maximum(words.sum(axis=1), 1))
            rows, k = np.nonzero(words)
            add(rows, self._family(side, bag[rows, k]), weight[rows])

        # 3. Sentiment-bearing words by side, distance, negation and clause.
        negated_before = np.concatenate([[0], np.cumsum(negation[masked])])
        breaks_before = np.concatenate([[0], np.cumsum(brk[masked])])
        at = np.flatnonzero((valence[masked] != 0) & (q != f))
        mq, mf, mm = q[at], f[at], m[at]
        value = valence[masked[at]]
        negated = negated_before[at] - negated_before[at - np.minimum(mq, 3)] > 0
        sign = ((value > 0) != negated).astype(np.int64)  # 1: pos
        side = (mq > mf).astype(np.int64)  # 0: L
        d = np.abs(mq - mf)
        low, high = np.minimum(mq, mf), np.maximum(mq, mf)
        same_clause = (breaks_before[start[mm] + high] - breaks_before[start[mm] + low + 1]) == 0
        strength = np.abs(value) / 4
        add(mm, self._lex[side, np.searchsorted(_DISTANCE_LIMITS, d), sign], strength)
        add(mm, self._lexc[same_clause.astype(np.int64), sign], strength)
        lexw = np.empty(len(at), dtype=np.int32)
        for s, side_name in enumerate("LR"):
            for g, sign_name in enumerate(_SIGNS):
                pick = (side == s) & (sign == g)
                lexw[pick] = self._family(f"lexw:{side_name}:{sign_name}:", masked[at[pick]])
        add(mm, lexw, np.where(d <= window, 1.0, 0.5))
        add(mm[negated], self._lexneg[side[negated], sign[negated]], strength[negated])
        share = strength / (1 + d) * np.where(same_clause, 1.0, 0.5)
        positive = np.bincount(mm, weights=np.where(sign == 1, share, 0.0), minlength=n)
        negative = np.bincount(mm, weights=np.where(sign == 0, share, 0.0), minlength=n)
        for name, total in (("lexsum:pos", positive), ("lexsum:neg", negative), ("lexsum:diff", positive - negative)):
            add_named(mentions, name, total)

        # 4. Quotes, speakers, reporting verbs.
        quotes_before = np.concatenate([[0], np.cumsum(quote[types])])
        before = quotes_before[lo + first] - quotes_before[lo]
        inside = quotes_before[lo + last + 1] - quotes_before[lo + first]
        has_quote = quotes_before[lo + size] - quotes_before[lo] - inside > 0
        add(mentions, self._quote[np.where(has_quote, 1 + (before % 2 == 1), 0)], 1.0)
        speaker = report[right[0]] | report[right[1]] | report[right[2]] | report[left[0]]
        add_named(mentions[speaker], "t:speaker")
        source = according[left[0]] | according[left[1]] | according[left[2]]
        add_named(mentions[source], "t:source")
        add_named(mentions[by[left[0]]], "t:agent")

        # 5. The target itself: form and position.
        add_named(mentions[(first == last) & pronoun[types[lo + first]]], "t:pronoun")
        width = last - first + 1
        tm = np.repeat(mentions, width)
        tt = types[lo[tm] + first[tm] + np.arange(len(tm)) - np.concatenate([[0], np.cumsum(width)])[tm]]
        words = alnum[tt]
        add(tm[words], self._family("tw:", tt[words]), 0.5)
        add(mentions, self._pos[np.minimum(5 * first // length, 4)], 1.0)
        add_named(mentions[first == 0], "t:first")
        add_named(mentions, "bias")

        rows, columns, values = (np.concatenate(parts) for parts in zip(*entries))
        kept = values != 0  # as FeatureHasher, which leaves out features of value 0
        X = sparse.csr_matrix((values[kept], (rows[kept], columns[kept])), shape=(n, self.n_features))
        X.sum_duplicates()
        return X
