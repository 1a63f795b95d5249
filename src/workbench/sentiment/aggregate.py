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
    by: str = "actor",
    n_boot: int = 2000,
    confidence: float = 0.95,
    random_state: int = 0,
) -> pd.DataFrame:
    """One row per actor (``by="actor"``) or per rolled-up actor (``by="root"``).

    Columns: actor, type, parent, root, level, aliases (surface forms seen, most
    frequent first), members (the actors rolled up, for ``by="root"``), mentions,
    positive, neutral, negative (label counts), score (mean polarity), ci_low/ci_high
    (percentile bootstrap interval of the mean, ``n_boot`` resamples, seeded per actor
    from ``random_state`` and the actor's name, so an actor's interval does not depend
    on the others), ambiguous (aliases flagged as possibly meaning another actor, as
    "alias → other"), evidence (one dict per distinct sentence: sentence_id, sentence,
    label, polarity; strongest first). Sorted by mentions (descending), then name.
    Optional input columns (parent, root, root_type, level, ambiguous) default to the actor's own.
    """
    columns = ["actor", "type", "parent", "root", "level", "aliases", "members", "mentions", "positive", "neutral",
               "negative", "score", "ci_low", "ci_high", "ambiguous", "evidence"]
    frame = mentions.copy()
    for col, default in (("parent", ""), ("root", None), ("root_type", None), ("level", 0), ("ambiguous", "")):
        if col not in frame:
            frame[col] = frame[{"root": "actor", "root_type": "type"}[col]] if default is None else default
    rows = []
    for name, group in frame.groupby(by, sort=True):
        polarity = group["polarity"].to_numpy(dtype=float)
        counts = group["label"].value_counts()
        alias_counts = group["alias"].value_counts()
        aliases = sorted(alias_counts.index, key=lambda a: (-alias_counts[a], a))
        own = group[group["actor"] == name]
        first = own.iloc[0] if len(own) else group.sort_values("level", kind="stable").iloc[0]
        low, high = _bootstrap_ci(polarity, n_boot, confidence, random_state, name)
        evidence = (
            group.assign(strength=group["polarity"].abs())
            .sort_values(["strength", "sentence_id"], ascending=[False, True], kind="stable")
            .drop_duplicates("sentence_id")
        )
        flagged = group[group["ambiguous"] != ""]
        rows.append(
            {
                "actor": name,
                "type": first["type"] if by == "actor" else first["root_type"],
                "parent": first["parent"] if by == "actor" else "",
                "root": first["root"],
                "level": int(first["level"]) if by == "actor" else 0,
                "aliases": aliases,
                "members": sorted(set(group["actor"])) if by == "root" else [name],
                "mentions": len(group),
                "positive": int(counts.get("positive", 0)),
                "neutral": int(counts.get("neutral", 0)),
                "negative": int(counts.get("negative", 0)),
                "score": float(polarity.mean()),
                "ci_low": low,
                "ci_high": high,
                "ambiguous": sorted({f"{a} → {o}" for a, o in zip(flagged["alias"], flagged["ambiguous"])}),
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
