"""The one place the steps are wired together: article → topics, actors, sentiment.

The report notebook, the CLI and batch runs all call :func:`analyze` and only display
or save the :class:`Analysis` it returns.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import __version__  # noqa: F401
from ._data import display_path
from ._io import canonical_json, plain_rows, write_csv_tables, write_json_atomic
from .actors import DEMONYM_RULE, QUOTE_COLUMNS, ActorMatcher, mention_table
from .loading import Article, load_article
from .parameters import TOPIC_UNITS, defaults_of
from .sentiment import aggregate_actors, load_scorer, score_mentions, scorer_record
from .steps import actors_and_quotes
from .topics import TopicModel

__all__ = ["Analysis", "analyze", "TOPIC_UNITS"]

log = logging.getLogger(__name__)

#: The defaults are the report notebook's (``notebooks/article_report.ipynb``), read once.
_DEFAULTS = defaults_of("article")


@dataclass
class Analysis:
    """Everything the workbench found in one article.

    Attributes:
        article: The cleaned article.
        parameters: The parameters used (paths shown project-relative).
        topic_model: The fitted model, or None when the text had no topic terms.
        topics: One row per topic: id, label, terms, weight, coherence.
        units: The texts topics were fitted on: unit, paragraph, text, topic (dominant, -1 = none).
        mentions: One row per actor mention, with label, polarity and probabilities.
        actors: One row per actor, at every level (see :func:`workbench.sentiment.aggregate_actors`).
        rollup: One row per top-level actor (country, organisation, group), its
            institutions and people rolled up into it.
        quotes: Direct quotations with speaker phrase and speaker actor.
        sentiment_model: The scorer used: backend name and, for a trained model, its
            file, the file's sha256 and the hash of its training data.
        notes: Adjustments made on the way, in words (e.g. k lowered for a short text).
    """

    article: Article
    parameters: dict[str, Any]
    topic_model: TopicModel | None
    topics: pd.DataFrame
    units: pd.DataFrame
    mentions: pd.DataFrame
    actors: pd.DataFrame
    rollup: pd.DataFrame
    quotes: pd.DataFrame
    sentiment_model: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The machine-readable results (what ``results.json`` holds)."""
        art = self.article
        return {
            "workbench_version": __version__,
            "article": {
                "title": art.title,
                "dateline": art.dateline,
                "source": art.source,
                "sha256": art.sha256,
                "paragraphs": len(art.paragraphs),
                "sentences": [
                    {"index": x.index, "paragraph": x.paragraph, "start": x.start, "end": x.end, "text": x.text}
                    for x in art.sentences
                ],
                "removed": [{"line": r.line, "text": r.text, "reason": r.reason} for r in art.removed],
                "removed_total": art.removed_total,
                "date": art.date,
                "authors": list(art.authors),
                "site_name": art.site_name,
                "url": art.url,
                "language": art.language,
                "encoding": art.encoding,
                "warnings": list(art.warnings),
            },
            "parameters": self.parameters,
            "sentiment_model": self.sentiment_model,
            "topics": self.topics.to_dict(orient="records"),
            "topic_quality": {
                "diversity": self.topic_model.diversity_ if self.topic_model else None,
                "mean_coherence": float(np.mean(self.topic_model.coherence_)) if self.topic_model else None,
            },
            "units": self.units.drop(columns=["text"]).to_dict(orient="records"),
            "actors": self.actors.to_dict(orient="records"),
            "actors_rollup": self.rollup.drop(columns=["evidence"]).to_dict(orient="records"),
            "quotes": self.quotes.to_dict(orient="records"),
            "mentions": plain_rows(self.mentions.drop(columns=["sentence"])),
            "notes": self.notes,
        }

    def to_json(self) -> str:
        """:meth:`to_dict` as canonical JSON (sorted keys, rounded floats)."""
        return canonical_json(self.to_dict())

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables a reader takes away, by file name: actors (every level), actors by
        country or organisation, mentions, quotes and topics."""
        return {"actors": self.actors.drop(columns=["evidence"]),
                "actors_rollup": self.rollup.drop(columns=["evidence"]),
                "mentions": self.mentions.drop(columns=["sentence"]),
                "quotes": self.quotes, "topics": self.topics}

    def write(self, folder: str | os.PathLike[str]) -> list[Path]:
        """``results.json`` and each of :meth:`tables` as CSV, into ``folder`` (atomically)."""
        return [
            write_json_atomic(Path(folder) / "results.json", self.to_dict()),
            *write_csv_tables(folder, self.tables()),
        ]

    def actor_mentions(self, actor: str) -> pd.DataFrame:
        """Every mention of ``actor`` (or of anything rolled up into it), with its sentence,
        label and probabilities, strongest polarity first."""
        rows = self.mentions[(self.mentions["actor"] == actor) | (self.mentions["root"] == actor)]
        if rows.empty:
            known = ", ".join(sorted(set(self.mentions["actor"]) | set(self.mentions["root"])))
            raise KeyError(f"{actor!r} is not mentioned; mentioned: {known}")
        cols = ["actor", "alias", "sentence_id", "label", "polarity", "negative", "neutral", "positive", "sentence"]
        return (
            rows.assign(strength=rows["polarity"].abs())
            .sort_values(["strength", "sentence_id"], ascending=[False, True], kind="stable")[cols]
            .reset_index(drop=True)
        )

    def _repr_html_(self) -> str:
        from .views import summary_html

        return summary_html(self)

    def __repr__(self) -> str:
        return (
            f"Analysis(title={self.article.title!r}, topics={len(self.topics)}, "
            f"actors={len(self.actors)}, mentions={len(self.mentions)}, quotes={len(self.quotes)})"
        )


def demonym_notes(mentions: pd.DataFrame) -> list[str]:
    """One note per demonym read by :data:`~workbench.actors.DEMONYM_RULE`, with the rule."""
    if mentions.empty:  # an article without actors: its empty columns are not strings
        return []
    resolved = mentions[(mentions["ambiguous"] != "") & ~mentions["ambiguous"].str.contains(" or ", regex=False)]
    notes = []
    for (alias, actor, other), group in resolved.groupby(["alias", "actor", "ambiguous"], sort=True):
        n = len(group)
        notes.append(f"\u201c{alias}\u201d ({n} mention{'s' if n != 1 else ''}) is read as {actor}, not {other}: "
                     f"{DEMONYM_RULE}.")
    return notes


def analyze(
    article: Article | str | os.PathLike[str] | None = None,
    *,
    n_topics: int = _DEFAULTS["n_topics"],
    topic_unit: str = _DEFAULTS["topic_unit"],
    n_terms: int = _DEFAULTS["n_terms"],
    actors: str | os.PathLike[str] | None = None,
    sentiment: str = _DEFAULTS["sentiment"],
    ner: str = _DEFAULTS["ner"],
    n_boot: int = _DEFAULTS["n_boot"],
    seed: int = _DEFAULTS["seed"],
) -> Analysis:
    """Analyse one article.

    Args:
        article: An :class:`Article`, a path, or None for the seed article.
        n_topics: Topics to fit; lowered (with a note) when the text has fewer units.
        topic_unit: "paragraphs" or "sentences": the documents of the topic model.
        n_terms: Top terms listed per topic.
        actors: Actor dictionary file; None or "" for the shipped default.
        sentiment: Scorer backend name (see :data:`workbench.sentiment.SCORERS`).
        ner: Name finder (see :data:`workbench.ner.NER_BACKENDS`).
        n_boot: Bootstrap resamples for the per-actor intervals.
        seed: Seed for the topic model and the bootstrap.
    """
    if topic_unit not in TOPIC_UNITS:
        raise ValueError(f"topic_unit must be one of {', '.join(TOPIC_UNITS)}, got {topic_unit!r}")
    if not isinstance(article, Article):
        article = load_article(article or None)
    scorer = load_scorer(sentiment)  # a missing or broken model fails here, not at the first mention
    matcher = ActorMatcher.from_file(actors or None, ner=ner)
    notes = [warning[:1].upper() + warning[1:] + "." for warning in article.warnings]

    if topic_unit == "paragraphs":
        texts = list(article.paragraphs)
        paragraph_of = list(range(len(texts)))
    else:
        texts = [s.text for s in article.sentences]
        paragraph_of = [s.paragraph for s in article.sentences]
    k = min(n_topics, len(texts))
    if k < n_topics:
        notes.append(f"n_topics lowered from {n_topics} to {k}: the article has only {len(texts)} {topic_unit}.")
    model: TopicModel | None = TopicModel(n_topics=k, random_state=seed)
    try:
        model.fit(texts)
        topics = model.topics_frame(n_terms)
        dominant = model.dominant_topic()
        if not model.converged_:
            notes.append(f"The topic model (NMF) did not converge within {model.max_iter} iterations; its topics "
                         "may change with more.")
    except ValueError as exc:
        log.info("no topics: %s", exc)  # said in the notes
        notes.append(f"No topics were fitted: {exc}.")
        model, topics, dominant = (
            None,
            pd.DataFrame(columns=["id", "label", "terms", "weight", "coherence"]),
            [-1] * len(texts),
        )
    units = pd.DataFrame(
        {"unit": range(len(texts)), "paragraph": paragraph_of, "text": texts, "topic": np.asarray(dominant, dtype=int)}
    )

    found, quote_rows = actors_and_quotes([article], matcher)[0]
    mentions = score_mentions(mention_table(found), scorer)
    notes.extend(demonym_notes(mentions))
    sentiment_model = scorer_record(sentiment, scorer)
    actor_table = aggregate_actors(mentions, n_boot=n_boot, random_state=seed)
    rollup = aggregate_actors(mentions, by="root", n_boot=n_boot, random_state=seed)
    quotes = pd.DataFrame(quote_rows, columns=QUOTE_COLUMNS)
    parameters = {
        "article": article.source,
        "n_topics": n_topics,
        "topic_unit": topic_unit,
        "n_terms": n_terms,
        "actors": display_path(actors) if actors else "default",
        "sentiment": sentiment,
        "ner": ner,
        "n_boot": n_boot,
        "seed": seed,
    }
    log.info(
        "analysed %s: %d topics, %d actors, %d mentions", article.source, len(topics), len(actor_table), len(mentions)
    )
    return Analysis(article, parameters, model, topics, units, mentions, actor_table, rollup, quotes, sentiment_model,
                    notes)
