"""Tasks on a Dask distributed cluster, with the interface of :class:`workbench._parallel.Workers`.

:class:`ClusterWorkers` sends the same pure, module-level task functions the forked
workers run to the workers of a Dask scheduler. Their shared read-only ``state`` (the
compiled actor matcher, the scorer) is pickled once and broadcast to every worker; a
task reads it with :func:`workbench._parallel.worker_state`, as in a forked worker.
Results are taken in the order the caller asks for them, so the outcome depends on the
tasks alone, not on how many workers there are or which ran what. A worker lost
mid-task is Dask's to handle: the scheduler runs the task again on another worker (up
to its ``allowed-failures``), and the caller sees only the result.
"""
from __future__ import annotations

import itertools
import pickle
import threading
from collections.abc import Callable
from typing import Any

from ._parallel import _STATE, call_recording_warnings, rewarn
from .errors import MissingDependencyError, WorkbenchError

__all__ = ["ClusterWorkers", "require_dask", "check_scheduler"]

_MISSING = "--scheduler needs the Dask extra: pip install 'workbench[dask]'"

_STATE_LOCK = threading.Lock()  # a Dask worker runs tasks in threads: the state is set once per object


def require_dask() -> None:
    """Raise the one-line :class:`MissingDependencyError` unless Dask distributed is installed."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise MissingDependencyError(_MISSING) from None


def check_scheduler(address: str, *, timeout: float = 30) -> None:
    """One line (:class:`WorkbenchError`) unless ``address`` is ``tcp://host:port`` (or
    ``host:port``) and something listens there: checked with a plain TCP connection
    before any Dask client exists (a client that fails to connect reports its failure
    again on stderr when it is collected)."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if parts.scheme != "tcp" or not parts.hostname or port is None:
        raise WorkbenchError(f"a Dask scheduler address is tcp://host:port, not {address!r}")
    try:
        socket.create_connection((parts.hostname, port), timeout=timeout).close()
    except OSError as exc:
        raise WorkbenchError(f"no Dask cluster to work on at {address} ({type(exc).__name__})") from None


def _run_with_state(fn: Callable, state: dict[str, Any], args: tuple) -> Any:
    """Run ``fn(*args)`` on a Dask worker with a private copy of ``state`` as its
    :func:`worker_state`, made the first time these objects are seen here.

    The copy, not the objects Dask holds: tasks grow caches inside them (the name
    tagger's and the scorer's tables of words seen), while Dask may serialise the objects
    it holds at any moment to send them to another worker; serialised in the middle of
    a task's update, the other worker's copy would be inconsistent. The received objects
    are never changed, so what Dask sends is what the main process broadcast."""
    values = tuple(state.values())  # the same objects for every task (Dask resolves the same data)
    with _STATE_LOCK:
        source = _STATE.get("_cluster_source")
        if source is None or len(source) != len(values) or any(a is not b for a, b in zip(source, values)):
            private = pickle.loads(pickle.dumps(dict(state), protocol=pickle.HIGHEST_PROTOCOL))
            _STATE.clear()
            _STATE.update(private, _cluster_source=values)  # held: their ids cannot be reused meanwhile
    return call_recording_warnings(fn, args)


class ClusterWorkers:
    """The workers of the Dask scheduler at ``address``, used like :class:`Workers`.

    Args:
        address: The scheduler's address, e.g. ``tcp://host:8786``.
        state: Read-only objects every task may use, broadcast to each worker once.
        timeout: Seconds to wait for the scheduler, and then for a first worker
            (default :attr:`timeout`).
    """

    parallel = True
    timeout: float = 30

    def __init__(self, address: str, *, state: dict[str, Any] | None = None, timeout: float | None = None) -> None:
        self.address = address
        self._state = dict(state or {})
        self._timeout = self.timeout if timeout is None else timeout
        self._client = None
        self._config = None  # Dask's configuration while the client is open
        self._state_future = None
        self._keys = itertools.count()
        self.n_jobs = 1

    def __enter__(self) -> ClusterWorkers:
        require_dask()
        import dask
        from distributed import Client

        check_scheduler(self.address, timeout=self._timeout)
        # The client keeps its last 1,000 messages under 1 MB for debugging (a task's data
        # is such a message: a corpus of a million articles would hold 500 MB of them), and
        # warns on stderr of task data over 10 MB (a bucket of actor units): neither here.
        self._config = dask.config.set({"distributed.admin.low-level-log-length": 0,
                                        "distributed.admin.large-graph-warning-threshold": "1TB"})
        self._config.__enter__()
        try:
            self._client = Client(self.address, timeout=self._timeout, set_as_default=False)
            self._client.wait_for_workers(1, timeout=self._timeout)
        except Exception as exc:  # noqa: BLE001 - whatever stops the connection, one line
            if self._client is not None:
                self._client.close()
            self._config.__exit__(None, None, None)
            raise WorkbenchError(f"no Dask cluster to work on at {self.address} ({type(exc).__name__})") from None
        self.n_jobs = max(1, sum(self._client.nthreads().values()))
        self._state_future = self._client.scatter(self._state, broadcast=True, hash=False) if self._state else {}
        return self

    def __exit__(self, *exc_info: object) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()
            self._config.__exit__(None, None, None)

    def submit(self, fn: Callable, *args: Any):
        """Start ``fn(*args)`` on a worker of the cluster."""
        key = f"workbench-{fn.__name__}-{next(self._keys)}"
        return self._client.submit(_run_with_state, fn, self._state_future, args, key=key, pure=False)

    @staticmethod
    def result(future) -> Any:
        """The task's return value (its exception raised here), its warnings re-raised."""
        return rewarn(*future.result())
