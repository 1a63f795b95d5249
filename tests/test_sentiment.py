import numpy as np
import pandas as pd
import pytest

from workbench import LexiconSentiment, aggregate_actors, load_scorer
from workbench.sentiment import LABELS, TargetSentiment, score_mentions


def item(sentence, target):
    start = sentence.index(target)
    return sentence, start, start + len(target)


def test_api_contract():
    scorer = LexiconSentiment()
    items = [item("Niger praised the wonderful deal.", "Niger"), item("Russia sent troops.", "Russia")]
    proba = scorer.predict_proba(items)
    assert list(proba.columns) == list(LABELS) and len(proba) == 2
    np.testing.assert_allclose(proba.sum(axis=1), 1)
    labels = scorer.predict(items)
    assert set(labels) <= set(LABELS)
    assert labels[0] == "positive"
    np.testing.assert_allclose(scorer.polarity(items), proba["positive"] - proba["negative"])


def test_target_decides_the_clause():
    sentence = "The US praised the partners, but the junta was condemned as brutal."
    scorer = LexiconSentiment()
    us, junta = scorer.predict([item(sentence, "US"), item(sentence, "junta")])
    assert (us, junta) == ("positive", "negative")


def test_mention_itself_is_not_scored():
    scorer = LexiconSentiment()
    assert scorer.context("Good Hope said nothing.", 0, 9) == "said nothing."


@pytest.mark.parametrize("bad", [("text", 3, 2), ("text", 0, 10), ("text",), 5])
def test_bad_items_rejected(bad):
    with pytest.raises(ValueError, match="item 0"):
        LexiconSentiment().predict([bad])


def test_load_scorer():
    assert isinstance(load_scorer(), TargetSentiment)
    assert isinstance(load_scorer("lexicon"), LexiconSentiment)
    with pytest.raises(ValueError, match="unknown sentiment backend"):
        load_scorer("oracle")


def _mentions(rows):
    frame = pd.DataFrame(
        rows, columns=["actor", "type", "parent", "alias", "sentence_id", "sentence", "label", "polarity"]
    )
    return frame


def test_aggregate_counts_interval_and_evidence():
    rows = [
        ("A", "country", "", "A", 0, "s0", "positive", 0.6),
        ("A", "country", "", "Aa", 1, "s1", "negative", -0.2),
        ("A", "country", "", "A", 1, "s1", "neutral", 0.0),
        ("B", "group", "", "B", 2, "s2", "negative", -0.5),
    ]
    table = aggregate_actors(_mentions(rows), n_boot=500, random_state=0)
    a = table.iloc[0]
    assert a["actor"] == "A" and a["mentions"] == 3
    assert (a["positive"], a["neutral"], a["negative"]) == (1, 1, 1)
    assert a["aliases"] == ["A", "Aa"]
    assert a["score"] == pytest.approx(0.4 / 3)
    assert a["units"] == 2 and np.isnan(a["ci_low"]) and np.isnan(a["ci_high"])  # two sentences: too few
    assert [e["sentence_id"] for e in a["evidence"]] == [0, 1]
    b = table.iloc[1]
    assert np.isnan(b["ci_low"]) and np.isnan(b["ci_high"])
    loose = aggregate_actors(_mentions(rows), n_boot=500, random_state=0, min_units=1).iloc[0]
    assert loose["ci_low"] <= loose["score"] <= loose["ci_high"]


def test_intervals_resample_sentences_not_mentions():
    """Ten mentions in two sentences are two observations, not ten: the interval is the
    one of two sentence means, much wider than a mention bootstrap would make it."""
    from workbench.sentiment import bootstrap_intervals

    rows = [("A", "country", "", "A", i // 5, f"s{i // 5}", "neutral", p)
            for i, p in enumerate([0.5] * 5 + [-0.5] * 5)]
    rows += [("A", "country", "", "A", 2, "s2", "neutral", 0.0)]
    a = aggregate_actors(_mentions(rows), n_boot=2000, random_state=0).iloc[0]
    assert a["units"] == 3 and a["mentions"] == 11
    sums, counts = [np.array([2.5, -2.5, 0.0])], [np.array([5.0, 5.0, 1.0])]
    assert bootstrap_intervals(sums, ["A"], counts=counts, n_boot=2000) == [(a["ci_low"], a["ci_high"])]
    mentionwise = bootstrap_intervals([np.array([0.5] * 5 + [-0.5] * 5 + [0.0])], ["A"], n_boot=2000)[0]
    assert a["ci_high"] - a["ci_low"] > 1.5 * (mentionwise[1] - mentionwise[0])


def test_aggregate_is_seeded_and_independent_of_other_actors():
    rows = [("A", "country", "", "A", i, f"s{i}", "neutral", p) for i, p in enumerate([0.1, -0.3, 0.5, 0.0, 0.2])]
    alone = aggregate_actors(_mentions(rows), random_state=1)
    more = aggregate_actors(_mentions(rows + [("Z", "group", "", "Z", 9, "s9", "neutral", 0.0)]), random_state=1)
    assert alone.iloc[0][["ci_low", "ci_high"]].tolist() == more.iloc[0][["ci_low", "ci_high"]].tolist()
    irregular = [("A", "country", "", "A", i, f"s{i}", "neutral", p)
                 for i, p in enumerate([0.113, -0.37, 0.529, 0.01, 0.245, -0.9, 0.61, 0.077])]
    one, two = (aggregate_actors(_mentions(irregular), random_state=s).iloc[0] for s in (1, 2))
    assert (one["ci_low"], one["ci_high"]) != (two["ci_low"], two["ci_high"])


def test_bootstrap_intervals_cover_the_mean_and_match_a_plain_bootstrap():
    from workbench.sentiment import bootstrap_intervals

    rng = np.random.default_rng(0)
    samples = [rng.normal(0.2, 0.3, size=n) for n in (1, 2, 5, 40, 40, 300)]
    got = bootstrap_intervals(samples, [f"a{i}" for i in range(6)], n_boot=4000, seed=3, max_cells=5000)
    assert got[0] == (samples[0][0], samples[0][0])
    for v, (low, high) in zip(samples[1:], got[1:]):
        plain = np.quantile(v[rng.integers(0, len(v), size=(4000, len(v)))].mean(axis=1), [0.025, 0.975])
        assert low <= v.mean() <= high
        assert low == pytest.approx(plain[0], abs=0.04) and high == pytest.approx(plain[1], abs=0.04)


def test_score_mentions_empty_frame():
    empty = pd.DataFrame(columns=["sentence", "span_start", "span_end"])
    scored = score_mentions(empty, LexiconSentiment())
    assert {"label", "polarity", *LABELS} <= set(scored.columns) and scored.empty


def test_an_actors_type_is_the_one_most_mentions_give():
    rows = [("Chelsea", t, "", "Chelsea", i, f"s{i}", "neutral", 0.0)
            for i, t in enumerate(["organisation", "club", "club", "organisation", "club"])]
    assert aggregate_actors(_mentions(rows)).iloc[0]["type"] == "club"


def test_a_long_sentence_is_scored_in_a_window_around_the_mention():
    from workbench.sentiment import MAX_CONTEXT, mention_item

    short = "The US praised Niger."
    assert mention_item(short, 4, 6) == (short, 4, 6)
    long = "word " * 1000 + "The US praised Niger. " + "word " * 1000
    start = long.index("US")
    context, a, b = mention_item(long, start, start + 2)
    assert len(context) <= MAX_CONTEXT and context[a:b] == "US" and "praised Niger" in context
    assert not context.startswith(" ") and not context.endswith(" ")  # cut at spaces, not in words
    one_word = "x" * 5000
    context, a, b = mention_item(one_word, 2500, 2510)
    assert context[a:b] == one_word[2500:2510] and len(context) <= MAX_CONTEXT


def test_the_bootstrap_in_bounded_passes_gives_the_same_intervals():
    from workbench.sentiment import bootstrap_intervals

    rng = np.random.default_rng(0)
    samples = [rng.uniform(-1, 1, n) for n in (2, 5, 5, 300)]
    keys = ["a", "b", "c", "d"]
    whole = bootstrap_intervals(samples, keys, n_boot=500, seed=3)
    assert bootstrap_intervals(samples, keys, n_boot=500, seed=3, max_cells=997) == whole  # many small passes


@pytest.mark.parametrize("make", ["linear", "neural"])
def test_an_unfitted_scorer_says_fit_first_with_scikit_learns_error(make):
    from sklearn.exceptions import NotFittedError

    if make == "linear":
        scorer = TargetSentiment(model=None)
    else:
        neural = pytest.importorskip("workbench.sentiment.neural")
        scorer = neural.NeuralTargetSentiment(model=None)
    with pytest.raises(NotFittedError, match=r"has no model: call fit\(items, labels\) first"):
        scorer.predict([("The US met Niger.", 4, 6)])


def test_ratio_of_sums_is_numpys_to_the_bit():
    """The shortcut for few values relies on numpy adding fewer than 8 numbers one after
    another from 0 (pairwise from 8 on): checked here on the numpy installed."""
    from workbench.sentiment.aggregate import ratio_of_sums

    rng = np.random.default_rng(0)
    for n in range(1, 13):
        for _ in range(2_000):
            values = rng.normal(size=n) * 10.0 ** rng.integers(-6, 6, size=n)
            sizes = rng.integers(1, 5, size=n).astype(float)
            assert ratio_of_sums(values, sizes) == float(values.sum() / sizes.sum())
    assert str(ratio_of_sums(np.array([-0.0]), np.array([1.0]))) == str(float(np.array([-0.0]).sum()))
    assert np.isnan(ratio_of_sums(np.zeros(0), np.zeros(0)))
