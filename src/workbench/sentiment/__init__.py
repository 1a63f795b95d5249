"""Sentiment toward a target mention, and its aggregation per actor.

Every scorer takes *items* ``(sentence, start, end)`` — the sentence and the
character span of the target mention in it, ``end`` exclusive — and returns one
prediction per item, so scorers replace each other without touching callers:

- ``predict_proba(items)`` → DataFrame with columns ``negative``, ``neutral``, ``positive``
- ``predict(items)`` → array of labels from :data:`LABELS`
- ``polarity(items)`` → array of ``p(positive) - p(negative)`` in [-1, 1]

:func:`load_scorer` maps a backend name (the report parameter ``sentiment``) to a scorer.
"""
from __future__ import annotations

from ._items import LABELS, MAX_CONTEXT, Item, check_items, mention_item, mention_items
from .aggregate import add_scores, aggregate_actors, bootstrap_intervals, score_mentions
from .base import Scorer
from .lexicon import LexiconSentiment
from .model import TargetSentiment

__all__ = [
    "LABELS",
    "MAX_CONTEXT",
    "Item",
    "mention_item",
    "mention_items",
    "LexiconSentiment",
    "SCORERS",
    "Scorer",
    "TargetSentiment",
    "add_scores",
    "aggregate_actors",
    "bootstrap_intervals",
    "check_items",
    "check_scorer",
    "load_scorer",
    "score_mentions",
    "scorer_record",
]



def _neural_scorer():
    from .ensemble import NeuralEnsemble  # imported only when asked for: it needs the [neural] extra

    return NeuralEnsemble()


#: Backend name → scorer factory; the report parameter ``sentiment`` picks one.
#: "linear" (the default) is the target-dependent model trained on NewsMTSC;
#: "lexicon" is the VADER baseline, kept for comparison; "neural" is fine-tuned MiniLM, three
#: seeds averaged (optional extra ``[neural]``, trained once by ``workbench sentiment train --backend neural``).
SCORERS = {"linear": TargetSentiment, "lexicon": LexiconSentiment, "neural": _neural_scorer}


def load_scorer(name: str = "linear"):
    """A fresh scorer for backend ``name`` (see :data:`SCORERS`), its model loaded.

    Raises:
        ValueError: the backend is unknown.
        InputError: its model file is missing or broken (said here, before any scoring).
    """
    scorer = _new_scorer(name)
    if hasattr(scorer, "ensure_loaded"):
        scorer.ensure_loaded()
    return scorer


def check_scorer(name: str = "linear") -> None:
    """Raise what :func:`load_scorer` would for backend ``name`` — an unknown backend, a
    missing extra, a missing or changed model file — without building a network (a trained
    model's files are checked against their recorded sha256; the linear model, a small
    array file, is read)."""
    scorer = _new_scorer(name)
    if hasattr(scorer, "check_files"):
        scorer.check_files()
    elif hasattr(scorer, "ensure_loaded"):
        scorer.ensure_loaded()


def _new_scorer(name: str):
    try:
        return SCORERS[name]()
    except KeyError:
        raise ValueError(f"unknown sentiment backend {name!r}; choose from {', '.join(sorted(SCORERS))}") from None


def scorer_record(backend: str, scorer) -> dict:
    """What results record of a scorer: its backend and, for a trained model, which one
    (file or folder, the sha256 of its weights and encoder, the hash of its training data)."""
    info = getattr(scorer, "info_", {})
    keys = ("file", "file_sha256", "folder", "weights_sha256", "encoder_sha256", "train_sha256")
    return {"backend": backend, **{key: info[key] for key in keys if key in info}}
