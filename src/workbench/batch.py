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

import concurrent.futures as cf
import itertools
import json
import logging
import multiprocessing
import os
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any, Mapping, Sequence

from ._data import display_path
from ._io import canonical_json, sha256_file, write_text_atomic
from .errors import InputError, ParameterError, ReportError, WorkbenchError
from .reporting import MANIFEST, planned_report, read_manifest, report_slug, run_report

__all__ = ["Job", "JobResult", "expand_inputs", "read_grid", "plan_jobs", "run_batch", "write_index"]

log = logging.getLogger(__name__)

_ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")


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
    """Article files from files, folders (their .txt/.md/.html files) and corpus files."""
    articles: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(f for f in path.iterdir() if f.is_file() and f.suffix.lower() in _ARTICLE_SUFFIXES)
            if not found:
                raise InputError(f"{display_path(path)}: the folder has no .txt, .md or .html articles")
            articles += found
        elif path.suffix.lower() in (".jsonl", ".csv") and path.is_file():
            from .corpus import read_corpus

            folder = Path(output_dir) / "_inputs" / report_slug(path)
            for record in read_corpus(path):
                target = folder / f"{report_slug(record.id + '.txt')}.txt"
                text = f"{record.title}\n\n{record.text}\n" if record.title else record.text + "\n"
                if not target.is_file() or target.read_text(encoding="utf-8") != text:
                    write_text_atomic(target, text)
                articles.append(target)
        else:
            articles.append(path)  # missing or bad files fail in their own job, reported
    return articles


def read_grid(path: str | os.PathLike[str] | None) -> list[dict]:
    """Every combination of a grid file's parameter lists (names sorted), or ``[{}]``.

    Raises:
        InputError: the file is missing or not a mapping of names to values/lists.
    """
    if path is None:
        return [{}]
    p = Path(path)
    shown = display_path(p)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{shown}: cannot read the parameter grid ({exc.__class__.__name__})") from None
    try:
        if p.suffix.lower() == ".json":
            grid = json.loads(text)
        else:
            import yaml

            grid = yaml.safe_load(text)
    except Exception as exc:  # noqa: BLE001 - any parse error is the user's file
        raise InputError(f"{shown}: not valid {'JSON' if p.suffix.lower() == '.json' else 'YAML'} ({exc})") from None
    if not isinstance(grid, dict) or not grid:
        raise InputError(f"{shown}: a grid maps parameter names to lists of values")
    names = sorted(grid)
    values = [v if isinstance(v, list) else [v] for v in (grid[n] for n in names)]
    if any(not v for v in values):
        raise InputError(f"{shown}: every parameter in the grid needs at least one value")
    return [dict(zip(names, combo)) for combo in itertools.product(*values)]


def plan_jobs(articles: Sequence[Path], grid: Sequence[dict], parameters: Mapping[str, Any] | None = None) -> list[Job]:
    """One job per article × grid combination, parameters checked before anything runs."""
    from .reporting import validate_parameters

    jobs, slugs = [], set()
    varying = sorted({k for combo in grid for k in combo if len({repr(c.get(k)) for c in grid}) > 1})
    for article in articles:
        for combo in grid:
            params = dict(parameters or {}, **combo)
            validate_parameters(params)  # unknown or mistyped grid values fail the whole batch early
            suffix = "".join(f"--{k}-{_slug_value(params[k])}" for k in varying)
            slug = report_slug(article) + suffix
            if slug in slugs:
                raise ParameterError(f"two jobs would write the same report folder {slug!r}: rename an input")
            slugs.add(slug)
            jobs.append(Job(str(article), params, slug))
    return jobs


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
    """
    from tqdm.auto import tqdm

    out = Path(output_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot write reports into {display_path(out)}: {exc.strerror}") from None
    planned = plan_jobs(expand_inputs(inputs, out), read_grid(grid), parameters)
    results: dict[str, JobResult] = {}
    pending = []
    for job in planned:
        if not force and _unchanged(job, out):
            results[job.slug] = JobResult(job.slug, job.article, job.parameters, "unchanged")
        else:
            pending.append(job)
    log.info("%d reports: %d to run, %d unchanged", len(planned), len(pending), len(planned) - len(pending))
    bar = tqdm(total=len(pending), desc="reports", unit=" report", disable=not progress)
    if pending and scheduler:
        from distributed import Client, as_completed

        with Client(scheduler, timeout=30) as client:
            futures = [client.submit(run_job, job, str(out), pure=False, key=f"workbench-{job.slug}")
                       for job in pending]
            for future in as_completed(futures):
                result = future.result()
                results[result.slug] = result
                bar.update()
    elif pending and jobs > 1:
        context = multiprocessing.get_context("spawn")  # no inherited zmq/kernel state
        with cf.ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = [pool.submit(run_job, job, str(out)) for job in pending]
            for future in cf.as_completed(futures):
                result = future.result()
                results[result.slug] = result
                bar.update()
    else:
        for job in pending:
            result = run_job(job, str(out))
            results[result.slug] = result
            bar.update()
    bar.close()
    ordered = [results[job.slug] for job in planned]
    write_index(out, ordered)
    return ordered


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
