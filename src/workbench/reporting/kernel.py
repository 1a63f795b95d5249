"""The Jupyter kernel reports run on: registered for this Python, and reached over Unix
sockets (parallel runs cannot race for TCP ports)."""

import json
import logging
import os
import sys
from pathlib import Path

from .._data import (
    display_path,
)
from .._io import write_text_atomic
from ..errors import InputError

log = logging.getLogger(__name__)


#: The Jupyter kernel the project registers (``make`` installs it into ``.venv``).
KERNEL_NAME = "workbench"


def ensure_kernel(name: str = KERNEL_NAME) -> Path:
    """Make kernel ``name`` resolve to this Python, whatever other kernels exist.

    Writes the kernel spec into ``sys.prefix/share/jupyter`` when it is missing or
    points elsewhere, and puts that folder first on ``JUPYTER_PATH`` for this process
    (and the kernels it starts), so a same-named kernel elsewhere cannot shadow it.
    Returns the kernel spec file. ``make`` calls it (``workbench kernel``) at set-up.
    """
    share = Path(sys.prefix) / "share" / "jupyter"
    spec_file = share / "kernels" / name / "kernel.json"
    # log_level=CRITICAL: ipykernel 7 warns on every start that loopback TCP is unencrypted, and
    # logs an interrupt at shutdown; neither helps a report reader.
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", "--IPKernelApp.log_level=CRITICAL"]
    try:
        current = json.loads(spec_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = {}
    if current.get("argv") != argv:
        spec = {"argv": argv, "display_name": "Python (workbench)", "language": "python",
                "metadata": {"debugger": True}}
        write_text_atomic(spec_file, json.dumps(spec, indent=1) + "\n")
    paths = [str(share)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != str(share)]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(paths)
    return spec_file


def kernel_path(path: Path) -> str:
    """A path as the kernel gets it: as :func:`display_path` writes it (``data/…``, relative
    to the working folder, else absolute), so ``report.ipynb`` holds no checkout or venv
    path; the notebook reads it back with :func:`resolve_path`. It travels as JSON
    (UTF-8): a file name that is not valid UTF-8 is refused here, in one line."""
    try:
        str(path.resolve()).encode("utf-8")
    except UnicodeEncodeError:
        shown = display_path(path)
        raise InputError(f"{shown}: the file name is not valid UTF-8; rename the file (e.g. convmv -f latin1 -t utf-8)",
                         path=shown) from None
    return display_path(path)


def ipc_kernel_manager():
    """A kernel manager that talks to its kernel over Unix sockets, not TCP ports: parallel
    runs cannot race for the same port (papermill's known failure in batch runs)."""
    global _IPC_MANAGER
    if _IPC_MANAGER is None:
        from jupyter_client.manager import AsyncKernelManager
        from traitlets import default

        class IPCKernelManager(AsyncKernelManager):
            @default("transport")
            def _default_transport(self) -> str:
                return "ipc"

        _IPC_MANAGER = IPCKernelManager
    return _IPC_MANAGER


_IPC_MANAGER = None
