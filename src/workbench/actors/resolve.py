"""Dictionary matches and tagged names become one list of actor mentions.

The rules, in order (context over word lists):

1. A tagged person or organisation name that contains a dictionary alias is the name,
   not the alias: "Real Madrid", "British Airways", "General Motors" and "National
   Security Council" are not Spain, the UK, a general or the UN. A longer place name
   wins too ("New Mexico"). A dictionary alias that contains the tagged name wins
   ("Biden administration" over "Biden").
2. Where both cover the same words, the dictionary wins — except a capital the tagger
   reads as an organisation, or that beats, hosts or draws with an organisation
   ("Washington beat Pittsburgh 3-2": a club, not the US), and a country alias that is
   the surname of a person named in full ("Michael Jordan" … "Jordan").
   A one-word person without a full name, a title, a place in the surname list or the
   name finder's near certainty is an organisation ("Google said"). A job title and a
   common word is no person: a company when the word is a company's ("General Foods"),
   else nothing ("General Election"); "General Petraeus" stays a person.
3. A demonym used as a noun for a person ("the 48-year-old Australian said") is not
   the country.
4. A country-specific institution after another country's name or demonym ("the
   Chilean Congress") belongs to that country.
5. An organisation name that starts with a country's name or demonym and names a
   government body ("Russian Foreign Ministry") gets that country as its parent.
"""
from __future__ import annotations

import bisect
import re
from collections.abc import Collection, Mapping

from ..ner.tagger import common_words, surnames
from .dictionary import Actor, ActorDictionary
from .organisations import EVENTS, HEAD_NOUNS, NOMINALS, NOT_ACTORS, context_type, organisation_type, short_forms
from .people import ADDRESS, group_people, title_before

__all__ = ["resolve"]

_DEMONYM_NOUN_BEFORE = re.compile(r"\b(?:[Tt]he|[Aa]n?)\s+(?:[\w-]+\s+){0,2}$")
_DEMONYM_NOUN_AFTER = re.compile(r"^(?:\s*[,.;:!?)]|\s+(?:who|said|says|was|is|has|had|won|beat|added|told)\b)")
_ACRONYM_AFTER = re.compile(r"^\s*\((?P<acronym>[A-Z][A-Za-z&]{1,9})\)")
# "\bthe": the look-behind after the "T", so that the pattern starts with a character set (re skips
# to the T's without trying every place between).
_NOMINAL = re.compile(r"[Tt](?<!\w[Tt])he\s+(?P<head>" + "|".join(NOMINALS) + r")\b(?!\s+[A-Z])")

Found = tuple[int, int, str]  # (start, end, actor name)
#: A one-word person the name finder is at least this sure of at every mention stays a
#: person without a full name, title or census surname ("Jansher", "Muralitharan").
#: Measured on CoNLL dev (actor level, ``workbench actors evaluate``), people / organisation
#: precision and recall: without the exception 0.962 / 0.941 and 0.819 / 0.860 (lone
#: surnames read as organisations); at 0.8 0.952 / 0.969 and 0.854 / 0.849; at 0.9
#: 0.957 / 0.968 and 0.853 / 0.855; at 0.95 0.961 / 0.965 and 0.849 / 0.860. On BBC
#: "Chelsea" and "Yukos" stay a club and a company (``benchmarks/bbc_people.py``).
SURE_PERSON = 0.9


def resolve(body: str, dictionary: ActorDictionary, matches: list[Found],
            names: list[tuple[int, int, str]], *, people: bool = True,
            sure_people: Collection[tuple[int, int]] = frozenset()) -> tuple[list[Found], dict[str, Actor]]:
    """Mentions as (start, end, actor) in text order, and the actors found beyond the
    dictionary (people, organisations, places) by name; ``sure_people``: the (start,
    end) of the names the finder is sure are people (:data:`SURE_PERSON`)."""
    actors = dictionary.actors
    names = [n for n in (_trim(body, *n) for n in _split_coordinated(body, names))
             if n[1] > n[0] and body[n[0]:n[1]] not in NOT_ACTORS]
    names = [n for n in (_title_and_common_word(body, *n) for n in names) if n[1] > n[0]]
    names = _unsupported_people(body, names, sure_people)
    clubs = _sports_sides(body, names)
    dropped: set[int] = set()
    kept_names: list[tuple[int, int, str]] = []
    surname_candidates: list[int] = []
    match_starts, match_ends = [m[0] for m in matches], [m[1] for m in matches]  # in text order, disjoint
    for start, end, kind in names:
        near = range(bisect.bisect_right(match_ends, start), bisect.bisect_left(match_starts, end))  # overlapping
        inside = [i for i in near if start <= matches[i][0] and matches[i][1] <= end]
        around = [i for i in near if matches[i][0] <= start and end <= matches[i][1] and matches[i][:2] != (start, end)]
        exact = [i for i in inside if matches[i][:2] == (start, end)]
        if kind == "MISC" or around:
            continue
        if exact:
            actor = actors[matches[exact[0]][2]]
            alias = body[start:end]
            if (kind == "ORG" or (start, end) in clubs) and actor.type == "country" and _is_capital(alias, actor):
                dropped.update(exact)
                kept_names.append((start, end, "ORG"))
            elif kind == "PER" and actor.type == "country":
                surname_candidates.extend(exact)
            continue
        dropped.update(inside)
        overlapping = [i for i in near if i not in inside]
        if any(matches[i][1] - matches[i][0] >= end - start for i in overlapping):
            continue
        dropped.update(overlapping)
        kept_names.append((start, end, kind))
    found = [m for i, m in enumerate(matches) if i not in dropped and not _demonym_noun(body, m, actors)]
    found = _foreign_institutions(body, found, actors)
    new_actors: dict[str, Actor] = {}
    for s, e, name in found:
        if name not in actors:  # "Congress (Chile)"
            country = name[name.rindex("(") + 1:-1]
            new_actors.setdefault(name, Actor(name, "institution", (body[s:e],), country))
    named = _organisations(body, kept_names, matches, actors, new_actors)  # people are added below
    if people:
        persons = [(s, e) for s, e, k in kept_names if k == "PER"]
        taken = [(s, e) for s, e, _ in found + named]
        for person in group_people(body, persons, dictionary, found + named, taken):
            new_actors.setdefault(person.name, Actor(person.name, "person", (person.name,), person.affiliation))
            named += [(s, e, person.name) for s, e, _ in person.spans]
        surnames = {a.name.split()[-1]: a.name for a in new_actors.values() if a.type == "person" and " " in a.name}
        for i in surname_candidates:
            s, e, _ = matches[i]
            if body[s:e] in surnames and matches[i] in found:
                found.remove(matches[i])
                named.append((s, e, surnames[body[s:e]]))
    mentions = sorted(found + named)
    mentions += _nominal_references(body, mentions, actors, new_actors)
    return _without_overlaps(sorted(mentions)), new_actors


_HEAD_AND = re.compile(r" (?:and|&) (?=[A-Z])")


def _split_coordinated(body: str, names: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """"Air Force and Army" is two organisations: an organisation name is cut at "and"
    when the words before it end in an organisation's head noun ("Force", "Party", …)."""
    out = []
    for start, end, kind in names:
        m = _HEAD_AND.search(body, start, end) if kind == "ORG" else None
        if m and body[start:m.start()].rsplit(" ", 1)[-1] in HEAD_NOUNS:
            out += [(start, m.start(), kind), (m.end(), end, kind)]
        else:
            out.append((start, end, kind))
    return out


def _trim(body: str, start: int, end: int, kind: str) -> tuple[int, int, str]:
    """Without a leading "The" (non-person names) or a trailing possessive."""
    text = body[start:end]
    if text.endswith(("'s", "’s")):
        end -= 2
    if kind != "PER" and text.startswith(("The ", "the ")) and end - start > 4:
        start += 4
    return start, end, kind


def _title_and_common_word(body: str, start: int, end: int, kind: str) -> tuple[int, int, str]:
    """A person's name of one common word after a job title is no person: a company when
    the word says so ("General Foods"), else no name ("General Election")."""
    if kind != "PER" or " " in body[start:end] or body[start:end].lower() not in common_words():
        return start, end, kind
    before = title_before(body, start)
    if before and before[0].rstrip(".").lower() not in ADDRESS:
        if organisation_type(body[before[1]:end]) == "company":
            return before[1], end, "ORG"
        return start, start, kind  # empty: dropped
    return start, end, kind


def _unsupported_people(body: str, names: list[tuple[int, int, str]],
                        sure: Collection[tuple[int, int]]) -> list[tuple[int, int, str]]:
    """A one-word "person" with no full name in the article, no title before it, no
    place in the surname list and a mention the finder is not sure of is an
    organisation ("Google", "Yukos", "Chelsea")."""
    named = {body[s:e].rsplit(" ", 1)[-1] for s, e, k in names if k == "PER" and " " in body[s:e]}
    titled, unsure = set(), set()
    for s, e, k in names:
        word = body[s:e]
        if k == "PER" and " " not in word:
            if title_before(body, s) is not None:
                titled.add(word)
            if (s, e) not in sure:
                unsure.add(word)
    weak = {w for w in unsure - titled - named if w.lower() not in surnames()}
    return [(s, e, "ORG" if k == "PER" and body[s:e] in weak else k) for s, e, k in names]


_SPORTS_VERB = re.compile(r"\s+(?:beat|beats|defeated|edged|thrashed|routed|hosted|host|hosts|drew with|lost to|"
                          r"draw with|\d+-\d+\s+(?:win|victory|defeat)\s+(?:over|against|to))\s+$")


def _sports_sides(body: str, names: list[tuple[int, int, str]]) -> set[tuple[int, int]]:
    """Names on either side of "beat", "drew with" … whose other side is an organisation."""
    sides = set()
    for (s1, e1, k1), (s2, e2, k2) in zip(names, names[1:]):
        if "ORG" in (k1, k2) and _SPORTS_VERB.match(body[e1:s2] + " ") and len(body[e1:s2]) < 24:
            sides.update({(s1, e1), (s2, e2)})
    return sides


def _is_capital(alias: str, actor: Actor) -> bool:
    """An alias of a country that is neither its name nor a demonym: a capital."""
    return alias not in actor.demonyms and alias != actor.name and " " not in alias and not alias.isupper()


def _demonym_noun(body: str, match: Found, actors: Mapping[str, Actor]) -> bool:
    start, end, name = match
    alias = body[start:end]
    if alias not in actors[name].demonyms or alias.endswith(("s", "ch", "sh", "ese")):
        return False  # plural, or a demonym that names a people ("the French")
    return bool(_DEMONYM_NOUN_BEFORE.search(body[max(0, start - 40):start])
                and _DEMONYM_NOUN_AFTER.match(body[end:end + 12]))


def _foreign_institutions(body: str, found: list[Found], actors: Mapping[str, Actor]) -> list[Found]:
    """"the Chilean Congress": an institution of country P named right after another
    country Q is Q's ("Congress (Chile)")."""
    out = list(found)
    for i in range(1, len(found)):
        (_, pe, previous), (s, e, name) = found[i - 1], found[i]
        actor, other = actors[name], actors[previous]
        if (actor.type == "institution" and actor.parent and actors.get(actor.parent, actor).type == "country"
                and other.type == "country" and previous != actor.parent and body[pe:s] in (" ", "'s ", "’s ")):
            out[i] = (s, e, f"{body[s:e]} ({previous})")
    return out


def _organisations(body: str, names: list[tuple[int, int, str]], matches: list[Found], actors: Mapping[str, Actor],
                   new_actors: dict[str, Actor]) -> list[Found]:
    """Organisation and place mentions (and actors) from tagged names, short forms grouped;
    ``matches`` are the dictionary's, to find the country a government body's name starts with."""
    spans = [(s, e, k) for s, e, k in names if k in ("ORG", "LOC") and body[s:e].split()[-1] not in EVENTS]
    orgs = sorted({body[s:e] for s, e, k in spans if k == "ORG"})
    canonical = short_forms(orgs)
    windows: dict[str, list[str]] = {}  # the text around each organisation's mentions, in order
    for s, e, k in spans:
        if k == "ORG":
            windows.setdefault(canonical.get(body[s:e], body[s:e]), []).append(body[max(0, s - 60):e + 60])
    out: list[Found] = []
    for start, end, kind in spans:
        text = body[start:end]
        name = canonical.get(text, text)
        if name in actors and actors[name].type != "person":
            out.append((start, end, name))
            continue
        if name not in new_actors:
            kind_of = "place" if kind == "LOC" else organisation_type(name)
            if kind_of == "organisation":  # the name says nothing: the words around its mentions may
                kind_of = context_type(windows.get(name, []))
            new_actors[name] = Actor(name, kind_of, (name,),
                                     _parent(start, matches, actors) if kind_of == "institution" else None)
        out.append((start, end, name))
        after = _ACRONYM_AFTER.match(body[end:end + 14])
        if after and kind == "ORG":
            acronym = after.group("acronym")
            for m in re.finditer(rf"(?<![\w.]){re.escape(acronym)}(?![\w])", body):
                out.append((m.start(), m.end(), name))
    return out


def _parent(start: int, matches: list[Found], actors: Mapping[str, Actor]) -> str | None:
    """The country a government body's name starts with ("Russian Foreign Ministry")."""
    for s, _, name in matches:
        if s == start and actors[name].type == "country":
            return name
    return None


def _nominal_references(body: str, mentions: list[Found], actors: Mapping[str, Actor],
                        new_actors: Mapping[str, Actor]) -> list[Found]:
    """"the company" → the nearest company mentioned before it (none: unresolved);
    ``mentions`` sorted."""
    out = []

    def kind(name: str) -> str:
        actor = new_actors.get(name) or actors.get(name)
        return actor.type if actor else ""

    kinds: list[str] = []
    starts = [x[0] for x in mentions]  # none that starts after m ends before it
    for m in _NOMINAL.finditer(body):
        wanted = NOMINALS[m.group("head").lower()]
        kinds = kinds or [kind(x[2]) for x in mentions]
        for i in range(bisect.bisect_right(starts, m.start()) - 1, -1, -1):  # the last one before it
            if mentions[i][1] <= m.start() and kinds[i] in wanted:
                out.append((m.start(), m.end(), mentions[i][2]))
                break
    return out


def _without_overlaps(mentions: list[Found]) -> list[Found]:
    """The earliest, then longest, of overlapping mentions."""
    out: list[Found] = []
    for m in sorted(mentions, key=lambda x: (x[0], -x[1])):
        if out and m[0] < out[-1][1]:
            continue
        out.append(m)
    return out
