import pandas as pd
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
    assert 'title="United &lt;b&gt;States · positive (+0.50)">US</mark>' in html


def test_figure_from_seed_and_empty_table(seed_analysis):
    fig = actor_sentiment_figure(seed_analysis.actors)
    assert isinstance(fig, Figure)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels[-1].startswith("United States")
    empty = actor_sentiment_figure(seed_analysis.actors.iloc[0:0])
    assert isinstance(empty, Figure)
    a, b = figure_html(fig), figure_html(actor_sentiment_figure(seed_analysis.actors))
    assert a == b and a.startswith('<img alt="figure" src="data:image/png;base64,')
