"""Numbering strings through a dict, many at a time: the one lookup the name tagger's and
the target-sentiment features' word tables share."""
from __future__ import annotations

from collections.abc import Callable
from itertools import repeat

import numpy as np

__all__ = ["numbered", "spaced_numbered"]


def numbered(index: dict[str, int], keys: list[str], add: Callable[[list[str]], object],
             dtype: type = np.int64) -> np.ndarray:
    """``index[key]`` for each of ``keys``; the keys not in it yet are handed to ``add``
    once each, in order of first occurrence, which must put them in ``index``."""
    ids = np.fromiter(map(index.get, keys, repeat(-1)), dtype=dtype, count=len(keys))
    missing = np.flatnonzero(ids < 0)
    if len(missing):
        add(list(dict.fromkeys(keys[i] for i in missing)))
        ids[missing] = [index[keys[i]] for i in missing]
    return ids


def spaced_numbered(forms: dict[str, int], spaced: list[str], types: Callable[[list[str]], np.ndarray],
                    limit: int, dtype: type = np.int64) -> np.ndarray:
    """``types`` of tokens given with the whitespace before them (" Blair", "\\nBlair"),
    looked up as they are in ``forms`` (form → type, kept between calls and cleared once
    past ``limit`` forms): the whitespace is stripped only from forms not seen before."""
    if len(forms) > limit:
        forms.clear()
    return numbered(forms, spaced, lambda new: forms.update(zip(new, types([f.lstrip() for f in new]).tolist())),
                    dtype)
