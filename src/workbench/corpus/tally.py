"""Per-actor sufficient statistics of a corpus, gathered a partition at a time.

A corpus's mentions are too many to hold (a million articles: some 28 million rows with
their sentences), so :class:`ActorTally` keeps only what the report's tables are made
from, partition by partition, in input order:

- per actor key (actor, root, type): mentions, label counts, aliases, root types, its
  first row and its lowest-level row, the demonym readings (exact counts);
- per actor key and article: the polarity summed over its mentions there and their
  number (the units the intervals resample; exact, since an article lies in one
  partition, and in input order; a corpus's on disk, read a bucket of actors at a time:
  :mod:`.units`);
- evidence candidates: each key's strongest sentences, its most negative and most
  positive ones (:mod:`.evidence`).

Everything is per key, so the surname merge made across the corpus
(:func:`merged_names`) is a renaming of keys, applied before the tables are finished.
The tables — the rolled-up actors with their bootstrap intervals
(:func:`workbench.sentiment.bootstrap_intervals`), evidence, actor × month and actor ×
topic, and the outlets compared — come from these statistics alone, so they do not
depend on how the corpus was partitioned, on which process or machine, nor on the order
partitions finished.
"""
from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from ..sentiment.aggregate import MIN_UNITS, bootstrap_intervals, ratio_of_sums
from .evidence import CANDIDATE_COLUMNS, EvidenceCandidates
from .units import Units

__all__ = ["ActorTally", "joined", "merged_names", "ROLLUP_COLUMNS"]

KEY = ["actor", "root", "type"]
ROLLUP_COLUMNS = ["actor", "type", "parent", "root", "level", "aliases", "members", "mentions", "units", "positive",
                  "neutral", "negative", "score", "ci_low", "ci_high", "ambiguous", "evidence"]


def merged_names(person_counts: Counter, share: float = 0.9) -> dict[str, str]:
    """Across a corpus, a person known by one word in some articles ("Blair", where only
    "Mr Blair" appears) is the person named in full elsewhere when one full name carries
    that surname in at least ``share`` of the full-name mentions ("Tony Blair" 497,
    "Cherie Blair" 6): one-word name → full name, from the mentions per person name."""
    full = {name: n for name, n in person_counts.items() if " " in name}
    by_surname: dict[str, list[tuple[str, int]]] = {}
    for name, n in full.items():
        by_surname.setdefault(name.rsplit(" ", 1)[-1], []).append((name, n))
    renamed = {}
    for name in person_counts:
        if " " not in name and name in by_surname:
            names = by_surname[name]
            best, most = min(names, key=lambda item: (-item[1], item[0]))
            if most / sum(n for _, n in names) >= share:
                renamed[name] = best
    return renamed


class ActorTally:
    """The statistics of a corpus's scored mentions, added a partition at a time
    (:meth:`add`, in input order), then renamed (:meth:`rename`) and read as tables."""

    def __init__(self, *, units_on_disk: bool = False) -> None:
        self._codes: dict[tuple[str, str, str], int] = {}
        self._keys: list[tuple[str, str, str]] = []
        self._stats: list[dict[str, Any] | None] = []
        self._units = Units(on_disk=units_on_disk)  # (code, article position, polarity sum, mentions)
        self._evidence = EvidenceCandidates()
        self._rows = 0
        self._renamed: dict[str, str] = {}
        self._made: dict[str, Any] = {}  # roots and units once made (cleared by add, merge, rename)
        self._sealed = False  # a part for the summaries (:meth:`summary_part`): nothing more to add

    @property
    def mentions(self) -> int:
        return self._rows

    def add(self, table: pd.DataFrame, positions: np.ndarray) -> None:
        """Count a partition's scored mentions (``table``, rows in corpus order; its
        articles' input ``positions``, one per row)."""
        if table.empty:
            return
        self._check_open()
        self._made.clear()
        keys = zip(table["actor"].tolist(), table["root"].tolist(), table["type"].tolist())
        codes = np.fromiter(map(self._code, keys), dtype=np.int64, count=len(table))
        rows = np.arange(self._rows, self._rows + len(table))
        self._count(table, codes.tolist(), self._rows)
        self._rows += len(table)
        units = (pd.DataFrame({"code": codes, "position": positions, "polarity": table["polarity"].to_numpy()})
                 .groupby(["code", "position"], sort=True)["polarity"].agg(["sum", "size"]))
        self._units.append(units.index.get_level_values(0).to_numpy(np.int32),
                           units.index.get_level_values(1).to_numpy(np.int32), units["sum"].to_numpy(float),
                           units["size"].to_numpy(np.int32))
        candidates = table[[c for c in CANDIDATE_COLUMNS if c in table]].assign(code=codes, row=rows)
        self._evidence.add(candidates[CANDIDATE_COLUMNS])

    @classmethod
    def of_partition(cls, table: pd.DataFrame, positions: np.ndarray) -> ActorTally:
        """A partition's tally on its own (rows and article positions counted from 0), to
        :meth:`merge` into the corpus's: made where the partition was analysed."""
        tally = cls()
        tally.add(table, positions)
        return tally

    def merge(self, part: ActorTally, first_position: int) -> None:
        """Add a partition's tally after everything so far (``first_position``: its first
        article's position in the corpus). The same as :meth:`add` of its rows here."""
        if not part._keys:
            return
        self._check_open()
        self._made.clear()
        rows = self._rows
        remap = np.fromiter((self._code(k) for k in part._keys), dtype=np.int32, count=len(part._keys))
        for code, stats in zip(remap.tolist(), part._stats):
            mine = self._stats[code]
            mine["mentions"] += stats["mentions"]
            for counter in ("labels", "aliases", "root_types"):
                counts = mine[counter]
                for value, n in stats[counter].items():
                    counts[value] = counts.get(value, 0) + n
            if mine["first"] is None:
                mine["first"] = (stats["first"][0] + rows, stats["first"][1])
            level, row, root_type = stats["lowest"]
            if mine["lowest"] is None or (level, row + rows) < mine["lowest"][:2]:
                mine["lowest"] = (level, row + rows, root_type)
            mine["ambiguous"].update(stats["ambiguous"])
        self._rows += part._rows
        for block in part._units.raw():
            self._units.append(remap[block["code"]], block["position"] + first_position, block["sum"], block["size"])
        self._evidence.merge(part._evidence, remap, rows)

    def _code(self, key: tuple[str, str, str]) -> int:
        code = self._codes.get(key)
        if code is None:
            code = self._codes[key] = len(self._keys)
            self._keys.append(key)
            self._stats.append({"mentions": 0, "labels": {}, "aliases": {}, "root_types": {}, "first": None,
                                "lowest": None, "ambiguous": set()})
        return code

    def _count(self, table: pd.DataFrame, codes: list[int], first_row: int) -> None:
        """A partition's counts per key (``codes``, one per row of ``table``; its rows
        numbered from ``first_row``), added to each key's."""
        stats = self._stats
        for code, n in Counter(codes).items():
            stats[code]["mentions"] += n
        root_types = table["root_type"].tolist()
        for values, counter in ((table["label"].tolist(), "labels"), (table["alias"].tolist(), "aliases"),
                                (root_types, "root_types")):
            for (code, value), n in Counter(zip(codes, values)).items():
                counts = stats[code][counter]
                counts[value] = counts.get(value, 0) + n
        for row, (code, level, root_type) in enumerate(zip(codes, table["level"].tolist(), root_types), first_row):
            own = stats[code]
            if own["first"] is None:
                own["first"] = (row, root_type)
            if own["lowest"] is None or (level, row) < own["lowest"][:2]:
                own["lowest"] = (level, row, root_type)
        for code, alias, reading in zip(codes, table["alias"].tolist(), table["ambiguous"].tolist()):
            if reading:
                stats[code]["ambiguous"].add((alias, reading))

    def person_counts(self) -> Counter:
        """Mentions per person name (for :func:`merged_names`)."""
        counts: Counter = Counter()
        for (actor, _, kind), stats in zip(self._keys, self._stats):
            if kind == "person":
                counts[actor] += stats["mentions"]
        return counts

    def rename(self, renamed: dict[str, str]) -> None:
        """Apply the corpus's surname merge: a person's one-word name becomes the full name
        (and so does its root, where the person is its own root)."""
        self._check_open()
        self._renamed = dict(renamed)
        self._made.clear()

    def _check_open(self) -> None:
        if self._sealed:
            raise RuntimeError("a summary part of a tally takes no more mentions or names")

    def summary_part(self, bucket: int) -> ActorTally:
        """What :meth:`rollup` of ``bucket`` (and, for bucket 0, :meth:`evidence`) needs, to
        send to another machine: the per-key statistics and strongest sentences of that
        bucket's actors only, its units (in memory), the other evidence candidates for
        bucket 0; nothing more can be added to it. After :meth:`regroup`."""
        names, root_of = self._roots()
        buckets = self._grouped()
        view = copy.copy(self)
        view._sealed, view._units = True, self._units.only(bucket)
        view._made = {"roots": (names, root_of), "grouped": buckets}
        view._stats = [stats if root % buckets == bucket else None
                       for stats, root in zip(self._stats, root_of.tolist())]
        view._evidence = self._evidence.part(root_of, bucket, buckets)
        return view

    def _renamed_key(self, key: tuple[str, str, str]) -> tuple[str, str]:
        actor, root, kind = key
        if kind == "person" and actor in self._renamed:
            return self._renamed[actor], self._renamed.get(root, root)
        return actor, root

    def rename_map(self) -> dict[str, str]:
        """The names the surname merge changed, old → new (for the mention rows)."""
        return dict(self._renamed)

    # ---------------------------------------------------------------- tables
    def _roots(self) -> tuple[list[str], np.ndarray]:
        """Each key's rolled-up actor after the renaming, and its root's number (roots in name order)."""
        if "roots" not in self._made:
            roots = [self._renamed_key(k)[1] for k in self._keys]
            names = sorted(set(roots))
            number = {name: i for i, name in enumerate(names)}
            self._made["roots"] = names, np.array([number[r] for r in roots], dtype=np.int32)
        return self._made["roots"]

    def root_names(self) -> list[str]:
        """The rolled-up actors' names, by their number in :meth:`unit_tables` (name order)."""
        return self._roots()[0]

    def regroup(self) -> int:
        """Sort the units into buckets of rolled-up actors (once everything is added and
        renamed); returns the number of buckets, which :meth:`rollup` takes one at a time."""
        return self._grouped()

    def _grouped(self) -> int:
        if "grouped" not in self._made:
            self._units.regroup(self._roots()[1])
            self._made["grouped"] = self._units.buckets
        return self._made["grouped"]

    def unit_tables(self) -> Iterator[pd.DataFrame]:
        """Per rolled-up actor and article, a bucket of actors at a time: ``root`` (the
        actor's number in :meth:`root_names`), ``position`` (the article's), ``sum``
        (polarity summed), ``size`` (mentions); sorted by root and position; 4-byte
        numbers but the sums. Each actor's units are in one bucket (a summary part has its own)."""
        self._grouped()
        yield from self._units.tables()

    def rollup(self, *, n_boot: int, seed: int, confidence: float = 0.95, max_evidence: int = 3,
               min_units: int = MIN_UNITS, bucket: int | None = None) -> pd.DataFrame:
        """One row per rolled-up actor, as :func:`workbench.sentiment.aggregate_actors`
        with ``by="root"`` gives for a corpus's mentions (units: articles). ``bucket``: only
        the actors of that bucket of :meth:`regroup` (an actor's row depends on its own
        statistics alone, so the buckets made apart and sorted together are the whole)."""
        names, root_of = self._roots()
        if not names:
            return pd.DataFrame(columns=ROLLUP_COLUMNS)
        if bucket is None:
            parts = [self.rollup(n_boot=n_boot, seed=seed, confidence=confidence, max_evidence=max_evidence,
                                 min_units=min_units, bucket=b) for b in range(self.regroup())]
            return joined(parts)
        buckets = self._grouped()
        units = self._units.table(bucket)
        bounds = np.searchsorted(units["root"].to_numpy(), np.arange(len(names) + 1)).tolist()
        all_sums, all_counts = units["sum"].to_numpy(float), units["size"].to_numpy(float)
        chosen = range(bucket, len(names), buckets)
        sums = [all_sums[bounds[i]:bounds[i + 1]] for i in chosen]
        counts = [all_counts[bounds[i]:bounds[i + 1]] for i in chosen]
        intervals = bootstrap_intervals(sums, [names[i] for i in chosen], counts=counts, n_boot=n_boot,
                                        confidence=confidence, seed=seed, min_units=min_units)
        members: list[list[int]] = [[] for _ in names]
        for code, root in enumerate(root_of.tolist()):
            members[root].append(code)
        evidence = self._evidence.strongest(root_of, max_evidence, bucket, buckets)
        rows = []
        for i, own_sums, own_counts, (low, high) in zip(chosen, sums, counts, intervals):
            name = names[i]
            n, labels, aliases, flagged, kind, actors = self._actor_statistics(name, members[i])
            rows.append({
                "actor": name, "type": kind, "parent": "", "root": name, "level": 0,
                "aliases": sorted(aliases, key=lambda a: (-aliases[a], a)), "members": actors,
                "mentions": n, "units": len(own_sums),
                "positive": labels.get("positive", 0), "neutral": labels.get("neutral", 0),
                "negative": labels.get("negative", 0), "score": ratio_of_sums(own_sums, own_counts),
                "ci_low": low, "ci_high": high, "ambiguous": flagged, "evidence": evidence.get(i, []),
            })
        return joined([pd.DataFrame(rows, columns=ROLLUP_COLUMNS)])

    def _actor_statistics(self, name: str, codes: list[int]) -> tuple:
        """A rolled-up actor's keys' statistics added up: mentions, label and alias counts,
        its ambiguity notes (sorted), its type (the one most of its mentions give it; a tie
        keeps the type it first had under its own name, else at its lowest level) and its
        member names (sorted)."""
        actors = [self._renamed_key(self._keys[code])[0] for code in codes]
        if len(codes) == 1:  # most actors: one key, its counts as they are
            stats = self._stats[codes[0]]
            n, labels, aliases, root_types = stats["mentions"], stats["labels"], stats["aliases"], stats["root_types"]
            ambiguous = [(actors[0], stats["ambiguous"])]
        else:
            n, labels, aliases, root_types = 0, Counter(), Counter(), Counter()
            for code in codes:
                stats = self._stats[code]
                n += stats["mentions"]
                labels.update(stats["labels"])
                aliases.update(stats["aliases"])
                root_types.update(stats["root_types"])
            ambiguous = [(actor, self._stats[code]["ambiguous"]) for actor, code in zip(actors, codes)]
        flagged = {f"{a} may mean {o}" if " or " in o else f"{a} → {actor} (not {o})"
                   for actor, readings in ambiguous for a, o in readings}
        own = [self._stats[code]["first"] for actor, code in zip(actors, codes) if actor == name]
        first_type = min(own)[1] if own else min(self._stats[code]["lowest"] for code in codes)[2]
        top = max(root_types.values())
        kind = first_type if root_types.get(first_type, 0) == top else min(t for t, k in root_types.items() if k == top)
        return n, labels, aliases, sorted(flagged), kind, sorted(set(actors))

    def evidence(self) -> pd.DataFrame:
        """Each rolled-up actor's most negative and most positive sentences (three each; a
        sentence cited as negative is not cited again as positive)."""
        return self._evidence.table(*self._roots())

    def by_article_value(self, values: np.ndarray, name: str, *, skip: str | None = None) -> pd.DataFrame:
        """Rolled-up actor × ``values`` (one per article position, e.g. its month or topic):
        mentions and mean polarity; articles whose value is ``skip`` are left out."""
        names, _ = self._roots()
        values = pd.Series(values).to_numpy()
        parts = []
        for units in self.unit_tables():
            frame = units.assign(value=values[units["position"].to_numpy()] if len(units) else [])
            if skip is not None:
                frame = frame[frame["value"] != skip]
            parts.append(frame.groupby(["root", "value"], sort=True)[["sum", "size"]].sum().reset_index())
        parts = [p for p in parts if not p.empty]
        if not parts:
            return pd.DataFrame(columns=["root", name, "mentions", "score"])
        grouped = pd.concat(parts, ignore_index=True).sort_values(["root", "value"], kind="stable")  # names sorted
        return pd.DataFrame({"root": [names[r] for r in grouped["root"]], name: grouped["value"].tolist(),
                             "mentions": grouped["size"].to_numpy(np.int64),
                             "score": grouped["sum"].to_numpy(float) / grouped["size"].to_numpy(float)})


def joined(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Rolled-up actors (tables of buckets, or one) as one table in the order of the
    report: mentions descending, then name."""
    table = pd.concat([p for p in parts if not p.empty] or parts[:1], ignore_index=True)
    return table.sort_values(["mentions", "actor"], ascending=[False, True], kind="stable").reset_index(drop=True)
