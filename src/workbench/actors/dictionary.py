"""The actor dictionary: countries from the gazetteer plus institutions, organisations
and groups from ``data/actors.json``, with their hierarchy (``parent``), job titles,
exclusion phrases and confusable countries.

A user file in the layout of ``data/actors.json`` extends the defaults (an entry with
the same name replaces the default one); with ``"extends": false`` it replaces them,
gazetteer included.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from .._data import DEFAULT_ACTORS, GAZETTEER, data_path, display_path
from .._io import read_user_file
from ..errors import InputError

__all__ = ["Actor", "ActorDictionary", "load_actors", "ACTOR_TYPES", "GAZETTEER"]

#: Actor types: dictionary entries take any of them; the name finder gives people,
#: places and organisations typed by their names (:mod:`.organisations`).
ACTOR_TYPES = ("country", "institution", "organisation", "company", "party", "club", "media", "group", "person",
               "place")


@dataclass(frozen=True)
class Actor:
    """One actor: canonical name, type, aliases, the actor it belongs to, job titles."""

    name: str
    type: str
    aliases: tuple[str, ...]
    parent: str | None = None
    titles: tuple[str, ...] = field(default=())
    demonyms: tuple[str, ...] = field(default=())


@dataclass
class ActorDictionary:
    """Actors by name, plus the phrases that are never mentions and confusable countries."""

    actors: Mapping[str, Actor]
    exclude: tuple[str, ...] = ()
    confusable: tuple[tuple[str, ...], ...] = ()

    @cached_property
    def title_owners(self) -> tuple[tuple[str, str], ...]:
        """(lower-cased job title, actor) pairs, the longest title first: whose title a
        person's is ("deputy secretary of state" → State Department)."""
        owners = {t.lower(): a.name for a in self.actors.values() for t in a.titles}
        return tuple(sorted(owners.items(), key=lambda kv: -len(kv[0])))

    def root(self, name: str) -> str:
        """The top of ``name``'s hierarchy (a country, organisation or group)."""
        seen = set()
        while name in self.actors and self.actors[name].parent and name not in seen:
            seen.add(name)
            name = self.actors[name].parent
        return name

    def level(self, name: str) -> int:
        """0 for a root actor, 1 for its institutions, 2 for their people, and so on."""
        depth, current = 0, name
        while current in self.actors and self.actors[current].parent and depth < 10:
            current = self.actors[current].parent
            depth += 1
        return depth

    def __len__(self) -> int:
        return len(self.actors)


def load_actors(path: str | os.PathLike[str] | None = None) -> ActorDictionary:
    """The default dictionary, extended or replaced by the user file ``path``.

    Raises:
        InputError: a file is missing, not valid JSON, or an entry is malformed; the
            message names the file and the entry.
    """
    defaults = _read(data_path(DEFAULT_ACTORS))
    user = _read(Path(path)) if path else None
    if user is not None and not user.get("extends", True):
        entries, exclude, confusable = user["actors"], user.get("exclude", []), user.get("confusable", [])
        countries: list[Actor] = []
    else:
        countries = _gazetteer()
        entries = defaults["actors"]
        exclude, confusable = defaults.get("exclude", []), defaults.get("confusable", [])
        if user is not None:
            replaced = {e.get("name") for e in user["actors"] if isinstance(e, dict) and isinstance(e.get("name"), str)}
            entries = [e for e in entries if e.get("name") not in replaced] + user["actors"]
            exclude = exclude + user.get("exclude", [])
            confusable = confusable + user.get("confusable", [])
    source = display_path(path) if path else display_path(data_path(DEFAULT_ACTORS))
    listed: dict[str, Actor] = {}
    for i, entry in enumerate(entries):
        actor = _actor(entry, f"{source}: actors[{i}]")
        if actor.name in listed:
            raise InputError(f"{source}: actor {actor.name!r} is listed twice", path=source)
        listed[actor.name] = actor
    # A listed entry is more specific than the gazetteer: its aliases win ("Brussels" is the EU).
    claimed = {alias for actor in listed.values() for alias in actor.aliases}
    actors = {
        c.name: Actor(c.name, c.type, tuple(a for a in c.aliases if a not in claimed), demonyms=c.demonyms)
        for c in countries
        if c.name not in listed
    }
    actors.update(listed)
    unknown = sorted({a.parent for a in actors.values() if a.parent and a.parent not in actors})
    if unknown:
        raise InputError(f"{source}: parent actor(s) not in the dictionary: {', '.join(unknown)}", path=source)
    cycle = _parent_cycle(actors)
    if cycle:
        shown = " → ".join(cycle if len(cycle) <= 6 else [*cycle[:3], f"… ({len(cycle) - 1} actors) …", cycle[-1]])
        raise InputError(f"{source}: parents form a cycle: {shown}", path=source)
    return ActorDictionary(actors, tuple(exclude), tuple(tuple(g) for g in confusable))


def _parent_cycle(actors: Mapping[str, Actor]) -> list[str]:
    """The first chain of parents that comes back to where it started, or []."""
    done: set[str] = set()
    for start in sorted(actors):
        chain: dict[str, int] = {}  # name → its place in the chain (a dict: long chains stay linear)
        current = start
        while current in actors and current not in done:
            if current in chain:
                names = list(chain)
                return names[chain[current]:] + [current]
            chain[current] = len(chain)
            current = actors[current].parent
        done.update(chain)
    return []


#: Largest actor file read (the shipped one is 30 kB).
MAX_ACTOR_FILE_BYTES = 10_000_000
#: Longest name or alias (the longest real one is about 80 characters).
MAX_ALIAS_CHARS = 200


def _read(path: Path) -> dict:
    shown = display_path(path)
    if not path.exists():
        raise InputError(f"{shown}: actor dictionary not found", path=shown)
    raw = read_user_file(path, what="an actor dictionary (JSON)", max_bytes=MAX_ACTOR_FILE_BYTES)
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{shown}: not a valid UTF-8 JSON actor dictionary (not UTF-8)", path=shown) from None
    except RecursionError:
        raise InputError(f"{shown}: not a valid actor dictionary (nested too deeply)", path=shown) from None
    except ValueError as exc:  # malformed JSON, or an integer too long to read
        raise InputError(f"{shown}: not a valid UTF-8 JSON actor dictionary ({' '.join(str(exc).split())[:120]})",
                         path=shown) from None
    if isinstance(doc, dict) and "extends" in doc and not isinstance(doc["extends"], bool):
        raise InputError(f"{shown}: 'extends' must be true or false (JSON booleans), got {doc['extends']!r:.40}",
                         path=shown)
    entries = doc.get("actors") if isinstance(doc, dict) else None
    if not isinstance(entries, list) or not entries:
        raise InputError(f'{shown}: expected {{"actors": [...]}} with at least one actor', path=shown)
    if not _strings(doc.get("exclude", [])):
        raise InputError(f"{shown}: 'exclude' must be a list of non-empty strings", path=shown)
    confusable = doc.get("confusable", [])
    if not isinstance(confusable, list) or not all(_strings(group) for group in confusable):
        raise InputError(f"{shown}: 'confusable' must be a list of lists of actor names", path=shown)
    return doc


def _strings(values: object) -> bool:
    return isinstance(values, list) and all(isinstance(v, str) and v.strip() for v in values)


def _actor(entry: object, where: str) -> Actor:
    if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) or not entry["name"].strip():
        raise InputError(f"{where} needs a non-empty string 'name'")
    name = entry["name"].strip()
    if len(name) > MAX_ALIAS_CHARS:
        raise InputError(f"{where}: 'name' is longer than {MAX_ALIAS_CHARS} characters")
    kind = entry.get("type", "organisation")
    if kind not in ACTOR_TYPES:
        raise InputError(f"{where} ({name}): type must be one of {', '.join(ACTOR_TYPES)}, got {kind!r:.60}")
    aliases = entry.get("aliases", [name])
    for key in ("aliases", "titles", "demonyms"):
        if not _strings(entry.get(key, [])):
            raise InputError(f"{where} ({name}): {key!r} must be a list of non-empty strings")
    if any(len(a) > MAX_ALIAS_CHARS for key in ("aliases", "titles", "demonyms") for a in entry.get(key, [])):
        raise InputError(
            f"{where} ({name[:60]}): an alias, title or demonym is longer than {MAX_ALIAS_CHARS} characters"
        )
    parent = entry.get("parent")
    if parent is not None and not isinstance(parent, str):
        raise InputError(f"{where} ({name}): 'parent' must be a string")
    return Actor(name, kind, tuple(a.strip() for a in aliases), parent,
                 tuple(entry.get("titles", [])), tuple(entry.get("demonyms", [])))


def _gazetteer() -> list[Actor]:
    doc = json.loads(data_path(GAZETTEER).read_text(encoding="utf-8"))
    return [
        Actor(c["name"], "country", tuple(c["names"] + c["demonyms"] + c["capitals"]), demonyms=tuple(c["demonyms"]))
        for c in doc["countries"]
    ]
