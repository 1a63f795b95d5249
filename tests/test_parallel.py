"""Worker processes: the same results, errors and warnings whatever n_jobs."""
import gc
import os
import warnings

import pytest

from workbench._parallel import _CAN_FORK, Workers, corpus_collector, effective_jobs, worker_state

forking = pytest.mark.skipif(not _CAN_FORK, reason="worker processes are forked on Linux only")


def _square(x):
    return x * x


def _warn_and_return(x):
    warnings.warn(f"careful with {x}", UserWarning, stacklevel=1)  # attributed to this file: checked below
    return x


def _fail(x):
    raise ValueError(f"bad {x}")


def _state_and_pid(key):
    return worker_state().get(key), os.getpid()


def _gc_threshold(_):
    return gc.get_threshold()[0]


@pytest.mark.parametrize("n_jobs", [1, pytest.param(2, marks=forking)])
def test_the_corpus_collector_freezes_collects_seldom_and_restores(n_jobs):
    before = gc.get_threshold()
    with corpus_collector():
        assert gc.get_freeze_count() > 0 and gc.get_threshold()[0] == 50_000
        with Workers(n_jobs) as workers:  # processes forked inside keep the setting
            assert Workers.result(workers.submit(_gc_threshold, None)) == 50_000
    assert gc.get_threshold() == before and gc.get_freeze_count() == 0


def test_effective_jobs():
    assert effective_jobs(None) == 1 and effective_jobs(3) == 3
    assert effective_jobs(-1) == len(os.sched_getaffinity(0))
    assert effective_jobs(-1000) == 1
    for bad in (0, True, 1.5, "2"):
        with pytest.raises(ValueError, match="n_jobs"):
            effective_jobs(bad)


@pytest.mark.parametrize("n_jobs", [1, pytest.param(2, marks=forking)])
def test_results_in_order_with_state(n_jobs):
    with Workers(n_jobs, state={"key": "value"}) as workers:
        assert workers.parallel == (n_jobs > 1)
        futures = [workers.submit(_square, i) for i in range(20)]
        assert [workers.result(f) for f in futures] == [i * i for i in range(20)]
        state, pid = workers.result(workers.submit(_state_and_pid, "key"))
    assert state == "value"
    assert (pid != os.getpid()) == (n_jobs > 1)
    assert "key" not in worker_state()  # inline state is undone on exit


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_errors_and_warnings_reach_the_caller(n_jobs):
    with Workers(n_jobs) as workers:
        failing = workers.submit(_fail, 3)
        with warnings.catch_warnings(record=True) as caught:  # inline: at submit; from a worker: at result
            warnings.simplefilter("always")
            warned = [workers.submit(_warn_and_return, i) for i in range(3)]
            assert [workers.result(f) for f in warned] == [0, 1, 2]
        assert [str(w.message) for w in caught] == ["careful with 0", "careful with 1", "careful with 2"]
        assert all(w.category is UserWarning and w.filename == __file__ for w in caught)
        with pytest.raises(ValueError, match="bad 3"):
            workers.result(failing)


@forking
def test_an_inner_workers_borrows_the_outer_processes():
    with Workers(2, state={"key": "outer"}) as outer:
        with Workers(2) as inner:
            assert inner.parallel
            state, pid = inner.result(inner.submit(_state_and_pid, "key"))
            assert state == "outer" and pid != os.getpid()  # the outer's workers, with the outer's state
        assert outer.result(outer.submit(_square, 4)) == 16  # still running after the inner exits
    with Workers(2, state={"key": "own"}) as outer, Workers(2, state={"key": "inner"}) as inner:
        assert inner.result(inner.submit(_state_and_pid, "key"))[0] == "inner"  # state: its own processes
        assert outer.result(outer.submit(_state_and_pid, "key"))[0] == "own"


@forking
def test_workers_end_when_their_parent_is_killed(tmp_path):
    import subprocess
    import sys
    import time

    script = tmp_path / "parent.py"
    script.write_text(
        "import os, signal, sys, time\n"
        "from workbench._parallel import Workers\n"
        "with Workers(2) as workers:\n"
        "    futures = [workers.submit(time.sleep, 30) for _ in range(2)]\n"
        "    time.sleep(0.5)\n"
        "    print(' '.join(str(p) for p in workers._pool._processes), flush=True)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)  # as when a Jupyter kernel is killed mid-analysis\n",
        encoding="utf-8",
    )
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    pids = [int(p) for p in run.stdout.split()]
    assert len(pids) == 2

    def alive(pid):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        with open(f"/proc/{pid}/stat") as fh:  # a zombie is dead
            return fh.read().split(")")[-1].split()[0] != "Z"

    deadline = time.monotonic() + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(p) for p in pids)


def test_cluster_tasks_grow_a_private_copy_of_the_state(monkeypatch):
    """On a Dask worker, tasks use a copy of the broadcast state made once: Dask may send
    the objects it holds to another worker at any moment, so tasks (whose caches grow)
    must never change them."""
    from workbench import _parallel
    from workbench._cluster import _run_with_state

    monkeypatch.setattr(_parallel, "_STATE", {})
    monkeypatch.setattr("workbench._cluster._STATE", _parallel._STATE)
    held = {"cache": [], "model": "weights"}

    def task(x):
        _parallel.worker_state()["cache"].append(x)
        return id(_parallel.worker_state()["cache"])

    first, _ = _run_with_state(task, dict(held), (1,))  # a new dict of the same objects, as Dask resolves it
    second, _ = _run_with_state(task, dict(held), (2,))
    assert first == second and held["cache"] == [] and _parallel.worker_state()["cache"] == [1, 2]
    third, _ = _run_with_state(task, {"cache": [], "model": "weights"}, (3,))  # other objects: a new copy
    assert third != first and _parallel.worker_state()["cache"] == [3]
