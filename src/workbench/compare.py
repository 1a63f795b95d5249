"""Outlets compared: how each source of a corpus portrays its main actors.

For the actors mentioned most across the corpus, :func:`compare_groups` gives each
group's (each source's) mean polarity toward the actor with a bootstrap interval that
resamples the group's articles, and, between the two groups with the most articles, the
difference of the two means with its own interval (the articles of each group resampled
independently, the difference taken draw by draw). Every interval is seeded per actor
and group, so it depends on nothing else.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .sentiment.aggregate import MIN_UNITS, ratio_of_sums, resampled_means

__all__ = ["compare_groups", "COMPARISON_COLUMNS", "DIFFERENCE_COLUMNS"]

COMPARISON_COLUMNS = ["actor", "group", "mentions", "articles", "score", "ci_low", "ci_high"]
DIFFERENCE_COLUMNS = ["actor", "group_a", "group_b", "score_a", "score_b", "difference", "ci_low", "ci_high"]


def compare_groups(units: pd.DataFrame | Iterable[pd.DataFrame], groups: Sequence[str], names: Sequence[str], *,
                   top: int = 10,
                   n_boot: int = 1000, seed: int = 0, confidence: float = 0.95,
                   min_units: int = MIN_UNITS) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per (actor, group) scores with intervals, and the difference between the two
    largest groups per actor; both empty when fewer than two groups have articles.

    Args:
        units: Per actor and article: ``root`` (the actor's number in ``names``),
            ``position`` (the article's place in the corpus), ``sum`` (its mentions'
            polarity summed) and ``size`` (their number), sorted by root and position; one
            table, or several each holding all the units of its actors (the buckets of
            :meth:`workbench.corpus.tally.ActorTally.unit_tables`, read once).
        groups: Each article's group, by position (e.g. the record's ``source``); articles
            with no group ("") are left out.
        names: The actors' names, by number.
        top: How many actors, by mentions across the corpus.
        min_units: Fewest articles of a group for an interval (else NaN, "too few").
    """
    sizes = pd.Series([g for g in groups if g]).value_counts()
    empty = pd.DataFrame(columns=COMPARISON_COLUMNS), pd.DataFrame(columns=DIFFERENCE_COLUMNS)
    if len(sizes) < 2:
        return empty
    largest = sorted(sizes.index, key=lambda g: (-sizes[g], g))[:2]
    group_of = pd.Series(groups, dtype=object).to_numpy()
    kept, counts = [], []  # per table, the units and mentions of its top actors (the top overall are among them)
    for part in [units] if isinstance(units, pd.DataFrame) else units:
        part = part.assign(group=group_of[part["position"].to_numpy()] if len(part) else [])
        part = part[part["group"] != ""]
        mentions = part.groupby("root", sort=True)["size"].sum()
        best = sorted(mentions.index, key=lambda r: (-mentions[r], names[r]))[:top]
        kept.append(part[part["root"].isin(best)])
        counts.append(mentions[best])
    counts = pd.concat(counts) if counts else pd.Series(dtype=float)
    if counts.empty:
        return empty
    chosen = sorted(counts.index, key=lambda r: (-counts[r], names[r]))[:top]
    table = pd.concat(kept, ignore_index=True)
    alpha = (1 - confidence) / 2
    rows, differences = [], []
    by_actor = dict(tuple(table[table["root"].isin(chosen)].groupby("root", sort=False)))
    for root in chosen:
        actor, of_actor = names[root], by_actor[root]
        draws: dict[str, np.ndarray] = {}
        for group, part in of_actor.groupby("group", sort=True):  # articles in corpus order
            sums, n = part["sum"].to_numpy(float), part["size"].to_numpy(float)
            score = ratio_of_sums(sums, n)
            low = high = float("nan")
            if len(sums) >= min_units and n_boot > 0:  # n_boot=0: scores without intervals
                draws[group] = resampled_means(sums[None], n[None], [f"{actor}\0{group}"], n_boot=n_boot, seed=seed)[0]
                low, high = (float(q) for q in np.quantile(draws[group], [alpha, 1 - alpha]))
            rows.append([actor, group, int(n.sum()), len(sums), score, low, high])
        a, b = largest
        scores = {r[1]: r[4] for r in rows if r[0] == actor}
        if a in scores and b in scores:
            low = high = float("nan")
            if a in draws and b in draws:
                low, high = (float(q) for q in np.quantile(draws[a] - draws[b], [alpha, 1 - alpha]))
            differences.append([actor, a, b, scores[a], scores[b], scores[a] - scores[b], low, high])
    return pd.DataFrame(rows, columns=COMPARISON_COLUMNS), pd.DataFrame(differences, columns=DIFFERENCE_COLUMNS)
