"""Every mention of an actor in an article: dictionary actors, and the people,
organisations and places a name finder tags.

Dictionary matching is whole-word and case-sensitive ("US" is the country, "us" is
not); where several aliases start at the same place the longest wins ("U.S. Embassy"
over "U.S."); nothing inside an ``exclude`` phrase is a mention ("Washington" in "The
Washington Post"). All aliases are compiled into one trie-shaped regular expression,
so the cost grows with the text, not with the size of the dictionary. The name finder
(``ner``: the shipped tagger, spaCy, or none) runs over the article's sentences; how
its names and the dictionary's matches are reconciled is :mod:`.resolve`'s job.
"""
from __future__ import annotations

import bisect
import os
from collections import ChainMap
from collections.abc import Mapping, Sequence

import pandas as pd

from ..errors import InputError
from ..loading import Article
from .dictionary import Actor, ActorDictionary, load_actors
from .resolve import SURE_PERSON, resolve
from .trie import trie_pattern

__all__ = ["ActorMatcher", "DEMONYM_RULE", "MENTION_COLUMNS", "mention_table"]

#: Columns of the mentions table, in order.
MENTION_COLUMNS = [
    "mention_id", "actor", "type", "parent", "root", "root_type", "level", "alias", "ambiguous",
    "sentence_id", "paragraph", "start", "end", "span_start", "span_end", "sentence",
]


def mention_table(records: Mapping[str, list]) -> pd.DataFrame:
    """Mention records (column lists) as a DataFrame, columns in their order.

    ``sentence`` stays an object column of the article's own sentence strings: a string
    column would copy the sentence into every row, and memory would grow as mentions ×
    sentence length (100,000 mentions in one 300 kB run-on sentence: 30 GB).
    """
    columns = dict(records)
    if "sentence" in columns:
        columns["sentence"] = pd.Series(columns["sentence"], dtype=object)
    return pd.DataFrame(columns, columns=list(records))


#: The rule for demonyms of confusable countries, as reports state it.
DEMONYM_RULE = ("a demonym of a country the article never names is read as the confusable country it does name "
                "(\u201cNigerian\u201d in an article about Niger that never names Nigeria is Niger)")


class ActorMatcher:
    """Finds mentions of dictionary actors, and of titled people, in an article.

    Args:
        dictionary: The actors (default: gazetteer + ``data/actors.json``).
        people: Also find people, their short references and titles.
        ner: The name finder: "default" (the shipped tagger), "spacy" (the extra
            ``[spacy]``) or "none" (dictionary actors only).
    """

    def __init__(self, dictionary: ActorDictionary | None = None, *, people: bool = True, ner: str = "default") -> None:
        from ..ner import name_finder

        self.dictionary = load_actors() if dictionary is None else dictionary
        self.people = people
        self.ner = ner
        self._finder = name_finder(ner)
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
        self._confusable = {
            name: [o for o in group if o != name] for group in self.dictionary.confusable for name in group
        }

    @classmethod
    def from_file(cls, path: str | os.PathLike[str] | None = None, **kwargs: object) -> ActorMatcher:
        """A matcher over the default dictionary extended (or replaced) by ``path``."""
        return cls(load_actors(path), **kwargs)

    def find_records(self, article: Article) -> dict[str, list]:
        """:meth:`find` as a dict of column lists (cheaper when many articles are combined)."""
        return self.find_many([article])[0]

    def find_many(self, articles: Sequence[Article]) -> list[dict[str, list]]:
        """:meth:`find_records` of each article; the name finder runs over all at once."""
        documents = [[s.text for s in article.sentences] for article in articles]
        if self._finder is None:
            tagged = [[[] for _ in d] for d in documents]
        else:
            tagged = self._finder.predict_documents(documents, confidence=True)
        out = []
        for article, spans in zip(articles, tagged):
            body = article.body
            blocked = [m.span() for m in self._exclude.finditer(body)] if self._exclude else []
            found = [
                (m.start(), m.end(), self._by_alias[m.group()].name)
                for m in self._pattern.finditer(body)
                if not _overlaps(m.start(), m.end(), blocked)
            ]
            names = [(s.start + a, s.start + b, kind) for s, found_in in zip(article.sentences, spans)
                     for a, b, kind, _ in found_in]
            sure = {(s.start + a, s.start + b) for s, found_in in zip(article.sentences, spans)
                    for a, b, kind, p in found_in if kind == "PER" and p is not None and p >= SURE_PERSON}
            found, new_actors = resolve(body, self.dictionary, found, names, people=self.people, sure_people=sure)
            out.append(self._records(article, found, new_actors))
        return out

    def find(self, article: Article) -> pd.DataFrame:
        """Every mention in ``article``, one row each, in text order (:data:`MENTION_COLUMNS`).

        ``start``/``end`` index into ``article.body``; ``span_start``/``span_end`` into the
        mention's ``sentence``. ``ambiguous``: for a demonym of a country the article never
        names, read as the confusable country it does name ("Nigerian" in an article about
        Niger, :data:`DEMONYM_RULE`), the country the dictionary gave ("Nigeria"); "A or B"
        when several confusable countries are named and the mention is left as it was.
        """
        return mention_table(self.find_records(article))

    def _records(
        self, article: Article, found: list[tuple[int, int, str]], new_actors: dict[str, Actor]
    ) -> dict[str, list]:
        actors = ChainMap(new_actors, self.dictionary.actors)  # (the dictionary is not copied per article)
        rows = sorted((s, e, name, article.body[s:e]) for s, e, name in found)
        hierarchy = ActorDictionary(actors)
        ambiguous = self._ambiguity(rows, actors)
        starts = [s.start for s in article.sentences]
        records = []
        described: dict[str, tuple] = {}  # per actor: type, parent, root, root type, level
        for start, end, name, alias in rows:
            sentence = article.sentences[bisect.bisect_right(starts, start) - 1]
            if end > sentence.end:  # crosses a sentence boundary: not a mention
                continue
            other = ambiguous.get(start, "")
            if other and " or " not in other:  # DEMONYM_RULE: read as the one confusable country named
                name, other = other, name
            if name not in described:
                actor = actors[name]
                root = hierarchy.root(name)
                described[name] = (actor.type, actor.parent or "", root,
                                   actors[root].type if root in actors else actor.type, hierarchy.level(name))
            kind, parent, root, root_type, level = described[name]
            records.append((
                len(records), name, kind, parent, root, root_type, level, alias,
                other, sentence.index, sentence.paragraph, start, end,
                start - sentence.start, end - sentence.start, sentence.text,
            ))
        columns = zip(*records) if records else [()] * len(MENTION_COLUMNS)
        return {name: list(values) for name, values in zip(MENTION_COLUMNS, columns)}

    def _ambiguity(self, rows, actors: Mapping[str, Actor]) -> dict[int, str]:
        """Demonym mentions of a country whose confusable neighbour is what the article names.

        "Nigerian" is Nigeria's demonym; in an article that names Niger but never Nigeria
        it probably means Niger (a common mistranslation): the mention is read as Niger
        (:data:`DEMONYM_RULE`).
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
        return (f"ActorMatcher(actors={len(self.dictionary)}, aliases={len(self._by_alias)}, people={self.people}, "
                f"ner={self.ner!r})")


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _surface_forms(alias: str) -> list[str]:
    """The alias, plus its capitalised form when it starts in lower case ("the junta")."""
    return [alias, alias[0].upper() + alias[1:]] if alias[0].islower() else [alias]
