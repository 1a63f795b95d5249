"""What every scorer takes: items ``(sentence, start, end)`` and the three labels."""
from __future__ import annotations

from typing import Iterable

LABELS = ("negative", "neutral", "positive")
Item = tuple[str, int, int]


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
