"""Report parameters: what each report notebook takes, its type, default, range and help,
and the checks the CLI, a batch and the notebooks themselves make."""

import logging
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .._data import (
    resolve_path,
)
from ..errors import ParameterError

log = logging.getLogger(__name__)


# Kept here, not imported, so that checking parameters (and skipping unchanged batch
# runs) does not load pandas and scikit-learn; a test keeps them equal to
# analysis.TOPIC_UNITS, sentiment.SCORERS and ner.NER_BACKENDS.
TOPIC_UNITS = ("paragraphs", "sentences")
SENTIMENT_BACKENDS = ("lexicon", "linear", "neural")
NER_BACKENDS = ("default", "spacy", "none")


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
