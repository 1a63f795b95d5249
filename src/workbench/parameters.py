"""Report parameters: what each report notebook takes, and the checks the CLI, a batch
and the notebooks themselves make.

One source for each parameter: its name, default and help come from the notebook's
cell tagged ``parameters`` (``name = value  # help``, what papermill reads too), and
what a cell cannot say — the allowed values, ranges, "auto" — from :data:`CONSTRAINTS`
below. ``analyze()``/``analyze_corpus()`` take their defaults from here and the CLI
its ``-p`` help and checks, so a default changed in a notebook changes them all.
"""
from __future__ import annotations

import ast
import json
import logging
import os
import re
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ._data import notebook_path, resolve_path
from .errors import ParameterError

__all__ = ["Parameter", "parameters_of", "defaults_of", "notebook_spec", "parse_parameter_values",
           "validate_parameters", "notebook_parameters", "CONSTRAINTS", "NOTEBOOKS", "TOPIC_UNITS",
           "SENTIMENT_BACKENDS", "NER_BACKENDS", "MAX_BOOT", "MAX_SEED"]

log = logging.getLogger(__name__)

# Kept here, not imported, so that checking parameters (and skipping unchanged batch
# runs) does not load pandas and scikit-learn; a test keeps them equal to
# analysis.TOPIC_UNITS, sentiment.SCORERS and ner.NER_BACKENDS.
TOPIC_UNITS = ("paragraphs", "sentences")
SENTIMENT_BACKENDS = ("lexicon", "linear", "neural")
NER_BACKENDS = ("default", "spacy", "none")
#: Most bootstrap resamples a report may ask for (percentile intervals settle long before).
MAX_BOOT = 100_000
#: Largest seed (what NumPy and scikit-learn accept).
MAX_SEED = 2**32 - 1

#: The report notebooks, by kind.
NOTEBOOKS = {"article": notebook_path("article_report.ipynb"), "corpus": notebook_path("corpus_report.ipynb")}
_SHARED = {"sentiment": {"choices": SENTIMENT_BACKENDS}, "ner": {"choices": NER_BACKENDS},
           "n_boot": {"minimum": 0, "maximum": MAX_BOOT}, "seed": {"minimum": 0, "maximum": MAX_SEED}}
#: What a parameters cell cannot say, by kind: allowed values, ranges, "auto".
CONSTRAINTS: dict[str, dict[str, dict[str, Any]]] = {
    "article": {**_SHARED, "n_topics": {"minimum": 1, "maximum": 1000}, "topic_unit": {"choices": TOPIC_UNITS},
                "n_terms": {"minimum": 1, "maximum": 1000}},
    "corpus": {**_SHARED, "n_topics": {"minimum": 1, "maximum": 1000, "auto": True}, "strict": {"choices": (0, 1)}},
}
#: Names a notebook's parameters cell (and namespace) holds besides its parameters.
_NOTEBOOK_NAMES = frozenset({"In", "Out", "get_ipython", "exit", "quit", "open", "results_path"})
_ASSIGNMENT = re.compile(r"^(?P<name>[A-Za-z_]\w*)\s*=\s*(?P<value>.+?)\s*(?:#\s*(?P<help>.*))?$")


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


def notebook_spec(notebook: str | os.PathLike[str], constraints: Mapping[str, Mapping[str, Any]]
                  ) -> tuple[Parameter, ...]:
    """The parameters a notebook declares in its cell tagged ``parameters``, one
    ``name = literal  # help`` line each, with their ``constraints``."""
    with open(notebook, encoding="utf-8") as fh:
        cells = json.load(fh)["cells"]
    cell = next(c for c in cells if "parameters" in c.get("metadata", {}).get("tags", []))
    found = []
    for line in "".join(cell["source"]).splitlines():
        match = _ASSIGNMENT.match(line)
        if not match or match["name"] in _NOTEBOOK_NAMES:
            continue
        default = ast.literal_eval(match["value"])
        found.append(Parameter(match["name"], type(default), default, match["help"] or "",
                               **constraints.get(match["name"], {})))
    return tuple(found)


@cache
def parameters_of(kind: str = "article") -> tuple[Parameter, ...]:
    """The parameters of the ``kind`` ("article" or "corpus") report notebook."""
    return notebook_spec(NOTEBOOKS[kind], CONSTRAINTS[kind])


def defaults_of(kind: str = "article") -> dict[str, Any]:
    """Each parameter's default, by name, as the ``kind`` notebook declares it."""
    return {p.name: p.default for p in parameters_of(kind)}


def parse_parameter_values(pairs: Sequence[tuple[str, str]],
                           spec: Sequence[Parameter] | None = None) -> dict[str, Any]:
    """Turn ``-p NAME VALUE`` strings into typed values; unknown names are an error."""
    spec = parameters_of("article") if spec is None else spec
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


def validate_parameters(values: Mapping[str, Any], spec: Sequence[Parameter] | None = None) -> dict[str, Any]:
    """All report parameters, defaults filled in, after checking names, types and ranges.

    Raises:
        ParameterError: a name is unknown, a value has the wrong type, is out of range or
            not among the allowed choices.
    """
    spec = parameters_of("article") if spec is None else spec
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
    spec = parameters_of(kind)
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
    return (
        f"{value:,}" if value.bit_length() < 64 else f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    )


def _spec(name: str, spec: Sequence[Parameter]) -> Parameter:
    by_name = {p.name: p for p in spec}
    try:
        return by_name[name]
    except KeyError:
        known = ", ".join(sorted(by_name))
        raise ParameterError(f"unknown parameter {name!r}; known parameters: {known}", name=name) from None


def __getattr__(name: str) -> Any:
    """``REPORT_PARAMETERS`` and ``CORPUS_PARAMETERS``: the two notebooks' parameters."""
    if name in ("REPORT_PARAMETERS", "CORPUS_PARAMETERS"):
        return parameters_of("article" if name == "REPORT_PARAMETERS" else "corpus")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
