"""A corpus's per-article rows on disk: Parquet row groups written as partitions
arrive, so the main process never holds them all (:class:`RowStore`: the articles and
quotes).

The mention rows (:class:`MentionStore`) go first to a working file in row groups of
:data:`WORKING_GROUP` rows (a corpus with fewer keeps them in memory, and never writes
it); once the corpus has been read, :meth:`MentionStore.finish` streams them into
the final file with the names the corpus-wide surname merge changed and each article's
topic, in row groups of a fixed number of rows (so the file's bytes do not depend on how
the corpus was partitioned). The files live in a temporary folder that goes when the store does.
"""
from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from .._io import PlainRows

__all__ = ["MentionStore", "RowStore", "ROW_GROUP", "system_memory"]

#: Rows per row group of the final file.
ROW_GROUP = 16_384
#: Rows held before they are written to a working file, as one row group.
WORKING_GROUP = 65_536


@contextmanager
def system_memory() -> Iterator[None]:
    """Arrow (and pandas' Arrow-backed strings) allocating with the C library's malloc
    while inside, not mimalloc, which keeps the memory of freed buffers: over a corpus of
    40,000 articles the main process peaked 130 MB higher with it. Usable as a decorator."""
    import pyarrow as pa

    previous = pa.default_memory_pool()
    pa.set_memory_pool(pa.system_memory_pool())
    try:
        yield
    finally:
        pa.set_memory_pool(previous)


class RowStore:
    """Rows appended a partition at a time to a Parquet file in a temporary folder (gone
    with the store), then closed and read back whole, in batches, or as plain records."""

    def __init__(self, name: str = "rows", columns: Sequence[str] = ()) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix=f"workbench-{name}-"))
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._folder, ignore_errors=True)
        self._name = name
        self._raw = self._folder / "raw.parquet"
        self._writer = None
        self._schema = None
        self._columns: list[str] | None = list(columns) or None
        self._pending: list = []  # Arrow tables not yet written
        self._pending_rows = 0
        self.rows = 0
        self.path: Path | None = None  # the file to read, once closed (finished)

    def append(self, table: pd.DataFrame) -> None:
        """Keep a partition's rows (those of the first one fix the columns' types)."""
        if table.empty:
            return
        import pyarrow as pa
        import pyarrow.parquet  # noqa: F401  (imported while workers analyse partitions, not when the files are written)

        if self._schema is None:
            self._columns = list(table.columns)
            self._schema = pa.Schema.from_pandas(table, preserve_index=False)
        # one thread: Arrow would start a pool of threads for every partition's table (more time than it saves)
        self._pending.append(pa.Table.from_pandas(table[self._columns], schema=self._schema, preserve_index=False,
                                                  nthreads=1))
        self._pending_rows += len(table)
        self.rows += len(table)
        if self._pending_rows >= WORKING_GROUP:
            self._flush()

    def _flush(self) -> None:
        """Write the rows held as one row group (few row groups: the writer keeps each one's
        metadata until the file is closed, ~1 kB a column)."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._pending:
            if self._writer is None:
                self._writer = pq.ParquetWriter(self._raw, self._schema, compression="zstd")
            self._writer.write_table(pa.concat_tables(self._pending), row_group_size=self._pending_rows)
            self._pending, self._pending_rows = [], 0
            pa.default_memory_pool().release_unused()  # Arrow's allocator would keep every partition's blocks

    def close(self) -> Path:
        """Finish writing (an empty table with the columns when no row came)."""
        if self.path is None:
            if not self.rows:
                pd.DataFrame({name: [] for name in self._columns or []}).to_parquet(
                    self._raw, index=False, engine="pyarrow", compression="zstd")
            else:
                self._flush()
                self._writer.close()
            self.path = self._raw
        return self.path

    def read(self) -> pd.DataFrame:
        """The rows as one DataFrame (every row in memory)."""
        return pd.read_parquet(self._closed_path(), engine="pyarrow")

    def batches(self, size: int = ROW_GROUP, *, columns: Sequence[str] | None = None,
                extra: Mapping[str, np.ndarray] | None = None) -> Iterator[pd.DataFrame]:
        """The rows as DataFrames of at most ``size`` rows, in order (one empty one when
        there are none): only ``columns`` if given, with the ``extra`` columns (one value a
        row, in row order) after the rest."""
        if not self.rows:
            yield self.read() if columns is None else self.read()[list(columns)]
        done = 0
        for batch in self._arrow_batches(size, columns):
            frame = batch.to_pandas()
            for name, values in (extra or {}).items():
                frame[name] = values[done:done + len(frame)]
            done += len(frame)
            yield frame

    def records(self, extra: Mapping[str, np.ndarray] | None = None) -> PlainRows:
        """The rows as plain dicts, with the ``extra`` columns, read a batch at a time
        whenever iterated (for a results file encoded piece by piece: the rows are never
        all in memory)."""
        return _StreamedRecords(self, extra or {})

    def _arrow_batches(self, size: int = ROW_GROUP, columns: Sequence[str] | None = None):
        path = self._closed_path()
        if self.rows:
            yield from _sized_tables(path, size, columns)

    def _closed_path(self) -> Path:
        if self.path is None:
            raise RuntimeError(f"the {self._name} store is not finished")
        return self.path


class _StreamedRecords(PlainRows):
    """A store's rows as a list that holds none of them: ``len`` and iteration read the store."""

    def __init__(self, store: RowStore, extra: Mapping[str, np.ndarray]) -> None:
        super().__init__()
        self._store, self._extra = store, extra

    def __len__(self) -> int:  # also its truth: empty when the store is
        return self._store.rows

    def __iter__(self):
        done = 0
        for batch in self._store._arrow_batches():
            rows = batch.to_pylist()
            for name, values in self._extra.items():
                for row, value in zip(rows, values[done:done + len(rows)].tolist()):
                    row[name] = value
            done += len(rows)
            yield from rows


class MentionStore(RowStore):
    """Mention rows appended a partition at a time, then finished into one Parquet file."""

    def __init__(self) -> None:
        super().__init__("mentions")

    def finish(self, renamed: Mapping[str, str], topics: np.ndarray, mentions: np.ndarray, columns: list[str], *,
               progress: bool = False) -> Path:
        """Write the final file: person names renamed (``renamed``; a root too where the
        person is its own), each row's article's topic added (``topics``, one per article in
        corpus order, whose rows come in that order, ``mentions`` of each); an empty table
        with ``columns`` when there are no rows."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        from .._progress import progress_bar

        final = self._folder / "mentions.parquet"
        if not self.rows:
            frame = pd.DataFrame({name: [] for name in [*columns, "topic"]})
            frame.to_parquet(final, index=False, engine="pyarrow", compression="zstd")
            self.path = final
            return final
        if self._writer is not None:  # rows went to the working file: the rest too
            self._flush()
            self._writer.close()
        ends = np.cumsum(np.asarray(mentions, dtype=np.int64))  # an article's rows end before its end
        topics = np.asarray(topics, dtype=np.int64)
        done = 0
        old, new = pa.array(list(renamed), type=pa.string()), pa.array(list(renamed.values()), type=pa.string())
        writer = None
        pool = pa.default_memory_pool()
        bar = progress_bar(desc="mention rows", unit=" rows", total=self.rows, disable=not progress)
        try:
            for table in self._fixed_groups():
                rows = np.arange(done, done + table.num_rows)
                done += table.num_rows
                table = _renamed(table, old, new).append_column(
                    "topic", pa.array(topics[np.searchsorted(ends, rows, side="right")]))
                if writer is None:
                    writer = pq.ParquetWriter(final, table.schema, compression="zstd")
                writer.write_table(table, row_group_size=ROW_GROUP)
                bar.update(table.num_rows)
                pool.release_unused()  # Arrow's allocator keeps freed blocks: one row group's worth is enough
        finally:
            bar.close()
            if writer is not None:
                writer.close()
        self._raw.unlink(missing_ok=True)
        self.path = final
        return final

    def _fixed_groups(self):
        """The rows as Arrow tables of exactly :data:`ROW_GROUP` rows (the last: the rest),
        without the pandas metadata of the partitions' tables (the final file has a column
        more): from the working file, or, when they never filled a working group, from memory."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._writer is None:
            table = pa.concat_tables(self._pending).cast(self._schema.remove_metadata())
            self._pending, self._pending_rows = [], 0
            for at in range(0, table.num_rows, ROW_GROUP):
                yield table.slice(at, ROW_GROUP).combine_chunks()
            return
        schema = pq.read_schema(self._raw).remove_metadata()
        for table in _sized_tables(self._raw, ROW_GROUP):
            yield table.cast(schema)

    def close(self) -> Path:
        raise RuntimeError("a mention store is finished with finish(), not closed")


def _sized_tables(path: Path, size: int, columns: Sequence[str] | None = None):
    """A Parquet file's rows as Arrow tables of exactly ``size`` rows (the last: the rest),
    read a row group at a time (a whole-file reader reads ahead, and its memory grows with
    the file)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    source = pq.ParquetFile(path)
    pending: list = []
    held = 0
    for group in range(source.num_row_groups):
        table = source.read_row_group(group, columns=columns, use_threads=False)
        pending.append(table)
        held += table.num_rows
        while held >= size:
            table = pa.concat_tables(pending)
            yield table.slice(0, size).combine_chunks()
            pending, held = [table.slice(size)], held - size
    if held:
        yield pa.concat_tables(pending).combine_chunks()


def _renamed(table, old, new):
    """The surname merge on an Arrow table of rows (see :func:`workbench.corpus.tally.merged_names`):
    a person's name in ``old`` becomes the one in ``new`` at the same place, and so does
    its root where the root is renamed too."""
    import pyarrow.compute as pc

    if len(old) == 0:
        return table
    person = pc.equal(table["type"], "person")
    actor_at, root_at = pc.index_in(table["actor"], value_set=old), pc.index_in(table["root"], value_set=old)
    rows = pc.and_(person, pc.is_valid(actor_at))
    own_root = pc.and_(rows, pc.is_valid(root_at))
    table = table.set_column(table.schema.get_field_index("actor"), "actor",
                             pc.if_else(rows, new.take(pc.fill_null(actor_at, 0)), table["actor"]))
    return table.set_column(table.schema.get_field_index("root"), "root",
                            pc.if_else(own_root, new.take(pc.fill_null(root_at, 0)), table["root"]))
