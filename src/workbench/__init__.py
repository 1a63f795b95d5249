"""News-article research workbench: clean an article, find its topics, its actors and
how each actor is portrayed, and render it all as a reproducible report.

>>> from workbench import analyze
>>> analysis = analyze()          # the seed article shipped in data/
>>> analysis.actors[["actor", "mentions", "score"]]
"""
__version__ = "0.1.0"

from ._data import data_path, project_root  # noqa: E402
from .actors import Actor, ActorMatcher, load_actors  # noqa: E402
from .analysis import Analysis, analyze  # noqa: E402
from .errors import InputError, ParameterError, ReportError, WorkbenchError  # noqa: E402
from .loading import Article, RemovedLine, Sentence, article_from_text, load_article  # noqa: E402
from .sentiment import LexiconSentiment, aggregate_actors, get_scorer  # noqa: E402
from .topics import TopicModel  # noqa: E402

__all__ = [
    "__version__",
    "Actor",
    "ActorMatcher",
    "Analysis",
    "Article",
    "InputError",
    "LexiconSentiment",
    "ParameterError",
    "RemovedLine",
    "ReportError",
    "Sentence",
    "TopicModel",
    "WorkbenchError",
    "aggregate_actors",
    "analyze",
    "article_from_text",
    "data_path",
    "get_scorer",
    "load_actors",
    "load_article",
    "project_root",
]
