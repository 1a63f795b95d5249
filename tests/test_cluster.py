"""Corpus analysis on a real Dask cluster (scheduler and workers on loopback, started and
stopped here): the same bytes as in-process and with local workers, with 1 and 3
workers, and when a worker dies mid-run."""
from pathlib import Path

import pytest

from workbench._cluster import ClusterWorkers
from workbench.cli import main
from workbench.corpus import analyze_corpus
from workbench.errors import WorkbenchError

from .conftest import LocalDaskCluster

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = FIXTURES / "corpus.jsonl"
OPTIONS = {"n_topics": 2, "n_boot": 200, "chunk_size": 2}  # several partitions of two records


def _written(result, folder: Path) -> list[bytes]:
    return [path.read_bytes() for path in result.write(folder)]


@pytest.fixture(scope="module")
def expected(tmp_path_factory):
    """The files of an in-process run (no worker processes)."""
    return _written(analyze_corpus(CORPUS, n_jobs=1, **OPTIONS), tmp_path_factory.mktemp("inline"))


@pytest.mark.slow
def test_a_cluster_of_one_then_three_workers_gives_the_same_bytes_even_when_one_dies(expected, tmp_path):
    from distributed import Client
    from distributed.diagnostics.plugin import WorkerPlugin

    assert _written(analyze_corpus(CORPUS, n_jobs=2, **OPTIONS), tmp_path / "local") == expected
    with LocalDaskCluster() as cluster:
        cluster.add_workers(1)
        one = analyze_corpus(CORPUS, scheduler=cluster.address, **OPTIONS)
        assert one.parameters == analyze_corpus(CORPUS, n_jobs=1, **OPTIONS).parameters  # no address in results
        assert _written(one, tmp_path / "one") == expected
        cluster.add_workers(2)
        assert _written(analyze_corpus(CORPUS, scheduler=cluster.address, **OPTIONS), tmp_path / "three") == expected
        import dask

        before = dask.config.get("distributed.admin.low-level-log-length")
        with ClusterWorkers(cluster.address) as workers:  # the client keeps no log of the tasks' data
            assert workers._client.scheduler_comm.recent_message_log.maxlen == 0
        assert dask.config.get("distributed.admin.low-level-log-length") == before
        # the report command, its kernel working on the cluster
        assert main(["report", "--corpus", str(CORPUS), "--scheduler", cluster.address, "-o", str(tmp_path / "cli"),
                     "-p", "n_topics", "2", "-p", "n_boot", "200"]) == 0
        assert (tmp_path / "cli" / "corpus" / "results.json").read_bytes() == expected[0]

        flag = tmp_path / "killed"

        class DieAtTheFirstChunk(WorkerPlugin):  # defined here: pickled by value, nothing to import on the workers
            def __init__(self, flag: str) -> None:
                self.flag = flag

            def transition(self, key, start, finish, **kwargs):
                import os
                import signal

                if finish == "executing" and "_analyse_chunk" in str(key) and not os.path.exists(self.flag):
                    open(self.flag, "w").close()
                    os.kill(os.getpid(), signal.SIGKILL)  # the whole worker process, mid-task

        with Client(cluster.address, timeout=30) as client:
            client.register_plugin(DieAtTheFirstChunk(str(flag)), name="die-once")
        survived = analyze_corpus(CORPUS, scheduler=cluster.address, **OPTIONS)
        assert flag.exists()  # a worker did die mid-run
        assert _written(survived, tmp_path / "survived") == expected


def test_no_cluster_at_the_address_is_one_line(monkeypatch, capfd):
    pytest.importorskip("distributed")
    monkeypatch.setattr(ClusterWorkers, "timeout", 2)
    with pytest.raises(WorkbenchError, match="no Dask cluster to work on at tcp://127.0.0.1:1"):
        analyze_corpus(CORPUS, scheduler="tcp://127.0.0.1:1", **OPTIONS)
    for address in ("nonsense", "tls://127.0.0.1:1", "ucx://host", "tcp://127.0.0.1:99999", "inproc://x"):
        with pytest.raises(WorkbenchError, match="a Dask scheduler address is tcp://host:port"):
            analyze_corpus(CORPUS, scheduler=address, **OPTIONS)
    assert capfd.readouterr().err == ""  # no client left to complain when it is collected
