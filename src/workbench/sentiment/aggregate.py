"""Per-mention scores → one row per actor, with a bootstrap interval and evidence."""
from __future__ import annotations

import zlib
from collections import Counter

import numpy as np
import pandas as pd

from ._items import LABELS, mention_items

__all__ = ["score_mentions", "add_scores", "aggregate_actors", "bootstrap_intervals", "ratio_of_sums",
           "resampled_means", "MIN_UNITS"]

#: Fewest independent units (sentences in an article, articles in a corpus) an actor
#: needs for an interval: below it the interval is NaN ("too few"), not a width computed
#: from one or two sentences.
MIN_UNITS = 3


def score_mentions(mentions: pd.DataFrame, scorer, *, batch_size: int = 4096, progress: bool = False) -> pd.DataFrame:
    """``mentions`` with the three probabilities, ``polarity`` and ``label`` added.

    Scores ``batch_size`` mentions at a time, calling the scorer once per batch; the
    label follows the scorer's own decision rule (``labels_from_proba``).
    """
    from .._progress import progress_bar

    items = mention_items(mentions["sentence"], mentions["span_start"], mentions["span_end"])
    batches = [
        scorer.predict_proba(items[i : i + batch_size]).reset_index(drop=True)
        for i in progress_bar(range(0, len(items), batch_size), desc="sentiment", unit=" batch", disable=not progress)
    ]
    proba = pd.concat(batches, ignore_index=True) if batches else pd.DataFrame(columns=list(LABELS), dtype=float)
    return add_scores(mentions, proba, scorer)


def add_scores(mentions: pd.DataFrame, proba: pd.DataFrame, scorer) -> pd.DataFrame:
    """``mentions`` with ``proba`` (the scorer's ``predict_proba`` of them, in order),
    ``polarity`` and the scorer's ``label`` added."""
    if len(proba) != len(mentions):
        raise ValueError(f"{len(proba)} probabilities for {len(mentions)} mentions")
    out = mentions.copy()
    for col in LABELS:
        out[col] = proba[col].to_numpy(dtype=float)
    out["polarity"] = out["positive"] - out["negative"]
    out["label"] = scorer.labels_from_proba(proba) if len(proba) else pd.Series(dtype=object)
    return out


def aggregate_actors(
    mentions: pd.DataFrame,
    *,
    by: str = "actor",
    n_boot: int = 2000,
    confidence: float = 0.95,
    random_state: int = 0,
    max_evidence: int | None = None,
    min_units: int = MIN_UNITS,
) -> pd.DataFrame:
    """One row per actor (``by="actor"``) or per rolled-up actor (``by="root"``).

    Columns: actor, type, parent, root, level, aliases (surface forms seen, most
    frequent first), members (the actors rolled up, for ``by="root"``), mentions,
    units (the independent units the mentions fall in: articles when mentions carry an
    ``article``, else sentences), positive, neutral, negative (label counts), score
    (mean polarity), ci_low/ci_high (percentile bootstrap interval of the mean polarity,
    resampling units, not mentions: mentions in one sentence, or one article, are not
    independent; ``n_boot`` resamples, seeded per actor from ``random_state`` and the
    actor's name, so an actor's interval does not depend on the others;
    :func:`bootstrap_intervals`; NaN, "too few", for fewer than ``min_units`` units), ambiguous (demonyms read by the
    confusable-country rule, as "Nigerian → Niger (not Nigeria)", or left as they were,
    as "Nigerian may mean Niger or Mali"), evidence (one dict per distinct sentence: sentence_id, sentence,
    label, polarity, the scored mention's span_start/span_end in the sentence and its text
    (``mention``) when mentions carry spans, and article when they carry one; strongest
    first; at most ``max_evidence``). Sorted by mentions (descending), then name. Optional input
    columns (parent, root, root_type, level, ambiguous) default to the actor's own.
    """
    columns = ["actor", "type", "parent", "root", "level", "aliases", "members", "mentions", "units", "positive",
               "neutral", "negative", "score", "ci_low", "ci_high", "ambiguous", "evidence"]
    if mentions.empty:
        return pd.DataFrame(columns=columns)
    col = {name: mentions[name].to_numpy() for name in mentions.columns}
    n = len(mentions)
    col.setdefault("parent", np.full(n, "", dtype=object))
    col.setdefault("root", col["actor"])
    col.setdefault("root_type", col["type"])
    col.setdefault("level", np.zeros(n, dtype=int))
    col.setdefault("ambiguous", np.full(n, "", dtype=object))
    polarity = col["polarity"].astype(float)
    has_article = "article" in col
    has_span = "span_start" in col and "span_end" in col
    rows = []
    groups = mentions.groupby(col[by], sort=True).indices
    unit_of = pd.factorize(col["article"] if has_article else col["sentence_id"])[0]
    sums, counts = [], []
    for idx in groups.values():  # per actor: polarity summed per unit, and mentions per unit
        units, where = np.unique(unit_of[idx], return_inverse=True)
        sums.append(np.bincount(where, weights=polarity[idx], minlength=len(units)))
        counts.append(np.bincount(where, minlength=len(units)).astype(float))
    intervals = bootstrap_intervals(sums, list(groups), counts=counts, n_boot=n_boot, confidence=confidence,
                                    seed=random_state, min_units=min_units)
    for (name, idx), (low, high), unit_counts in zip(groups.items(), intervals, counts):
        p = polarity[idx]
        mean = p[0] if len(p) == 1 else p.mean()
        labels = list(col["label"][idx])
        alias_counts = Counter(col["alias"][idx])
        own = idx[col["actor"][idx] == name]
        first = own[0] if len(own) else idx[np.argmin(col["level"][idx])]
        order = idx[np.lexsort((col["sentence_id"][idx], -np.abs(p)))]
        evidence, seen = [], set()
        for i in order:
            key = (col["article"][i], col["sentence_id"][i]) if has_article else col["sentence_id"][i]
            if key in seen:
                continue
            seen.add(key)
            item = {"sentence_id": int(col["sentence_id"][i]), "sentence": col["sentence"][i],
                    "label": col["label"][i], "polarity": float(polarity[i])}
            if has_span:  # which words of the sentence the score is about
                item.update(span_start=int(col["span_start"][i]), span_end=int(col["span_end"][i]),
                            mention=col["sentence"][i][int(col["span_start"][i]):int(col["span_end"][i])])
            if has_article:
                item["article"] = col["article"][i]
            evidence.append(item)
            if max_evidence is not None and len(evidence) >= max_evidence:
                break
        flagged = {(f"{a} may mean {o}" if " or " in o else f"{a} → {actor} (not {o})")
                   for a, actor, o in zip(col["alias"][idx], col["actor"][idx], col["ambiguous"][idx]) if o}
        rows.append({
            "actor": name,
            "type": _most_common(col["type"][idx] if by == "actor" else col["root_type"][idx], first, idx),
            "parent": col["parent"][first] if by == "actor" else "",
            "root": col["root"][first],
            "level": int(col["level"][first]) if by == "actor" else 0,
            "aliases": sorted(alias_counts, key=lambda a: (-alias_counts[a], a)),
            "members": sorted(set(col["actor"][idx])) if by == "root" else [name],
            "mentions": len(idx),
            "units": len(unit_counts),
            "positive": labels.count("positive"),
            "neutral": labels.count("neutral"),
            "negative": labels.count("negative"),
            "score": float(mean),
            "ci_low": low,
            "ci_high": high,
            "ambiguous": sorted(flagged),
            "evidence": evidence,
        })
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["mentions", "actor"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _most_common(types: np.ndarray, first: int, idx: np.ndarray) -> str:
    """The type most of an actor's mentions give it (across a corpus, "Chelsea" is a club
    in most articles and an organisation in a few); a tie keeps the type at ``first``."""
    if len(types) == 1 or (types == types[0]).all():
        return types[0]
    counts = Counter(types)
    top = max(counts.values())
    own = types[list(idx).index(first)]
    return own if counts[own] == top else min(t for t, n in counts.items() if n == top)


def bootstrap_intervals(samples: list[np.ndarray], keys: list[str], *, n_boot: int, confidence: float = 0.95,
                        seed: int = 0, max_cells: int = 1 << 22, counts: list[np.ndarray] | None = None,
                        min_units: int = 1) -> list[tuple[float, float]]:
    """Percentile bootstrap interval of the mean of each sample.

    Without ``counts``, each sample holds values and the statistic is their mean. With
    ``counts``, a sample holds the sums of its units (sentences, articles) and ``counts``
    their sizes: units are resampled and the statistic is the ratio of summed sums to
    summed sizes (the mean over all values of the resampled units: a cluster bootstrap).
    Each sample's resamples come from a counter-based generator keyed by ``seed`` and
    its key (an actor's name), so an interval depends on nothing but its own sample;
    samples of one size are resampled together, at most ``max_cells`` draws at a time
    (memory stays bounded whatever the corpus). Fewer than ``min_units`` units give
    (NaN, NaN); a single unit's interval is otherwise its mean.
    """
    sizes = counts if counts is not None else [np.ones(len(v)) for v in samples]
    means = [ratio_of_sums(v, c) for v, c in zip(samples, sizes)]
    out: list[tuple[float, float]] = [(float("nan"),) * 2 if len(v) < min_units else (m, m)
                                      for v, m in zip(samples, means)]
    if n_boot < 1:
        return out
    alpha = (1 - confidence) / 2
    by_size: dict[int, list[int]] = {}
    for i, v in enumerate(samples):
        if len(v) > 1 and len(v) >= min_units:
            by_size.setdefault(len(v), []).append(i)
    for size, members in sorted(by_size.items()):
        per_slice = max(1, max_cells // (n_boot * size))
        for at in range(0, len(members), per_slice):
            chunk = members[at:at + per_slice]
            boot = resampled_means(np.stack([samples[i] for i in chunk]), np.stack([sizes[i] for i in chunk]),
                                   [keys[i] for i in chunk], n_boot=n_boot, seed=seed, max_cells=max_cells)
            low, high = np.quantile(boot, [alpha, 1 - alpha], axis=1)
            for i, lo, hi in zip(chunk, low, high):
                out[i] = (float(lo), float(hi))
    return out


def ratio_of_sums(values: np.ndarray, sizes: np.ndarray) -> float:
    """``values.sum() / sizes.sum()`` (NaN when empty), the same number sooner for the few
    values most of a corpus's actors have: numpy adds fewer than 8 numbers one after
    another, starting from 0, as Python's ``sum`` does (from 8 on it adds pairwise)."""
    if len(values) < 8:
        return float(sum(values.tolist()) / sum(sizes.tolist())) if len(values) else float("nan")
    return float(values.sum() / sizes.sum())


def resampled_means(sums: np.ndarray, sizes: np.ndarray, keys: list[str], *, n_boot: int, seed: int,
                    max_cells: int = 1 << 22) -> np.ndarray:
    """``n_boot`` cluster-bootstrap means per row: each row of ``sums`` holds a sample's
    unit sums and the same row of ``sizes`` their sizes; a resample draws units with
    replacement from the counter-based generator keyed by ``seed`` and the row's key,
    and its mean is the drawn sums over the drawn sizes. Drawn in passes of at most
    ``max_cells`` draws (any stretch of the stream can be drawn on its own, so the passes
    do not change the values). Returns an array of shape (rows, n_boot)."""
    rows, size = sums.shape
    keyed = np.array([zlib.crc32(key.encode("utf-8")) for key in keys], dtype=np.uint32)
    boot = np.empty((rows, n_boot))
    per_pass = max(1, min(n_boot, max_cells // (size * rows)))
    flat_sums, flat_sizes = np.ascontiguousarray(sums).ravel(), np.ascontiguousarray(sizes).ravel()
    for b0 in range(0, n_boot, per_pass):
        b1 = min(n_boot, b0 + per_pass)
        draws = ((_draws(keyed, seed, (b1 - b0) * size, start=b0 * size).astype(np.uint64) * np.uint64(size))
                 >> np.uint64(32)).astype(np.intp)
        draws += (np.arange(rows, dtype=np.intp) * size)[:, None]  # into the rows laid end to end
        shape = (rows, b1 - b0, size)
        picked = flat_sums.take(draws).reshape(shape).sum(axis=2)
        picked_sizes = flat_sizes.take(draws).reshape(shape).sum(axis=2)
        boot[:, b0:b1] = picked / picked_sizes
    return boot


def _draws(keys: np.ndarray, seed: int, n: int, start: int = 0) -> np.ndarray:
    """``n`` pseudo-random 32-bit integers per key, for counters ``start`` … ``start + n - 1``:
    murmur3's finaliser of (key, seed, counter) mixed (counter-based, so no generator
    state to create, and any stretch of the stream can be drawn on its own)."""
    with np.errstate(over="ignore"):
        x = (keys[:, None] * np.uint32(0x9E3779B1) + np.uint32((seed * 0x85EBCA77) & 0xFFFFFFFF)
             + (np.arange(start, start + n, dtype=np.uint64) & np.uint64(0xFFFFFFFF)).astype(np.uint32)[None, :]
             * np.uint32(0xC2B2AE3D))
        x ^= x >> np.uint32(16)
        x *= np.uint32(0x85EBCA6B)
        x ^= x >> np.uint32(13)
        x *= np.uint32(0xC2B2AE35)
        x ^= x >> np.uint32(16)
    return x
