"""Views of a corpus analysis: summary, topics, actors by topic and over time, outlets
compared, evidence."""
from __future__ import annotations

from html import escape

import pandas as pd

from .common import INTERVAL_NOTE, LABEL_COLOURS, figure_html, marked_sentence, signed, table_html, with_too_few


def corpus_summary_html(corpus) -> str:
    """Parameters, counts, and the records skipped (with where and why)."""
    params = corpus.parameters
    table = table_html(pd.DataFrame({"parameter": list(params), "value": [str(v) for v in params.values()]}))
    head = (f"<p>{corpus.n_articles} articles, {corpus.n_mentions} actor mentions, {corpus.n_quotes} "
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
    actors = list(corpus.rollup["actor"].head(top))
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
    from ..plots import actor_time_figure

    return figure_html(actor_time_figure(corpus.actor_time, list(corpus.rollup["actor"].head(top))),
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
        lines.append(
            f"<li><b>{escape(row.actor)}</b>: {escape(row.group_a)} {signed(row.score_a)}, "
            f"{escape(row.group_b)} {signed(row.score_b)}; difference {signed(row.difference)} "
            f"({escape(verdict)}"
            + ("" if pd.isna(row.ci_low) else f"; 95% interval {signed(row.ci_low)} to {signed(row.ci_high)}")
            + ")</li>"
        )
    head = (f"<p>Mean polarity toward the most mentioned actors, per value of the records' <code>{field}</code>; "
            f"intervals resample each group's articles. The differences compare the two groups with the most "
            f"articles.</p><ul>{''.join(lines)}</ul>")
    return head + table_html(with_too_few(corpus.comparison)) + table_html(with_too_few(diff))


def corpus_evidence_html(corpus, *, top: int = 8) -> str:
    """The most negative and most positive sentences about the most mentioned actors."""
    blocks = []
    for actor in corpus.rollup["actor"].head(top):
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
