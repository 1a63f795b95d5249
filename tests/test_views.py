import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from workbench import article_from_text
from workbench.plots import actor_sentiment_figure
from workbench.views import article_html, figure_html

HOSTILE = 'Headline <script>alert(1)</script>\n\nThe US said <img src=x onerror="alert(2)"> was fine & "good".'


def test_article_text_is_escaped_and_mentions_marked():
    art = article_from_text(HOSTILE)
    start = art.body.index("US")
    mentions = pd.DataFrame(
        {"start": [start], "end": [start + 2], "actor": ['United <b>States'], "label": ["positive"], "polarity": [0.5]}
    )
    html = article_html(art, mentions)
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "onerror=&quot;alert(2)&quot;" in html
    assert 'title="US: United &lt;b&gt;States · positive (+0.50)">US</mark>' in html


def test_overlapping_mentions_are_both_shown():
    art = article_from_text("Headline\n\nThe U.S. State Department said so.")
    start = art.body.index("U.S.")
    mentions = pd.DataFrame({
        "start": [start, start], "end": [start + 21, start + 4], "actor": ["State Department", "United States"],
        "label": ["neutral", "positive"], "polarity": [0.0, 0.4],
    })
    html = article_html(art, mentions)
    inner = ('<mark style="background:#b8e0b8" title="U.S.: United States · positive (+0.40); '
             'U.S. State Department: State Department · neutral (+0.00)">U.S.</mark>')
    outer = ('<mark style="background:#e3e3e3" title="U.S. State Department: State Department · neutral (+0.00)">'
             ' State Department</mark>')
    assert inner + _who("United States") + outer + _who("State Department") in html


def _who(actor: str) -> str:
    return (
        f'<span class="wb-who" style="font-size:.72em;font-variant:small-caps;color:#444;margin:0 .25em">{actor}</span>'
    )


def test_each_highlighted_mention_names_its_actor_inline():
    art = article_from_text("Headline\n\nWashington said so.")
    start = art.body.index("Washington")
    mentions = pd.DataFrame({"start": [start], "end": [start + 10], "actor": ["United <b>States"],
                             "label": ["neutral"], "polarity": [0.0]})
    assert "Washington</mark>" + _who("United &lt;b&gt;States") + " said so." in article_html(art, mentions)


def test_figure_from_seed_and_empty_table(seed_analysis):
    fig = actor_sentiment_figure(seed_analysis.actors)
    assert isinstance(fig, Figure)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[-1].startswith("United States")
    empty = actor_sentiment_figure(seed_analysis.actors.iloc[0:0])
    assert isinstance(empty, Figure)
    a, b = figure_html(fig), figure_html(actor_sentiment_figure(seed_analysis.actors))
    assert a == b and a.startswith('<img alt="figure" src="data:image/png;base64,')


def test_rich_display_of_the_main_objects(seed_analysis):
    from workbench import TopicModel

    hostile = article_from_text(HOSTILE)
    assert "&lt;script&gt;" in hostile._repr_html_() and "<script>" not in hostile._repr_html_()
    html = seed_analysis._repr_html_()
    assert "United States" in html and "<mark" in html and "33 sentences" in html
    fitted = seed_analysis.topic_model._repr_html_()
    assert "NPMI" in fitted and ", ".join(seed_analysis.topics["terms"][0][:2]) in fitted
    assert "NPMI" not in TopicModel()._repr_html_()  # unfitted: scikit-learn's own view
    assert len(repr(seed_analysis)) < 150 and len(repr(seed_analysis.article)) < 150


def test_styled_actors_and_compare(seed_analysis):
    from workbench.views import compare_html, styled_actors

    html = styled_actors(seed_analysis.actors).to_html()
    assert "T_wb-actors" in html and html == styled_actors(seed_analysis.actors).to_html()
    both = compare_html({"a": seed_analysis, "b": seed_analysis})
    assert "a: score" in both and "b: mentions" in both


def test_actor_mentions_and_explain(seed_analysis):
    from workbench.sentiment import TargetSentiment

    rows = seed_analysis.actor_mentions("United States")
    assert {"State Department", "United States", "Kurt Campbell"} <= set(rows["actor"])
    assert list(rows["polarity"].abs()) == sorted(rows["polarity"].abs(), reverse=True)
    with pytest.raises(KeyError, match="not mentioned"):
        seed_analysis.actor_mentions("Atlantis")
    sentence = "Critics slammed Johnson for his disastrous failures."
    why = TargetSentiment().explain((sentence, 16, 23), top=5)
    assert len(why) == 5 and why.loc[0, "toward_positive"] < 0
    assert list(why.columns) == ["feature", "value", "negative", "neutral", "positive", "toward_positive"]


def _displayed(obj) -> dict:
    """What JupyterLab gets for ``obj``: IPython's display formatter, as a kernel runs it."""
    from IPython.core.formatters import DisplayFormatter

    data, _ = DisplayFormatter().format(obj)
    return data


def test_a_fitted_topic_model_displays_its_topics_not_the_estimator_diagram():
    from workbench import TopicModel

    texts = ["troops leave niger base", "niger junta troops base", "oil prices rise markets",
             "markets oil prices fall", "election votes parliament", "parliament election votes count"]
    model = TopicModel(n_topics=3).fit(texts)
    html = _displayed(model)["text/html"]
    assert "top terms" in html and "sk-estimator" not in html
    assert "sk-" in _displayed(TopicModel(n_topics=3))["text/html"]  # unfitted: scikit-learn's own view


def test_a_returned_figure_displays_as_an_image_without_matplotlib_inline(seed_analysis):
    from workbench import plots

    data = _displayed(plots.actor_sentiment_figure(seed_analysis.rollup))
    assert data.get("image/png", b"")[:4] == b"\x89PNG"


def test_removed_lines_display_as_a_table(seed_article):
    html = _displayed(seed_article.removed)["text/html"]
    assert "<table" in html and "reason" in html and seed_article.removed[0].reason in html


def test_evidence_marks_the_mention_its_score_is_about(seed_analysis):
    from workbench.views import evidence_html, marked_sentence

    for row in seed_analysis.actors.itertuples():
        for item in row.evidence:
            assert item["sentence"][item["span_start"]:item["span_end"]] == item["mention"]
    html = evidence_html(seed_analysis)
    assert '<strong class="wb-target"><u>' in html
    marked = marked_sentence("Washington <b>said</b> Niger lied.", 0, 10, "United States")
    assert marked == ('<strong class="wb-target"><u>Washington</u></strong> <span class="wb-who">[United States]'
                      "</span> &lt;b&gt;said&lt;/b&gt; Niger lied.")
    assert marked_sentence("Niger lied.", 0, 5, "Niger") == '<strong class="wb-target"><u>Niger</u></strong> lied.'
    assert marked_sentence("x <y>", None, None, "X") == "x &lt;y&gt;"


def test_the_actor_chart_scales_to_its_data_marks_zero_and_has_a_colour_legend():
    from workbench.plots import data_limits

    table = pd.DataFrame({"actor": ["A", "B", "C"], "mentions": [30, 12, 1], "score": [-0.30, -0.09, 0.02],
                          "ci_low": [-0.41, -0.2, float("nan")], "ci_high": [-0.19, 0.02, float("nan")]})
    fig = actor_sentiment_figure(table)
    ax = fig.axes[0]
    low, high = ax.get_xlim()
    assert -0.6 < low < -0.41 and 0.02 < high < 0.2  # not a fixed −1…+1 on which these points sit together
    assert len(fig.axes) == 2  # the colour bar: how strong each colour is
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "C (n=1, too few for an interval)" in labels and "A (n=30)" in labels
    assert data_limits(np.array([0.2, 0.5]))[0] <= 0 <= data_limits(np.array([-0.5, -0.2]))[1]  # 0 always shown


def test_a_long_actor_name_does_not_squeeze_the_chart_to_nothing():
    import warnings

    names = ["François-Xavier Bagnoud Center for Health and Human Rights"] + [f"Actor {i}" for i in range(14)]
    table = pd.DataFrame({"actor": names, "mentions": [1] * 15, "score": [0.1] * 15,
                          "ci_low": [np.nan] * 15, "ci_high": [np.nan] * 15})  # "(n=1, too few for an interval)"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "constrained_layout not applied because axes sizes collapsed to zero"
        html = figure_html(actor_sentiment_figure(table))
    assert html.startswith("<img")
