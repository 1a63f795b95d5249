"""The default name finder: a fast linear tagger of people, organisations, places and
other names (PER / ORG / LOC / MISC), shipped as ``data/ner_model.npz``.

A multinomial logistic regression over hashed word, shape, affix, lexicon and context
features (:mod:`.features`) gives each candidate token BIO label probabilities; a
Viterbi pass over each run of candidates keeps the label sequence valid. It is trained
on CoNLL-2003 English train (``workbench actors train``); the model file holds only arrays
and JSON (read with ``allow_pickle=False``) and records the hash of what it was
trained on.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy import sparse

from .._data import DEFAULT_NER_MODEL, NER_LEXICON, data_path, display_path
from .._io import read_model_file, write_npz_atomic
from ..errors import InputError
from .features import FeatureTable
from .names import (
    Span,
    consistent_types,
    dateline_place,
    joined_person_parts,
    with_abbreviation_stop,
    without_function_word,
)
from .tokens import spaced_tokens

__all__ = ["ENTITY_TYPES", "LABELS", "NameTagger", "Span", "common_words", "surnames"]

ENTITY_TYPES = ("PER", "ORG", "LOC", "MISC")
LABELS = ("O",) + tuple(f"{p}-{t}" for t in ENTITY_TYPES for p in "BI")
MODEL_FORMAT = "workbench-ner-1"
#: A training sentence: its text and its names.
Sentence = tuple[str, Sequence[Span]]

_ALLOWED = np.array([[not cur.startswith("I-") or prev[2:] == cur[2:] and prev != "O" for cur in LABELS]
                     for prev in LABELS])  # _ALLOWED[prev, cur]
_START = np.array([not label.startswith("I-") for label in LABELS])
#: Per type, the least confidence a name needs (the lowest probability of the labels of
#: its tokens). Chosen on CoNLL-2003 dev, the actors issue's dev data
#: (``tools/choose_confidence.py --dev …/valid.txt --precision 0.905``): organisations
#: below 0.5 are left out, the lowest floor in steps of 0.05 with dev precision over 0.90
#: with a margin — precision / recall 0.887 / 0.857 without a floor, 0.900 / 0.847 at
#: 0.40, 0.907 / 0.843 at 0.50, 0.911 / 0.836 at 0.55. The seed's least sure
#: organisation ("Air Force and Army", 0.56) stays. People and places are precise enough
#: without one (0.93, 0.95).
MIN_CONFIDENCE: dict[str, float] = {"ORG": 0.5}


class NameTagger:
    """Finds names in sentences: ``predict(texts)`` → spans per text.

    Args:
        model: "default" (the shipped file), a path, or None for an unfitted tagger.
        min_confidence: Per type, the least confidence a name needs (None:
            :data:`MIN_CONFIDENCE`; ``{}`` keeps every name).
        C: Inverse regularisation strength of the logistic regression.
        n_bits: Feature columns are hashed into ``2**n_bits``.
        max_iter: Solver iterations.
    """

    def __init__(self, model: str | os.PathLike[str] | None = "default", *,
                 min_confidence: dict[str, float] | None = None, C: float = 3.0, n_bits: int = 20,
                 max_iter: int = 300) -> None:
        self.model = model
        self.min_confidence = min_confidence
        self.C = C
        self.n_bits = n_bits
        self.max_iter = max_iter

    # ------------------------------------------------------------------ training
    def fit(self, documents: Iterable[Sequence[Sentence]], lexicon: dict[str, list[str]] | None = None) -> NameTagger:
        """Train on documents, each a list of (sentence text, [(start, end, type), …]).

        The first pass is fitted twice on half the documents to label the other half
        as it labels unseen text; the second pass learns from those labels; then the
        first pass is fitted on all documents.
        """
        self.lexicon_ = _read_lexicon() if lexicon is None else {k: sorted(set(v)) for k, v in lexicon.items()}
        self._table = FeatureTable(self.lexicon_, self.n_bits)
        docs, digest, n_sentences = [], hashlib.sha256(), 0
        for document in documents:
            texts = [text for text, _ in document]
            types, sentence_of, starts, ends = self._tokens(texts)
            gold = np.zeros(len(types), dtype=np.int64)
            for s, (text, spans) in enumerate(document):
                digest.update(json.dumps([text, sorted(spans)]).encode())
                n_sentences += 1
                at = np.flatnonzero(sentence_of == s)
                for start, end, kind in spans:
                    inside = at[(starts[at] >= start) & (ends[at] <= end)]
                    if len(inside):
                        gold[inside] = LABELS.index(f"I-{kind}")
                        gold[inside[0]] = LABELS.index(f"B-{kind}")
            positions = np.flatnonzero(self._table.candidates(types, sentence_of))
            docs.append(
                (types, sentence_of, positions, self._table.rows(types, sentence_of, positions), gold[positions])
            )
        if not docs or not any(len(d[4]) for d in docs):
            raise ValueError("training needs documents with capitalised words")
        evens, odds = list(range(0, len(docs), 2)), list(range(1, len(docs), 2))
        first_labels: list[np.ndarray] = [np.empty(0, dtype=np.int64)] * len(docs)
        for train, held in ((evens, odds), (odds, evens)) if odds else ((evens, evens),):
            stage = self._fit_stage([docs[i][3] for i in train], [docs[i][4] for i in train])
            for i in held:
                first_labels[i] = _viterbi(stage.log_proba(docs[i][3]), docs[i][2], docs[i][1][docs[i][2]])
        second_rows = [
            np.hstack([d[3], self._table.context_rows(d[0], d[2], lab, np.zeros(len(d[0]), dtype=np.int64), 1)])
            for d, lab in zip(docs, first_labels)
        ]
        self.stages_ = (self._fit_stage([d[3] for d in docs], [d[4] for d in docs]),
                        self._fit_stage(second_rows, [d[4] for d in docs]))
        self.info_ = {"format": MODEL_FORMAT, "n_sentences": n_sentences,
                      "n_candidates": int(sum(len(d[4]) for d in docs)), "train_sha256": digest.hexdigest(),
                      "params": {"C": self.C, "n_bits": self.n_bits, "max_iter": self.max_iter}}
        return self

    def _fit_stage(self, rows: list[np.ndarray], labels: list[np.ndarray]) -> _Stage:
        """One logistic regression over the rows' hashed columns."""
        from sklearn.linear_model import LogisticRegression

        rows_all = np.concatenate(rows)
        used, cols = np.unique(rows_all, return_inverse=True)  # fit over the columns in use only
        X = _matrix(cols.reshape(rows_all.shape), len(used))
        y = np.concatenate(labels)
        clf = LogisticRegression(C=self.C, max_iter=self.max_iter, tol=1e-4).fit(X, y)
        coef = np.zeros((len(used), len(LABELS)), dtype=np.float32)
        intercept = np.full(len(LABELS), -30.0, dtype=np.float32)  # a label absent from training is never predicted
        coef[:, clf.classes_] = clf.coef_.T
        intercept[clf.classes_] = clf.intercept_
        nonzero = np.any(coef != 0, axis=1)
        return _Stage(used[nonzero].astype(np.int32), coef[nonzero], intercept, self.n_bits)

    # --------------------------------------------------------------- prediction
    def predict(self, texts: Sequence[str]) -> list[list[Span]]:
        """The names in each text (texts of one document: sentences, in order)."""
        return self.predict_documents([texts])[0]

    def predict_documents(self, documents: Sequence[Sequence[str]], *,
                          confidence: bool = False) -> list[list[list[Span]]]:
        """:meth:`predict` for many documents at once (the array work is shared).

        With ``confidence``, each name is ``(start, end, type, p)``: ``p`` the least
        probability the tagger gave the labels of its tokens (0 where the name took
        another type from the rest of its document)."""
        self.ensure_loaded()
        texts = [text for document in documents for text in document]
        doc_of_sentence = np.repeat(np.arange(len(documents)), [len(d) for d in documents])
        types, sentence_of, starts, ends = self._tokens(texts)
        found: list[list[tuple[int, int, str, float]]] = [[] for _ in texts]
        table = self._table
        positions = np.flatnonzero(table.candidates(types, sentence_of))
        if len(positions):
            near = table.neighbours(types, sentence_of, positions)
            parts = (types[positions], near, table.token_columns(types, sentence_of, positions))
            first, _ = self._decode(self.stages_[0], *parts, positions, sentence_of)
            context = table.context_rows(types, positions, first, doc_of_sentence[sentence_of], len(documents))
            labels, sure = self._decode(self.stages_[1], *parts[:2], np.hstack([parts[2], context]), positions,
                                        sentence_of)
            floors = MIN_CONFIDENCE if self.min_confidence is None else self.min_confidence
            _collect(found, labels, sure, floors, positions, starts, ends, sentence_of)
        first_names = self._table.first_names
        names = [dateline_place(text, joined_person_parts(
            text, [with_abbreviation_stop(text, *t) for t in (without_function_word(text, *span[:3]) for span in spans)
                   if t[1] > t[0]], first_names))
            for text, spans in zip(texts, found)]
        out, at = [], 0
        for document in documents:
            out.append(consistent_types(document, names[at:at + len(document)]))
            if confidence:
                out[-1] = [_with_confidence(names, raw) for names, raw in zip(out[-1], found[at:at + len(document)])]
            at += len(document)
        return out

    def _decode(self, stage: _Stage, own: np.ndarray, near: np.ndarray, columns: np.ndarray,
                positions: np.ndarray, sentence_of: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The labels of the candidates and the probability of each: a token's score is
        its word's own summed weights, its neighbours' lent ones, and its token-level
        ``columns``."""
        by_type = stage.by_type(self._table)
        scores = (by_type[0][own] + by_type[1][near[:, 0]] + by_type[2][near[:, 1]] + by_type[3][near[:, 2]]
                  + by_type[4][near[:, 3]] + stage.weights[stage.lookup[columns]].sum(axis=1) + stage.intercept)
        scores -= scores.max(axis=1, keepdims=True)
        logp = scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))
        labels = _viterbi(logp, positions, sentence_of[positions])
        return labels, np.exp(logp[np.arange(len(labels)), labels])

    def _tokens(self, texts: Sequence[str]):
        """Types, sentence index, start and end of every token of ``texts``."""
        if not texts:
            empty = np.zeros(0, dtype=np.int64)
            return empty.astype(np.int32), empty, empty, empty
        spaced, ends = spaced_tokens("\n".join(texts))
        types = self._table.spaced_types(spaced)
        starts = ends - self._table.length[types]
        text_starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]])
        sentence_of = np.searchsorted(text_starts, starts, side="right") - 1
        return types, sentence_of, starts - text_starts[sentence_of], ends - text_starts[sentence_of]

    # --------------------------------------------------------------- persistence
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the fitted tagger to ``path`` (deterministic bytes; no pickle): the
        weight rows that are not zero, and the lexicon."""
        self.ensure_loaded()
        arrays = {}
        for suffix, stage in zip(("", "2"), self.stages_):
            arrays.update({f"columns{suffix}": stage.columns, f"weights{suffix}": stage.weights[1:].astype(np.float16),
                           f"intercept{suffix}": stage.intercept})
        arrays.update({"labels": np.array(LABELS), "info": np.array(json.dumps(self.info_, sort_keys=True))})
        arrays.update({f"lexicon_{k}": np.array(v) for k, v in sorted(self.lexicon_.items())})
        return write_npz_atomic(path, arrays)

    def ensure_loaded(self) -> NameTagger:
        """Load the model named by ``model`` unless fitted already; return self.

        Raises:
            InputError: the file is missing, corrupted, or of another format.
        """
        if hasattr(self, "stages_"):
            return self
        if self.model is None:
            raise ValueError("This NameTagger has no model: call fit(documents) first, or pass model=PATH.")
        hint = "rebuild it with `workbench actors train`"
        arrays, shown, digest = read_model_file(
            self.model, default=DEFAULT_NER_MODEL, what="name tagger model", hint=hint
        )
        try:
            info = json.loads(str(arrays["info"]))
            labels = tuple(str(x) for x in arrays["labels"])
            stages = [(arrays[f"columns{k}"], arrays[f"weights{k}"], arrays[f"intercept{k}"]) for k in ("", "2")]
            lexicon = {k[len("lexicon_"):]: [str(w) for w in v] for k, v in arrays.items() if k.startswith("lexicon_")}
            n_bits = int(info["params"]["n_bits"])
        except (KeyError, ValueError, TypeError) as exc:
            raise InputError(f"{shown}: not a name tagger model ({type(exc).__name__}); {hint}", path=shown) from None
        if info.get("format") != MODEL_FORMAT or labels != LABELS:
            raise InputError(f"{shown}: model format {info.get('format')!r}, expected {MODEL_FORMAT!r}; {hint}",
                             path=shown)
        loaded = []
        for columns, weights, intercept in stages:
            if (weights.shape != (len(columns), len(LABELS)) or intercept.shape != (len(LABELS),)
                    or (len(columns) and (columns.min() < 0 or columns.max() >= 2 ** n_bits))
                    or not np.all(np.isfinite(weights)) or not np.all(np.isfinite(intercept))
                    or sorted(lexicon) != ["first_names", "lowercase", "places", "surnames"]):
                raise InputError(f"{shown}: model arrays are inconsistent; {hint}", path=shown)
            loaded.append(_Stage(columns.astype(np.int32), weights.astype(np.float32), intercept.astype(np.float32),
                                 n_bits))
        self.n_bits, self.C, self.max_iter = n_bits, info["params"]["C"], info["params"]["max_iter"]
        self.stages_ = tuple(loaded)
        self.lexicon_ = lexicon
        self.info_ = dict(info, file=shown, file_sha256=digest)
        self._table = FeatureTable(lexicon, n_bits)
        return self

    def __repr__(self) -> str:
        return f"NameTagger(model={str(self.model)!r}, C={self.C}, n_bits={self.n_bits})"


class _Stage:
    """One pass's weights: only the rows of the columns in use (row 0 is all zeros, for
    the others), found through a lookup from column to row."""

    def __init__(self, columns: np.ndarray, weights: np.ndarray, intercept: np.ndarray, n_bits: int) -> None:
        self.columns = columns
        self.weights = np.vstack([np.zeros((1, weights.shape[1]), dtype=np.float32), weights.astype(np.float32)])
        self.intercept = intercept
        self.lookup = np.zeros(2 ** n_bits, dtype=np.int32)
        self.lookup[columns] = np.arange(1, len(columns) + 1, dtype=np.int32)
        self._by_type: list[np.ndarray] = []

    def by_type(self, table: FeatureTable) -> list[np.ndarray]:
        """:meth:`FeatureTable.type_scores` for every type of ``table``, grown as it grows."""
        done = len(self._by_type[0]) if self._by_type else 0
        if done < len(table.index):
            new = table.type_scores(self.weights, self.lookup, done)
            self._by_type = new if not done else [np.vstack([a, b]) for a, b in zip(self._by_type, new)]
        return self._by_type

    def log_proba(self, rows: np.ndarray) -> np.ndarray:
        """Log-probabilities of the labels of full feature rows (training's path)."""
        scores = self.weights[self.lookup[rows]].sum(axis=1) + self.intercept
        scores -= scores.max(axis=1, keepdims=True)
        return scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))


def _matrix(cols: np.ndarray, n_columns: int) -> sparse.csr_matrix:
    n, width = cols.shape
    data = np.ones(n * width, dtype=np.float64)
    X = sparse.csr_matrix((data, cols.ravel(), np.arange(0, n * width + 1, width)), shape=(n, n_columns))
    X.sum_duplicates()
    return X


def _with_confidence(names: list[Span], raw: list[tuple[int, int, str, float]]) -> list[tuple[int, int, str, float]]:
    """A sentence's names, each with the least probability among the tagged spans (``raw``)
    it was made from (0 where one had another type)."""
    if not names:
        return []
    exact = {(s, e): (k, p) for s, e, k, p in raw}  # tagged spans do not overlap: a name that is one is made of it
    out = []
    for start, end, kind in names:
        made_from = [exact[start, end]] if (start, end) in exact else [(k, p) for s, e, k, p in raw
                                                                        if s < end and start < e]
        out.append((start, end, kind, min((p if k == kind else 0.0 for k, p in made_from), default=0.0)))
    return out


def _collect(found: list[list[tuple[int, int, str, float]]], labels: np.ndarray, sure: np.ndarray,
             floors: dict[str, float], positions: np.ndarray, starts: np.ndarray, ends: np.ndarray,
             sentence_of: np.ndarray) -> None:
    """BIO labels of the candidates as (start, end, type, least probability) spans, per
    sentence; a span whose least sure token is below its type's floor is left out."""
    kinds = [label[2:] for label in LABELS]
    begins = [label[:1] == "B" for label in LABELS]
    current: list | None = None

    def close() -> None:
        if current[5] >= floors.get(current[2], 0.0):
            found[current[3]].append((current[0], current[1], current[2], current[5]))

    named = labels > 0
    for pos, lab, p in zip(positions[named].tolist(), labels[named].tolist(), sure[named].tolist()):
        # an I- only ever follows the B- or I- right before it (the Viterbi pass keeps it so)
        if current is not None and (begins[lab] or current[4] != pos - 1):
            close()
            current = None
        if current is None:
            current = [int(starts[pos]), int(ends[pos]), kinds[lab], int(sentence_of[pos]), pos, p]
        else:
            current[1], current[4], current[5] = int(ends[pos]), pos, min(current[5], p)
    if current is not None:
        close()


def _viterbi(logp: np.ndarray, positions: np.ndarray, sentence: np.ndarray) -> np.ndarray:
    """The best valid BIO sequence over each run of consecutive candidates, all runs at
    once: runs sorted longest first, so the runs still going at step t are a prefix."""
    n, k = logp.shape
    new_run = np.ones(n, dtype=bool)
    new_run[1:] = (positions[1:] != positions[:-1] + 1) | (sentence[1:] != sentence[:-1])
    run_start = np.flatnonzero(new_run)
    length = np.diff(np.append(run_start, n))
    order = np.argsort(-length, kind="stable")
    first, length = run_start[order], length[order]
    going = np.searchsorted(-length, -np.arange(length[0]), side="left")  # runs longer than t, per t
    trans = np.where(_ALLOWED, 0.0, -np.inf)
    score = np.where(_START, logp[first], -np.inf)
    back = np.zeros((n, k), dtype=np.int8)
    for t in range(1, length[0]):
        m = going[t]
        at = first[:m] + t
        step = score[:m, :, None] + trans[None]  # [run, previous, current]
        best = step.argmax(axis=1)
        score[:m] = np.take_along_axis(step, best[:, None, :], axis=1)[:, 0] + logp[at]
        back[at] = best
    labels = np.zeros(n, dtype=np.int64)
    labels[first + length - 1] = score.argmax(axis=1)
    for t in range(length[0] - 1, 0, -1):
        at = first[:going[t]] + t
        labels[at - 1] = back[at, labels[at]]
    return labels


@lru_cache(maxsize=1)
def surnames() -> frozenset[str]:
    """The lexicon's surnames, lower-cased."""
    return frozenset(_read_lexicon()["surnames"])


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    """Words common in lower case (the lexicon's ``lowercase`` list): "mills", "motors"."""
    return frozenset(_read_lexicon()["lowercase"])


@lru_cache(maxsize=1)
def _read_lexicon() -> dict[str, list[str]]:
    """The shipped lexicon, read once per process (callers do not change it)."""
    path = data_path(NER_LEXICON)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {key: list(doc[key]) for key in ("first_names", "surnames", "lowercase", "places")}
    except (OSError, ValueError, KeyError) as exc:
        raise InputError(f"{display_path(path)}: not a readable name lexicon ({type(exc).__name__})") from None
