"""Deterministic, atomic file output: every file the workbench writes goes through here."""
from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from ._data import display_path
from .errors import InputError

__all__ = ["write_text_atomic", "write_bytes_atomic", "canonical_json", "plain", "current_umask", "sha256_file",
           "sha256_unchanged_file", "write_npz_atomic", "read_npz"]

#: Decimal places kept for floats written to results (stable across BLAS builds).
FLOAT_DIGITS = 6


def plain(obj: Any) -> Any:
    """``obj`` as plain JSON types: numpy scalars and arrays converted, floats rounded,
    NaN/inf turned into None, tuples into lists."""
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


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
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
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            entry = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            data = io.BytesIO()
            np.lib.format.write_array(data, np.asarray(array), allow_pickle=False)
            zf.writestr(entry, data.getvalue())
    return write_bytes_atomic(path, buffer.getvalue())


def read_npz(path: str | os.PathLike[str], *, what: str, hint: str) -> dict[str, np.ndarray]:
    """Every array of a model file, read without pickles.

    Raises:
        InputError: the file is missing or not a readable zip of arrays; the message
            names the file, ``what`` it should be and the ``hint``.
    """
    shown = display_path(path)
    if not Path(path).is_file():
        raise InputError(f"{shown}: {what} not found; {hint}", path=shown)
    try:
        with np.load(path, allow_pickle=False) as npz:
            return {name: npz[name] for name in npz.files}
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError) as exc:
        raise InputError(f"{shown}: not a readable {what} ({type(exc).__name__}); {hint}", path=shown) from None
