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
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._data import display_path
from .._folders import MANIFEST, clean_stale_folders
from .._io import read_user_file, sha256_file, write_text_atomic
from ..errors import InputError, MissingDependencyError, ParameterError, ReportError, WorkbenchError
from .index import write_index
from .manifest import read_manifest
from .processes import run_in_processes
from .run import planned_report, report_slug, run_report

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
    from ..corpus import folder_articles, is_corpus_file, read_corpus

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
    from ..parameters import validate_parameters

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


def _plan(job: Job) -> tuple[dict, Path, dict] | None:
    """:func:`planned_report` of a job, made once for both the unchanged check and the run
    (None when it fails: the run fails then, with the message, in its own place)."""
    try:
        return planned_report(job.article, job.parameters)
    except WorkbenchError:
        return None


def _unchanged(job: Job, output_dir: Path, manifest: dict) -> bool:
    folder = output_dir / job.slug
    if not (folder / MANIFEST).is_file():
        return False
    try:
        old = read_manifest(folder)
    except WorkbenchError:
        return False
    if old.get("fingerprint") != manifest["fingerprint"]:
        return False
    return all((folder / name).is_file() and sha256_file(folder / name) == digest
               for name, digest in old.get("outputs", {}).items())


def run_job(job: Job, output_dir: str, plan: tuple[dict, Path, dict] | None = None) -> JobResult:
    """Make one report (with the plan made already, if given); never raises for a
    user-facing failure (it is in the result)."""
    try:
        run_report(job.article, output_dir=output_dir, parameters=job.parameters, slug=job.slug, plan=plan)
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
    from .._progress import progress_bar

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
    pending, plans = [], {}
    for job in planned:
        plans[job.slug] = plan = _plan(job)
        if not force and plan is not None and _unchanged(job, out, plan[2]):
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
            run_in_processes(run_job, [(job, str(out), plans[job.slug]) for job in pending], jobs=jobs,
                             time_limit=time_limit,
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
    from .._cluster import check_scheduler

    check_scheduler(scheduler)
    with Client(scheduler, timeout=30) as client:  # each worker plans its own run: its files, its paths
        futures = {client.submit(run_job, job, str(out), pure=False, key=f"workbench-{job.slug}"): job
                   for job in pending}
        for future in as_completed(futures):
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 - a worker lost (KilledWorker) fails that run only
                result = _failed(futures[future], f"the cluster lost the run ({type(exc).__name__})")
            done(result)
