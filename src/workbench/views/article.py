"""Views of one article and its analysis: the text with its mentions marked, the findings
in plain words, and the tables of actors, sources, evidence, topics and what was removed."""
from __future__ import annotations

import bisect
from html import escape
from typing import Any

import pandas as pd

from .common import (
    INTERVAL_NOTE,
    LABEL_COLOURS,
    Analysis,
    Article,
    marked_sentence,
    portrayal,
    table_html,
    with_too_few,
)


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


def notes_html(analysis: Analysis) -> str:
    """Adjustments made during the analysis, if any."""
    if not analysis.notes:
        return ""
    return "<ul>" + "".join(f"<li>{escape(n)}</li>" for n in analysis.notes) + "</ul>"


#: The caption under the actor chart.


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
            shown.append(
                f"<b>{escape(row.actor)}</b> ({row.mentions} mention{'s' if row.mentions != 1 else ''}"
                f"{sentences}): "
                + escape(portrayal(row.score, row.ci_low, row.ci_high, (row.positive, row.neutral, row.negative)))
            )
        who = (f"{len(rollup)} actors in {len(analysis.mentions)} mentions. Most mentioned: "
               + "; ".join(shown) + ".")
    quotes = analysis.quotes
    if quotes.empty:
        quoted = "No direct quotation was found."
    else:
        speakers = quotes["actor"].where(quotes["actor"] != "", "an unidentified speaker").value_counts()
        listed = ", ".join(
            f"{escape(name)} {n}" for name, n in sorted(speakers.items(), key=lambda kv: (-kv[1], kv[0]))
        )
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
