"""Running a report: the plan (checked parameters, input, manifest), the checks made
before a kernel starts, papermill's run in a hidden folder and the move into place."""

import json
import logging
import os
import re
import shutil
import unicodedata
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .._data import (
    BASE_ENV,
    DEFAULT_ARTICLE,
    base_dir,
    data_path,
    display_path,
)
from .._folders import (
    MANIFEST,
    clean_stale_folders,
    locked_folder,
    refuse_to_replace,
    replace_dir,
)
from .._io import canonical_json, sha256_file, write_text_atomic
from ..errors import ReportError
from ..loading import load_article
from ..parameters import NOTEBOOKS, parameters_of, validate_parameters
from .kernel import KERNEL_NAME, ensure_kernel, ipc_kernel_manager, kernel_path
from .manifest import build_manifest
from .render import normalize_notebook, render_html

log = logging.getLogger(__name__)


REPORT_NOTEBOOK = NOTEBOOKS["article"]
CORPUS_NOTEBOOK = NOTEBOOKS["corpus"]


def report_slug(article: str | os.PathLike[str]) -> str:
    """Folder name of an article's report: its file name, lower-case ASCII with dashes."""
    stem = Path(article).stem
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-")
    return slug[:80] or "article"


def planned_report(article, parameters: Mapping[str, Any] | None = None,
                   notebook: str | os.PathLike[str] = REPORT_NOTEBOOK) -> tuple[dict, Path, dict]:
    """Checked parameters, article path and the manifest a report run would write."""
    params = dict(parameters or {})
    if article is not None:
        params["article"] = str(article)
    params = validate_parameters(params)
    article_path = Path(params["article"]) if params["article"] else data_path(DEFAULT_ARTICLE)
    if not article_path.is_file():
        load_article(article_path)  # raises the one-line InputError
    shown = display_path(article_path) if params["article"] else ""  # as given: "" is the seed, as the kernel gets it
    return params, article_path, build_manifest("article", article_path, dict(params, article=shown), notebook)


def run_report(
    article: str | os.PathLike[str] | None = None,
    *,
    output_dir: str | os.PathLike[str] = "reports",
    parameters: Mapping[str, Any] | None = None,
    notebook: str | os.PathLike[str] = REPORT_NOTEBOOK,
    progress: bool = False,
    timeout: int = 600,
    slug: str | None = None,
    plan: tuple[dict, Path, dict] | None = None,
) -> Path:
    """Execute the report notebook for one article; return the report folder.

    Inputs and parameters are checked before a kernel starts: a bad article or actor
    file raises :class:`~workbench.errors.InputError`, a bad parameter
    :class:`~workbench.errors.ParameterError`. A failing cell raises
    :class:`~workbench.errors.ReportError`; nothing is left in ``output_dir`` then.
    The folder is ``output_dir/slug`` (default: from the article's file name) and holds
    ``manifest.json`` (see :func:`verify_report`). ``plan`` is what :func:`planned_report`
    gave for these arguments, when the caller (a batch) has it already.
    """
    params, article_path, manifest = plan or planned_report(article, parameters, notebook)
    for warning in load_article(article_path).warnings:  # fail fast on bad input; say what to distrust
        log.warning("%s: %s", display_path(article_path), warning)
    _check_common(params)
    kernel_params = dict(params, article=kernel_path(article_path) if params["article"] else "",
                         actors=kernel_path(Path(params["actors"])) if params["actors"] else "",
                         results_path="results.json")
    return _execute(notebook, kernel_params, output_dir, slug or report_slug(article_path), progress, timeout,
                    title_of=lambda results: results["article"]["title"], manifest=manifest)


def run_corpus_report(
    corpus: str | os.PathLike[str],
    *,
    output_dir: str | os.PathLike[str] = "reports",
    parameters: Mapping[str, Any] | None = None,
    notebook: str | os.PathLike[str] = CORPUS_NOTEBOOK,
    progress: bool = False,
    timeout: int = 600,
    slug: str | None = None,
) -> Path:
    """Execute the corpus report notebook; the folder gets ``mentions.parquet`` too."""
    from ..corpus import read_corpus

    params = validate_parameters(dict(parameters or {}, corpus=str(corpus)), parameters_of("corpus"))
    path = Path(params["corpus"])
    records = read_corpus(path, strict=bool(params["strict"]))
    for _ in records if params["strict"] else [next(records, None)]:  # fail fast on a bad corpus (strict: on
        pass  # any malformed record, before a kernel starts)
    _check_common(params)
    kernel_params = dict(params, corpus=kernel_path(path),
                         actors=kernel_path(Path(params["actors"])) if params["actors"] else "",
                         results_path="results.json")
    manifest = build_manifest("corpus", path, dict(params, corpus=display_path(path)), notebook)
    return _execute(notebook, kernel_params, output_dir, slug or report_slug(path), progress, timeout,
                    title_of=lambda results: f"Corpus report: {path.name}", manifest=manifest)


def _check_common(params: Mapping[str, Any]) -> None:
    from ..actors import load_actors
    from ..ner import check_name_finder
    from ..sentiment import check_scorer

    if params["actors"]:
        load_actors(params["actors"])
    check_scorer(params["sentiment"])  # a missing or changed model fails here, and no network is built
    check_name_finder(params["ner"])


def _execute(notebook, kernel_params: dict, output_dir, slug: str, progress: bool, timeout: int, *, title_of,
             manifest: dict) -> Path:
    """Run ``notebook`` in a hidden folder beside ``output_dir/slug``, then move it there."""
    import nbformat
    import papermill as pm  # heavy imports, only where a report runs

    out_root = Path(output_dir)
    final = out_root / slug
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        clean_stale_folders(out_root)
        refuse_to_replace(final)
        work, lock = locked_folder(out_root, f".{slug}.wbtmp-")
    except OSError as exc:
        raise ReportError(f"cannot write reports into {display_path(out_root)}: {exc.strerror}") from None
    try:
        ensure_kernel()
        log.info("running %s into %s", display_path(notebook), display_path(final))
        saved_base = os.environ.get(BASE_ENV)
        os.environ[BASE_ENV] = str(base_dir())  # the kernel resolves relative paths from here, not its cwd
        try:
            nb = pm.execute_notebook(
                str(notebook),
                str(work / "report.ipynb"),
                parameters=kernel_params,
                kernel_name=KERNEL_NAME,
                cwd=str(work),
                progress_bar=progress,
                request_save_on_cell_execute=False,
                execution_timeout=timeout,
                kernel_manager_class=ipc_kernel_manager(),
            )
        except pm.PapermillExecutionError as exc:
            raise ReportError(
                f"the report notebook failed in cell {exc.exec_count}: {exc.ename}: {exc.evalue}",
                cell_index=exc.cell_index,
                ename=exc.ename,
                evalue=exc.evalue,
            ) from None
        except (RuntimeError, TimeoutError, OSError) as exc:  # the kernel did not start or died
            raise ReportError(f"the report kernel failed: {' '.join(str(exc).split())[:300]}") from None
        finally:
            if saved_base is None:
                os.environ.pop(BASE_ENV, None)
            else:
                os.environ[BASE_ENV] = saved_base
        results_file = work / "results.json"
        if not results_file.is_file():
            raise ReportError("the report notebook did not write results.json")
        title = title_of(json.loads(results_file.read_text(encoding="utf-8"))) or slug
        nb = normalize_notebook(nb)
        try:
            write_text_atomic(work / "report.ipynb", nbformat.writes(nb) + "\n")
            write_text_atomic(work / "report.html", render_html(nb, title=title))
            outputs = {f.name: sha256_file(f) for f in sorted(work.iterdir()) if f.is_file()}
            write_text_atomic(work / MANIFEST, canonical_json(dict(manifest, outputs=outputs)))
            replace_dir(work, final)
        except OSError as exc:  # disk full, permissions: the earlier report stays as it was
            raise ReportError(f"cannot write the report into {display_path(final)}: {exc.strerror or exc}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
        os.close(lock)
    log.info("report written to %s", display_path(final))
    return final
