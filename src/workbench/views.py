"""HTML views of an :class:`~workbench.analysis.Analysis` for notebooks and reports.

Every function returns an HTML string in which all article-derived text is escaped;
notebooks wrap them in ``IPython.display.HTML``. Inline styles only, so a fragment
looks the same in JupyterLab and in a rendered report.

The views name no model class: they read what they draw by duck typing (the shapes
below say which attributes), as scikit-learn's HTML repr does, so that the models'
``_repr_html_`` can call them without an import cycle.
"""
from __future__ import annotations

import base64
import bisect
import io
from html import escape
from typing import Any, Protocol

import pandas as pd
from matplotlib.figure import Figure

from .sentiment.aggregate import MIN_UNITS

__all__ = [
    "article_html",
    "byline_html",
    "parameters_html",
    "removed_html",
    "topics_html",
    "topic_model_html",
    "actors_html",
    "sources_html",
    "evidence_html",
    "marked_sentence",
    "removed_lines_html",
    "figure_html",
    "SENTIMENT_CAPTION",
    "notes_html",
    "summary_html",
    "findings_html",
    "portrayal",
    "compare_html",
    "styled_actors",
    "table_html",
    "with_too_few",
    "corpus_summary_html",
    "corpus_topics_html",
    "actor_topic_html",
    "corpus_evidence_html",
    "compare_sources_html",
    "actor_time_html",
]

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


def article_html(article: Article, mentions: pd.DataFrame | None = None) -> str:
    """The cleaned article, each actor mention highlighted by its label.

    Each mention is followed by its actor's name (small capitals, as displaCy labels
    entities; in print too) and hovering it shows actor, label and polarity. Overlapping mentions
    ("U.S. State Department" holding "U.S.") are shown together: the overlap is coloured
    by the innermost mention and its tooltip lists every mention that covers it.
    """
    marks = [] if mentions is None or not len(mentions) else sorted(
        zip(mentions["start"], mentions["end"], mentions["actor"],
            mentions["label"] if "label" in mentions else [""] * len(mentions),
            mentions["polarity"] if "polarity" in mentions else [0.0] * len(mentions))
    )
    mark_starts = [m[0] for m in marks]
    parts = []
    if article.title:
        parts.append(f"<h3>{escape(article.title)}</h3>")
    parts.append(byline_html(article))
    if article.dateline:
        parts.append(f'<p style="color:#555;font-variant:small-caps">{escape(article.dateline)}</p>')
    for index, (para, start) in enumerate(zip(article.paragraphs, article.paragraph_starts)):
        end = start + len(para)
        first = bisect.bisect_left(mark_starts, start)
        inside = [m for m in marks[first:bisect.bisect_right(mark_starts, end, lo=first)] if m[1] <= end]
        parts.append(f'<p data-paragraph="{index}">{_highlight(para, start, inside)}</p>')
    legend = " ".join(
        f'<mark style="background:{colour}">{label}</mark>' for label, colour in LABEL_COLOURS.items()
    )
    return f'<div class="wb-article"><p style="font-size:small">Mentions: {legend}</p>{"".join(parts)}</div>'


def _highlight(text: str, offset: int, marks: list) -> str:
    """``text`` with <mark> elements; cut at every mention boundary so overlaps work.

    ``marks`` are sorted by start; one sweep keeps the marks covering the current piece
    (every mark end is a cut, so a mark still open at a cut covers the next piece)."""
    local = [(s - offset, e - offset, actor, label, pol) for s, e, actor, label, pol in marks]
    cuts = sorted({0, len(text), *(x for m in local for x in m[:2])})
    out: list[str] = []
    active: list[tuple] = []
    opened = 0
    for a, b in zip(cuts, cuts[1:]):
        while opened < len(local) and local[opened][0] <= a:
            active.append(local[opened])
            opened += 1
        active = [m for m in active if m[1] > a]
        covering = sorted(active, key=lambda m: m[1] - m[0])
        piece = escape(text[a:b])
        if not covering:
            out.append(piece)
            continue
        label = covering[0][3]
        tip = "; ".join(
            f"{text[m[0]:m[1]]}: {m[2]} · {m[3]} ({m[4]:+.2f})" if m[3] else f"{text[m[0]:m[1]]}: {m[2]}"
            for m in covering
        )
        colour = LABEL_COLOURS.get(label, "#fff3a0")
        out.append(f'<mark style="background:{colour}" title="{escape(tip)}">{piece}</mark>')
        out.extend(_WHO.format(escape(m[2])) for m in covering if m[1] == b)  # where a mention ends, its actor
    return "".join(out)


#: The actor's name after a highlighted mention, as displaCy labels entities: readable in
#: print and on touch screens, where tooltips are not.
_WHO = '<span class="wb-who" style="font-size:.72em;font-variant:small-caps;color:#444;margin:0 .25em">{}</span>'


def table_html(frame: pd.DataFrame) -> str:
    """A DataFrame as an escaped HTML table (lists joined by commas, floats to 3 places)."""
    shown = frame.copy()
    for col in shown.columns:
        if shown[col].map(lambda v: isinstance(v, (list, tuple))).any():
            shown[col] = shown[col].map(lambda v: ", ".join(map(str, v)) if isinstance(v, (list, tuple)) else v)
    return shown.to_html(index=False, escape=True, border=0, classes="wb-table", float_format=lambda v: f"{v:.3f}")


def parameters_html(analysis: Analysis) -> str:
    """The parameters of the run, one row each."""
    params = analysis.parameters
    return table_html(pd.DataFrame({"parameter": list(params), "value": [str(v) for v in params.values()]}))


def removed_html(article: Article) -> str:
    """Lines removed as boilerplate (and a web page's text outside the article), with the
    rule that removed each, and how many more were removed than are listed."""
    unlisted = article.removed_total - len(article.removed)
    more = (f"<p>{unlisted:,} more blocks of page text outside the article were removed and are not listed.</p>"
            if unlisted > 0 else "")
    return removed_lines_html(article.removed) + more


def removed_lines_html(removed) -> str:
    """A table of removed lines (``Article.removed``): line, rule, text."""
    if not removed:
        return "<p>No lines were removed.</p>"
    return table_html(pd.DataFrame([{"line": r.line, "reason": r.reason, "text": r.text} for r in removed]))


def topic_model_html(model: Any) -> str:
    """A fitted topic model (:class:`workbench.topics.TopicModel`): its size, diversity and
    stability, and each topic's label, weight, NPMI coherence and top terms."""
    rows = "".join(
        f"<tr><td>{r.id}</td><td>{escape(r.label)}</td><td>{r.weight:.2f}</td><td>{r.coherence:.2f}</td>"
        f"<td>{escape(', '.join(r.terms))}</td></tr>"
        for r in model.topics_frame(10).itertuples()
    )
    return (
        f"<p>TopicModel(n_topics={model.n_topics_}) — diversity {model.diversity_:.2f}, "
        f"stability {model.stability_:.2f}</p>"
        "<table><tr><th>topic</th><th>label</th><th>weight</th><th>NPMI</th><th>top terms</th></tr>"
        + rows + "</table>"
    )


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
    return table_html(table[["id", "label", "terms", "weight", "coherence", "units"]]) + quality


def actors_html(analysis: Analysis, *, rolled_up: bool = False) -> str:
    """The per-actor sentiment table: every actor, or (``rolled_up``) one row per
    country/organisation with its institutions and people folded in."""
    table = analysis.rollup if rolled_up else analysis.actors
    if table.empty:
        return "<p>No actor from the dictionary is mentioned.</p>"
    cols = ["actor", "type", "members" if rolled_up else "parent", "aliases", "mentions", "units", "positive",
            "neutral", "negative", "score", "ci_low", "ci_high", "ambiguous"]
    shown = with_too_few(table[[c for c in cols if c in table]])
    shown["ambiguous"] = shown["ambiguous"].map("; ".join)
    return f"<p>{escape(INTERVAL_NOTE)}</p>" + table_html(
        shown.rename(columns={"units": "sentences", "ambiguous": "demonyms read by the rule"}))


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
    return table_html(counts) + table_html(listing)


def evidence_html(analysis: Analysis, *, per_actor: int = 3) -> str:
    """The strongest evidence sentences of each actor, with their labels."""
    if analysis.actors.empty:
        return ""
    blocks = []
    for row in analysis.actors.itertuples():
        items = "".join(
            f'<li><mark style="background:{LABEL_COLOURS[e["label"]]}">{escape(e["label"])} '
            f'{e["polarity"]:+.2f}</mark> '
            f'{marked_sentence(e["sentence"], e.get("span_start"), e.get("span_end"), row.actor)}</li>'
            for e in row.evidence[:per_actor]
        )
        blocks.append(f"<h4>{escape(row.actor)}</h4><ul>{items}</ul>")
    return "".join(blocks)


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


def notes_html(analysis: Analysis) -> str:
    """Adjustments made during the analysis, if any."""
    if not analysis.notes:
        return ""
    return "<ul>" + "".join(f"<li>{escape(n)}</li>" for n in analysis.notes) + "</ul>"


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
        strength = f"clearly {'positive' if low > 0 else 'negative'}: 95% interval {_signed(low)} to {_signed(high)}"
    else:
        strength = f"uncertain: 95% interval {_signed(low)} to {_signed(high)} includes 0"
    return f"{tone}, leaning {lean} (mean {_signed(score)}; {strength})"


def byline_html(article: Article) -> str:
    """Who published the article, when and where (a web page's metadata): authors, site,
    date, language and the canonical URL (a link only when it is http or https)."""
    parts = []
    if article.authors:
        names = [escape(name) for name in article.authors]
        parts.append("By " + (", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]))
    parts += [escape(value) for value in (article.site_name, article.date) if value]
    if article.language:
        parts.append(f"language {escape(article.language)}")
    if article.url:
        shown = escape(article.url)
        parts.append(f'<a href="{shown}">{shown}</a>' if article.url.startswith(("http://", "https://")) else shown)
    return f'<p class="wb-byline" style="color:#555">{" · ".join(parts)}</p>' if parts else ""


def _signed(value: float) -> str:
    """Two decimals with a sign, and no "-0.00"."""
    return f"{value + 0.0:+.2f}" if round(value, 2) != 0 else "0.00"


def findings_html(analysis: Analysis, *, top: int = 4) -> str:
    """The page's opening: the headline as ``<h1>`` and what was found, in plain words —
    the most mentioned actors and how each is portrayed (with how sure that is), who is
    quoted, what the topics are, and the notes. Each statement is backed by a table below."""
    art = analysis.article
    parts = [f"<h1>{escape(art.title or art.source)}</h1>", byline_html(art)]
    if art.dateline:
        parts.append(f'<p style="color:#555;font-variant:small-caps">{escape(art.dateline)}</p>')
    rollup = analysis.rollup
    if rollup.empty:
        who = "No actor is mentioned."
    else:
        shown = []
        for row in rollup.head(top).itertuples():
            sentences = f" in {row.units} sentences" if row.units != row.mentions else ""
            shown.append(f"<b>{escape(row.actor)}</b> ({row.mentions} mention{'s' if row.mentions != 1 else ''}"
                         f"{sentences}): {escape(portrayal(row.score, row.ci_low, row.ci_high, (row.positive, row.neutral, row.negative)))}")
        who = (f"{len(rollup)} actors in {len(analysis.mentions)} mentions. Most mentioned: "
               + "; ".join(shown) + ".")
    quotes = analysis.quotes
    if quotes.empty:
        quoted = "No direct quotation was found."
    else:
        speakers = quotes["actor"].where(quotes["actor"] != "", "an unidentified speaker").value_counts()
        listed = ", ".join(f"{escape(name)} {n}" for name, n in sorted(speakers.items(), key=lambda kv: (-kv[1], kv[0])))
        quoted = f"{len(quotes)} direct quotation{'s' if len(quotes) != 1 else ''}, by speaker: {listed}."
    topics = ("; ".join(escape(label) for label in analysis.topics["label"]) if not analysis.topics.empty
              else "no topics could be fitted")
    items = [f"<li><b>Who appears and how.</b> {who}</li>", f"<li><b>Who is quoted.</b> {quoted}</li>",
             f"<li><b>What it is about.</b> {len(analysis.topics)} topics: {topics}.</li>"]
    items += [f"<li><b>Note.</b> {escape(note)}</li>" for note in analysis.notes]
    parts.append(f'<ul class="wb-findings">{"".join(items)}</ul>')
    parts.append("<p><small>Each statement comes from the tables below; the parameters are at the end.</small></p>")
    return "".join(parts)


def summary_html(analysis: Analysis) -> str:
    """What a notebook shows for an Analysis: counts, rolled-up actors, topics, article."""
    art = analysis.article
    head = (
        f"<p><b>{escape(art.title or art.source)}</b> — {len(art.paragraphs)} paragraphs, "
        f"{len(art.sentences)} sentences, {len(analysis.mentions)} mentions of {len(analysis.actors)} actors, "
        f"{len(analysis.quotes)} quotes, {art.removed_total} boilerplate lines removed.</p>"
    )
    return head + actors_html(analysis, rolled_up=True) + topics_html(analysis) + article_html(art, analysis.mentions)


def compare_html(analyses: dict[str, Analysis]) -> str:
    """Rolled-up actor scores of several analyses side by side (one column per analysis)."""
    frames = []
    for name, analysis in analyses.items():
        table = analysis.rollup.set_index("actor")[["mentions", "score"]]
        frames.append(table.add_prefix(f"{name}: "))
    joined = pd.concat(frames, axis=1).sort_index()
    counts = [c for c in joined.columns if c.endswith("mentions")]
    joined[counts] = joined[counts].fillna(0).astype(int)
    return table_html(joined.rename_axis("actor").reset_index())


def styled_actors(table: pd.DataFrame):
    """An actor table as a pandas Styler: score coloured from red (−1) to green (+1)."""
    cols = [c for c in ("actor", "type", "parent", "mentions", "positive", "neutral", "negative", "score", "ci_low",
                        "ci_high") if c in table]
    return (
        table[cols].style.hide(axis="index")
        .format({c: "{:+.2f}" for c in ("score", "ci_low", "ci_high") if c in cols}, na_rep="too few")
        .background_gradient(subset=["score"], cmap="RdYlGn", vmin=-1, vmax=1)
        .set_uuid("wb-actors")
    )


# ------------------------------------------------------------------ corpus views
def corpus_summary_html(corpus) -> str:
    """Parameters, counts, and the records skipped (with where and why)."""
    params = corpus.parameters
    table = table_html(pd.DataFrame({"parameter": list(params), "value": [str(v) for v in params.values()]}))
    head = (f"<p>{len(corpus.articles)} articles, {len(corpus.mentions)} actor mentions, {len(corpus.quotes)} "
            f"quotes; {len(corpus.skipped)} records skipped.</p>")
    skipped = ""
    if corpus.skipped:
        skipped = "<h4>Skipped records</h4>" + table_html(
            pd.DataFrame({"where": [x.where for x in corpus.skipped], "reason": [x.reason for x in corpus.skipped]}))
    notes = "".join(f"<p>{escape(note)}</p>" for note in [*getattr(corpus, "notes", []), INTERVAL_NOTE])
    return table + head + notes + skipped


def corpus_topics_html(corpus) -> str:
    """Topics across the corpus: label, terms, size (articles it dominates), quality."""
    model = corpus.topic_model
    quality = (f"<p>Diversity {model.diversity_:.2f}, stability {model.stability_:.2f} (matched cosine to "
               f"80% subsample refits), mean NPMI {float(model.coherence_.mean()):.3f}.</p>")
    choice = ""
    if hasattr(model, "k_table_"):
        choice = (f"<p>k = {model.n_topics_} was chosen from this table (score = (NPMI + 1) / 2 × diversity × "
                  f"stability):</p>" + table_html(model.k_table_))
    return table_html(corpus.topics[["id", "label", "size", "weight", "coherence", "terms"]]) + quality + choice


def actor_topic_html(corpus, *, top: int = 12) -> str:
    """Mean polarity of the most mentioned actors within each topic (mentions in brackets)."""
    if corpus.actor_topics.empty:
        return "<p>No actor mentioned.</p>"
    actors = list(corpus.actors["actor"].head(top))
    labels = dict(zip(corpus.topics["id"], corpus.topics["label"]))
    cells = corpus.actor_topics[corpus.actor_topics["root"].isin(actors)]
    shown = cells.assign(value=[f"{s:+.2f} ({m})" for s, m in zip(cells["score"], cells["mentions"])])
    pivot = shown.pivot(index="root", columns="topic", values="value").reindex(actors).fillna("")
    pivot.columns = [f"{t}: {labels.get(t, '')}" for t in pivot.columns]
    return table_html(pivot.rename_axis("actor").reset_index())


def actor_time_html(corpus, *, top: int = 5) -> str:
    """Monthly mean polarity of the most mentioned actors, or one line when no article has a
    date (an empty figure would take half a screen to say nothing)."""
    if corpus.actor_time.empty:
        return "<p>No article has a date, so there is nothing to show over time.</p>"
    from .plots import actor_time_figure

    return figure_html(actor_time_figure(corpus.actor_time, list(corpus.actors["actor"].head(top))),
                       alt="actors over time")


def compare_sources_html(corpus) -> str:
    """How each source portrays the main actors, and the difference between the two
    largest sources with its interval (or why there is nothing to compare)."""
    field = escape(str(corpus.parameters.get("compare", "source")))
    if corpus.comparison.empty:
        return f"<p>The records have fewer than two values of <code>{field}</code>; nothing to compare.</p>"
    diff = corpus.differences
    lines = []
    for row in diff.itertuples():
        if pd.isna(row.ci_low):
            verdict = "too few articles in one of them for an interval"
        elif row.ci_low > 0 or row.ci_high < 0:
            verdict = f"{row.group_a if row.difference > 0 else row.group_b} is clearly more positive"
        else:
            verdict = "no clear difference"
        lines.append(f"<li><b>{escape(row.actor)}</b>: {escape(row.group_a)} {_signed(row.score_a)}, "
                     f"{escape(row.group_b)} {_signed(row.score_b)}; difference {_signed(row.difference)} "
                     f"({escape(verdict)}{'' if pd.isna(row.ci_low) else f'; 95% interval {_signed(row.ci_low)} to {_signed(row.ci_high)}'})</li>")
    head = (f"<p>Mean polarity toward the most mentioned actors, per value of the records' <code>{field}</code>; "
            f"intervals resample each group's articles. The differences compare the two groups with the most "
            f"articles.</p><ul>{''.join(lines)}</ul>")
    return head + table_html(with_too_few(corpus.comparison)) + table_html(with_too_few(diff))


def corpus_evidence_html(corpus, *, top: int = 8) -> str:
    """The most negative and most positive sentences about the most mentioned actors."""
    blocks = []
    for actor in corpus.actors["actor"].head(top):
        rows = corpus.evidence[corpus.evidence["actor"] == actor]
        items = "".join(
            f'<li><mark style="background:{LABEL_COLOURS[r.side]}">{r.polarity:+.2f}</mark> '
            f"{marked_sentence(r.sentence, r.span_start, r.span_end, actor)} "
            f"<small>({escape(str(getattr(r, 'title', '') or r.article))})</small></li>"
            for r in rows.itertuples()
        )
        if items:
            blocks.append(f"<h4>{escape(actor)}</h4><ul>{items}</ul>")
    return "".join(blocks) or "<p>No evidence.</p>"
