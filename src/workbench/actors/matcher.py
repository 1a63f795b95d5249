"""Every mention of a dictionary actor or a named person in an article.

Matching is whole-word and case-sensitive ("US" is the country, "us" is not); where
several aliases start at the same place the longest wins ("U.S. Embassy" over
"U.S."); nothing inside an ``exclude`` phrase is a mention ("Washington" in "The
Washington Post"). All aliases are compiled into one trie-shaped regular expression,
so the cost grows with the text, not with the size of the dictionary.
"""
from __future__ import annotations

import bisect
import os
from collections import ChainMap
from collections.abc import Mapping

import pandas as pd

from ..errors import InputError
from ..loading import Article
from .dictionary import Actor, ActorDictionary, load_actors
from .people import Person, find_people
from .trie import trie_pattern

__all__ = ["ActorMatcher", "MENTION_COLUMNS"]

#: Columns of the mentions table, in order.
MENTION_COLUMNS = [
    "mention_id", "actor", "type", "parent", "root", "root_type", "level", "alias", "ambiguous",
    "sentence_id", "paragraph", "start", "end", "span_start", "span_end", "sentence",
]


class ActorMatcher:
    """Finds mentions of dictionary actors, and of titled people, in an article.

    Args:
        dictionary: The actors (default: gazetteer + ``data/actors.json``).
        people: Also find titled people and their short references.
    """

    def __init__(self, dictionary: ActorDictionary | None = None, *, people: bool = True) -> None:
        self.dictionary = load_actors() if dictionary is None else dictionary
        self.people = people
        self._by_alias: dict[str, Actor] = {}
        for actor in self.dictionary.actors.values():
            for alias in actor.aliases:
                for form in _surface_forms(alias):
                    owner = self._by_alias.setdefault(form, actor)
                    if owner is not actor:
                        raise InputError(f"alias {form!r} belongs to both {owner.name!r} and {actor.name!r}")
        self._pattern = trie_pattern(self._by_alias)
        excludes = {f for phrase in self.dictionary.exclude for f in _surface_forms(phrase)}
        self._exclude = trie_pattern(excludes) if excludes else None
        self._confusable = {name: [o for o in group if o != name] for group in self.dictionary.confusable for name in group}

    @classmethod
    def from_file(cls, path: str | os.PathLike[str] | None = None, **kwargs) -> "ActorMatcher":
        """A matcher over the default dictionary extended (or replaced) by ``path``."""
        return cls(load_actors(path), **kwargs)

    def find_records(self, article: Article) -> dict[str, list]:
        """:meth:`find` as a dict of column lists (cheaper when many articles are combined)."""
        body = article.body
        blocked = [m.span() for m in self._exclude.finditer(body)] if self._exclude else []
        found = [
            (m.start(), m.end(), self._by_alias[m.group()].name)
            for m in self._pattern.finditer(body)
            if not _overlaps(m.start(), m.end(), blocked)
        ]
        people = find_people(article, self.dictionary, found) if self.people else []
        person_spans = [(s, e) for p in people for s, e, _ in p.spans]
        found = [f for f in found if not _overlaps(f[0], f[1], person_spans)]
        return self._records(article, found, people)

    def find(self, article: Article) -> pd.DataFrame:
        """Every mention in ``article``, one row each, in text order (:data:`MENTION_COLUMNS`).

        ``start``/``end`` index into ``article.body``; ``span_start``/``span_end`` into the
        mention's ``sentence``. ``ambiguous`` names the actor a mention may mean instead.
        """
        return pd.DataFrame(self.find_records(article), columns=MENTION_COLUMNS)

    def _records(self, article: Article, found: list[tuple[int, int, str]], people: list[Person]) -> dict[str, list]:
        persons = {p.name: Actor(p.name, "person", (p.name,), p.affiliation) for p in people}
        actors = ChainMap(persons, self.dictionary.actors)  # (the dictionary is not copied per article)
        rows = [(s, e, name, article.body[s:e]) for s, e, name in found]
        for person in people:
            rows += [(s, e, person.name, text) for s, e, text in person.spans]
        rows.sort()
        hierarchy = ActorDictionary(actors)
        ambiguous = self._ambiguity(rows, actors)
        starts = [s.start for s in article.sentences]
        records = []
        for start, end, name, alias in rows:
            sentence = article.sentences[bisect.bisect_right(starts, start) - 1]
            if end > sentence.end:  # crosses a sentence boundary: not a mention
                continue
            actor = actors[name]
            root = hierarchy.root(name)
            records.append((
                len(records), name, actor.type, actor.parent or "", root,
                actors[root].type if root in actors else actor.type, hierarchy.level(name), alias,
                ambiguous.get(start, ""), sentence.index, sentence.paragraph, start, end,
                start - sentence.start, end - sentence.start, sentence.text,
            ))
        columns = zip(*records) if records else [()] * len(MENTION_COLUMNS)
        return {name: list(values) for name, values in zip(MENTION_COLUMNS, columns)}

    def _ambiguity(self, rows, actors: Mapping[str, Actor]) -> dict[int, str]:
        """Demonym mentions of a country whose confusable neighbour is what the article names.

        "Nigerian" is Nigeria's demonym; in an article that names Niger but never Nigeria
        it probably means Niger (a common mistranslation), so it is flagged.
        """
        named = {name for _, _, name, alias in rows if alias not in actors[name].demonyms}
        flags = {}
        for start, _, name, alias in rows:
            if alias in actors[name].demonyms and name not in named:
                others = [o for o in self._confusable.get(name, []) if o in named]
                if others:
                    flags[start] = " or ".join(others)
        return flags

    def __repr__(self) -> str:
        return f"ActorMatcher(actors={len(self.dictionary)}, aliases={len(self._by_alias)}, people={self.people})"


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _surface_forms(alias: str) -> list[str]:
    """The alias, plus its capitalised form when it starts in lower case ("the junta")."""
    return [alias, alias[0].upper() + alias[1:]] if alias[0].islower() else [alias]
