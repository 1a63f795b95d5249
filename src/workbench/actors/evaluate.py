"""Scores of the name finders and of the whole actor finder on a CoNLL-format file.

Two levels, for each finder (the shipped tagger, spaCy, …), on every document and on
the documents of at least ``min_sentences`` sentences (CoNLL holds many sports tables):

- ``names``: the finder's own spans (PER / ORG / LOC);
- ``actors``: the mentions :class:`ActorMatcher` gives with that finder — dictionary
  matches, grouped people, short references — typed by their actor: a person is PER, a
  country or place LOC, every other actor ORG. References such as "the president" are
  left out (CoNLL marks only names).

Each level is scored per mention (exact span and type) and per entity (the distinct
(name, type) pairs of a document). Found spans overlapping a gold MISC span count
neither way (:func:`workbench.ner.conll.score`).

    workbench actors evaluate ../shared/data/conll2003/valid.txt --ner default spacy
"""
from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence

import pandas as pd

from ..loading import Article, Sentence
from ..ner import name_finder
from ..ner.conll import Span, read_conll, score, score_sets
from .matcher import ActorMatcher

__all__ = ["actor_spans", "article_from_sentences", "evaluate"]

TYPES = ("PER", "ORG", "LOC")
_CONLL_TYPE = {"person": "PER", "country": "LOC", "place": "LOC"}


def article_from_sentences(texts: Sequence[str], source: str = "<conll>") -> Article:
    """An article whose paragraphs are ``texts`` (one sentence each), offsets kept."""
    starts, offset = [], 0
    for text in texts:
        starts.append(offset)
        offset += len(text) + 2
    body = "\n\n".join(texts)
    sentences = tuple(Sentence(i, i, s, s + len(t), t) for i, (s, t) in enumerate(zip(starts, texts)))
    return Article("", "", tuple(texts), body, tuple(starts), sentences, (),
                   hashlib.sha256(body.encode("utf-8")).hexdigest(), source)


def actor_spans(matcher: ActorMatcher, texts: Sequence[str]) -> list[list[Span]]:
    """The matcher's named mentions in each sentence, as (start, end, CoNLL type)."""
    article = article_from_sentences(texts)
    found = matcher.find_records(article)
    out: list[list[Span]] = [[] for _ in texts]
    for sentence, start, end, alias, kind in zip(found["sentence_id"], found["span_start"], found["span_end"],
                                                 found["alias"], found["type"]):
        words = alias.split()
        if words[0].lower() == "the" and (len(words) == 1 or words[1][:1].islower()):
            continue  # "the president", "the company": a reference, not a name
        out[sentence].append((start, end, _CONLL_TYPE.get(kind, "ORG")))
    return out


def evaluate(path: str | os.PathLike[str], finders: Sequence[str] = ("default",), *,
             min_sentences: int = 5) -> pd.DataFrame:
    """One row per finder × level × subset × type: precision, recall, F1 (mentions and
    entities), counts, and the finder's words per second on the whole file."""
    documents = read_conll(path)
    n_words = sum(len(text.split()) for d in documents for text, _ in d)
    rows = []
    for finder_name in finders:
        finder = name_finder(finder_name)
        matcher = ActorMatcher(ner=finder_name)
        for level in ("names", "actors"):
            started = time.perf_counter()
            found = []
            for document in documents:
                texts = [text for text, _ in document]
                found.append(finder.predict(texts) if level == "names" else actor_spans(matcher, texts))
            seconds = time.perf_counter() - started
            for subset in ("all", f">={min_sentences} sentences"):
                keep = [i for i, d in enumerate(documents) if subset == "all" or len(d) >= min_sentences]
                gold = [spans for i in keep for _, spans in documents[i]]
                spans = [s for i in keep for s in found[i]]
                mention = score(gold, spans, TYPES)
                entity = _entity_scores([documents[i] for i in keep], [found[i] for i in keep])
                for kind in TYPES:
                    rows.append({"finder": finder_name, "level": level, "documents": subset, "type": kind,
                                 "precision": mention[kind]["precision"], "recall": mention[kind]["recall"],
                                 "f1": mention[kind]["f1"], "gold": mention[kind]["gold"],
                                 "found": mention[kind]["found"], "entity_precision": entity[kind]["precision"],
                                 "entity_recall": entity[kind]["recall"], "entity_f1": entity[kind]["f1"],
                                 "words_per_s": n_words / seconds})
    return pd.DataFrame(rows)


def _entity_scores(documents, found) -> dict[str, dict[str, float]]:
    """Scores over each document's distinct (name, type) pairs; a found name that is a
    gold MISC name of its document counts neither way."""
    gold_items, found_items = set(), set()
    for i, (document, spans) in enumerate(zip(documents, found)):
        gold = {(i, text[s:e], t) for text, g in document for s, e, t in g}
        misc = {name for _, name, t in gold if t == "MISC"}
        gold_items |= {x for x in gold if x[2] != "MISC"}
        found_items |= {(i, text[s:e], t) for (text, _), f in zip(document, spans) for s, e, t in f
                        if text[s:e] not in misc}
    return score_sets(gold_items, found_items, TYPES)
