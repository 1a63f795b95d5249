"""Target-dependent features of a mention ``(sentence, start, end)``.

Each item becomes named, weighted features, hashed into a fixed-width sparse matrix
(so a model needs no stored vocabulary):

- the sentence's words and bigrams with the target replaced by ``<t>``;
- the words right before and after the target (positions 1–3, and bigrams), and the
  bags of words in a window on each side;
- sentiment-bearing words (VADER's lexicon) by side, distance to the target, whether
  they are negated and whether they sit in the target's clause;
- quotes (is the target quoted, or the speaker of a quote), reporting verbs,
  the target's position and form (pronoun, words).
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache

import numpy as np
from scipy import sparse
from sklearn.feature_extraction import FeatureHasher

from ._items import Item
from .feature_arrays import FeatureArrays
from .lexicon import vader_lexicon

__all__ = ["FeatureExtractor", "tokenize"]

_TOKEN = re.compile(r"[^\W_]++(?:['’][^\W_]+)*+|[^\w\s]")  # possessive: nothing to backtrack into, faster
NEGATIONS = frozenset(
    "not no never nor none nobody nothing neither cannot without n't hardly barely "
    "isn't aren't wasn't weren't don't doesn't didn't won't wouldn't can't couldn't shouldn't hasn't haven't "
    "hadn't".split()
)
REPORTING_VERBS = frozenset(
    "said says say told tells tell stated states argued argues claimed claims added adds noted notes wrote writes "
    "insisted insists warned warns announced announces asked asks explained explains according tweeted".split()
)
CLAUSE_BREAKS = frozenset([";", ":", "—", "–", "but", "while", "whereas", "although", "though", "however", "(", ")"])
PRONOUNS = frozenset("he she they him her them his hers their theirs it its we us i me you".split())
QUOTES_OPEN = frozenset(["“", '"', "‘"])
QUOTES = frozenset(["“", "”", '"', "‘", "’", "«", "»"])


@lru_cache(maxsize=4096)  # mentions often share a sentence
def tokenize(text: str) -> tuple[tuple[str, int, int], ...]:
    """Lower-cased word and punctuation tokens with their character spans ("’" read as "'")."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a character whose lower case is longer ("İ"): spans from the original
        return tuple((m.group().lower().replace("’", "'"), m.start(), m.end()) for m in _TOKEN.finditer(text))
    if "’" in lowered:
        lowered = lowered.replace("’", "'")
    return tuple((m.group(), m.start(), m.end()) for m in _TOKEN.finditer(lowered))


def _distance_bucket(d: int) -> str:
    for limit, name in ((1, "1"), (2, "2"), (4, "3-4"), (7, "5-7"), (12, "8-12")):
        if d <= limit:
            return name
    return "13+"


class FeatureExtractor:
    """Turns items into a sparse matrix of ``2**n_bits`` hashed feature columns.

    Args:
        n_bits: Width of the hashed feature space (2**n_bits columns).
        window: Words on each side of the target in the window bags.
    """

    def __init__(self, n_bits: int = 20, window: int = 6) -> None:
        self.n_bits = n_bits
        self.window = window
        self._lexicon = vader_lexicon()
        self._hasher = FeatureHasher(n_features=2**n_bits, input_type="pairs", alternate_sign=False)
        self._arrays = FeatureArrays(2**n_bits, window, self._lexicon, {
            "negations": NEGATIONS, "clause_breaks": CLAUSE_BREAKS, "quotes": QUOTES,
            "reporting_verbs": REPORTING_VERBS, "pronouns": PRONOUNS}, tokenize, _TOKEN)

    def transform(self, items: Iterable[Item]) -> sparse.csr_matrix:
        """Hashed features, one row per item (float32 CSR, 2**n_bits columns): those of
        :meth:`features`, computed for all items at once (:mod:`.feature_arrays`)."""
        return self._arrays.transform(list(items), self.hashed).astype(np.float32)

    def hashed(self, items: Iterable[Item]) -> sparse.csr_matrix:
        """:meth:`transform` one item at a time, hashing the names of :meth:`features`
        (float64; the definition the arrays reproduce)."""
        return self._hasher.transform(self.features(item) for item in items).tocsr()

    def features(self, item: Item) -> Iterator[tuple[str, float]]:
        """The named features of one item, as (name, value) pairs."""
        sentence, start, end = item
        tokens = tokenize(sentence)
        target = [i for i, (_, s, e) in enumerate(tokens) if s < end and start < e]
        if not target:  # span inside a token, e.g. "US" in "US-led": take that token
            target = [min(range(len(tokens)), key=lambda i: abs(tokens[i][1] - start))] if tokens else []
        if not tokens:
            return
        first, last = target[0], target[-1]
        words = [t for t, _, _ in tokens]
        masked = words[:first] + ["<t>"] + words[last + 1:]
        t_index = first
        n = len(masked)

        # 1. Sentence bag: words and bigrams, the target masked.
        content = [w for w in masked if w[0].isalnum() or w == "<t>"]
        scale = 1 / math.sqrt(max(len(content), 1))
        for w in content:
            yield "u:" + w, scale
        for a, b in zip(content, content[1:]):
            yield f"b:{a}_{b}", scale

        # 2. Immediate context and window bags.
        left = masked[:t_index][::-1]
        right = masked[t_index + 1:]
        for k in range(3):
            yield f"L{k + 1}:" + (left[k] if k < len(left) else "<s>"), 1.0
            yield f"R{k + 1}:" + (right[k] if k < len(right) else "</s>"), 1.0
        yield "L12:" + "_".join((left[:2] + ["<s>", "<s>"])[:2][::-1]), 1.0
        yield "R12:" + "_".join((right[:2] + ["</s>", "</s>"])[:2]), 1.0
        lw = [w for w in left[: self.window] if w[0].isalnum()]
        rw = [w for w in right[: self.window] if w[0].isalnum()]
        for w in lw:
            yield "Lw:" + w, 1 / math.sqrt(len(lw))
        for w in rw:
            yield "Rw:" + w, 1 / math.sqrt(len(rw))

        # 3. Sentiment-bearing words by side, distance, negation and clause.
        breaks = None  # clause breaks: found when a sentiment word needs them
        totals = {"pos": 0.0, "neg": 0.0}
        lexicon = self._lexicon
        for i, w in enumerate(masked):
            valence = lexicon.get(w)
            if not valence or i == t_index:
                continue
            if breaks is None:
                breaks = [b for b, w in enumerate(masked) if w in CLAUSE_BREAKS]
            negated = not NEGATIONS.isdisjoint(masked[max(0, i - 3):i])
            sign = "pos" if (valence > 0) != negated else "neg"
            side = "L" if i < t_index else "R"
            d = abs(i - t_index)
            lo, hi = sorted((i, t_index))
            same_clause = not any(lo < b < hi for b in breaks)
            strength = abs(valence) / 4
            yield f"lex:{side}:{_distance_bucket(d)}:{sign}", strength
            yield f"lexc:{'same' if same_clause else 'other'}:{sign}", strength
            yield f"lexw:{side}:{sign}:{w}", 1.0 if d <= self.window else 0.5
            if negated:
                yield f"lexneg:{side}:{sign}", strength
            totals[sign] += strength / (1 + d) * (1.0 if same_clause else 0.5)
        yield "lexsum:pos", totals["pos"]
        yield "lexsum:neg", totals["neg"]
        yield "lexsum:diff", totals["pos"] - totals["neg"]

        # 4. Quotes, speakers, reporting verbs.
        has_quote = not QUOTES.isdisjoint(masked)
        in_quote = has_quote and sum(1 for w in masked[:t_index] if w in QUOTES) % 2 == 1
        yield ("t:in_quote" if in_quote else ("t:quote_elsewhere" if has_quote else "t:no_quote")), 1.0
        near_right = right[:3]
        near_left = left[:3]
        if not REPORTING_VERBS.isdisjoint(near_right) or not REPORTING_VERBS.isdisjoint(near_left[:1]):
            yield "t:speaker", 1.0
        if "according" in masked[max(0, t_index - 3):t_index]:
            yield "t:source", 1.0
        if left[:1] == ["by"]:
            yield "t:agent", 1.0

        # 5. The target itself: form and position.
        t_words = words[first:last + 1]
        if len(t_words) == 1 and t_words[0] in PRONOUNS:
            yield "t:pronoun", 1.0
        for w in t_words:
            if w[0].isalnum():
                yield "tw:" + w, 0.5
        yield f"t:pos{min(int(5 * t_index / n), 4)}", 1.0
        if t_index == 0:
            yield "t:first", 1.0
        yield "bias", 1.0
