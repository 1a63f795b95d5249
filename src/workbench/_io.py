"""Files in and out: every file the workbench writes goes through here (deterministic,
atomic), and every file a user gives is checked here before it is read (a regular file,
within its size limit)."""
from __future__ import annotations

import hashlib
import io
import json
import math
import os
import stat
import tempfile
import zipfile
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ._data import display_path
from .errors import InputError

__all__ = ["check_regular_file", "read_user_file", "PlainRows", "plain_rows", "write_csv_tables", "write_json_atomic",
           "write_text_atomic",
           "write_bytes_atomic", "canonical_json", "plain", "current_umask", "sha256_file",
           "sha256_unchanged_file", "write_npz_atomic", "read_model_file"]

#: Decimal places kept for floats written to results (stable across BLAS builds).
FLOAT_DIGITS = 6


class PlainRows(list):
    """Rows already in plain JSON types (:func:`plain_rows`): :func:`plain` keeps them as
    they are instead of copying every row again."""


def plain_rows(frame: Any) -> PlainRows:
    """A DataFrame's rows as plain dicts (what ``to_dict(orient="records")`` and then
    :func:`plain` give), converted column by column: one copy of a big table, not two."""
    names = [str(c) for c in frame.columns]
    columns = [plain(frame[c].tolist()) for c in frame.columns]
    return PlainRows(dict(zip(names, row)) for row in zip(*columns))


def plain(obj: Any) -> Any:
    """``obj`` as plain JSON types: numpy scalars and arrays converted, floats rounded,
    NaN/inf turned into None, tuples into lists."""
    if isinstance(obj, PlainRows):
        return obj
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, np.ndarray)):
        return [plain(v) for v in obj]
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        if not math.isfinite(value):
            return None
        value = round(value, FLOAT_DIGITS)
        return 0.0 if value == 0 else value  # no "-0.0"
    return obj


def canonical_json(obj: Any) -> str:
    """Sorted keys, two-space indent, UTF-8 text, trailing newline."""
    return json.dumps(plain(obj), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def check_regular_file(path: str | os.PathLike[str], *, what: str, max_bytes: int | None = None) -> int:
    """The size of a user-supplied file, after checking it is a regular file within
    ``max_bytes``, without opening it (a FIFO would block, a device never end).

    Raises:
        InputError: missing, a folder, a FIFO/device/socket, or too large; one line
            naming the file and ``what`` it should be.
    """
    shown = display_path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{shown}: no such file", path=shown) from None
    except (OSError, ValueError) as exc:  # ENAMETOOLONG, ELOOP, a NUL in the name
        raise InputError(f"{shown}: cannot be read ({getattr(exc, 'strerror', None) or exc})", path=shown) from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{shown}: is a directory, expected {what}", path=shown)
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{shown}: is not a regular file (a pipe, device or socket), expected {what}", path=shown)
    if max_bytes is not None and info.st_size > max_bytes:
        raise InputError(f"{shown}: file is {info.st_size:,} bytes, larger than the {max_bytes:,}-byte limit for "
                         f"{what}", path=shown)
    return info.st_size


def read_user_file(path: str | os.PathLike[str], *, what: str, max_bytes: int, empty_ok: bool = False) -> bytes:
    """The bytes of a user-supplied file (:func:`check_regular_file` first); at most
    ``max_bytes`` are read, whatever size the file claims (``/proc`` files claim 0). An
    empty file is refused unless ``empty_ok`` (the caller then says what is wrong with it).

    Raises:
        InputError: as :func:`check_regular_file`, or the file cannot be read.
    """
    shown = display_path(path)
    if check_regular_file(path, what=what, max_bytes=max_bytes) == 0 and not empty_ok:  # also what /proc files claim
        raise InputError(f"{shown}: the file is empty", path=shown)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{shown}: cannot be read ({exc.strerror})", path=shown) from None
    if len(raw) > max_bytes:
        raise InputError(f"{shown}: larger than the {max_bytes:,}-byte limit for {what}", path=shown)
    return raw


def write_csv_tables(folder: str | os.PathLike[str], tables: dict[str, Any]) -> list[Path]:
    """Each DataFrame of ``tables`` as ``<folder>/<name>.csv`` (atomically), for people to
    take away: lists joined by "; ", floats to two decimals, no index; ``pandas.read_csv``
    and spreadsheets open them. ``results.json`` keeps the full precision. A table may
    also be an iterable of DataFrames (batches of its rows, written one after another)."""
    written = []
    for name, table in sorted(tables.items()):
        batches = [table] if hasattr(table, "to_csv") else table
        blocks = (_csv_text(frame, header=i == 0).encode("utf-8") for i, frame in enumerate(batches))
        written.append(write_bytes_atomic(Path(folder) / f"{name}.csv", blocks))
    return written


def _csv_text(frame: Any, header: bool) -> str:
    shown = frame.copy()
    for column in shown.columns:
        if shown[column].map(lambda v: isinstance(v, (list, tuple))).any():
            shown[column] = shown[column].map(lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple))
                                              else v)
    return shown.to_csv(index=False, header=header, float_format="%.2f", lineterminator="\n")


def write_json_atomic(path: str | os.PathLike[str], obj: Any) -> Path:
    """:func:`canonical_json` of ``obj`` written atomically, encoded piece by piece (a
    results file of 100,000 mentions is never one string in memory)."""
    encoder = json.JSONEncoder(sort_keys=True, indent=2, ensure_ascii=False)
    pieces = encoder.iterencode(plain(obj))

    def blocks():
        buffer: list[str] = []
        for piece in pieces:
            buffer.append(piece)
            if len(buffer) >= 8192:
                yield "".join(buffer).encode("utf-8")
                buffer.clear()
        buffer.append("\n")
        yield "".join(buffer).encode("utf-8")

    return write_bytes_atomic(path, blocks())


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes | Iterable[bytes]) -> Path:
    """Write ``data`` (bytes, or an iterable of byte blocks) to a temporary file beside
    ``path``, then rename it into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, (bytes, bytearray, memoryview)):
                fh.write(data)
            else:
                for block in data:
                    fh.write(block)
        os.chmod(tmp, 0o666 & ~current_umask())  # mkstemp makes 0600 files
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def current_umask() -> int:
    """The process umask (read by setting and restoring it)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """:func:`write_bytes_atomic` for UTF-8 text."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=256)
def _sha256_cached(path: str, mtime_ns: int, size: int) -> str:
    return sha256_file(path)


def sha256_unchanged_file(path: str | os.PathLike[str]) -> str:
    """:func:`sha256_file`, hashed once per process while size and mtime stay the same
    (a batch plans many jobs over the same data files; the 90 MB encoder is checked once)."""
    path = Path(path)
    stat = path.stat()
    return _sha256_cached(str(path.resolve()), stat.st_mtime_ns, stat.st_size)


def write_npz_atomic(path: str | os.PathLike[str], arrays: dict[str, np.ndarray]) -> Path:
    """Arrays as a zip of ``.npy`` files (what ``numpy.load`` reads), without pickles and
    with fixed entry dates, so the same arrays give the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            data = io.BytesIO()
            np.lib.format.write_array(data, np.asarray(array), allow_pickle=False)
            zf.writestr(entry, data.getvalue())
    return write_bytes_atomic(path, buffer.getvalue())


def read_model_file(model: str | os.PathLike[str], *, default: str, what: str,
                    hint: str) -> tuple[dict[str, np.ndarray], str, str]:
    """Every array of a model file, read once and without pickles, with the file as shown
    in outputs and its sha256. ``model`` is a path, or "default" for the shipped file
    ``default`` (:func:`~workbench._data.data_path`).

    Raises:
        InputError: the file is missing, not a regular file, or not a readable zip of
            arrays; the message names the file, ``what`` it should be and the ``hint``.
    """
    from ._data import data_path

    path = data_path(default) if str(model) == "default" else Path(model)
    shown = display_path(path)
    if not path.exists():
        raise InputError(f"{shown}: {what} not found; {hint}", path=shown)
    raw = read_user_file(path, what=what, max_bytes=MAX_MODEL_BYTES, empty_ok=True)  # empty: not a readable zip
    try:
        with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise InputError(f"{shown}: not a readable {what} ({type(exc).__name__}); {hint}", path=shown) from None
    return arrays, shown, hashlib.sha256(raw).hexdigest()


#: Largest model file read (the shipped ones are 3 MB).
MAX_MODEL_BYTES = 500_000_000
