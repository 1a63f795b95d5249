"""HTML views of an :class:`~workbench.analysis.Analysis` for notebooks and reports.

Every function returns an HTML string in which all article-derived text is escaped;
notebooks wrap them in ``IPython.display.HTML``. Inline styles only, so a fragment
looks the same in JupyterLab and in a rendered report.

The views name no model class: they read what they draw by duck typing (the shapes
below say which attributes), as scikit-learn's HTML repr does, so that the models'
``_repr_html_`` can call them without an import cycle.
"""
from __future__ import annotations

from .article import (
                      actors_html,
                      article_html,
                      byline_html,
                      compare_html,
                      evidence_html,
                      findings_html,
                      notes_html,
                      parameters_html,
                      removed_html,
                      removed_lines_html,
                      sources_html,
                      styled_actors,
                      summary_html,
                      topic_model_html,
                      topics_html,
)
from .common import (
                      INTERVAL_NOTE,
                      LABEL_COLOURS,
                      SENTIMENT_CAPTION,
                      Analysis,
                      Article,
                      figure_html,
                      marked_sentence,
                      portrayal,
                      table_html,
                      with_too_few,
)
from .corpus import (
                      actor_time_html,
                      actor_topic_html,
                      compare_sources_html,
                      corpus_evidence_html,
                      corpus_summary_html,
                      corpus_topics_html,
)

__all__ = [
    "article_html",
    "byline_html",
    "parameters_html",
    "removed_html",
    "topics_html",
    "topic_model_html",
    "actors_html",
    "sources_html",
    "evidence_html",
    "marked_sentence",
    "removed_lines_html",
    "figure_html",
    "SENTIMENT_CAPTION",
    "notes_html",
    "summary_html",
    "findings_html",
    "portrayal",
    "compare_html",
    "styled_actors",
    "table_html",
    "with_too_few",
    "corpus_summary_html",
    "corpus_topics_html",
    "actor_topic_html",
    "corpus_evidence_html",
    "compare_sources_html",
    "actor_time_html",
    "INTERVAL_NOTE",
    "LABEL_COLOURS",
    "Analysis",
    "Article",
]
