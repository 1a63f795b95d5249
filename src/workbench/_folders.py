"""Report folders on disk: a report only ever replaces a report, is swapped in whole, and
the hidden folders of runs that died are cleaned up by the next run.

A run works in ``.<slug>.wbtmp-XXXXXXXX`` beside its target, holding an exclusive
``flock`` on it while it lives; the finished folder replaces an older report in one
step (``renameat2(RENAME_EXCHANGE)``), or, where the file system cannot, through a
locked ``.<slug>.wbold-XXXXXXXX`` folder that is put back if the process dies between
the two renames. :func:`clean_stale_folders` removes (or restores) what dead runs left.
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from ._data import display_path
from ._io import current_umask, read_user_file
from .errors import InputError, ReportError

__all__ = ["MANIFEST", "MAX_MANIFEST_BYTES", "is_report", "refuse_to_replace", "locked_folder", "clean_stale_folders",
           "replace_dir"]

log = logging.getLogger(__name__)

MANIFEST = "manifest.json"
#: Largest manifest read (a real one is a few kB).
MAX_MANIFEST_BYTES = 1_000_000


def is_report(path: Path) -> bool:
    """Whether ``path`` is a report folder the workbench made (its manifest has a fingerprint)."""
    if path.is_symlink() or not path.is_dir():
        return False
    try:
        manifest = json.loads(read_user_file(path / MANIFEST, what="a report manifest",
                                             max_bytes=MAX_MANIFEST_BYTES).decode("utf-8"))
    except (InputError, ValueError, RecursionError):
        return False
    return isinstance(manifest, dict) and isinstance(manifest.get("fingerprint"), str)


def refuse_to_replace(path: Path) -> None:
    """A report only ever replaces a report: anything else at its path is the user's."""
    if (path.exists() or path.is_symlink()) and not is_report(path):
        what = "folder" if path.is_dir() and not path.is_symlink() else "file"
        raise ReportError(f"{display_path(path)}: a {what} that is not a workbench report is in the way; "
                          "not replacing it (move it, or choose another --output-dir)")


#: Names of the hidden folders runs work in: ``.<slug>.wbtmp-XXXXXXXX`` (a report being
#: made) and ``.<slug>.wbold-XXXXXXXX`` (an old report during a swap).
_STALE = re.compile(r"^\.(?P<slug>.+)\.wb(?P<kind>tmp|old)-[a-z0-9_]{8}$")


def locked_folder(parent: Path, prefix: str) -> tuple[Path, int]:
    """A new hidden folder in ``parent`` and a descriptor holding an exclusive lock on it:
    while this process lives, :func:`clean_stale_folders` leaves the folder alone."""
    import fcntl

    while True:
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.stat(folder).st_ino == os.fstat(fd).st_ino:  # not removed by a cleaner before the lock
                os.chmod(folder, 0o777 & ~current_umask())  # mkdtemp makes 0700 folders
                return folder, fd
        except OSError:
            pass
        os.close(fd)


def clean_stale_folders(out_root: Path) -> list[str]:
    """Remove the hidden work folders of runs that died (killed, power lost) in ``out_root``;
    a report caught between the two renames of a swap is put back first. Folders of runs
    still going are locked and kept. Returns the names removed."""
    import fcntl

    removed = []
    try:
        entries = sorted(os.scandir(out_root), key=lambda e: e.name)
    except OSError:
        return removed
    for entry in entries:
        match = _STALE.match(entry.name)
        if not match or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # a live run holds it
            os.close(fd)
            continue
        try:
            kept = Path(entry.path) / match["slug"]
            target = out_root / match["slug"]
            if match["kind"] == "old" and is_report(kept) and not (target.exists() or target.is_symlink()):
                os.rename(kept, target)
                log.warning("restored %s from an interrupted run", display_path(target))
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(entry.name)
        finally:
            os.close(fd)
    return removed


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux ``renameat2(RENAME_EXCHANGE)``); False where the
    system or file system cannot."""
    import ctypes
    import errno

    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def replace_dir(src: Path, dst: Path) -> None:
    """Move folder ``src`` to ``dst``, replacing an older report at ``dst``, so that at every
    moment ``dst`` holds the old or the new report whole: a new path is one rename, an old
    report is swapped in one step where the system can, else kept in a hidden
    ``.<name>.wbold-*`` folder that the next run puts back if this one dies in between.
    Safe when another process replaces the same ``dst`` at the same time (the last wins)."""
    for _ in range(20):
        if not (dst.exists() or dst.is_symlink()):
            try:
                os.rename(src, dst)
                return
            except OSError:  # someone else put a dst there in between: go round again
                continue
        refuse_to_replace(dst)
        if _exchange(src, dst):
            shutil.rmtree(src, ignore_errors=True)  # the old report, now at src
            return
        old, lock = locked_folder(dst.parent, f".{dst.name}.wbold-")
        kept = old / dst.name
        try:
            try:
                os.replace(dst, kept)
            except FileNotFoundError:
                continue
            try:
                os.rename(src, dst)
                return
            except OSError:  # someone else put a dst there in between: go round again
                continue
        finally:
            if kept.exists() and not (dst.exists() or dst.is_symlink()):
                try:  # interrupted or failed in between: the old report goes back
                    os.rename(kept, dst)
                except OSError:
                    pass  # left in the locked folder: the next run's clean_stale_folders restores it
            if not kept.exists() or dst.exists():
                shutil.rmtree(old, ignore_errors=True)
            os.close(lock)
    raise ReportError(f"could not move the report into {display_path(dst)}: it keeps being replaced")
