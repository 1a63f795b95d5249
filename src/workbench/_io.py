"""Deterministic, atomic file output: every file the workbench writes goes through here."""
from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["write_text_atomic", "write_bytes_atomic", "canonical_json", "plain", "current_umask"]

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
