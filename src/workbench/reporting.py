"""Reports: check parameters, run a notebook with papermill, render deterministic HTML,
record what the report was made from, and verify it later.

A report run writes ``<output_dir>/<slug>/`` with ``report.ipynb`` (executed,
normalised), ``report.html`` (self-contained, no code, with a table of contents),
``results.json`` (and, for a corpus, ``mentions.parquet``) and ``manifest.json`` (input,
parameters, notebook, data files, versions and the sha256 of every output). It is built
in a hidden temporary folder beside the target and moved into place only when every
file is written, so a failed or interrupted run leaves nothing half-written
(:mod:`workbench._folders`).

Determinism lives here: notebook metadata that varies between runs (papermill
timestamps and durations, execution times, cell ids) is stripped or fixed, stderr
streams are kept out of ``report.ipynb`` and the HTML (they go to the log), and figures
are PNGs without timestamps.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import re
import shutil
import sys
import types
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from html import escape
from pathlib import Path
from typing import Any

from ._data import (
    BASE_ENV,
    DEFAULT_ACTORS,
    DEFAULT_ARTICLE,
    DEFAULT_MODEL,
    DEFAULT_NER_MODEL,
    GAZETTEER,
    NER_LEXICON,
    base_dir,
    data_path,
    display_path,
    notebook_path,
    resolve_path,
)
from ._folders import (
    MANIFEST,
    MAX_MANIFEST_BYTES,
    clean_stale_folders,
    is_report,
    locked_folder,
    refuse_to_replace,
    replace_dir,
)
from ._io import canonical_json, read_user_file, sha256_file, sha256_unchanged_file, write_text_atomic
from .errors import InputError, ParameterError, ReportError
from .loading import load_article

# Kept here, not imported, so that checking parameters (and skipping unchanged batch
# runs) does not load pandas and scikit-learn; a test keeps them equal to
# analysis.TOPIC_UNITS, sentiment.SCORERS and ner.NER_BACKENDS.
TOPIC_UNITS = ("paragraphs", "sentences")
SENTIMENT_BACKENDS = ("lexicon", "linear", "neural")
NER_BACKENDS = ("default", "spacy", "none")

__all__ = [
    "Parameter",
    "REPORT_PARAMETERS",
    "REPORT_NOTEBOOK",
    "KERNEL_NAME",
    "validate_parameters",
    "notebook_parameters",
    "parse_parameter_values",
    "run_report",
    "planned_report",
    "run_corpus_report",
    "CORPUS_PARAMETERS",
    "report_slug",
    "normalize_notebook",
    "render_html",
    "ensure_kernel",
    "read_manifest",
    "verify_report",
    "is_report",
    "clean_stale_folders",
]

log = logging.getLogger(__name__)

REPORT_NOTEBOOK = notebook_path("article_report.ipynb")
#: The Jupyter kernel the project registers (``make`` installs it into ``.venv``).
KERNEL_NAME = "workbench"


@dataclass(frozen=True)
class Parameter:
    """A report parameter: its type, default, allowed values and help text."""

    name: str
    type: type
    default: Any
    help: str
    choices: tuple | None = None
    minimum: int | None = None
    maximum: int | None = None
    auto: bool = False  # also accepts the string "auto"


#: Most bootstrap resamples a report may ask for (percentile intervals settle long before).
MAX_BOOT = 100_000
#: Largest seed (what NumPy and scikit-learn accept).
MAX_SEED = 2**32 - 1

#: The parameters of ``notebooks/article_report.ipynb`` (a test keeps the two in step).
REPORT_PARAMETERS: tuple[Parameter, ...] = (
    Parameter("article", str, "", "article file; empty for the seed article"),
    Parameter("n_topics", int, 3, "number of topics", minimum=1, maximum=1000),
    Parameter("topic_unit", str, "paragraphs", "documents of the topic model", choices=TOPIC_UNITS),
    Parameter("n_terms", int, 8, "top terms listed per topic", minimum=1, maximum=1000),
    Parameter("actors", str, "", "actor dictionary (JSON); empty for the shipped default"),
    Parameter("sentiment", str, "linear", "per-mention sentiment backend", choices=SENTIMENT_BACKENDS),
    Parameter("ner", str, "default", "name finder: the shipped tagger, spaCy (extra [spacy]) or none", choices=NER_BACKENDS),
    Parameter("n_boot", int, 2000, "bootstrap resamples for actor intervals", minimum=0, maximum=MAX_BOOT),
    Parameter("seed", int, 0, "seed of topic model and bootstrap", minimum=0, maximum=MAX_SEED),
)


def parse_parameter_values(pairs: Sequence[tuple[str, str]],
                           spec: Sequence[Parameter] = REPORT_PARAMETERS) -> dict[str, Any]:
    """Turn ``-p NAME VALUE`` strings into typed values; unknown names are an error."""
    values: dict[str, Any] = {}
    for name, raw in pairs:
        spec_of = _spec(name, spec)
        if spec_of.type is int and not (spec_of.auto and raw == "auto"):
            try:
                values[name] = int(raw)
            except ValueError:
                raise ParameterError(f"parameter {name} expects an integer, got {raw!r}", name=name) from None
        else:
            values[name] = raw
    return values


def validate_parameters(values: Mapping[str, Any], spec: Sequence[Parameter] = REPORT_PARAMETERS) -> dict[str, Any]:
    """All report parameters, defaults filled in, after checking names, types and ranges.

    Raises:
        ParameterError: a name is unknown, a value has the wrong type, is out of range or
            not among the allowed choices.
    """
    checked = {p.name: p.default for p in spec}
    for name, value in values.items():
        spec_of = _spec(name, spec)
        if spec_of.auto and value == "auto":
            checked[name] = value
            continue
        if spec_of.type is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ParameterError(f"parameter {name} expects an integer, got {value!r}", name=name)
        if spec_of.type is str and not isinstance(value, str):
            raise ParameterError(f"parameter {name} expects a string, got {value!r}", name=name)
        if spec_of.minimum is not None and value < spec_of.minimum:
            raise ParameterError(f"parameter {name} must be at least {spec_of.minimum}, got {value}", name=name)
        if spec_of.maximum is not None and value > spec_of.maximum:
            raise ParameterError(f"parameter {name} must be at most {spec_of.maximum:,}, got {_shown(value)}",
                                 name=name)
        if spec_of.choices and value not in spec_of.choices:
            choices = ", ".join(map(str, spec_of.choices))
            raise ParameterError(f"parameter {name} must be one of {choices}, got {value!r}", name=name)
        checked[name] = value
    return checked


#: Names a notebook's namespace holds besides its parameters (IPython's, and the results file).
_NOTEBOOK_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open", "results_path"})


def notebook_parameters(namespace: Mapping[str, Any], kind: str = "article") -> dict[str, Any]:
    """The parameters of a report notebook, checked by the rules ``workbench report`` uses.

    Paths are returned resolved (:func:`~workbench._data.resolve_path`), ready for
    :func:`~workbench.analysis.analyze` or :func:`~workbench.corpus.analyze_corpus`. The
    notebooks call it in the cell after their parameters cell, with ``globals()``, so
    a run straight from papermill (``papermill … -p n_topics abc``) fails there, at once,
    with the CLI's one-line message; a misspelt ``-p`` name (which papermill only warns
    about) is an error too.

    Raises:
        ParameterError: as :func:`validate_parameters`.
    """
    spec = REPORT_PARAMETERS if kind == "article" else CORPUS_PARAMETERS
    known = {p.name for p in spec}
    unknown = sorted(k for k, v in namespace.items()
                     if not (k.startswith("_") or k in known or k in _NOTEBOOK_NAMES or callable(v)
                             or isinstance(v, types.ModuleType)))  # imports are not parameters
    if unknown:
        _spec(unknown[0], spec)  # raises the "unknown parameter … known parameters: …" error
    checked = validate_parameters({name: namespace[name] for name in known if name in namespace}, spec)
    for name in ("article", "actors", "corpus"):  # paths come as display_path writes them
        if checked.get(name):
            checked[name] = str(resolve_path(checked[name]))
    return checked


def _shown(value: int) -> str:
    """An integer for a message; a huge one by its size (printing it may itself fail)."""
    return f"{value:,}" if value.bit_length() < 64 else f"an integer of about {int(value.bit_length() * 0.30103)} digits"


def _spec(name: str, spec: Sequence[Parameter]) -> Parameter:
    by_name = {p.name: p for p in spec}
    try:
        return by_name[name]
    except KeyError:
        known = ", ".join(sorted(by_name))
        raise ParameterError(f"unknown parameter {name!r}; known parameters: {known}", name=name) from None


def report_slug(article: str | os.PathLike[str]) -> str:
    """Folder name of an article's report: its file name, lower-case ASCII with dashes."""
    stem = Path(article).stem
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-")
    return slug[:80] or "article"


def ensure_kernel(name: str = KERNEL_NAME) -> Path:
    """Make kernel ``name`` resolve to this Python, whatever other kernels exist.

    Writes the kernel spec into ``sys.prefix/share/jupyter`` when it is missing or
    points elsewhere, and puts that folder first on ``JUPYTER_PATH`` for this process
    (and the kernels it starts), so a same-named kernel elsewhere cannot shadow it.
    Returns the kernel spec file. ``make`` calls it (``workbench kernel``) at set-up.
    """
    share = Path(sys.prefix) / "share" / "jupyter"
    spec_file = share / "kernels" / name / "kernel.json"
    # log_level=CRITICAL: ipykernel 7 warns on every start that loopback TCP is unencrypted, and
    # logs an interrupt at shutdown; neither helps a report reader.
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}", "--IPKernelApp.log_level=CRITICAL"]
    try:
        current = json.loads(spec_file.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = {}
    if current.get("argv") != argv:
        spec = {"argv": argv, "display_name": "Python (workbench)", "language": "python",
                "metadata": {"debugger": True}}
        write_text_atomic(spec_file, json.dumps(spec, indent=1) + "\n")
    paths = [str(share)] + [p for p in os.environ.get("JUPYTER_PATH", "").split(os.pathsep) if p and p != str(share)]
    os.environ["JUPYTER_PATH"] = os.pathsep.join(paths)
    return spec_file


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
    return params, article_path, _manifest("article", article_path, dict(params, article=shown), notebook)


def run_report(
    article: str | os.PathLike[str] | None = None,
    *,
    output_dir: str | os.PathLike[str] = "reports",
    parameters: Mapping[str, Any] | None = None,
    notebook: str | os.PathLike[str] = REPORT_NOTEBOOK,
    progress: bool = False,
    timeout: int = 600,
    slug: str | None = None,
) -> Path:
    """Execute the report notebook for one article; return the report folder.

    Inputs and parameters are checked before a kernel starts: a bad article or actor
    file raises :class:`~workbench.errors.InputError`, a bad parameter
    :class:`~workbench.errors.ParameterError`. A failing cell raises
    :class:`~workbench.errors.ReportError`; nothing is left in ``output_dir`` then.
    The folder is ``output_dir/slug`` (default: from the article's file name) and holds
    ``manifest.json`` (see :func:`verify_report`).
    """
    params, article_path, manifest = planned_report(article, parameters, notebook)
    for warning in load_article(article_path).warnings:  # fail fast on bad input; say what to distrust
        log.warning("%s: %s", display_path(article_path), warning)
    _check_common(params)
    kernel_params = dict(params, article=_kernel_path(article_path) if params["article"] else "",
                         actors=_kernel_path(Path(params["actors"])) if params["actors"] else "",
                         results_path="results.json")
    return _execute(notebook, kernel_params, output_dir, slug or report_slug(article_path), progress, timeout,
                    title_of=lambda results: results["article"]["title"], manifest=manifest)


#: The parameters of ``notebooks/corpus_report.ipynb``.
CORPUS_PARAMETERS: tuple[Parameter, ...] = (
    Parameter("corpus", str, "", "corpus: a .jsonl, .csv or .warc(.gz) file, or a folder of articles"),
    Parameter("n_topics", int, 5, "number of topics across articles, or auto", minimum=1, maximum=1000,
              auto=True),
    Parameter("actors", str, "", "actor dictionary (JSON); empty for the shipped default"),
    Parameter("sentiment", str, "linear", "per-mention sentiment backend", choices=SENTIMENT_BACKENDS),
    Parameter("ner", str, "default", "name finder: the shipped tagger, spaCy (extra [spacy]) or none", choices=NER_BACKENDS),
    Parameter("n_boot", int, 1000, "bootstrap resamples for actor intervals", minimum=0, maximum=MAX_BOOT),
    Parameter("seed", int, 0, "seed of topic model and bootstrap", minimum=0, maximum=MAX_SEED),
    Parameter("strict", int, 0, "1: reject the corpus at the first malformed record; 0: skip and report it",
              choices=(0, 1)),
    Parameter("compare", str, "source", "record field whose groups are compared: source, or e.g. a category column"),
)
CORPUS_NOTEBOOK = notebook_path("corpus_report.ipynb")


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
    from .corpus import read_corpus

    params = validate_parameters(dict(parameters or {}, corpus=str(corpus)), CORPUS_PARAMETERS)
    path = Path(params["corpus"])
    records = read_corpus(path, strict=bool(params["strict"]))
    for _ in records if params["strict"] else [next(records, None)]:  # fail fast on a bad corpus (strict: on
        pass  # any malformed record, before a kernel starts)
    _check_common(params)
    kernel_params = dict(params, corpus=_kernel_path(path),
                         actors=_kernel_path(Path(params["actors"])) if params["actors"] else "",
                         results_path="results.json")
    manifest = _manifest("corpus", path, dict(params, corpus=display_path(path)), notebook)
    return _execute(notebook, kernel_params, output_dir, slug or report_slug(path), progress, timeout,
                    title_of=lambda results: f"Corpus report: {path.name}", manifest=manifest)


def _check_common(params: Mapping[str, Any]) -> None:
    from .actors import load_actors
    from .ner import check_name_finder
    from .sentiment import load_scorer

    if params["actors"]:
        load_actors(params["actors"])
    load_scorer(params["sentiment"])  # loads the model: a missing or broken one fails here
    check_name_finder(params["ner"])


def _kernel_path(path: Path) -> str:
    """A path as the kernel gets it: as :func:`display_path` writes it (``data/…``, relative
    to the working folder, else absolute), so ``report.ipynb`` holds no checkout or venv
    path; the notebook reads it back with :func:`resolve_path`. It travels as JSON
    (UTF-8): a file name that is not valid UTF-8 is refused here, in one line."""
    try:
        str(path.resolve()).encode("utf-8")
    except UnicodeEncodeError:
        shown = display_path(path)
        raise InputError(f"{shown}: the file name is not valid UTF-8; rename the file (e.g. convmv -f latin1 -t utf-8)",
                         path=shown) from None
    return display_path(path)


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
                kernel_manager_class=_ipc_kernel_manager(),
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


def _ipc_kernel_manager():
    """A kernel manager that talks to its kernel over Unix sockets, not TCP ports: parallel
    runs cannot race for the same port (papermill's known failure in batch runs)."""
    global _IPC_MANAGER
    if _IPC_MANAGER is None:
        from jupyter_client.manager import AsyncKernelManager
        from traitlets import default

        class IPCKernelManager(AsyncKernelManager):
            @default("transport")
            def _default_transport(self) -> str:
                return "ipc"

        _IPC_MANAGER = IPCKernelManager
    return _IPC_MANAGER


_IPC_MANAGER = None
_VERSIONED = ("workbench", "papermill", "nbconvert", "nbformat", "ipykernel", "pandas", "numpy", "scikit-learn",
              "scipy", "matplotlib", "vaderSentiment", "pyarrow", "trafilatura")


@lru_cache(maxsize=1)
def _versions() -> tuple[tuple[str, str | None], ...]:
    from importlib import metadata

    found = [("python", platform.python_version())]
    for name in _VERSIONED:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, None))
    return tuple(found)


def _sha256_input(path: Path) -> str:
    """sha256 of a file, or of a folder's files (names and contents, sorted)."""
    if path.is_dir():
        digest = hashlib.sha256()
        for f in sorted(x for x in path.rglob("*") if x.is_file()):
            digest.update(f"{f.relative_to(path).as_posix()}\0{sha256_unchanged_file(f)}\n".encode())
        return digest.hexdigest()
    return sha256_unchanged_file(path)


def _manifest(kind: str, source: Path, parameters: dict, notebook) -> dict:
    """What a report was made from; its ``fingerprint`` changes when any of it changes."""
    data = {name: sha256_unchanged_file(data_path(name)) for name in (DEFAULT_ACTORS, GAZETTEER, DEFAULT_MODEL,
                                                                     DEFAULT_NER_MODEL, NER_LEXICON)
            if data_path(name).is_file()}
    if parameters.get("actors"):
        if Path(parameters["actors"]).is_file():  # a missing one is reported by the run's own checks
            data["actors (parameter)"] = sha256_unchanged_file(Path(parameters["actors"]))
        parameters = dict(parameters, actors=display_path(parameters["actors"]))
    versions = dict(_versions())
    made_from = {
        "kind": kind,
        "input": {"path": display_path(source), "sha256": _sha256_input(source)},
        "parameters": parameters,
        "notebook": {"path": display_path(notebook), "sha256": sha256_unchanged_file(Path(notebook))},
        "data": data,
        "versions": versions,
    }
    fingerprint = hashlib.sha256(canonical_json(made_from).encode()).hexdigest()
    return dict(made_from, fingerprint=fingerprint)


def read_manifest(folder: str | os.PathLike[str]) -> dict:
    """The manifest of a report folder.

    Raises:
        InputError: the folder has no readable ``manifest.json``.
    """
    path = Path(folder) / MANIFEST
    shown = display_path(path)
    try:
        raw = read_user_file(path, what="a report manifest", max_bytes=MAX_MANIFEST_BYTES)
        manifest = json.loads(raw.decode("utf-8"))
    except InputError as exc:
        raise InputError(f"{shown}: no readable report manifest ({str(exc).removeprefix(shown + ': ')})") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{shown}: no readable report manifest ({exc.__class__.__name__})") from None
    problem = _manifest_problem(manifest)
    if problem:
        raise InputError(f"{shown}: not a workbench report manifest ({problem})")
    return manifest


_OUTPUT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$")


def _manifest_problem(manifest: Any) -> str:
    """What is wrong with a parsed manifest, or "" (names of outputs must be plain file
    names: a tampered ``../x`` would make verify read outside the folder)."""
    if not isinstance(manifest, dict):
        return "not a JSON object"
    if manifest.get("kind") not in ("article", "corpus"):
        return "field kind must be article or corpus"
    for key in ("input", "parameters", "outputs"):
        if not isinstance(manifest.get(key), dict):
            return f"field {key} must be an object"
    if not isinstance(manifest["input"].get("path"), str):
        return "field input.path must be a string"
    if not isinstance(manifest["parameters"].get("actors", ""), str):
        return "field parameters.actors must be a string"
    if not isinstance(manifest.get("fingerprint"), str):
        return "field fingerprint must be a string"
    for name, digest in manifest["outputs"].items():
        if not _OUTPUT_NAME.match(name) or ".." in name or not isinstance(digest, str):
            return f"output name {name[:60]!r} is not a plain file name with a digest"
    return ""


def verify_report(folder: str | os.PathLike[str]) -> list[str]:
    """Re-run the report in ``folder`` from its manifest; return the problems found.

    An empty list means every output file is unchanged since it was made and the re-run
    gives identical bytes. Otherwise each entry names a file and what differs.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    problems = []
    for name, digest in sorted(manifest["outputs"].items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif sha256_file(path) != digest:
            problems.append(f"{name}: changed since the report was made")
    params = dict(manifest["parameters"])
    source = resolve_path(manifest["input"]["path"])
    if params.get("actors"):
        params["actors"] = str(resolve_path(params["actors"]))
    tmp, lock = locked_folder(folder.parent, ".verify.wbtmp-")
    try:
        if manifest["kind"] == "corpus":
            params.pop("corpus", None)
            rerun = run_corpus_report(source, output_dir=tmp, parameters=params, slug="rerun")
        else:
            article = params.pop("article", "")
            rerun = run_report(resolve_path(article) if article else None, output_dir=tmp, parameters=params,
                               slug="rerun")
        fresh = read_manifest(rerun)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        os.close(lock)
    if fresh["fingerprint"] != manifest["fingerprint"]:
        changed = [k for k in ("input", "parameters", "notebook", "data", "versions") if fresh[k] != manifest[k]]
        problems.append(f"manifest: made from different {', '.join(changed)} now")
    for name, digest in sorted(manifest["outputs"].items()):
        if name == MANIFEST:
            continue
        if fresh["outputs"].get(name) != digest:
            problems.append(f"{name}: a re-run gives different bytes")
    return problems




def normalize_notebook(nb):
    """Strip what changes between runs: papermill/execution metadata, random cell ids."""
    import nbformat

    nb = nbformat.from_dict(json.loads(json.dumps(nb)))  # deep copy
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:02d}"
        for key in ("papermill", "execution", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = _steady_outputs(cell.outputs, index)
    return nb


def _steady_outputs(outputs: list, index: int) -> list:
    """A cell's outputs without stderr (warnings name the venv's absolute path, and how a
    kernel's streams are cut into outputs depends on timing): stderr text goes to this
    process's log instead, and consecutive stdout pieces become one output."""
    kept: list = []
    for output in outputs:
        if output.get("output_type") == "stream":
            if output.get("name") == "stderr":
                for line in str(output.get("text", "")).strip().splitlines()[:20]:
                    log.warning("report cell %d wrote to stderr: %s", index, line)
                continue
            if kept and kept[-1].get("output_type") == "stream" and kept[-1].get("name") == output.get("name"):
                kept[-1]["text"] += output["text"]
                continue
        kept.append(output)
    return kept


#: Styles of the rendered page; no external font, script or stylesheet.
REPORT_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; line-height: 1.5;
       color: #1d1d1d; margin: 0; background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; }
h1, h2, h3 { line-height: 1.2; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
a.anchor-link { display: none; }
table.wb-table { border-collapse: collapse; font-size: .9rem; margin: .5rem 0; }
table.wb-table th, table.wb-table td { border-bottom: 1px solid #e5e5e5; padding: .25rem .6rem;
       text-align: left; vertical-align: top; }
table.wb-table th { background: #f5f5f5; }
mark { padding: 0 .15em; border-radius: .2em; }
img { max-width: 100%; height: auto; }
nav.toc { background: #f7f7f7; border: 1px solid #e5e5e5; padding: .5rem 1rem; margin: 1rem 0; }
nav.toc ul { margin: .3rem 0; padding-left: 1.2rem; }
@media print { main { max-width: none; } nav.toc { display: none; } h2 { page-break-after: avoid; }
               table, img, figure { page-break-inside: avoid; } a { color: inherit; text-decoration: none; } }
"""


def render_html(nb, *, title: str) -> str:
    """Self-contained HTML of an executed report: outputs and text only, no code."""
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {"parameters", "injected-parameters"}
    exporter = HTMLExporter(config=config, template_name="basic")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    shown = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in shown.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    body, _ = exporter.from_notebook_node(shown)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{REPORT_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{_with_contents(body)}\n</main>\n</body>\n</html>\n"
    )


_SECTION = re.compile(r'<h2 id="([^"]+)">(.*?)<a class="anchor-link"')


def _with_contents(body: str) -> str:
    """``body`` with a list of links to its sections (h2 headings) before the first one."""
    entries = [(anchor, re.sub(r"<[^>]+>", "", text)) for anchor, text in _SECTION.findall(body)]
    if not entries:
        return body
    items = "".join(f'<li><a href="#{anchor}">{text}</a></li>' for anchor, text in entries)
    toc = f'<nav class="toc" aria-label="Contents"><strong>Contents</strong><ul>{items}</ul></nav>\n'
    at = body.rfind('<div class="cell', 0, body.index("<h2 id="))
    return body[:at] + toc + body[at:]


