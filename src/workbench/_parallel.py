"""Worker processes for the corpus pipeline and the topic model's refits.

:class:`Workers` runs tasks in forked processes (``n_jobs > 1`` on Linux) or inline,
with the same results either way: tasks are pure functions of their arguments, results
are taken in the order asked for, and the warnings a task raised in a worker are raised
again in the caller when its result is taken (so a notebook shows them in the same cell
whatever ``n_jobs``).

Each worker, and the caller while workers run, uses one BLAS thread (spinning BLAS
threads of several processes on the same cores slow every one of them down).

Forking, not spawning: a forked worker starts in milliseconds with the parent's
imports and loaded models (a spawned one would import pandas and scikit-learn again,
longer than a whole BBC-sized corpus takes). Workers ignore Ctrl-C; the caller stops
them.
"""
from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from threadpoolctl import threadpool_limits

__all__ = ["InOrder", "Workers", "effective_jobs", "corpus_collector", "worker_state", "call_recording_warnings",
           "rewarn"]

_STATE: dict[str, Any] = {}
_ACTIVE = threading.local()  # .stack: the Workers with processes entered in this thread
_WARNED: dict = {}  # the warnings registry of re-raised warnings
# Linux only: Windows cannot fork, and macOS's system libraries are not safe in a child
# forked from a process with threads (a Jupyter kernel has several); there, tasks run inline.
_CAN_FORK = sys.platform.startswith("linux")


def effective_jobs(n_jobs: int | None) -> int:
    """Processes for ``n_jobs`` in scikit-learn's convention: None → 1, -1 → every
    core this process may use, -2 → all but one, …"""
    if n_jobs is None:
        return 1
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, int) or n_jobs == 0:
        raise ValueError(f"n_jobs must be a non-zero integer or None, got {n_jobs!r}")
    if n_jobs > 0:
        return n_jobs
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores + 1 + n_jobs)


@contextmanager
def corpus_collector() -> Iterator[None]:
    """The garbage collector set for a corpus run: the objects alive on entry are left out
    of collection (frozen) until exit, and the young objects are collected every 50,000
    allocations instead of 700.

    A full collection walks every object of a big heap (pandas, scikit-learn, a loaded
    model: ~0.1 s each time), and in a forked worker it would also write to, and so
    copy, every page it walks. Garbage made before entry is collected after exit. A
    corpus run makes millions of objects, most of which live on (tallies, vocabularies,
    caches), and the collector kept walking them: on BBC ~0.25 s of the run's 9 s of CPU
    (its processes, forked inside, keep the setting); reference cycles are still
    collected, a little later.
    """
    gc.freeze()
    threshold = gc.get_threshold()
    gc.set_threshold(50_000, *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def worker_state() -> dict[str, Any]:
    """What the :class:`Workers` in use was given as ``state`` (in a worker or inline)."""
    return _STATE


def _start_worker(state: dict[str, Any]) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threadpool_limits(1)  # one BLAS thread a process: n_jobs processes already fill the cores
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    _STATE.clear()
    _STATE.update(state)


def _exit_with_parent(parent: int) -> None:
    """End this worker once its parent is gone (killed, or a Jupyter kernel restarted):
    an orphaned worker would otherwise wait for tasks forever."""
    while os.getppid() == parent:
        time.sleep(0.25)
    os._exit(1)


def call_recording_warnings(fn: Callable, args: tuple) -> tuple[Any, list[warnings.WarningMessage]]:
    """``fn(*args)`` and the warnings it raised (a task's, in a worker)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        return fn(*args), caught


def rewarn(value: Any, caught: list[warnings.WarningMessage]) -> Any:
    """``value``, after raising ``caught`` (a task's warnings) again here, through this
    process's filters ("default" shows each once, as without workers)."""
    for w in caught:
        warnings.warn_explicit(w.message, w.category, w.filename, w.lineno, registry=_WARNED)
    return value


class Workers:
    """``n_jobs`` forked worker processes, or inline execution for one.

    Args:
        n_jobs: As in scikit-learn (None → 1, -1 → all cores).
        state: Read-only objects every task may use (e.g. a compiled matcher), given to
            each worker once at its start (inherited by the fork, not pickled) and
            read with :func:`worker_state`.

    Use as a context manager; ``submit`` a module-level function and its (picklable)
    arguments, then ``result`` each future in the order wanted. Inside another
    ``Workers`` of the same size (in the same thread), one without ``state`` uses the
    outer one's processes instead of forking its own.
    """

    def __init__(self, n_jobs: int | None = None, *, state: dict[str, Any] | None = None) -> None:
        self.n_jobs = effective_jobs(n_jobs)
        self._state = dict(state or {})
        self._pool: ProcessPoolExecutor | None = None
        self._owner = False
        self._saved: dict[str, Any] = {}
        self._blas: threadpool_limits | None = None

    @property
    def parallel(self) -> bool:
        return self._pool is not None

    def __enter__(self) -> Workers:
        active = getattr(_ACTIVE, "stack", None) or [None]
        outer = active[-1]
        if outer is not None and outer.n_jobs == self.n_jobs and not self._state:
            self._pool = outer._pool
        elif self.n_jobs > 1 and _CAN_FORK:
            self._pool = ProcessPoolExecutor(self.n_jobs, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_start_worker, initargs=(self._state,))
            self._owner = True
            self._blas = threadpool_limits(1)  # this process works beside them
            _ACTIVE.stack = [*active, self]
        else:
            self._saved = dict(_STATE)
            _STATE.update(self._state)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self._owner:
            self._pool.shutdown(wait=False, cancel_futures=True)  # idle workers exit on their own
            self._blas.restore_original_limits()
            _ACTIVE.stack = [w for w in _ACTIVE.stack if w is not self]
        elif self._pool is None:
            _STATE.clear()
            _STATE.update(self._saved)
        self._pool, self._owner = None, False

    def submit(self, fn: Callable, *args: Any) -> Future:
        """Start ``fn(*args)`` in a worker (inline: run it now)."""
        if self._pool is not None:
            return self._pool.submit(call_recording_warnings, fn, args)
        future: Future = Future()
        try:
            future.set_result((fn(*args), []))  # its warnings are shown as they happen
        except Exception as exc:  # handed to the caller by result(), as from a worker
            future.set_exception(exc)
        return future

    @staticmethod
    def result(future: Future) -> Any:
        """The task's return value (its exception raised here), its warnings re-raised."""
        return rewarn(*future.result())


class InOrder:
    """The results of ``calls`` (``(function, *args)`` each) run by ``workers``, taken in
    the calls' order with at most ``window`` submitted and not yet taken: the first are
    submitted at once, the next as results are taken (so memory stays bounded however
    many calls there are, and the caller may work in between)."""

    def __init__(self, workers: Any, calls: Iterable[tuple], window: int) -> None:
        self._workers, self._calls, self._window = workers, iter(calls), window
        self._pending: deque[Future] = deque()
        self._fill()

    def _fill(self) -> None:
        while len(self._pending) < self._window and (call := next(self._calls, None)) is not None:
            self._pending.append(self._workers.submit(*call))

    def __iter__(self) -> Iterator[Any]:
        while self._pending:
            result = self._workers.result(self._pending.popleft())
            self._fill()
            yield result
