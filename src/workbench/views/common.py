"""What every view shares: the shapes the views read (duck typing: no model class is
imported), tables, figures, sentences with their mention marked, and the words for a
score and its interval."""
from __future__ import annotations

import base64
import io
from html import escape
from typing import Any, Protocol

import pandas as pd
from matplotlib.figure import Figure

from ..sentiment.aggregate import MIN_UNITS


class Article(Protocol):
    """What the views read of an article (:class:`workbench.loading.Article`)."""

    title: str
    dateline: str
    paragraphs: tuple[str, ...]
    paragraph_starts: tuple[int, ...]
    removed: tuple
    removed_total: int
    source: str
    authors: tuple[str, ...]
    site_name: str
    date: str
    language: str
    url: str


class Analysis(Protocol):
    """What the views read of an analysis (:class:`workbench.analysis.Analysis`)."""

    article: Article
    parameters: dict[str, Any]
    topic_model: Any
    topics: pd.DataFrame
    units: pd.DataFrame
    mentions: pd.DataFrame
    actors: pd.DataFrame
    rollup: pd.DataFrame
    quotes: pd.DataFrame
    notes: list[str]


#: Background colour per sentiment label.
LABEL_COLOURS = {"negative": "#f4b6b6", "neutral": "#e3e3e3", "positive": "#b8e0b8"}


def table_html(frame: pd.DataFrame) -> str:
    """A DataFrame as an escaped HTML table (lists joined by commas, floats to 3 places)."""
    shown = frame.copy()
    for col in shown.columns:
        if shown[col].map(lambda v: isinstance(v, (list, tuple))).any():
            shown[col] = shown[col].map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return shown.to_html(index=False, escape=True, border=0, classes="wb-table", float_format=lambda v: f"{v:.3f}")


#: How the intervals are made, in the words the pages print beside them.
INTERVAL_NOTE = ("Intervals: 95% percentile bootstrap of the mean polarity, resampling sentences (articles, across a "
                 "corpus) rather than single mentions, since mentions in one sentence are not independent; an actor "
                 f"in fewer than {MIN_UNITS} of them gets none (“too few”).")


def with_too_few(table: pd.DataFrame) -> pd.DataFrame:
    """``table`` with its interval columns as text: two decimals, or "too few" where the
    actor has no interval."""
    shown = table.copy()
    for col in ("ci_low", "ci_high"):
        if col in shown:
            shown[col] = [("too few" if pd.isna(v) else f"{v:+.2f}") for v in shown[col]]
    return shown


def marked_sentence(sentence: str, start: int | None, end: int | None, actor: str) -> str:
    """An evidence sentence, escaped, with the mention its score is about underlined and
    in bold and, where the words are not the actor's name, the actor after it in brackets:
    visible in print and on touch screens, not only in a tooltip."""
    if start is None or end is None or not 0 <= start < end <= len(sentence):
        return escape(sentence)
    words = sentence[start:end]
    who = "" if words == actor else f' <span class="wb-who">[{escape(actor)}]</span>'
    return (f'{escape(sentence[:start])}<strong class="wb-target"><u>{escape(words)}</u></strong>{who}'
            f"{escape(sentence[end:])}")


#: The caption under the actor chart.
SENTIMENT_CAPTION = ("Each point is an actor's mean polarity over its mentions (n), the bar its 95% interval from "
                     "resampling sentences (articles, in a corpus); no bar: too few for an interval. Colour shows "
                     "the strength; the line marks 0 (neutral).")


def figure_html(fig: Figure, *, alt: str = "figure", dpi: int = 100, caption: str = "") -> str:
    """A figure as an inline PNG ``<img>`` (no external file, no timestamp metadata), in a
    ``<figure>`` with its caption when one is given."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    image = f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}"/>'
    if not caption:
        return image
    return f"<figure>{image}<figcaption><small>{escape(caption)}</small></figcaption></figure>"


def portrayal(score: float, low: float, high: float, labels: tuple[int, int, int]) -> str:
    """How an actor is portrayed, in words a reader takes in at a glance, from its mean
    polarity, its interval and its label counts (positive, neutral, negative)."""
    positive, neutral, negative = labels
    total = max(positive + neutral + negative, 1)
    tone = "mostly neutral" if neutral / total >= 0.5 else ("mixed" if min(positive, negative) / total >= 0.25
                                                           else "mostly positive" if positive > negative
                                                           else "mostly negative")
    lean = "negative" if score < -0.05 else "positive" if score > 0.05 else "neutral"
    if pd.isna(low):
        strength = "too few sentences for an interval"
    elif low > 0 or high < 0:
        strength = f"clearly {'positive' if low > 0 else 'negative'}: 95% interval {signed(low)} to {signed(high)}"
    else:
        strength = f"uncertain: 95% interval {signed(low)} to {signed(high)} includes 0"
    return f"{tone}, leaning {lean} (mean {signed(score)}; {strength})"


def signed(value: float) -> str:
    """Two decimals with a sign, and no "-0.00"."""
    return f"{value + 0.0:+.2f}" if round(value, 2) != 0 else "0.00"
