"""The per-article step: an article's actors (every mention, with sentence and span) and
its quotations, for many articles at once (the name finder runs over them together).

Both :func:`workbench.analysis.analyze` and the corpus pipeline
(:mod:`workbench.corpus.chunks`) call it, so the two paths find the same actors and
quotes in the same article; each then scores the mentions in batches of its own (one
article's mentions, or a chunk's) with :func:`workbench.sentiment.mention_items`.
"""
from __future__ import annotations

from collections.abc import Sequence

from .actors import ActorMatcher, quote_records
from .loading import Article

__all__ = ["actors_and_quotes"]


def actors_and_quotes(articles: Sequence[Article], matcher: ActorMatcher) -> list[tuple[dict, dict]]:
    """Per article, its mentions and its quotations, each as a dict of column lists
    (:data:`~workbench.actors.MENTION_COLUMNS`, :data:`~workbench.actors.QUOTE_COLUMNS`)."""
    return [(found, quote_records(article, found)) for article, found in zip(articles, matcher.find_many(articles))]
