"""The one place that knows where the project's shipped data and notebooks live, and how
paths are written into outputs."""
from __future__ import annotations

import os
from functools import lru_cache
from importlib import resources
from pathlib import Path

__all__ = [
    "base_dir",
    "data_dir",
    "data_path",
    "display_path",
    "notebook_path",
    "resolve_path",
    "DEFAULT_ARTICLE",
    "DEFAULT_ACTORS",
    "GAZETTEER",
    "DEFAULT_MODEL",
    "DEFAULT_NER_MODEL",
    "NER_LEXICON",
    "project_root",
]

DEFAULT_ARTICLE = "us-niger-troop-withdrawal.txt"
DEFAULT_ACTORS = "actors.json"
GAZETTEER = "gazetteer.json"
#: The shipped sentiment model (``workbench sentiment train`` rebuilds it).
DEFAULT_MODEL = "target_sentiment.npz"
#: The shipped name tagger (``workbench actors train`` rebuilds it) and its word lists.
DEFAULT_NER_MODEL = "ner_model.npz"
NER_LEXICON = "ner_lexicon.json"


def project_root() -> Path:
    """The folder holding the shipped ``data/`` and ``notebooks/``: the checkout when the
    package runs from one (``make``, an editable install), else the installed package,
    where the wheel carries them (found with :mod:`importlib.resources`)."""
    return _root()


@lru_cache(maxsize=1)
def _root() -> Path:
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").is_file() and (checkout / "data").is_dir():
        return checkout
    return Path(str(resources.files("workbench"))).resolve()


def notebook_path(name: str) -> Path:
    """Path of a shipped report notebook, e.g. ``notebook_path("article_report.ipynb")``."""
    return project_root() / "notebooks" / name


def data_dir() -> Path:
    """Folder of shipped data: ``$WORKBENCH_DATA`` if set, else ``data/`` of :func:`project_root`."""
    override = os.environ.get("WORKBENCH_DATA")
    return Path(override) if override else project_root() / "data"


def data_path(name: str) -> Path:
    """Path of a shipped data file, e.g. ``data_path("actors.json")``."""
    return data_dir() / name


#: The folder a run's relative paths are relative to. The report's parent sets it for the
#: kernel it starts (whose own working folder is the report's hidden work folder), so
#: paths are shown, and resolved, the same on both sides.
BASE_ENV = "WORKBENCH_CWD"


def base_dir() -> Path:
    """Where relative paths given by the user start: ``$WORKBENCH_CWD``, else the working folder."""
    return Path(os.environ.get(BASE_ENV) or os.getcwd())


def display_path(path: str | os.PathLike[str]) -> str:
    """``path`` as written into outputs: shipped files as ``data/…`` or ``notebooks/…``
    (wherever the package lies), files under the working folder relative to it, others
    absolute. So reports do not depend on where the checkout or the venv lies.
    :func:`resolve_path` reads it back."""
    p = Path(path).resolve()
    for base in (project_root(), base_dir().resolve()):
        try:
            return printable(p.relative_to(base).as_posix())
        except ValueError:
            continue
    return printable(p.as_posix())


def resolve_path(shown: str | os.PathLike[str]) -> Path:
    """The file a path written by :func:`display_path` names (its inverse): absolute as it
    is, else under :func:`project_root` when there, else relative to :func:`base_dir`."""
    path = Path(shown)
    if path.is_absolute():
        return path
    shipped = project_root() / path
    return shipped if shipped.exists() else base_dir() / path


def printable(name: str) -> str:
    """A file name that can be printed and written as UTF-8: bytes of a non-UTF-8 name
    (kept by Python as lone surrogates) become ``\\xNN``."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
