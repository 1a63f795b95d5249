"""The units a corpus's actor intervals resample: per actor key and article, the polarity
summed over the key's mentions there and their number.

A news corpus has some 15 of them an article (290 MB at a million articles), so a
corpus's tally keeps them on disk (:class:`Units` with ``on_disk``): appended to a file as
partitions are merged; once the corpus-wide renaming has fixed each key's rolled-up
actor, :meth:`Units.regroup` sorts them into buckets of actors (``root % buckets``), each
summed per actor and article into a table of its own, so that no process holds more
than one bucket's. A partition's tally keeps its few in memory (and is sent whole).
An actor's statistics come from its own units alone, so the tables do not depend on the
number of buckets.
"""
from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["Units", "UNITS_PER_BUCKET"]

_RAW = np.dtype([("code", "<i4"), ("position", "<i4"), ("sum", "<f8"), ("size", "<i4")])
_SUMMED = np.dtype([("root", "<i4"), ("position", "<i4"), ("sum", "<f8"), ("size", "<i4")])
#: About this many units a bucket (a bucket's table in memory: ~10 MB, a few times that while summed).
UNITS_PER_BUCKET = 500_000
_BLOCK = 1 << 20  # units read at a time while regrouping


class Units:
    """Units (key code, article position, polarity sum, mentions) added in corpus order,
    then regrouped by rolled-up actor and read a bucket at a time.

    Args:
        on_disk: Keep them in files of a temporary folder (gone with the object), not in memory.
    """

    def __init__(self, on_disk: bool = False) -> None:
        self.count = 0
        self.buckets = 2  # set by regroup
        self._parts: list[np.ndarray] = []  # in memory: raw records
        self._tables: dict[int, np.ndarray] = {}  # in memory: each bucket's summed table
        self._folder: Path | None = None
        if on_disk:
            self._folder = Path(tempfile.mkdtemp(prefix="workbench-units-"))
            self._cleanup = weakref.finalize(self, shutil.rmtree, self._folder, ignore_errors=True)

    def __reduce__(self):
        if self._folder is not None:
            raise TypeError("units on disk are read where they are, not sent")
        return super().__reduce__()

    def append(self, code: np.ndarray, position: np.ndarray, sums: np.ndarray, sizes: np.ndarray) -> None:
        """Add units after those so far."""
        records = np.empty(len(code), dtype=_RAW)
        records["code"], records["position"], records["sum"], records["size"] = code, position, sums, sizes
        if self._folder is None:
            self._parts.append(records)
        else:
            with open(self._folder / "raw.bin", "ab") as fh:
                records.tofile(fh)
        self.count += len(code)

    def raw(self) -> Iterator[np.ndarray]:
        """Every unit added, in order, a block of records at a time."""
        if self._folder is None:
            yield from self._parts
            return
        path = self._folder / "raw.bin"
        if path.exists():
            with open(path, "rb") as fh:
                while len(block := np.fromfile(fh, dtype=_RAW, count=_BLOCK)):
                    yield block

    def regroup(self, root_of: np.ndarray) -> None:
        """Sort the units into buckets by their key's rolled-up actor (``root_of[code]``)
        and sum each bucket per actor and article: a renamed key's units join its new
        actor's, summed in key order (so the same every time)."""
        self.buckets = 2 * max(1, -(-self.count // (2 * UNITS_PER_BUCKET)))
        pieces: dict[int, list[np.ndarray]] = {b: [] for b in range(self.buckets)}
        files = {b: open(self._folder / f"bucket-{b}.bin", "wb") for b in range(self.buckets)} if self._folder else {}
        try:
            for block in self.raw():
                which = root_of[block["code"]] % self.buckets
                order = np.argsort(which, kind="stable")
                bounds = np.searchsorted(which[order], np.arange(self.buckets + 1))
                for b in range(self.buckets):
                    part = block[order[bounds[b]:bounds[b + 1]]]
                    if files:
                        part.tofile(files[b])
                    else:
                        pieces[b].append(part)
        finally:
            for fh in files.values():
                fh.close()
        self._tables = {}
        for b in range(self.buckets):
            if files:
                records = np.fromfile(self._folder / f"bucket-{b}.bin", dtype=_RAW)
            else:
                records = np.concatenate(pieces[b]) if pieces[b] else np.zeros(0, dtype=_RAW)
            summed = _summed(records, root_of)
            if files:
                summed.tofile(self._folder / f"bucket-{b}.bin")
            else:
                self._tables[b] = summed

    def table(self, bucket: int) -> pd.DataFrame:
        """One bucket's units per rolled-up actor and article: ``root``, ``position``,
        ``sum``, ``size``, sorted by root and position (after :meth:`regroup`)."""
        records = self._records(bucket)
        return pd.DataFrame({name: records[name] for name in _SUMMED.names})

    def _records(self, bucket: int) -> np.ndarray:
        if self._folder is None:
            return self._tables[bucket]
        return np.fromfile(self._folder / f"bucket-{bucket}.bin", dtype=_SUMMED)

    def tables(self) -> Iterator[pd.DataFrame]:
        """Every bucket's :meth:`table` (of :meth:`only`: its one)."""
        for bucket in range(self.buckets) if self._folder else sorted(self._tables):
            yield self.table(bucket)

    def only(self, bucket: int) -> Units:
        """The units of one bucket, in memory (to send where the bucket is summarised)."""
        part = Units()
        part.count, part.buckets = self.count, self.buckets
        part._tables = {bucket: self._records(bucket)}
        return part


def _summed(records: np.ndarray, root_of: np.ndarray) -> np.ndarray:
    """Raw units summed per rolled-up actor and article, sorted by both."""
    frame = pd.DataFrame({"root": root_of[records["code"]], "position": records["position"], "code": records["code"],
                          "sum": records["sum"], "size": records["size"]})
    frame = frame.sort_values(["root", "position", "code"], kind="stable")
    out = frame.groupby(["root", "position"], sort=True)[["sum", "size"]].sum().reset_index()
    summed = np.empty(len(out), dtype=_SUMMED)
    for name in _SUMMED.names:
        summed[name] = out[name].to_numpy()
    return summed
