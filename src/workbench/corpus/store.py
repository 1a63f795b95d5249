"""A corpus's mention rows on disk: Parquet row groups written as partitions arrive, so
the main process never holds them all.

The rows go first to a working file in partition-sized row groups; once the corpus has
been read, :meth:`MentionStore.finish` streams them into the final file with the names
the corpus-wide surname merge changed and each article's topic, in row groups of a fixed
number of rows (so the file's bytes do not depend on how the corpus was partitioned).
Both files live in a temporary folder that goes when the store does.
"""
from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["MentionStore", "ROW_GROUP"]

#: Rows per row group of the final file.
ROW_GROUP = 65_536


class MentionStore:
    """Mention rows appended a partition at a time, then finished into one Parquet file."""

    def __init__(self) -> None:
        self._folder = Path(tempfile.mkdtemp(prefix="workbench-mentions-"))
        self._cleanup = weakref.finalize(self, shutil.rmtree, self._folder, ignore_errors=True)
        self._raw = self._folder / "raw.parquet"
        self._writer = None
        self._schema = None
        self._columns: list[str] | None = None
        self.rows = 0
        self.path: Path | None = None  # the final file, once finished

    def append(self, table: pd.DataFrame) -> None:
        """Keep a partition's mention rows (those of the first one fix the columns' types)."""
        if table.empty:
            return
        import pyarrow as pa
        import pyarrow.parquet as pq

        if self._writer is None:
            self._columns = list(table.columns)
            self._schema = pa.Schema.from_pandas(table, preserve_index=False)
            self._writer = pq.ParquetWriter(self._raw, self._schema, compression="zstd")
        self._writer.write_table(pa.Table.from_pandas(table[self._columns], schema=self._schema, preserve_index=False))
        self.rows += len(table)

    def finish(self, renamed: Mapping[str, str], topics: Mapping[str, int], columns: list[str]) -> Path:
        """Write the final file: person names renamed (``renamed``; a root too where the
        person is its own), each row's article's topic added (``topics``: article id →
        topic); an empty table with ``columns`` when there are no rows."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        final = self._folder / "mentions.parquet"
        if self._writer is None:
            frame = pd.DataFrame({name: [] for name in [*columns, "topic"]})
            frame.to_parquet(final, index=False, engine="pyarrow", compression="zstd")
            self.path = final
            return final
        self._writer.close()
        writer = None
        try:
            for frame in self._fixed_groups():
                frame = _renamed(frame, renamed)
                frame["topic"] = frame["article"].map(topics).to_numpy(np.int64)
                table = pa.Table.from_pandas(frame, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(final, table.schema, compression="zstd")
                writer.write_table(table, row_group_size=ROW_GROUP)
        finally:
            if writer is not None:
                writer.close()
        self._raw.unlink()
        self.path = final
        return final

    def _fixed_groups(self) -> Iterator[pd.DataFrame]:
        """The working file's rows in frames of exactly :data:`ROW_GROUP` rows (the last: the rest)."""
        import pyarrow.parquet as pq

        pending: list[pd.DataFrame] = []
        held = 0
        for batch in pq.ParquetFile(self._raw).iter_batches(batch_size=ROW_GROUP):
            pending.append(batch.to_pandas())
            held += batch.num_rows
            while held >= ROW_GROUP:
                frame = pd.concat(pending, ignore_index=True)
                yield frame.iloc[:ROW_GROUP].reset_index(drop=True)
                pending, held = [frame.iloc[ROW_GROUP:]], held - ROW_GROUP
        if held:
            yield pd.concat(pending, ignore_index=True)

    def read(self) -> pd.DataFrame:
        """The final file as one DataFrame (every row in memory)."""
        if self.path is None:
            raise RuntimeError("the mention store is not finished")
        return pd.read_parquet(self.path, engine="pyarrow")


def _renamed(frame: pd.DataFrame, renamed: Mapping[str, str]) -> pd.DataFrame:
    """The surname merge on a frame of rows (see :func:`workbench.corpus.tally.merged_names`)."""
    if not renamed:
        return frame
    rows = frame["type"].eq("person") & frame["actor"].isin(renamed)
    if rows.any():
        own_root = rows & frame["root"].isin(renamed)
        frame.loc[rows, "actor"] = frame.loc[rows, "actor"].map(renamed)
        frame.loc[own_root, "root"] = frame.loc[own_root, "root"].map(renamed)
    return frame
