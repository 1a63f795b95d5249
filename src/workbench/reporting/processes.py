"""One process per task, at most ``jobs`` at a time, each stoppable with the kernel it
started (its own process group), for batch runs."""
from __future__ import annotations

import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["run_in_processes"]

log = logging.getLogger(__name__)


def run_in_processes(fn: Callable, tasks: Sequence[tuple], *, jobs: int, time_limit: float | None,
                     failed: Callable[[tuple, str], Any], done: Callable[[Any], None]) -> None:
    """``fn(*task)`` for every task, each in a process of its own, at most ``jobs`` at a time;
    ``done`` gets each result as it comes (in the order they end).

    A task that runs past ``time_limit`` seconds (counted from when its process is ready)
    is stopped with its whole process group (the kernel it started too); one whose process
    dies gets ``failed(task, why)`` as its result instead. Ctrl-C stops every process.
    """
    context = multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods()
                                          else "spawn")  # a clean process: no inherited kernel or zmq state
    if context.get_start_method() == "forkserver":
        context.set_forkserver_preload(["workbench.reporting.batch", "papermill"])
    queue = list(tasks)
    running: dict[int, list] = {}  # process sentinel → [task, process, connection, deadline]
    try:
        while queue or running:
            while queue and len(running) < jobs:
                task = queue.pop(0)
                receive, send = context.Pipe(duplex=False)
                process = context.Process(target=_task_process, args=(fn, task, send), daemon=False)
                process.start()
                send.close()
                running[process.sentinel] = [task, process, receive, None]
            now = time.monotonic()
            deadlines = [r[3] for r in running.values() if r[3] is not None]
            wait_for = max(0.0, min(deadlines) - now) if deadlines else None
            waitables = [r[2] for r in running.values()] + list(running)
            multiprocessing.connection.wait(waitables, timeout=wait_for)
            for sentinel, entry in list(running.items()):
                task, process, receive, deadline = entry
                outcome = _outcome(entry)
                if outcome is _STARTED:
                    entry[3] = time.monotonic() + time_limit if time_limit else None
                    outcome = _outcome(entry)
                if outcome is _RUNNING and deadline is not None and time.monotonic() >= deadline:
                    _kill(process)
                    outcome = failed(task, f"stopped after the per-run limit of {time_limit:g} s")
                elif outcome is _DIED:
                    _kill(process)  # and whatever it started
                    code = process.exitcode
                    how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
                    outcome = failed(task, f"the worker process died ({how}; out of memory?)")
                elif isinstance(outcome, _Raised):
                    outcome = failed(task, outcome.why)
                if outcome is _RUNNING:
                    continue
                process.join()
                receive.close()
                del running[sentinel]
                done(outcome)
    finally:
        for _, process, receive, _ in running.values():
            _kill(process)
            receive.close()


_STARTED, _RUNNING, _DIED = object(), object(), object()


@dataclass(frozen=True)
class _Raised:
    """A task that raised instead of returning: the error, in one line."""

    why: str


def _outcome(entry: list) -> Any:
    """What a task's process has sent: _STARTED, its result (or _Raised), _RUNNING (nothing
    yet) or _DIED. Whether it lives is asked first: a process already gone has put all it
    sent in the pipe before the pipe is read."""
    _, process, receive, _ = entry
    alive = process.is_alive()
    try:
        if receive.poll():
            message = receive.recv()
            return _STARTED if message == "started" else message[1]
    except (EOFError, OSError):
        return _DIED
    return _RUNNING if alive else _DIED


def _task_process(fn: Callable, task: tuple, send) -> None:
    """In a task's process: a process group of its own (so it can be stopped with the
    kernels it starts), Ctrl-C left to the parent, then the task."""
    os.setpgrp()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    send.send("started")
    try:
        result = fn(*task)
    except Exception as exc:  # noqa: BLE001 - said to the parent as this task's failure
        result = _Raised(f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}")
    send.send(("result", result))
    send.close()


def _kill(process) -> None:
    """Stop a task's process and everything it started."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.join()
