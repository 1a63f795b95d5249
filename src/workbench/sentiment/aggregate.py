"""Per-mention scores → one row per actor, with a bootstrap interval and evidence."""
from __future__ import annotations

import zlib

import numpy as np
import pandas as pd

from ._items import LABELS

__all__ = ["score_mentions", "aggregate_actors"]


def score_mentions(mentions: pd.DataFrame, scorer) -> pd.DataFrame:
    """``mentions`` with ``label``, ``polarity`` and the three probabilities added."""
    out = mentions.copy()
    items = list(zip(out["sentence"], out["span_start"], out["span_end"]))
    if not items:
        for col in ("label", "polarity", *LABELS):
            out[col] = pd.Series(dtype=object if col == "label" else float)
        return out
    proba = scorer.predict_proba(items).reset_index(drop=True)
    for col in LABELS:
        out[col] = proba[col].to_numpy()
    out["polarity"] = (proba["positive"] - proba["negative"]).to_numpy()
    out["label"] = scorer.predict(items)
    return out


def aggregate_actors(
    mentions: pd.DataFrame,
    *,
    n_boot: int = 2000,
    confidence: float = 0.95,
    random_state: int = 0,
) -> pd.DataFrame:
    """One row per actor from scored mentions.

    Columns: actor, type, parent, aliases (surface forms seen, most frequent first),
    mentions, positive, neutral, negative (label counts), score (mean polarity),
    ci_low/ci_high (percentile bootstrap interval of the mean, ``n_boot`` resamples,
    seeded per actor from ``random_state`` and the actor's name, so an actor's interval
    does not depend on the others), evidence (one dict per distinct sentence:
    sentence_id, sentence, label, polarity; strongest first).
    Sorted by mentions (descending), then actor name.
    """
    columns = ["actor", "type", "parent", "aliases", "mentions", "positive", "neutral", "negative",
               "score", "ci_low", "ci_high", "evidence"]
    rows = []
    for actor, group in mentions.groupby("actor", sort=True):
        polarity = group["polarity"].to_numpy(dtype=float)
        counts = group["label"].value_counts()
        alias_counts = group["alias"].value_counts()
        aliases = sorted(alias_counts.index, key=lambda a: (-alias_counts[a], a))
        low, high = _bootstrap_ci(polarity, n_boot, confidence, random_state, actor)
        evidence = (
            group.assign(strength=group["polarity"].abs())
            .sort_values(["strength", "sentence_id"], ascending=[False, True], kind="stable")
            .drop_duplicates("sentence_id")
        )
        rows.append(
            {
                "actor": actor,
                "type": group["type"].iloc[0],
                "parent": group["parent"].iloc[0],
                "aliases": aliases,
                "mentions": len(group),
                "positive": int(counts.get("positive", 0)),
                "neutral": int(counts.get("neutral", 0)),
                "negative": int(counts.get("negative", 0)),
                "score": float(polarity.mean()),
                "ci_low": low,
                "ci_high": high,
                "evidence": [
                    {"sentence_id": int(r.sentence_id), "sentence": r.sentence, "label": r.label,
                     "polarity": float(r.polarity)}
                    for r in evidence.itertuples()
                ],
            }
        )
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["mentions", "actor"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _bootstrap_ci(values: np.ndarray, n_boot: int, confidence: float, seed: int, key: str) -> tuple[float, float]:
    if len(values) == 1 or n_boot < 1:
        return float(values.mean()), float(values.mean())
    rng = np.random.default_rng([seed, zlib.crc32(key.encode("utf-8"))])
    means = values[rng.integers(0, len(values), size=(n_boot, len(values)))].mean(axis=1)
    alpha = (1 - confidence) / 2
    return float(np.quantile(means, alpha)), float(np.quantile(means, 1 - alpha))
