"""News-article research workbench: clean an article, find its topics, its actors and
how each actor is portrayed, and render it all as a reproducible report.

>>> from workbench import analyze
>>> analysis = analyze()          # the seed article shipped in data/
>>> analysis.actors[["actor", "mentions", "score"]]

Names are imported on first use, so the command line starts without loading pandas
and scikit-learn when it does not need them.
"""
from __future__ import annotations

import importlib

__version__ = "0.1.0"

_EXPORTS = {
    "Actor": ".actors",
    "ActorMatcher": ".actors",
    "load_actors": ".actors",
    "Analysis": ".analysis",
    "analyze": ".analysis",
    "InputError": ".errors",
    "ParameterError": ".errors",
    "ReportError": ".errors",
    "WorkbenchError": ".errors",
    "Article": ".loading",
    "RemovedLine": ".loading",
    "Sentence": ".loading",
    "article_from_text": ".loading",
    "article_from_page": ".loading",
    "load_article": ".loading",
    "LexiconSentiment": ".sentiment",
    "TargetSentiment": ".sentiment",
    "aggregate_actors": ".sentiment",
    "load_scorer": ".sentiment",
    "TopicModel": ".topics",
    "data_path": "._data",
    "project_root": "._data",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str):
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'workbench' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))
