"""The one place that knows where the project's shipped data lives."""
from __future__ import annotations

import os
from pathlib import Path

__all__ = ["data_dir", "data_path", "DEFAULT_ARTICLE", "DEFAULT_ACTORS", "GAZETTEER", "DEFAULT_MODEL", "DEFAULT_NER_MODEL",
           "NER_LEXICON", "project_root"]

DEFAULT_ARTICLE = "us-niger-troop-withdrawal.txt"
DEFAULT_ACTORS = "actors.json"
GAZETTEER = "gazetteer.json"
#: The shipped sentiment model (``workbench sentiment train`` rebuilds it).
DEFAULT_MODEL = "target_sentiment.npz"
#: The shipped name tagger (``workbench actors train`` rebuilds it) and its word lists.
DEFAULT_NER_MODEL = "ner_model.npz"
NER_LEXICON = "ner_lexicon.json"


def project_root() -> Path:
    """The checkout the package is installed from (editable install, ``src/`` layout)."""
    return Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """Folder of shipped data: ``$WORKBENCH_DATA`` if set, else ``<project>/data``."""
    override = os.environ.get("WORKBENCH_DATA")
    return Path(override) if override else project_root() / "data"


def data_path(name: str) -> Path:
    """Path of a shipped data file, e.g. ``data_path("actors.json")``."""
    return data_dir() / name


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` relative to the project root when inside it, else absolute.

    Used wherever a path is written into an output, so that reports do not depend on
    where the checkout lies.
    """
    p = Path(path).resolve()
    try:
        shown = p.relative_to(project_root()).as_posix()
    except ValueError:
        shown = p.as_posix()
    return printable(shown)


def printable(name: str) -> str:
    """A file name that can be printed and written as UTF-8: bytes of a non-UTF-8 name
    (kept by Python as lone surrogates) become ``\\xNN``."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
