"""Shared fixtures: the shipped seed article and small files written per test."""
from __future__ import annotations

from pathlib import Path

import pytest

from workbench import load_article
from workbench._data import DEFAULT_ARTICLE, data_path

ROOT = Path(__file__).resolve().parents[1]
SEED_PATH = data_path(DEFAULT_ARTICLE)


@pytest.fixture(scope="session")
def seed_article():
    return load_article(SEED_PATH)


@pytest.fixture(scope="session")
def seed_analysis(seed_article):
    from workbench import analyze

    return analyze(seed_article)


@pytest.fixture
def write_file(tmp_path):
    """Write bytes or text to a file under tmp_path and return its path."""

    def _write(name: str, content: bytes | str) -> Path:
        path = tmp_path / name
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    return _write


class LocalDaskCluster:
    """A real Dask scheduler and worker processes on loopback, started and stopped by a
    test (``with LocalDaskCluster() as cluster: cluster.add_workers(2)``)."""

    def __init__(self) -> None:
        import socket

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.address = f"tcp://127.0.0.1:{self.port}"
        self.processes: list = []
        self.n_workers = 0

    def __enter__(self) -> LocalDaskCluster:
        pytest.importorskip("distributed")
        self._start("distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", str(self.port),
                    "--no-dashboard")
        return self

    def _start(self, module: str, *args: str) -> None:
        import subprocess
        import sys

        self.processes.append(subprocess.Popen([sys.executable, "-m", module, *args], stdout=subprocess.DEVNULL,
                                               stderr=subprocess.DEVNULL))

    def add_workers(self, n: int) -> None:
        """Start ``n`` more single-threaded workers (each under its nanny) and wait for them."""
        import time

        from distributed import Client

        self._start("distributed.cli.dask_worker", self.address, "--nworkers", str(n), "--nthreads", "1",
                    "--no-dashboard", "--host", "127.0.0.1")
        self.n_workers += n
        deadline = time.monotonic() + 120
        while True:
            try:
                with Client(self.address, timeout=5) as client:
                    client.wait_for_workers(self.n_workers, timeout=60)
                return
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    pytest.fail("the local Dask cluster did not start")
                time.sleep(1)

    def __exit__(self, *exc_info: object) -> None:
        import subprocess

        for process in reversed(self.processes):
            process.terminate()
        for process in reversed(self.processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
