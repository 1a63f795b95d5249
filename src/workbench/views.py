"""HTML views of an :class:`~workbench.analysis.Analysis` for notebooks and reports.

Every function returns an HTML string in which all article-derived text is escaped;
notebooks wrap them in ``IPython.display.HTML``. Inline styles only, so a fragment
looks the same in JupyterLab and in a rendered report.
"""
from __future__ import annotations

import base64
import io
from html import escape

import pandas as pd
from matplotlib.figure import Figure

from .analysis import Analysis
from .loading import Article

__all__ = [
    "article_html",
    "parameters_html",
    "removed_html",
    "topics_html",
    "actors_html",
    "sources_html",
    "evidence_html",
    "figure_html",
    "notes_html",
]

#: Background colour per sentiment label.
LABEL_COLOURS = {"negative": "#f4b6b6", "neutral": "#e3e3e3", "positive": "#b8e0b8"}


def article_html(article: Article, mentions: pd.DataFrame | None = None) -> str:
    """The cleaned article, each actor mention highlighted by its label.

    Hovering a mention shows its actor, label and polarity. Mentions must not overlap
    (the actor matcher never produces overlapping mentions).
    """
    marks = [] if mentions is None else sorted(
        zip(mentions["start"], mentions["end"], mentions["actor"], mentions.get("label", [""] * len(mentions)),
            mentions.get("polarity", [0.0] * len(mentions)))
    )
    parts = []
    if article.title:
        parts.append(f"<h3>{escape(article.title)}</h3>")
    if article.dateline:
        parts.append(f'<p style="color:#555;font-variant:small-caps">{escape(article.dateline)}</p>')
    for index, (para, start) in enumerate(zip(article.paragraphs, article.paragraph_starts)):
        end = start + len(para)
        inside = [m for m in marks if start <= m[0] and m[1] <= end]
        parts.append(f'<p data-paragraph="{index}">{_highlight(para, start, inside)}</p>')
    legend = " ".join(
        f'<mark style="background:{colour}">{label}</mark>' for label, colour in LABEL_COLOURS.items()
    )
    return f'<div class="wb-article"><p style="font-size:small">Mentions: {legend}</p>{"".join(parts)}</div>'


def _highlight(text: str, offset: int, marks: list) -> str:
    out, cursor = [], 0
    for start, end, actor, label, polarity in marks:
        s, e = start - offset, end - offset
        if s < cursor:  # overlapping mention: keep the first
            continue
        out.append(escape(text[cursor:s]))
        colour = LABEL_COLOURS.get(label, "#fff3a0")
        tip = f"{actor} · {label} ({polarity:+.2f})" if label else actor
        out.append(f'<mark style="background:{colour}" title="{escape(tip)}">{escape(text[s:e])}</mark>')
        cursor = e
    out.append(escape(text[cursor:]))
    return "".join(out)


def _table(frame: pd.DataFrame) -> str:
    shown = frame.copy()
    for col in shown.columns:
        if shown[col].map(lambda v: isinstance(v, (list, tuple))).any():
            shown[col] = shown[col].map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return shown.to_html(index=False, escape=True, border=0, classes="wb-table", float_format=lambda v: f"{v:.3f}")


def parameters_html(analysis: Analysis) -> str:
    """The parameters of the run, one row each."""
    params = analysis.parameters
    return _table(pd.DataFrame({"parameter": list(params), "value": [str(v) for v in params.values()]}))


def removed_html(article: Article) -> str:
    """Lines removed as boilerplate, with the rule that removed each."""
    if not article.removed:
        return "<p>No lines were removed.</p>"
    return _table(pd.DataFrame([{"line": r.line, "reason": r.reason, "text": r.text} for r in article.removed]))


def topics_html(analysis: Analysis) -> str:
    """Topics with their top terms, weight, coherence and how many units each dominates."""
    if analysis.topics.empty:
        return "<p>No topics could be fitted to this text.</p>"
    sizes = analysis.units["topic"].value_counts()
    table = analysis.topics.assign(units=[int(sizes.get(i, 0)) for i in analysis.topics["id"]])
    quality = ""
    if analysis.topic_model is not None:
        quality = (
            f"<p>Topic diversity {analysis.topic_model.diversity_:.2f} (share of unique top-25 terms); "
            f"coherence is NPMI of the top-10 terms over the article's {analysis.parameters['topic_unit']}.</p>"
        )
    return _table(table[["id", "label", "terms", "weight", "coherence", "units"]]) + quality


def actors_html(analysis: Analysis, *, rolled_up: bool = False) -> str:
    """The per-actor sentiment table: every actor, or (``rolled_up``) one row per
    country/organisation with its institutions and people folded in."""
    table = analysis.rollup if rolled_up else analysis.actors
    if table.empty:
        return "<p>No actor from the dictionary is mentioned.</p>"
    cols = ["actor", "type", "members" if rolled_up else "parent", "aliases", "mentions", "positive", "neutral",
            "negative", "score", "ci_low", "ci_high", "ambiguous"]
    shown = table[cols].copy()
    shown["ambiguous"] = shown["ambiguous"].map(lambda v: "; ".join(x.replace(" → ", " may mean ") for x in v))
    return _table(shown)


def sources_html(analysis: Analysis) -> str:
    """Who is quoted, how often, and the quotes (unclosed quotation marks noted)."""
    quotes = analysis.quotes
    if quotes.empty:
        return "<p>No direct quotations found.</p>"
    who = quotes.assign(speaker_actor=quotes["actor"].where(quotes["actor"] != "", "(unknown)"))
    counts = (
        who.groupby(["speaker_actor", "root"], sort=True).size().rename("quotes").reset_index()
        .sort_values(["quotes", "speaker_actor"], ascending=[False, True], kind="stable")
        .rename(columns={"speaker_actor": "speaker (actor)", "root": "rolled up to"})
    )
    listing = quotes[["speaker", "actor", "text", "closed"]].rename(columns={"closed": "quote closed"})
    return _table(counts) + _table(listing)


def evidence_html(analysis: Analysis, *, per_actor: int = 3) -> str:
    """The strongest evidence sentences of each actor, with their labels."""
    if analysis.actors.empty:
        return ""
    blocks = []
    for row in analysis.actors.itertuples():
        items = "".join(
            f'<li><mark style="background:{LABEL_COLOURS[e["label"]]}">{escape(e["label"])} '
            f'{e["polarity"]:+.2f}</mark> {escape(e["sentence"])}</li>'
            for e in row.evidence[:per_actor]
        )
        blocks.append(f"<h4>{escape(row.actor)}</h4><ul>{items}</ul>")
    return "".join(blocks)


def notes_html(analysis: Analysis) -> str:
    """Adjustments made during the analysis, if any."""
    if not analysis.notes:
        return ""
    return "<ul>" + "".join(f"<li>{escape(n)}</li>" for n in analysis.notes) + "</ul>"


def figure_html(fig: Figure, *, alt: str = "figure", dpi: int = 100) -> str:
    """A figure as an inline PNG ``<img>`` (no external file, no timestamp metadata)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight", metadata={"Software": None})
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{escape(alt)}" src="data:image/png;base64,{data}"/>'
