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

from .._folders import clean_stale_folders, is_report
from ..parameters import (
    MAX_BOOT,
    MAX_SEED,
    NER_BACKENDS,
    SENTIMENT_BACKENDS,
    TOPIC_UNITS,
    Parameter,
    defaults_of,
    notebook_parameters,
    parameters_of,
    parse_parameter_values,
    validate_parameters,
)
from .kernel import KERNEL_NAME, ensure_kernel
from .manifest import read_manifest
from .render import normalize_notebook, render_html
from .run import CORPUS_NOTEBOOK, REPORT_NOTEBOOK, planned_report, report_slug, run_corpus_report, run_report
from .verify import verify_report

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
    "CORPUS_NOTEBOOK",
    "parameters_of",
    "defaults_of",
    "MAX_BOOT",
    "MAX_SEED",
    "TOPIC_UNITS",
    "SENTIMENT_BACKENDS",
    "NER_BACKENDS",
]


def __getattr__(name: str):
    """``REPORT_PARAMETERS`` and ``CORPUS_PARAMETERS``, read from the notebooks when asked for."""
    from .. import parameters

    return getattr(parameters, name)
