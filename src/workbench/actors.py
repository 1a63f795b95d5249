"""Actors: a dictionary of who may appear, and every mention of them in an article.

An actor dictionary is a JSON file ``{"actors": [{"name", "type", "aliases",
"parent"?, "exclude"?}, ...]}``; the shipped default is ``data/actors.json``.
Matching is whole-word and case-sensitive ("US" is the country, "us" is not), the
longest alias wins where several start at the same place ("U.S. Embassy" over
"U.S."), and text inside an actor's ``exclude`` phrases is never a mention of it
("Washington" in "The Washington Post").
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ._data import DEFAULT_ACTORS, data_path, display_path
from .errors import InputError
from .loading import Article

__all__ = ["Actor", "ActorMatcher", "load_actors", "MENTION_COLUMNS"]

ACTOR_TYPES = ("country", "institution", "organisation", "group", "person")

#: Columns of the mentions table, in order.
MENTION_COLUMNS = [
    "mention_id",
    "actor",
    "type",
    "parent",
    "alias",
    "sentence_id",
    "paragraph",
    "start",
    "end",
    "span_start",
    "span_end",
    "sentence",
]


@dataclass(frozen=True)
class Actor:
    """One entry of an actor dictionary."""

    name: str
    type: str
    aliases: tuple[str, ...]
    parent: str | None = None
    exclude: tuple[str, ...] = field(default=())


def load_actors(path: str | os.PathLike[str] | None = None) -> list[Actor]:
    """Read and validate an actor dictionary (default: the shipped one).

    Raises:
        InputError: the file is missing or not valid JSON, or an entry is malformed;
            the message names the entry.
    """
    p = Path(path) if path else data_path(DEFAULT_ACTORS)
    shown = display_path(p)
    if not p.is_file():
        raise InputError(f"{shown}: actor dictionary not found", path=shown)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{shown}: not a valid UTF-8 JSON actor dictionary ({exc})", path=shown) from None
    entries = doc.get("actors") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InputError(f'{shown}: expected {{"actors": [...]}} with at least one actor', path=shown)
    actors, seen = [], set()
    for i, entry in enumerate(entries):
        where = f"{shown}: actors[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
            raise InputError(f"{where} needs a non-empty string 'name'", path=shown)
        name = entry["name"].strip()
        if name in seen:
            raise InputError(f"{where}: actor {name!r} is listed twice", path=shown)
        seen.add(name)
        kind = entry.get("type", "organisation")
        if kind not in ACTOR_TYPES:
            raise InputError(f"{where} ({name}): type must be one of {', '.join(ACTOR_TYPES)}, got {kind!r}", path=shown)
        aliases = entry.get("aliases", [name])
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
            raise InputError(f"{where} ({name}): 'aliases' must be a list of non-empty strings", path=shown)
        exclude = entry.get("exclude", [])
        if not isinstance(exclude, list) or not all(isinstance(a, str) and a.strip() for a in exclude):
            raise InputError(f"{where} ({name}): 'exclude' must be a list of non-empty strings", path=shown)
        parent = entry.get("parent")
        if parent is not None and not isinstance(parent, str):
            raise InputError(f"{where} ({name}): 'parent' must be a string", path=shown)
        actors.append(Actor(name, kind, tuple(a.strip() for a in aliases), parent, tuple(exclude)))
    unknown = sorted({a.parent for a in actors if a.parent and a.parent not in seen})
    if unknown:
        raise InputError(f"{shown}: parent actor(s) not in the dictionary: {', '.join(unknown)}", path=shown)
    return actors


class ActorMatcher:
    """Finds mentions of dictionary actors in an article's sentences.

    Args:
        actors: The dictionary entries (default: the shipped dictionary).
    """

    def __init__(self, actors: list[Actor] | None = None) -> None:
        self.actors = load_actors() if actors is None else list(actors)
        self._by_alias: dict[str, Actor] = {}
        for actor in self.actors:
            for alias in actor.aliases:
                for form in _surface_forms(alias):
                    owner = self._by_alias.setdefault(form, actor)
                    if owner is not actor:
                        raise InputError(f"alias {form!r} belongs to both {owner.name!r} and {actor.name!r}")
        forms = sorted(self._by_alias, key=lambda a: (-len(a), a))
        self._pattern = _word_pattern(forms)
        self._excludes = {
            a.name: _word_pattern(sorted({f for e in a.exclude for f in _surface_forms(e)}, key=lambda x: (-len(x), x)))
            for a in self.actors
            if a.exclude
        }

    @classmethod
    def from_file(cls, path: str | os.PathLike[str] | None = None) -> "ActorMatcher":
        """A matcher over the dictionary in ``path`` (default: the shipped one)."""
        return cls(load_actors(path))

    def find(self, article: Article) -> pd.DataFrame:
        """Every mention in ``article``, one row each, in text order (:data:`MENTION_COLUMNS`).

        ``start``/``end`` index into ``article.body``; ``span_start``/``span_end`` into
        the mention's ``sentence``.
        """
        rows = []
        for sentence in article.sentences:
            text = sentence.text
            excluded: dict[str, list[tuple[int, int]]] = {}
            for match in self._pattern.finditer(text):
                actor = self._by_alias[match.group()]
                if actor.name in self._excludes:
                    spans = excluded.setdefault(
                        actor.name, [m.span() for m in self._excludes[actor.name].finditer(text)]
                    )
                    if any(s < match.end() and match.start() < e for s, e in spans):
                        continue
                rows.append(
                    {
                        "mention_id": len(rows),
                        "actor": actor.name,
                        "type": actor.type,
                        "parent": actor.parent or "",
                        "alias": match.group(),
                        "sentence_id": sentence.index,
                        "paragraph": sentence.paragraph,
                        "start": sentence.start + match.start(),
                        "end": sentence.start + match.end(),
                        "span_start": match.start(),
                        "span_end": match.end(),
                        "sentence": text,
                    }
                )
        return pd.DataFrame(rows, columns=MENTION_COLUMNS)

    def __repr__(self) -> str:
        return f"ActorMatcher(actors={len(self.actors)}, aliases={len(self._by_alias)})"


def _surface_forms(alias: str) -> list[str]:
    """The alias, plus its capitalised form when it starts in lower case ("the junta")."""
    forms = [alias]
    if alias[0].islower():
        forms.append(alias[0].upper() + alias[1:])
    return forms


def _word_pattern(forms: list[str]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(f) for f in forms)
    return re.compile(rf"(?<![\w.])(?:{alternation})(?![\w])")
