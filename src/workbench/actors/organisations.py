"""Organisations and places the tagger finds outside the dictionary: their type from the
words of their name, their short forms grouped, and "the company" / "the club"
references.

- Type: a company ("… Inc", "… Airways", "… Motors"), party ("… Party"), club ("… FC",
  "Real …"), media ("… Post", "BBC"), government body ("… Ministry", "… Council"); a name
  that says nothing ("Microsoft", "Arsenal") takes the type the words around its
  mentions point to (shares, profits, customers → company; match, striker, league →
  club; MPs, voters, manifesto → party), else it is an organisation; a place the tagger
  marks as a location is a ``place``.
- Grouping: "National Health Service (NHS)" makes "NHS" an alias; an acronym that spells
  another name's initials ("NSC" ← "National Security Council") and a name without its
  company suffix ("Microsoft" ← "Microsoft Corp") join that name.
- "the company", "the firm", "the club", "the team", "the party" refer to the nearest
  actor of that type mentioned before them, and stay unresolved when there is none.
"""
from __future__ import annotations

import re

__all__ = ["EVENTS", "HEAD_NOUNS", "NOT_ACTORS", "NOMINALS", "acronym_of", "context_type", "organisation_type",
           "short_forms"]

_COMPANY = frozenset(
    "Inc Inc. Corp Corp. Corporation Ltd Ltd. plc PLC LLC Co Co. Group Holdings Airways Airlines Motors Bank Bancorp "
    "Technologies Technology Systems Pharmaceuticals Industries Entertainment Records Studios Pictures Energy "
    "Petroleum Mining Telecom Communications Capital Partners Securities Insurance Foods Stores Brewing Resources "
    "Electronics Software Networks Labs Investments Motor Steel Chemicals Logistics Retail Media AG SA NV GmbH "
    "Computer Computers Semiconductor Oil Gas Automotive Aerospace Brands Electric Mills Dynamics Foods".split()
)
_PARTY = frozenset("Party Tories Conservatives Democrats Republicans Greens".split())
_CLUB = frozenset(
    "FC F.C. AFC United Rovers Athletic Athletico Wanderers Albion Rangers Celtic Hotspur Villa Town Club Lakers "
    "Bulls Yankees Giants Capitals Penguins Rams Wolves Saints Magpies Gunners Blues Reds Hearts Hibernian Dynamo "
    "Sporting Olympique Juventus Internazionale Borussia Bayern".split()
)
_CLUB_FIRST = frozenset("Real Atletico Dynamo Sporting Olympique Borussia Bayer AC AS Inter Racing Deportivo".split())
_MEDIA = frozenset(
    "Times Post News Journal Telegraph Guardian Herald Tribune Gazette BBC CNN Reuters AP AFP Press Television TV "
    "Radio Channel Magazine Daily Observer Economist Independent Mirror Sun Standard Chronicle Bloomberg".split()
)
_GOVERNMENT = frozenset(
    "Ministry Department Parliament Senate Congress Assembly Council Commission Court Army Navy Police Agency "
    "Office Bureau Committee Government Cabinet Treasury Embassy Authority Service Reserve Directorate "
    "Administration Forces Guard Inquiry Tribunal Secretariat Executive Ombudsman".split()
)
#: Last words of event names, which are no actors ("General Election", "World Cup").
EVENTS = frozenset("Election Elections Referendum Budget Olympics Games Cup Championship Championships Open Awards "
                   "Festival War Summit Tour Trophy Prix Marathon Week Day Act Bill".split())
#: Last words of organisation names: before "and", a name ends ("Air Force and Army").
HEAD_NOUNS = frozenset("Force Forces Army Navy Party Council Ministry Department Bank Group Committee Commission "
                       "Agency Office Service Court Union Association Federation League Club Company".split())
#: Acronyms and words the tagger may mark as names that name no actor.
NOT_ACTORS = frozenset("TV PC PCs DVD DVDs CD CDs MP MPs MEP MEPs GDP CEO CEOs AM PM GMT BST AGM IPO VAT FTSE "
                       "Dow Nasdaq SMS PIN URL WWW HIV Aids AIDS".split())
#: Nominal references and the actor types they may refer to.
NOMINALS = {"company": ("company",), "firm": ("company",), "group": ("company",), "club": ("club",),
            "team": ("club",), "side": ("club",), "party": ("party",)}
_CONNECTIVES = frozenset("of the and for & de du la le".split())
_SUFFIXES = frozenset("Inc Inc. Corp Corp. Corporation Ltd Ltd. plc PLC LLC Co Co. Group Holdings AG SA NV".split())


def organisation_type(name: str) -> str:
    """The actor type the words of an organisation's name suggest."""
    words = name.split()
    if not words:
        return "organisation"
    last, first = words[-1], words[0]
    if last in _PARTY or "Party" in words:
        return "party"
    if last in _CLUB or first in _CLUB_FIRST:
        return "club"
    if last in _COMPANY or "&" in name:
        return "company"
    if last in _MEDIA or first in _MEDIA:
        return "media"
    if any(w in _GOVERNMENT for w in words):
        return "institution"
    return "organisation"


_CUES = {
    "company": frozenset("shares share profit profits revenue revenues sales firm company customers products "
                         "takeover stake chief executive investors shareholders deal market launched software "
                         "users devices chips phones computers brand retailer airline bank earnings".split()),
    "club": frozenset("match beat striker midfielder defender goal goals league manager coach signed season "
                      "cup win draw fans stadium scored side squad football premiership champions fixture "
                      "transfer players".split()),
    "party": frozenset("mps voters election manifesto leader party candidates polls vote campaign".split()),
}
_CUE_WORD = re.compile(r"[a-z]+")
_ANY_CUE = frozenset().union(*_CUES.values())


def context_type(windows: list[str]) -> str:
    """The type the words around an organisation's mentions point to (at least two cue
    words, and more than for any other type), else "organisation"."""
    counts = {kind: 0 for kind in _CUES}
    for window in windows:
        words = _ANY_CUE.intersection(_CUE_WORD.findall(window.lower()))
        if words:
            for kind, cues in _CUES.items():
                counts[kind] += len(words & cues)
    ranked = sorted(counts.items(), key=lambda kv: -kv[1])
    if ranked[0][1] >= 2 and ranked[0][1] > ranked[1][1]:
        return ranked[0][0]
    return "organisation"


def acronym_of(name: str) -> str:
    """The initials of a name's main words: "National Health Service" → "NHS"."""
    words = [w for w in re.split(r"[\s-]+", name) if w and w not in _CONNECTIVES and w[0].isupper()]
    return "".join(w[0] for w in words) if len(words) >= 2 else ""


def short_forms(names: list[str]) -> dict[str, str]:
    """Which names are short forms of another name in ``names``: acronyms of a longer
    name and names without their company suffix ("Microsoft" → "Microsoft Corp")."""
    by_acronym: dict[str, str] = {}
    for name in sorted(names, key=lambda n: (-len(n), n)):
        acronym = acronym_of(name)
        if acronym:
            by_acronym.setdefault(acronym, name)
    out = {}
    for name in names:
        if name in by_acronym and by_acronym[name] != name:
            out[name] = by_acronym[name]
            continue
        for other in names:
            words = other.split()
            if other != name and len(words) > 1 and words[-1] in _SUFFIXES and " ".join(words[:-1]) == name:
                out[name] = other
                break
    return out
