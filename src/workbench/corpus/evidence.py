"""The evidence sentences of a corpus's actors, gathered a partition at a time.

Per actor key, :class:`EvidenceCandidates` keeps its strongest sentences, its most
negative and its most positive ones: exact top-k lists, since a sentence outside a
partition's top k can never be in the corpus's. Once the corpus-wide renaming has
fixed each key's rolled-up actor (its root), they give each actor's strongest sentences
(the rollup's ``evidence``) and the evidence table (most negative and most positive).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["EvidenceCandidates", "EVIDENCE_COLUMNS", "CANDIDATE_COLUMNS"]

EVIDENCE_COLUMNS = ["actor", "side", "polarity", "article", "sentence", "span_start", "span_end"]
#: What a candidate keeps of a mention row: its key's code and its row number in the corpus first.
CANDIDATE_COLUMNS = ["code", "row", "article", "sentence_id", "sentence", "label", "polarity", "start", "span_start",
                     "span_end"]
#: Candidates kept per key: the rollup's strongest, the most negative, the most positive
#: (twice as many: the sentences cited as negative are left out of the positive ones).
_TOP = {"strongest": 3, "negative": 3, "positive": 6}


class EvidenceCandidates:
    """Each key's best sentences of each kind, added a partition at a time in corpus order."""

    def __init__(self) -> None:
        self.frames: dict[str, list[pd.DataFrame]] = {kind: [] for kind in _TOP}
        self._rows = dict.fromkeys(_TOP, 0)
        self._compacted = dict.fromkeys(_TOP, 0)  # rows left by the last compaction

    def add(self, candidates: pd.DataFrame) -> None:
        """A partition's mention rows (:data:`CANDIDATE_COLUMNS`)."""
        for kind in _TOP:
            self._keep(kind, _top(candidates, kind, "code"))

    def merge(self, part: EvidenceCandidates, remap: np.ndarray, rows: int) -> None:
        """A partition's candidates, its codes remapped by ``remap`` and its rows after ``rows``."""
        for kind, frames in part.frames.items():
            for frame in frames:
                self._keep(kind, frame.assign(code=remap[frame["code"].to_numpy(np.int64)], row=frame["row"] + rows))

    def _keep(self, kind: str, top: pd.DataFrame) -> None:
        if top.empty:
            return
        self.frames[kind].append(top)
        self._rows[kind] += len(top)
        if self._rows[kind] > max(20_000, 2 * self._compacted[kind]):  # only each key's top k can last
            merged = _top(pd.concat(self.frames[kind], ignore_index=True), kind, "code")
            self.frames[kind], self._rows[kind] = [merged], len(merged)
            self._compacted[kind] = len(merged)

    def part(self, root_of: np.ndarray, bucket: int, buckets: int) -> EvidenceCandidates:
        """What a summary of ``bucket`` needs: the strongest sentences of its actors, and
        for bucket 0 (which makes the evidence table) the other kinds."""
        part = EvidenceCandidates()
        part.frames = {kind: frames if bucket == 0 else [] for kind, frames in self.frames.items()}
        strongest = self.frames["strongest"]
        if strongest:
            frame = pd.concat(strongest, ignore_index=True)
            part.frames["strongest"] = [frame[root_of[frame["code"].to_numpy(np.int64)] % buckets == bucket]]
        return part

    def final(self, kind: str, root_of: np.ndarray, k: int | None = None,
              bucket: tuple[int, int] | None = None) -> pd.DataFrame:
        """Each rolled-up actor's top ``k`` candidates of ``kind`` (by default as many as
        kept), with its number as ``root`` (the actors of ``bucket``, (number, buckets), only)."""
        parts = self.frames[kind]
        if not parts:
            return pd.DataFrame(columns=[*CANDIDATE_COLUMNS, "root"])
        frame = pd.concat(parts, ignore_index=True)
        roots = root_of[frame["code"].to_numpy(np.int64)]
        if bucket is not None:
            keep = roots % bucket[1] == bucket[0]
            frame, roots = frame[keep], roots[keep]
        return _top(frame.assign(root=roots), kind, "root", k)

    def strongest(self, root_of: np.ndarray, k: int, bucket: int, buckets: int) -> dict[int, list[dict]]:
        """The ``k`` strongest sentences of each rolled-up actor of a bucket, by root number."""
        out: dict[int, list[dict]] = {}
        mine = self.final("strongest", root_of, k, (bucket, buckets))
        columns = ["root", "sentence_id", "sentence", "label", "polarity", "span_start", "span_end", "article"]
        for root, sentence_id, sentence, label, polarity, start, end, article in zip(
                *(mine[c].tolist() for c in columns)):
            out.setdefault(int(root), []).append({
                "sentence_id": int(sentence_id), "sentence": sentence, "label": label, "polarity": float(polarity),
                "span_start": int(start), "span_end": int(end), "mention": sentence[int(start):int(end)],
                "article": article})
        return out

    def table(self, names: list[str], root_of: np.ndarray) -> pd.DataFrame:
        """Each rolled-up actor's (``names``, by root number) most negative and most positive
        sentences (three each; a sentence cited as negative is not cited again as positive)."""
        negative = self.final("negative", root_of)
        cited = set(zip(negative["root"], negative["article"], negative["sentence_id"]))
        positive = self.final("positive", root_of)
        keep = np.array([key not in cited for key in zip(positive["root"], positive["article"],
                                                         positive["sentence_id"])], dtype=bool)
        positive = positive.loc[keep].groupby("root", sort=True).head(_TOP["negative"])
        out = pd.concat([negative.assign(side="negative"), positive.assign(side="positive")], ignore_index=True)
        out["actor"] = [names[r] for r in out["root"]] if len(out) else []
        return out.sort_values(["actor", "side"], kind="stable")[EVIDENCE_COLUMNS].reset_index(drop=True)


def _top(frame: pd.DataFrame, kind: str, group: str, k: int | None = None) -> pd.DataFrame:
    """Each ``group``'s first ``k`` distinct sentences (article, sentence) in the order of
    ``kind``: strongest (largest |polarity|, then sentence number), most negative or most
    positive (then article id and position); ties in row order (rows are unique, so the
    order is total). Sorted by group, then that order."""
    k = _TOP[kind] if k is None else k
    polarity = frame["polarity"].to_numpy(np.float64)
    sentence = frame["sentence_id"].to_numpy(np.int64)
    row = frame["row"].to_numpy(np.int64)
    groups = frame[group].to_numpy(np.int64)
    article = frame["article"].factorize(sort=True)[0]  # numbered in name order
    if kind == "strongest":
        at = np.arange(len(frame))
        order = np.lexsort((row, sentence, -np.abs(polarity), groups))
    else:
        at = np.flatnonzero(polarity < 0 if kind == "negative" else polarity > 0)
        value = polarity[at] if kind == "negative" else -polarity[at]
        order = np.lexsort((row[at], frame["start"].to_numpy(np.int64)[at], article[at], value, groups[at]))
    at = at[order]
    if not len(at):
        return frame.take(at).reset_index(drop=True)
    # the first of each (group, article, sentence) in that order (numbered by hashing, not sorting)
    pairs = pd.factorize(article[at] * (int(sentence[at].max()) + 1) + sentence[at])[0]
    at = at[~pd.Series(groups[at] * (len(at) + 1) + pairs).duplicated().to_numpy()]
    # and each group's first k of those
    starts = np.flatnonzero(np.concatenate([[True], groups[at][1:] != groups[at][:-1]]))
    rank = np.arange(len(at)) - np.repeat(starts, np.diff(np.append(starts, len(at))))
    return frame.take(at[rank < k]).reset_index(drop=True)
