"""Corpus analysis as the corpus grows: local worker processes against a local Dask cluster.

BBC (../shared/data/bbc/bbc.csv, 2,225 articles) repeated to each size given (ids made
unique: "<copy>-<row>"), written once as JSONL into --work (default: a temporary
folder). For each size, each in a fresh process: ``analyze_corpus`` over the file with
local workers (forked, one per core) and on a local Dask cluster (a scheduler and
--dask-workers single-threaded worker processes on loopback, started and stopped here);
results written to a folder, as a report does. Reports articles/s, the peak resident
memory of the main process and of each worker (local: the largest forked worker; Dask:
each worker process and the scheduler, asked before the cluster stops), and whether the
two paths wrote the same bytes. ``--scheduler-log 0`` starts the cluster without Dask's
log of recent messages (see the README: it holds partitions).

    .venv/bin/python benchmarks/bench_scale.py --sizes 10000 100000
    .venv/bin/python benchmarks/bench_scale.py --sizes 1000000 --modes local
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BBC = Path(__file__).resolve().parents[2] / "shared" / "data" / "bbc" / "bbc.csv"
CHILD = """
import json, multiprocessing, resource, sys, time
from workbench.corpus import analyze_corpus
path, out, scheduler = sys.argv[1], sys.argv[2], sys.argv[3] or None
t = time.perf_counter()
result = analyze_corpus(path, n_topics=5, scheduler=scheduler)
analysed = time.perf_counter() - t
result.write(out)
total = time.perf_counter() - t
workers, scheduler_mb = [], None
if scheduler:
    from distributed import Client
    with Client(scheduler) as client:
        workers = sorted(client.run(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024).values())
        scheduler_mb = client.run_on_scheduler(lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
while multiprocessing.active_children():  # forked workers end on their own: wait, so that their memory counts
    time.sleep(0.01)
if not scheduler:
    workers = [resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]
main_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"analysed": analysed, "total": total, "articles": result.n_articles,
                  "mentions": result.n_mentions, "main_maxrss_mb": main_mb, "worker_maxrss_mb": workers,
                  "scheduler_maxrss_mb": scheduler_mb}))
"""


def write_corpus(size: int, folder: Path) -> Path:
    """BBC repeated to ``size`` articles as JSONL (written once per size)."""
    import pandas as pd

    path = folder / f"bbc-{size}.jsonl"
    if path.exists():
        return path
    texts = pd.read_csv(BBC)["text"].tolist()
    tmp = path.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for i in range(size):
            copy, row = divmod(i, len(texts))
            fh.write(json.dumps({"id": f"{copy}-{row}", "text": texts[row]}) + "\n")
    tmp.rename(path)
    return path


class DaskCluster:
    def __init__(self, workers: int, log_length: int | None = None) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.address = f"tcp://127.0.0.1:{port}"
        options = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        if log_length is not None:  # logs of recent messages (the scheduler's holds partitions)
            options["env"] = {**os.environ, "DASK_DISTRIBUTED__ADMIN__LOW_LEVEL_LOG_LENGTH": str(log_length)}
        self.processes = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host",
                                            "127.0.0.1", "--port", str(port), "--no-dashboard"], **options)]
        self.processes.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", self.address,
                                                "--nworkers", str(workers), "--nthreads", "1", "--no-dashboard",
                                                "--host", "127.0.0.1", "--memory-limit", "0"], **options))
        from distributed import Client

        deadline = time.monotonic() + 120
        while True:
            try:
                with Client(self.address, timeout=5) as client:
                    client.wait_for_workers(workers, timeout=60)
                return
            except (OSError, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(1)

    def stop(self) -> None:
        for p in reversed(self.processes):
            p.terminate()
        for p in reversed(self.processes):
            p.wait(timeout=30)


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for name in ("results.json", "mentions.parquet"):
        h.update((folder / name).read_bytes())
    return h.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--modes", nargs="+", default=["local", "dask"], choices=["local", "dask"])
    parser.add_argument("--dask-workers", type=int, default=2)
    parser.add_argument("--scheduler-log", type=int, default=None,
                        help="the cluster's low-level log length (Dask's default: 1,000 messages a connection)")
    parser.add_argument("--work", type=Path, default=None, help="folder for the corpora and outputs")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        path = write_corpus(size, work)
        digests = {}
        for mode in args.modes:
            cluster = DaskCluster(args.dask_workers, args.scheduler_log) if mode == "dask" else None
            out = work / f"out-{size}-{mode}"
            try:
                run = subprocess.run([sys.executable, "-c", CHILD, str(path), str(out),
                                      cluster.address if cluster else ""], capture_output=True, text=True)
            finally:
                if cluster:
                    cluster.stop()
            if run.returncode:
                raise SystemExit(f"{mode} at {size}: {run.stderr[-2000:]}")
            result = json.loads(run.stdout.strip().splitlines()[-1])
            digests[mode] = digest(out)
            row = {"size": size, "mode": mode, **result, "articles_per_s": result["articles"] / result["total"],
                   "digest": digests[mode]}
            rows.append(row)
            print(f"{size:>9,} {mode:<5} {row['total']:8.1f} s {row['articles_per_s']:7.1f} art/s  main "
                  f"{row['main_maxrss_mb']:6.0f} MB  workers {[round(w) for w in row['worker_maxrss_mb']]} MB  "
                  + (f"scheduler {row['scheduler_maxrss_mb']:.0f} MB  " if mode == "dask" else "")
                  + f"{row['mentions']:,} mentions  {row['digest']}", flush=True)
        if len(set(digests.values())) > 1:
            print(f"  the outputs differ between modes at {size}: {digests}")
        elif len(digests) > 1:
            print(f"  byte-identical results.json and mentions.parquet across {sorted(digests)}")
    print(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
