"""Per-mention scores → one row per actor, with a bootstrap interval and evidence."""
from __future__ import annotations

import zlib
from collections import Counter

import numpy as np
import pandas as pd

from ._items import LABELS

__all__ = ["score_mentions", "add_scores", "aggregate_actors"]


def score_mentions(mentions: pd.DataFrame, scorer, *, batch_size: int = 4096, progress: bool = False) -> pd.DataFrame:
    """``mentions`` with the three probabilities, ``polarity`` and ``label`` added.

    Scores ``batch_size`` mentions at a time, calling the scorer once per batch; the
    label follows the scorer's own decision rule (``labels_from_proba``).
    """
    from tqdm.auto import tqdm

    items = list(zip(mentions["sentence"], mentions["span_start"], mentions["span_end"]))
    batches = [scorer.predict_proba(items[i:i + batch_size]).reset_index(drop=True)
               for i in tqdm(range(0, len(items), batch_size), desc="sentiment", unit=" batch", disable=not progress)]
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
) -> pd.DataFrame:
    """One row per actor (``by="actor"``) or per rolled-up actor (``by="root"``).

    Columns: actor, type, parent, root, level, aliases (surface forms seen, most
    frequent first), members (the actors rolled up, for ``by="root"``), mentions,
    positive, neutral, negative (label counts), score (mean polarity), ci_low/ci_high
    (percentile bootstrap interval of the mean, ``n_boot`` resamples, seeded per actor
    from ``random_state`` and the actor's name, so an actor's interval does not depend
    on the others), ambiguous (aliases flagged as possibly meaning another actor, as
    "alias → other"), evidence (one dict per distinct sentence: sentence_id, sentence,
    label, polarity, and article when mentions carry one; strongest first; at most
    ``max_evidence``). Sorted by mentions (descending), then name. Optional input
    columns (parent, root, root_type, level, ambiguous) default to the actor's own.
    """
    columns = ["actor", "type", "parent", "root", "level", "aliases", "members", "mentions", "positive", "neutral",
               "negative", "score", "ci_low", "ci_high", "ambiguous", "evidence"]
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
    rows = []
    for name, idx in mentions.groupby(col[by], sort=True).indices.items():
        p = polarity[idx]
        labels = list(col["label"][idx])
        alias_counts = Counter(col["alias"][idx])
        own = idx[col["actor"][idx] == name]
        first = own[0] if len(own) else idx[np.argmin(col["level"][idx])]
        low, high = _bootstrap_ci(p, n_boot, confidence, random_state, name)
        order = idx[np.lexsort((col["sentence_id"][idx], -np.abs(p)))]
        evidence, seen = [], set()
        for i in order:
            key = (col["article"][i], col["sentence_id"][i]) if has_article else col["sentence_id"][i]
            if key in seen:
                continue
            seen.add(key)
            item = {"sentence_id": int(col["sentence_id"][i]), "sentence": col["sentence"][i],
                    "label": col["label"][i], "polarity": float(polarity[i])}
            if has_article:
                item["article"] = col["article"][i]
            evidence.append(item)
            if max_evidence is not None and len(evidence) >= max_evidence:
                break
        flagged = {f"{a} → {o}" for a, o in zip(col["alias"][idx], col["ambiguous"][idx]) if o}
        rows.append({
            "actor": name,
            "type": col["type"][first] if by == "actor" else col["root_type"][first],
            "parent": col["parent"][first] if by == "actor" else "",
            "root": col["root"][first],
            "level": int(col["level"][first]) if by == "actor" else 0,
            "aliases": sorted(alias_counts, key=lambda a: (-alias_counts[a], a)),
            "members": sorted(set(col["actor"][idx])) if by == "root" else [name],
            "mentions": len(idx),
            "positive": labels.count("positive"),
            "neutral": labels.count("neutral"),
            "negative": labels.count("negative"),
            "score": float(p.mean()),
            "ci_low": low,
            "ci_high": high,
            "ambiguous": sorted(flagged),
            "evidence": evidence,
        })
    table = pd.DataFrame(rows, columns=columns)
    return table.sort_values(["mentions", "actor"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _bootstrap_ci(values: np.ndarray, n_boot: int, confidence: float, seed: int, key: str) -> tuple[float, float]:
    if len(values) == 1 or n_boot < 1:
        return float(values.mean()), float(values.mean())
    rng = np.random.default_rng([seed, zlib.crc32(key.encode("utf-8"))])
    means = values[rng.integers(0, len(values), size=(n_boot, len(values)))].mean(axis=1)
    alpha = (1 - confidence) / 2
    low, high = np.quantile(means, [alpha, 1 - alpha])
    return float(low), float(high)
