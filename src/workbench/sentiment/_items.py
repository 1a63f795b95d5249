"""What every scorer shares: items ``(sentence, start, end)`` and the three labels
(the base class itself is in :mod:`.base`)."""
from __future__ import annotations

from collections.abc import Iterable

LABELS = ("negative", "neutral", "positive")
Item = tuple[str, int, int]

#: Longest context a mention is scored in, in characters. Sentences longer than this
#: (0.1 % of NewsMTSC's, often run-on text with no full stops) are cut to a window
#: around the mention, so scoring stays linear in the text's length: without it a
#: 300 kB "sentence" with 100,000 mentions is 100,000 passes over 300 kB.
MAX_CONTEXT = 700


def mention_item(sentence: str, start: int, end: int, limit: int = MAX_CONTEXT) -> Item:
    """The item a mention is scored as: its sentence, or a window of about ``limit``
    characters around the mention cut at spaces when the sentence is longer."""
    if len(sentence) <= limit:
        return sentence, start, end
    half = max(0, (limit - (end - start)) // 2)
    lo, hi = max(0, start - half), min(len(sentence), end + half)
    if lo > 0:
        space = sentence.find(" ", lo, start)
        lo = space + 1 if space != -1 else lo
    if hi < len(sentence):
        space = sentence.rfind(" ", end, hi)
        hi = space if space != -1 else hi
    return sentence[lo:hi], start - lo, end - lo


def mention_items(sentences: Iterable[str], starts: Iterable[int], ends: Iterable[int]) -> list[Item]:
    """:func:`mention_item` of each mention (columns ``sentence``, ``span_start``, ``span_end``)."""
    return [mention_item(s, int(a), int(b)) for s, a, b in zip(sentences, starts, ends)]


def check_items(items: Iterable[Item]) -> list[Item]:
    """Items as a list, each checked to be a sentence with a mention span inside it."""
    checked = []
    for i, item in enumerate(items):
        try:
            sentence, start, end = item
        except (TypeError, ValueError):
            raise ValueError(f"item {i} must be (sentence, start, end), got {item!r}") from None
        if not isinstance(sentence, str) or not (0 <= int(start) < int(end) <= len(sentence)):
            raise ValueError(f"item {i}: span ({start}, {end}) is not a mention inside its sentence")
        checked.append((sentence, int(start), int(end)))
    return checked


def check_labels(items: list[Item], labels: Iterable[str]) -> list[str]:
    """Labels as a list, one per item, each from :data:`LABELS`."""
    labels = list(labels)
    if len(items) != len(labels):
        raise ValueError(f"{len(items)} items but {len(labels)} labels")
    unknown = sorted(set(labels) - set(LABELS))
    if unknown:
        raise ValueError(f"labels must be among {', '.join(LABELS)}; got {', '.join(map(repr, unknown))}")
    return labels


def items_sha256(items: Iterable[Item], labels: Iterable[str]) -> str:
    """A hash of labelled items: which data a model was trained (or chose its epoch) on."""
    import hashlib

    digest = hashlib.sha256()
    for (sentence, start, end), label in zip(items, labels):
        digest.update(f"{sentence}\t{start}\t{end}\t{label}\n".encode())
    return digest.hexdigest()
