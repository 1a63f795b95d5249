"""People: titled names ("Prime Minister Ali Lamine Sain"), their later short references
("Sain", "the prime minister") and their affiliation when the text gives it.

Rule-based, no model: a person is a run of one to four capitalised words after a job
title. The affiliation is, in order: a country or institution mention right before the
title ("Niger's Prime Minister …", "U.S. Secretary …"), else an institution whose job
titles include the title ("Deputy Secretary of State" → State Department).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..loading import Article
from .dictionary import ActorDictionary
from .trie import first_letters, trie_regex

__all__ = ["Person", "find_people", "TITLES"]

#: Job titles that introduce a name. Modifiers (Deputy, Foreign, …) may precede them.
TITLES = (
    "President", "President-elect", "Vice President", "Prime Minister", "Minister", "Chancellor", "Secretary",
    "Secretary of State", "Secretary of Defense", "Secretary-General", "King", "Queen", "Prince", "Princess",
    "Pope", "General", "Gen.", "Lt. Gen.", "Maj. Gen.", "Brig. Gen.", "Colonel", "Col.", "Lieutenant", "Captain",
    "Capt.", "Admiral", "Adm.", "Ambassador", "Senator", "Sen.", "Representative", "Rep.", "Governor", "Gov.",
    "Mayor", "Judge", "Justice", "Chairman", "Chairwoman", "Chief", "Director", "Commander", "Sheikh", "Emir",
    "Speaker", "Spokesman", "Spokeswoman", "spokesman", "spokeswoman", "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.",
)
#: Words that may precede a title ("Deputy", "Foreign", …).
MODIFIERS = ("Deputy", "Vice", "Acting", "Interim", "Former", "former", "Foreign", "Defence", "Defense", "Finance",
             "Interior", "Home", "Health", "Junior", "Senior", "Under", "Assistant", "Chief")
_NAME_WORD = r"[A-Z][a-zà-ÿ'’\-]+"
_PERSON = re.compile(
    rf"{first_letters(TITLES + MODIFIERS)}(?<![\w.])"
    rf"(?P<title>(?:(?:{trie_regex(MODIFIERS)})\s+)*(?:{trie_regex(TITLES)}))"
    rf"\s+(?P<name>{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|de|da|van|von|bin|al-[A-Z][a-z]+)){{0,3}})"
)
#: Titles that "the <title>" may refer back to ("the general" is too often "the general election").
REFERENCE_HEADS = frozenset(
    "prime minister|president|chancellor|minister|senator|governor|mayor|ambassador|king|queen|prince|princess|"
    "pope|secretary|judge|spokesman|spokeswoman|emir|sheikh|admiral|colonel".split("|")
)
#: Words that end a name even when capitalised.
_STOP = {"The", "A", "An", "And", "Of", "In", "On", "At", "For", "But", "He", "She", "They", "It", "This", "That",
         "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}


@dataclass
class Person:
    """A named person: full name, title, affiliated actor, and every mention span."""

    name: str
    title: str
    affiliation: str | None
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, surface form) in the body


def find_people(article: Article, dictionary: ActorDictionary, mentions: list[tuple[int, int, str]]) -> list[Person]:
    """People in ``article`` with their mention spans (full name, surname, "the <title>").

    ``mentions`` are the dictionary mentions found already, as (start, end, actor); the
    one ending right before a title gives the person's affiliation.
    """
    body = article.body
    people: dict[str, Person] = {}
    for match in _PERSON.finditer(body):
        words = match.group("name").split()
        if words and words[-1].endswith(("'s", "’s")):
            words[-1] = words[-1][:-2]
        while words and words[-1] in _STOP:
            words.pop()
        while words and words[0] in _STOP:
            words.pop(0)
        if not words or any(w in dictionary.actors for w in words[:1]):
            continue
        name = " ".join(words)
        start = match.start("name") + match.group("name").index(words[0])
        end = start + len(name)
        title = " ".join(match.group("title").split())
        person = people.get(name)
        if person is None:
            person = people[name] = Person(name, title, _affiliation(body, match.start(), title, mentions,
                                                                        dictionary.title_owners))
        person.spans.append((start, end, name))
    _short_references(body, list(people.values()))
    for person in people.values():
        person.spans.sort()
    return sorted(people.values(), key=lambda p: p.spans[0][0])


def _affiliation(body: str, title_start: int, title: str, mentions,
                 title_owners: tuple[tuple[str, str], ...]) -> str | None:
    before = [m for m in mentions if m[1] <= title_start and body[m[1]:title_start].strip() in ("", "'s", "’s")]
    if before:
        return max(before)[2]
    lowered = title.lower()
    for known, owner in title_owners:
        if lowered.endswith(known):
            return owner
    return None


def _short_references(body: str, people: list[Person]) -> None:
    """Add later mentions by surname ("Campbell") and by "the <title>" ("the prime minister")."""
    taken = [(s, e) for p in people for s, e, _ in p.spans]
    for person in people:
        surname = person.name.split()[-1]
        if len(person.name.split()) > 1 and sum(p.name.split()[-1] == surname for p in people) == 1:
            word = re.escape(surname)  # the literal first, so the scan can skip ahead to it
            for m in re.finditer(rf"{word}(?<![\w.]{word})(?![\w])", body):
                if not any(s <= m.start() < e for s, e in taken):
                    person.spans.append((m.start(), m.end(), surname))
                    taken.append(m.span())
    base_titles = {p.name: _title_head(p.title) for p in people}
    for person in people:
        phrase = base_titles[person.name]
        if phrase not in REFERENCE_HEADS:
            continue
        for m in re.finditer(rf"\b[Tt]he\s+({re.escape(phrase)})\b", body, flags=re.I):
            start = m.start(1)
            if any(s <= start < e or 0 <= s - m.end() <= 1 for s, e in taken):
                continue  # inside a name, or the title right before one ("the Prime Minister Ali …")
            # The most recent person with this title before the reference, else the first one after.
            holders = [p for p in people if base_titles[p.name] == phrase]
            earlier = [p for p in holders if p.spans and p.spans[0][0] < start]
            owner = max(earlier, key=lambda p: p.spans[0][0]) if earlier else holders[0]
            if owner is person:
                person.spans.append((m.start(), m.end(), m.group()))
                taken.append((m.start(), m.end()))


def _title_head(title: str) -> str:
    """What a later "the …" reference uses: "Prime Minister" → "prime minister",
    "Deputy Secretary of State" → "secretary", "General" → "general"."""
    words = title.split(" of ")[0].split()
    keep = 2 if len(words) >= 2 and words[-1].lower() == "minister" and words[-2].lower() == "prime" else 1
    return " ".join(words[-keep:]).lower()
