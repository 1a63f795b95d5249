"""Names in text: people, organisations, places and other names (PER, ORG, LOC, MISC).

- :mod:`.tagger` — :class:`NameTagger`, the shipped fast linear tagger (the default)
- :mod:`.spacy_finder` — spaCy's ``en_core_web_sm`` as an option (extra ``[spacy]``)
- :mod:`.features`, :mod:`.tokens` — the tagger's tokens and features
- :mod:`.conll` — CoNLL-2003 files as text with name spans, and span scores
"""
from __future__ import annotations

from functools import cache

from .tagger import ENTITY_TYPES, LABELS, NameTagger

__all__ = ["ENTITY_TYPES", "LABELS", "NER_BACKENDS", "NameTagger", "check_name_finder", "name_finder"]

#: Name finders by the name reports and the CLI use ("none": dictionary actors only).
NER_BACKENDS = ("default", "spacy", "none")


@cache
def name_finder(name: str = "default"):
    """The name finder called ``name`` (one per process: the model is loaded once), or
    None for "none"."""
    if name == "default":
        return NameTagger().ensure_loaded()
    if name == "spacy":
        from .spacy_finder import SpacyNameFinder

        finder = SpacyNameFinder()
        _ = finder.nlp  # a missing extra or a changed model file fails here, not at the first article
        return finder
    if name == "none":
        return None
    raise ValueError(f"ner must be one of {', '.join(NER_BACKENDS)}, got {name!r}")


def check_name_finder(name: str) -> None:
    """Fail now, in one line, if the name finder ``name`` could not run: its model file
    missing or broken, or the spaCy extra missing or changed (nothing heavy is loaded)."""
    if name == "spacy":
        from .spacy_finder import checked_model_folder

        checked_model_folder()
    else:
        name_finder(name)  # the tagger loads in a few milliseconds; an unknown name is refused there
