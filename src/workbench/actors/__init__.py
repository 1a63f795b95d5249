"""Actors: who appears in an article, at two levels (country → its institutions and
people), and who said what.

- :mod:`.dictionary` — the gazetteer of countries plus ``data/actors.json``, extendable
- :mod:`.matcher` — every mention, with its actor, parent, root and ambiguity flag
- :mod:`.resolve` — dictionary matches and tagged names reconciled into mentions
- :mod:`.people` — person names grouped, titles, short references, affiliation
- :mod:`.organisations` — organisation types, short forms, "the company" references
- :mod:`.quotes` — direct quotations and their speakers
- :mod:`.trie` — regexes of many words shaped as character tries
"""
from .dictionary import Actor, ActorDictionary, load_actors
from .matcher import DEMONYM_RULE, MENTION_COLUMNS, ActorMatcher, mention_table
from .people import Person, group_people
from .quotes import QUOTE_COLUMNS, find_quotes, quote_records
from .trie import trie_pattern

__all__ = [
    "Actor",
    "ActorDictionary",
    "ActorMatcher",
    "DEMONYM_RULE",
    "MENTION_COLUMNS",
    "Person",
    "QUOTE_COLUMNS",
    "find_quotes",
    "group_people",
    "load_actors",
    "mention_table",
    "quote_records",
    "trie_pattern",
]
