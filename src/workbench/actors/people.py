"""People: names the tagger marks as persons, grouped into one actor per person, with
their title, affiliation and later references.

- A name loses a leading title ("President", "Mr", "Dr." …) and a possessive; the
  title is kept ("Ambassador Sondland" → Sondland, title Ambassador).
- Mentions are grouped by surname: a full name ("Gordon Sondland") names the person,
  and "Sondland", "Mr Sondland" join it. Full names that agree ("George Bush", "George
  W Bush") are one person; two people with one surname ("George Bush", "Laura Bush")
  take a lone surname by the nearest full mention before it (else the first after).
- Every whole-word occurrence of the surname of a person named in full or with a title
  is a mention of the person, tagged or not (the tagger misses some at the start of
  sentences); a one-word name with neither is only where the tagger marks it.
- "the <title>" ("the prime minister") refers to the one person with that title in the
  article; with two or more such people it stays unresolved rather than guessed.
- Affiliation: a country or institution right before the title or name ("Niger's
  Prime Minister …", "Conservative leader …"), else an institution whose job titles
  include the person's ("Deputy Secretary of State" → State Department).
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .dictionary import ActorDictionary
from .trie import trie_regex

__all__ = ["ADDRESS", "MODIFIERS", "Person", "TITLES", "group_people", "title_before"]

#: Job titles and forms of address that stand before a name.
TITLES = (
    "President", "President-elect", "Vice President", "Prime Minister", "Minister", "Chancellor", "Secretary",
    "Secretary of State", "Secretary of Defense", "Secretary-General", "King", "Queen", "Prince", "Princess",
    "Pope", "General", "Gen.", "Lt. Gen.", "Maj. Gen.", "Brig. Gen.", "Colonel", "Col.", "Lieutenant", "Captain",
    "Capt.", "Admiral", "Adm.", "Ambassador", "Senator", "Sen.", "Representative", "Rep.", "Governor", "Gov.",
    "Mayor", "Judge", "Justice", "Chairman", "Chairwoman", "Chief", "Director", "Commander", "Sheikh", "Emir",
    "Speaker", "Spokesman", "Spokeswoman", "spokesman", "spokeswoman", "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.",
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Sir", "Dame", "Lord", "Lady", "Baroness", "leader", "Leader", "chairman",
    "chief executive", "boss", "manager", "coach", "striker", "captain", "midfielder", "defender", "goalkeeper",
    "MP", "MEP", "Professor", "Rev.", "Father", "Sister", "Detective", "Inspector", "Sergeant", "Sgt.",
)
#: Words that may precede a title ("Deputy", "Foreign", …).
MODIFIERS = ("Deputy", "Vice", "Acting", "Interim", "Former", "former", "Foreign", "Defence", "Defense", "Finance",
             "Interior", "Home", "Health", "Junior", "Senior", "Under", "Assistant", "Chief", "Shadow", "party",
             "Party", "opposition", "Opposition", "team", "club", "Labour", "Tory", "Conservative")
_TITLE_BEFORE = re.compile(
    rf"(?<![\w.])(?P<title>(?:(?:{trie_regex(MODIFIERS)})\s+)*(?:{trie_regex(TITLES)}))\s+$"
)
_LOOKBACK = 80
#: The last words of the titles: a window that does not end with one (and spaces) holds no title.
_TITLE_ENDS = tuple(sorted({title.split()[-1] for title in TITLES}))
#: Titles that "the <title>" may refer back to ("the general" is too often "the general election").
REFERENCE_HEADS = frozenset(
    "prime minister|president|chancellor|minister|senator|governor|mayor|ambassador|king|queen|prince|princess|"
    "pope|secretary|judge|spokesman|spokeswoman|emir|sheikh|admiral|colonel|chairman|coach|manager".split("|")
)
#: Forms of address: a name after them is a person's, whatever the word.
ADDRESS = frozenset("mr mrs ms dr prof sir dame lord lady".split())


@dataclass
class Person:
    """A named person: full name, title, affiliated actor, and every mention span."""

    name: str
    title: str
    affiliation: str | None
    spans: list[tuple[int, int, str]] = field(default_factory=list)  # (start, end, surface form) in the body


def title_before(body: str, start: int) -> tuple[str, int] | None:
    """The job title or form of address right before ``start`` and where it starts."""
    window = body[max(0, start - _LOOKBACK):start]
    if not window.rstrip().endswith(_TITLE_ENDS):  # most names: no title before them, found without a search
        return None
    m = _TITLE_BEFORE.search(window)
    if not m:
        return None
    return " ".join(m.group("title").split()), start - len(window) + m.start("title")


def group_people(body: str, names: list[tuple[int, int]], dictionary: ActorDictionary,
                 mentions: list[tuple[int, int, str]], taken: list[tuple[int, int]]) -> list[Person]:
    """People from person-name spans ``names`` (offsets in ``body``), with their mentions.

    ``mentions`` are the other actors' mentions as (start, end, actor) — the one right
    before a title gives the affiliation; ``taken`` are spans no person mention may
    overlap (other names).
    """
    by_end = sorted(mentions, key=lambda m: m[1])
    by_end = (by_end, [m[1] for m in by_end])
    cleaned = []
    for start, end in sorted(names):
        start, end, title, title_start = _strip_title(body, start, end)
        if end > start and body[start].isupper():
            cleaned.append((start, end, title, title_start))
    people: list[Person] = []
    by_full: dict[str, Person] = {}
    singles = []
    for start, end, title, title_start in cleaned:
        words = body[start:end].split()
        if len(words) == 1:
            singles.append((start, end, title, title_start))
            continue
        name = " ".join(words)
        person = by_full.get(name) or _same_person(name, people)
        if person is None:
            person = Person(name, title, None)
            people.append(person)
        if len(name) > len(person.name) and person.name.split()[-1] == words[-1]:
            person.name = name  # "George Bush", then "George W Bush"
        by_full[name] = person
        person.title = person.title or title
        person.affiliation = person.affiliation or _affiliation(body, title_start, title, by_end, dictionary)
        person.spans.append((start, end, body[start:end]))
    by_surname: dict[str, list[Person]] = {}  # (names no longer change below)
    for person in people:
        by_surname.setdefault(person.name.split()[-1], []).append(person)
    for start, end, title, title_start in singles:
        word = body[start:end]
        holders = by_surname.get(word)
        if holders:
            person = _nearest(holders, start)
        else:
            person = next((p for p in people if p.name == word), None)
            if person is None:
                person = Person(word, title, None)
                people.append(person)
                by_surname.setdefault(word.split()[-1], []).append(person)
        person.title = person.title or title
        person.affiliation = person.affiliation or _affiliation(body, title_start, title, by_end, dictionary)
        person.spans.append((start, end, word))
    _surname_mentions(body, people, taken)
    _title_references(body, people)
    for person in people:
        person.spans = sorted(set(person.spans))
    people = [p for p in people if p.spans]
    return sorted(people, key=lambda p: p.spans[0][0])


def _strip_title(body: str, start: int, end: int) -> tuple[int, int, str, int]:
    """The name without a possessive or a title inside its span, the title and where it starts."""
    text = body[start:end]
    if text.endswith(("'s", "’s")):
        end -= 2
        text = text[:-2]
    words = text.split()
    title_words = []
    while len(words) > 1 and (words[0].rstrip(".").lower() in ADDRESS or words[0] in TITLES):
        title_words.append(words.pop(0))
    if title_words:
        start = body.index(words[0], start)
        return start, end, " ".join(title_words), start - len(" ".join(title_words)) - 1
    before = title_before(body, start)
    if before:
        return start, end, before[0], before[1]
    return start, end, "", start


def _same_person(name: str, people: list[Person]) -> Person | None:
    """An earlier person that ``name`` names too: same surname and first name, or one
    name's words within the other's ("George Bush" / "George W Bush")."""
    words = name.split()
    for person in people:
        other = person.name.split()
        if other[-1] == words[-1] and (other[0] == words[0] or set(other) <= set(words) or set(words) <= set(other)):
            return person
    return None


def _nearest(holders: list[Person], start: int) -> Person:
    def first(p: Person) -> int:
        return p.spans[0][0] if p.spans else 1 << 60

    earlier = [p for p in holders if first(p) < start]
    if earlier:
        return max(earlier, key=lambda p: max(s for s, _, _ in p.spans if s < start))
    return min(holders, key=first)


def _affiliation(body: str, title_start: int, title: str, by_end: tuple[list[tuple[int, int, str]], list[int]],
                 dictionary: ActorDictionary) -> str | None:
    """The mention ending right before the title (or its possessive), else the owner of
    the title; ``by_end`` holds the mentions sorted by end, and their ends."""
    mentions, ends = by_end
    before = [m for m in mentions[bisect.bisect_left(ends, title_start - 4):bisect.bisect_right(ends, title_start)]
              if body[m[1]:title_start].strip() in ("", "'s", "’s")]
    if before:
        return max(before)[2]
    lowered = title.lower()
    if lowered:
        for known, owner in dictionary.title_owners:
            if lowered.endswith(known):
                return owner
    return None


def _surname_mentions(body: str, people: list[Person], taken: list[tuple[int, int]]) -> None:
    """Every whole-word occurrence of the surname of a person named in full or with a
    title, outside other mentions, becomes a mention of the person with that surname
    mentioned nearest before."""
    covered = sorted(taken + [(s, e) for p in people for s, e, _ in p.spans])
    starts = [s for s, _ in covered]
    by_surname: dict[str, list[Person]] = {}
    for person in people:
        if " " in person.name or person.title:
            by_surname.setdefault(person.name.split()[-1], []).append(person)
    for surname, holders in by_surname.items():
        for start in _whole_words(body, surname):
            end = start + len(surname)
            i = bisect.bisect_right(starts, start) - 1
            if i >= 0 and covered[i][0] <= start < covered[i][1]:
                continue
            if i + 1 < len(covered) and covered[i + 1][0] < end:
                continue
            _nearest(holders, start).spans.append((start, end, surname))


def _whole_words(body: str, word: str) -> list[int]:
    """Where ``word`` stands as a whole word ("Blair", "Blair's"; not "Blairite", "Tony-Blair")."""
    out, at = [], body.find(word)
    while at >= 0:
        end = at + len(word)
        before = body[at - 1] if at else " "
        after = body[end:end + 2]
        if not (before.isalnum() or before in "-._'’") and not (after[:1].isalnum() or after[:1] in "-_") \
                and not (after[:1] in "'’" and after[1:2].isalnum() and after[1:2] != "s"):
            out.append(at)
        at = body.find(word, end)
    return out


def _title_references(body: str, people: list[Person]) -> None:
    """"the <title>" as a mention of the one person who holds that title."""
    heads: dict[str, list[Person]] = {}
    for person in people:
        head = _title_head(person.title)
        if head in REFERENCE_HEADS:
            heads.setdefault(head, []).append(person)
    taken = [(s, e) for p in people for s, e, _ in p.spans]
    for head, holders in heads.items():
        if len(holders) != 1:
            continue  # two presidents: "the president" is left unresolved
        (person,) = holders
        for m in _the_title(head).finditer(body):
            if any(s <= m.start(1) < e or 0 <= s - m.end() <= 1 for s, e in taken):
                continue  # inside a name, or the title right before one ("the Prime Minister Ali …")
            person.spans.append((m.start(), m.end(), m.group()))


def _the_title(head: str) -> re.Pattern[str]:
    """"the <head>" as a word, any case but a capital or small "t" (as ``\\b[Tt]he\\s+head\\b``
    with ``re.I``; the look-behind after the "T", so that re skips to the T's)."""
    return re.compile(rf"[Tt](?<!\w[Tt])(?i:he\s+({re.escape(head)}))\b")


def _title_head(title: str) -> str:
    """What a later "the …" reference uses: "Prime Minister" → "prime minister",
    "Deputy Secretary of State" → "secretary", "General" → "general"."""
    words = title.split(" of ")[0].split()
    if not words:
        return ""
    keep = 2 if len(words) >= 2 and words[-1].lower() == "minister" and words[-2].lower() == "prime" else 1
    return " ".join(words[-keep:]).lower()
