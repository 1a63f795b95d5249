"""Batch runs: many articles × a parameter grid → one report each, in parallel, with an index.

Inputs are article files, folders of articles, or corpus files (JSONL/CSV), whose
records are written to ``<output>/_inputs/<corpus>/<id>.txt`` first so that every
report has a file it was made from. A grid file (YAML or JSON) maps parameter names to
lists of values; every combination is run for every article. Each report lands in its
own folder (``<article>`` or ``<article>--<name>-<value>…``), built in a temporary
folder and moved into place, so runs never overwrite each other half-way. A report
whose manifest fingerprint (input, parameters, notebook, data, versions) is unchanged
is skipped unless ``force``. Runs go to local worker processes (``jobs``) or, with
``scheduler``, to a Dask distributed cluster. One failing run never stops the others.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import logging
import math
import multiprocessing
import multiprocessing.connection
import os
import re
import signal
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from ._data import display_path
from ._folders import MANIFEST, clean_stale_folders
from ._io import canonical_json, read_user_file, sha256_file, write_text_atomic
from .errors import InputError, MissingDependencyError, ParameterError, ReportError, WorkbenchError
from .reporting import planned_report, read_manifest, report_slug, run_report

__all__ = ["Job", "JobResult", "expand_inputs", "read_grid", "plan_jobs", "run_batch", "write_index"]

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class Job:
    """One report to make: an article file, its parameters and its folder name."""

    article: str
    parameters: dict
    slug: str


@dataclass
class JobResult:
    """How a job ended: ok, unchanged (skipped) or failed, with the error if any."""

    slug: str
    article: str
    parameters: dict
    status: str
    error: str = ""
    cell_index: int | None = None


def expand_inputs(inputs: Sequence[str | os.PathLike[str]], output_dir: str | os.PathLike[str]) -> list[Path]:
    """Article files from files, folders (their .txt/.md/.html files) and corpus files;
    the records of corpus files are written to ``<output_dir>/_inputs/<corpus>/``."""
    articles, records = _expanded(inputs, output_dir)
    _write_records(records)
    return articles


def _expanded(inputs: Sequence[str | os.PathLike[str]], output_dir: str | os.PathLike[str]
              ) -> tuple[list[Path], dict[Path, str]]:
    """The article files of the inputs, and the texts corpus records will be written as
    (nothing is written yet: a batch refused while planning leaves earlier inputs alone)."""
    from .corpus import folder_articles, is_corpus_file, read_corpus

    articles: list[Path] = []
    records: dict[Path, str] = {}
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found, refused = folder_articles(path)
            for entry, why in refused:
                log.warning("skipped %s: %s", display_path(entry), why)
            if not found:
                raise InputError(f"{display_path(path)}: the folder has no .txt, .md or .html articles")
            articles += found
        elif is_corpus_file(path) and path.exists():
            corpus = report_slug(path)
            folder = Path(output_dir) / "_inputs" / corpus
            for record in read_corpus(path):
                # Named after the corpus too: two corpora both numbering their records 1, 2, …
                # (no id column) must not write the same report folders.
                target = folder / f"{corpus}-{report_slug(record.id + '.txt')}.txt"
                if target in records:
                    raise InputError(f"{display_path(path)}: two records would be written to "
                                     f"{display_path(target)}; give them distinct ids")
                records[target] = f"{record.title}\n\n{record.text}\n" if record.title else record.text + "\n"
                articles.append(target)
        else:
            articles.append(path)  # missing or bad files fail in their own job, reported
    return articles, records


def _write_records(records: Mapping[Path, str]) -> None:
    for target, text in records.items():
        try:
            unchanged = target.is_file() and target.read_text(encoding="utf-8") == text
        except (OSError, UnicodeDecodeError):
            unchanged = False
        if not unchanged:
            write_text_atomic(target, text)


#: Most reports one batch may plan (a grid of ten parameters with nine values each would
#: be 3.5 billion): more is refused before any combination is built.
MAX_JOBS = 10_000
#: Largest grid file read.
MAX_GRID_BYTES = 1_000_000
#: Default limit on one report's run, in seconds (an article takes seconds; a long
#: neural run on a CPU a few minutes).
DEFAULT_TIME_LIMIT = 900


def read_grid(path: str | os.PathLike[str] | None, *, max_jobs: int = MAX_JOBS) -> list[dict]:
    """Every combination of a grid file's parameter lists (names sorted), or ``[{}]``.

    YAML is read safely and without aliases (``*name``: a few lines of them can expand
    to billions of values); the number of combinations is checked against ``max_jobs``
    before any is built.

    Raises:
        InputError: the file is missing, not a mapping of names to values/lists, or makes
            too many combinations.
    """
    if path is None:
        return [{}]
    p = Path(path)
    shown = display_path(p)
    raw = read_user_file(p, what="a parameter grid (YAML or JSON)", max_bytes=MAX_GRID_BYTES)
    kind = "JSON" if p.suffix.lower() == ".json" else "YAML"
    try:
        text = raw.decode("utf-8")
        grid = json.loads(text) if kind == "JSON" else _yaml_without_aliases(text)
    except UnicodeDecodeError:
        raise InputError(f"{shown}: cannot read the parameter grid (not UTF-8)") from None
    except RecursionError:
        raise InputError(f"{shown}: not valid {kind} (nested too deeply)") from None
    except Exception as exc:  # noqa: BLE001 - any parse error is the user's file
        raise InputError(f"{shown}: not valid {kind} ({' '.join(str(exc).split())[:160]})") from None
    if not isinstance(grid, dict) or not grid:
        raise InputError(f"{shown}: a grid maps parameter names to lists of values")
    bad = [k for k in grid if not isinstance(k, str)]
    if bad:
        raise InputError(f"{shown}: parameter names must be strings, got {bad[0]!r:.40}")
    names = sorted(grid)
    values = [v if isinstance(v, list) else [v] for v in (grid[n] for n in names)]
    if any(not v for v in values):
        raise InputError(f"{shown}: every parameter in the grid needs at least one value")
    total = math.prod(len(v) for v in values)
    if total > max_jobs:
        raise InputError(f"{shown}: the grid makes {total:,} combinations, more than the {max_jobs:,} a batch may run")
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def _yaml_without_aliases(text: str) -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        def compose_node(self, parent, index):  # noqa: ANN001 - PyYAML's signature
            if self.check_event(yaml.AliasEvent):
                raise yaml.YAMLError("aliases (*name) are not allowed in a parameter grid")
            return super().compose_node(parent, index)

    return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader


def plan_jobs(articles: Sequence[Path], grid: Sequence[dict], parameters: Mapping[str, Any] | None = None) -> list[Job]:
    """One job per article × grid combination, parameters checked before anything runs."""
    from .reporting import validate_parameters

    jobs, slugs = [], set()
    if len(articles) * len(grid) > MAX_JOBS:
        raise ParameterError(f"{len(articles):,} articles × {len(grid):,} parameter combinations make more than the "
                             f"{MAX_JOBS:,} reports a batch may run")
    varying = sorted({k for combo in grid for k in combo if len({repr(c.get(k)) for c in grid}) > 1})
    for article in articles:
        for combo in grid:
            params = dict(parameters or {}, **combo)
            validate_parameters(params)  # unknown or mistyped grid values fail the whole batch early
            suffix = "".join(f"--{k}-{_slug_value(params[k])}" for k in varying)
            slug = _bounded(report_slug(article) + suffix)
            if slug in slugs:
                raise ParameterError(f"two jobs would write the same report folder {slug!r}: rename an input")
            slugs.add(slug)
            jobs.append(Job(str(article), params, slug))
    return jobs


def _bounded(slug: str, limit: int = 120) -> str:
    """A folder name within ``limit`` characters (file systems allow 255 bytes, and the
    hidden work folder adds to it): a longer one is cut and given a hash of the whole."""
    if len(slug) <= limit:
        return slug
    return slug[:limit - 13].rstrip("-") + "-" + hashlib.sha256(slug.encode()).hexdigest()[:12]


def _slug_value(value: Any) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", str(value)).strip("-") or "empty"


def _unchanged(job: Job, output_dir: Path) -> bool:
    folder = output_dir / job.slug
    if not (folder / MANIFEST).is_file():
        return False
    try:
        old = read_manifest(folder)
        _, _, planned = planned_report(job.article, job.parameters)
    except WorkbenchError:
        return False
    if old.get("fingerprint") != planned["fingerprint"]:
        return False
    return all((folder / name).is_file() and sha256_file(folder / name) == digest
               for name, digest in old.get("outputs", {}).items())


def run_job(job: Job, output_dir: str) -> JobResult:
    """Make one report; never raises for a user-facing failure (it is in the result)."""
    try:
        run_report(job.article, output_dir=output_dir, parameters=job.parameters, slug=job.slug)
        return JobResult(job.slug, job.article, job.parameters, "ok")
    except ReportError as exc:
        return JobResult(job.slug, job.article, job.parameters, "failed", str(exc), exc.cell_index)
    except WorkbenchError as exc:
        return JobResult(job.slug, job.article, job.parameters, "failed", str(exc))
    except Exception as exc:  # noqa: BLE001 - a bug in one run must not stop the batch
        log.exception("unexpected error in %s", job.slug)
        return JobResult(job.slug, job.article, job.parameters, "failed", f"{type(exc).__name__}: {exc}")


def run_batch(
    inputs: Sequence[str | os.PathLike[str]],
    *,
    grid: str | os.PathLike[str] | None = None,
    parameters: Mapping[str, Any] | None = None,
    output_dir: str | os.PathLike[str] = "reports",
    jobs: int = 1,
    force: bool = False,
    scheduler: str | None = None,
    progress: bool = False,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
) -> list[JobResult]:
    """Run every article × grid combination; write ``index.html``/``index.json``; return results.

    Args:
        inputs: Article files, folders of articles, or corpus files.
        grid: YAML/JSON file of parameter lists (every combination is run).
        parameters: Parameters shared by all runs (the grid overrides them).
        output_dir: Where report folders and the index go.
        jobs: Local worker processes.
        force: Re-run reports whose inputs, parameters and code are unchanged.
        scheduler: Address of a Dask distributed scheduler to run on instead.
        progress: Show a progress bar.
        time_limit: Seconds one report may run before it is stopped and counted as failed
            (None or 0: no limit). Local runs each get a process of their own, so a run
            that hangs, or dies (out of memory, killed), fails alone: the rest run and
            the index is written.
    """
    from ._progress import progress_bar

    out = Path(output_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot write reports into {display_path(out)}: {exc.strerror}") from None
    articles, records = _expanded(inputs, out)
    planned = plan_jobs(articles, read_grid(grid), parameters)
    _write_records(records)
    clean_stale_folders(out)
    results: dict[str, JobResult] = {}
    pending = []
    for job in planned:
        if not force and _unchanged(job, out):
            results[job.slug] = JobResult(job.slug, job.article, job.parameters, "unchanged")
        else:
            pending.append(job)
    log.info("%d reports: %d to run, %d unchanged", len(planned), len(pending), len(planned) - len(pending))
    bar = progress_bar(total=len(pending), desc="reports", unit=" report", disable=not progress)

    def done(result: JobResult) -> None:
        results[result.slug] = result
        bar.update()

    if pending and scheduler:
        _run_on_cluster(pending, out, scheduler, done)
    elif pending:
        try:
            run_in_processes(run_job, [(job, str(out)) for job in pending], jobs=jobs, time_limit=time_limit,
                             failed=lambda args, why: _failed(args[0], why), done=done)
        finally:
            clean_stale_folders(out)  # the work folders of runs that were stopped, died or interrupted
    bar.close()
    ordered = [results[job.slug] for job in planned]
    write_index(out, ordered)
    return ordered


def _failed(job: Job, why: str) -> JobResult:
    return JobResult(job.slug, job.article, job.parameters, "failed", why)


def _run_on_cluster(pending: list[Job], out: Path, scheduler: str, done) -> None:
    try:
        from distributed import Client, as_completed
    except ImportError:
        raise MissingDependencyError("--scheduler needs the Dask extra: pip install 'workbench[dask]'") from None
    with Client(scheduler, timeout=30) as client:
        futures = {client.submit(run_job, job, str(out), pure=False, key=f"workbench-{job.slug}"): job
                   for job in pending}
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker lost (KilledWorker) fails that run only
                result = _failed(futures[future], f"the cluster lost the run ({type(exc).__name__})")
            done(result)


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
        context.set_forkserver_preload(["workbench.batch", "papermill"])
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


def write_index(output_dir: Path, results: Sequence[JobResult]) -> Path:
    """``index.html`` (sortable, self-contained) and ``index.json`` listing every report."""
    rows = []
    for r in results:
        entry = {"slug": r.slug, "article": display_path(r.article), "parameters": r.parameters,
                 "status": "failed" if r.status == "failed" else "ok", "error": r.error, "cell": r.cell_index,
                 "title": "", "top_actors": []}
        results_file = output_dir / r.slug / "results.json"
        if entry["status"] == "ok" and results_file.is_file():
            data = json.loads(results_file.read_text(encoding="utf-8"))
            entry["title"] = data["article"]["title"]
            entry["top_actors"] = [a["actor"] for a in data.get("actors_rollup", data.get("actors", []))[:3]]
        rows.append(entry)
    write_text_atomic(output_dir / "index.json", canonical_json({"reports": rows}))
    body = "".join(
        "<tr>"
        + (f'<td><a href="{escape(e["slug"])}/report.html">{escape(e["slug"])}</a></td>' if e["status"] == "ok"
           else f"<td>{escape(e['slug'])}</td>")
        + f"<td>{escape(e['title'])}</td>"
        + f"<td>{escape(', '.join(f'{k}={v}' for k, v in sorted(e['parameters'].items())))}</td>"
        + f'<td class="{e["status"]}">{e["status"]}</td>'
        + f"<td>{escape(', '.join(e['top_actors']))}</td>"
        + f"<td>{escape(e['error'])}</td></tr>"
        for e in rows
    )
    ok = sum(e["status"] == "ok" for e in rows)
    html = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Workbench reports</title>
<style>
body {{ font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem; color: #1d1d1d; }}
table {{ border-collapse: collapse; font-size: .9rem; }}
th, td {{ border-bottom: 1px solid #e5e5e5; padding: .3rem .6rem; text-align: left; vertical-align: top; }}
th {{ background: #f5f5f5; cursor: pointer; }} th:after {{ content: " ⇅"; color: #aaa; }}
td.failed {{ color: #b00020; font-weight: bold; }} td.ok {{ color: #2e7d32; }}
</style>
</head>
<body>
<h1>Workbench reports</h1>
<p>{len(rows)} reports: {ok} ok, {len(rows) - ok} failed. Click a column header to sort.</p>
<table id="reports">
<thead><tr><th>report</th><th>title</th><th>parameters</th><th>status</th><th>top actors</th><th>error</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
<script>
document.querySelectorAll("#reports th").forEach(function (th, col) {{
  th.addEventListener("click", function () {{
    var body = document.querySelector("#reports tbody");
    var rows = Array.prototype.slice.call(body.rows);
    var up = th.dataset.order !== "asc";
    rows.sort(function (a, b) {{
      var x = a.cells[col].textContent, y = b.cells[col].textContent;
      return up ? x.localeCompare(y) : y.localeCompare(x);
    }});
    th.dataset.order = up ? "asc" : "desc";
    rows.forEach(function (r) {{ body.appendChild(r); }});
  }});
}});
</script>
</body>
</html>
"""
    return write_text_atomic(output_dir / "index.html", html)
