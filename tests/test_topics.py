import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from workbench import TopicModel
from workbench.topics import npmi_coherence, topic_diversity

TEXTS = [
    "troops withdraw base military niger",
    "military troops base drone flights",
    "election democracy vote transition leaders",
    "democracy election leaders vote",
    "russia instructors equipment air defense",
    "russia instructors training equipment",
]


def test_fit_transform_top_terms_shapes():
    model = TopicModel(n_topics=3, random_state=0).fit(TEXTS)
    terms = model.top_terms(4)
    assert len(terms) == 3 and all(len(t) == 4 for t in terms)
    W = model.transform(TEXTS)
    assert W.shape == (6, 3) and (W >= 0).all()
    assert model.components_.shape[0] == 3
    assert np.isclose(model.topic_weights_.sum(), 1)
    assert list(model.topic_weights_) == sorted(model.topic_weights_, reverse=True)


def test_topics_separate_the_three_themes():
    model = TopicModel(n_topics=3).fit(TEXTS)
    dominant = model.dominant_topic()
    assert dominant[0] == dominant[1] and dominant[2] == dominant[3] and dominant[4] == dominant[5]
    assert len({dominant[0], dominant[2], dominant[4]}) == 3


def test_deterministic_across_fits():
    a = TopicModel(n_topics=3, random_state=0).fit(TEXTS)
    b = TopicModel(n_topics=3, random_state=0).fit(list(TEXTS))
    assert a.top_terms(10) == b.top_terms(10)
    np.testing.assert_array_equal(a.components_, b.components_)


def test_quality_figures_in_range():
    model = TopicModel(n_topics=3).fit(TEXTS)
    assert all(-1 <= c <= 1 for c in model.coherence_)
    assert 0 < model.diversity_ <= 1
    frame = model.topics_frame(5)
    assert list(frame.columns) == ["id", "label", "terms", "weight", "coherence"]


def test_npmi_extremes_and_diversity():
    X = np.array([[1, 1, 0], [1, 1, 0], [0, 0, 1]])
    assert npmi_coherence([0, 1], X) == pytest.approx(np.log((2 / 3) / (4 / 9)) / -np.log(2 / 3))
    assert npmi_coherence([0, 2], X) == -1
    assert topic_diversity([[0, 1], [1, 2]]) == 0.75


def test_errors():
    with pytest.raises(ValueError, match="not fitted"):
        TopicModel().transform(TEXTS)
    with pytest.raises(ValueError, match="at most"):
        TopicModel(n_topics=10).fit(TEXTS[:2])
    with pytest.raises(ValueError, match="empty"):
        TopicModel().fit([])
    with pytest.raises(TypeError, match="list of strings"):
        TopicModel().fit("one string")
    with pytest.raises(ValueError, match="no topic terms"):
        TopicModel(n_topics=1).fit(["the and of", "123 456"])


def test_get_params_roundtrip():
    model = TopicModel(n_topics=4, random_state=3, ngram_range=(1, 2))
    assert model.get_params()["n_topics"] == 4
    assert TopicModel(**model.get_params()).get_params() == model.get_params()


THEMES = [
    "troops base military drone army soldiers withdrawal deployment patrol mission commander weapons airfield",
    "election vote democracy ballot parliament campaign candidate transition polls voters constitution party",
    "economy inflation prices bank growth market trade exports currency budget investment debt tariffs",
]


def _theme_corpus(per_theme: int = 30) -> list[str]:
    rng = np.random.default_rng(0)
    return [" ".join(rng.choice(theme.split(), size=8, replace=False)) for theme in THEMES for _ in range(per_theme)]


def test_auto_k_table_and_choice():
    texts = _theme_corpus()  # 90 texts, three clear themes
    model = TopicModel(n_topics="auto", k_range=(2, 5)).fit(texts)
    assert list(model.k_table_["k"]) == [2, 3, 4, 5]
    assert {"coherence", "diversity", "stability", "score"} <= set(model.k_table_.columns)
    assert model.n_topics_ == int(model.k_table_.loc[model.k_table_["score"].idxmax(), "k"])
    assert model.n_topics_ == 3
    again = TopicModel(n_topics="auto", k_range=(2, 5)).fit(list(texts))
    assert again.top_terms(5) == model.top_terms(5)


def test_worker_processes_change_nothing():
    texts = _theme_corpus()
    one = TopicModel(n_topics="auto", k_range=(2, 4), n_jobs=1).fit(texts)
    two = TopicModel(n_topics="auto", k_range=(2, 4), n_jobs=2).fit(texts)
    np.testing.assert_array_equal(one.components_, two.components_)
    pd.testing.assert_frame_equal(one.k_table_, two.k_table_)
    assert one.stability_ == two.stability_ and one.labels_ == two.labels_


def test_stability_and_labels():
    model = TopicModel(n_topics=3, stability_resamples=2).fit(_theme_corpus())
    assert 0.5 < model.stability_ <= 1.0 + 1e-9
    assert len(model.labels_) == 3 and all(model.labels_)
    assert np.isnan(TopicModel(n_topics=3, stability_resamples=0).fit(TEXTS).stability_)


def test_news_stop_words_and_corpus_vocabulary():
    docs = [f"Mr Smith said the {w} rose this year" for w in ("market", "stock", "price")] * 40
    model = TopicModel(n_topics=2).fit(docs)
    vocab = set(model.feature_names_)
    assert not {"said", "mr", "year"} & vocab
    assert model.vectorizer_.max_df == 0.5 and model.vectorizer_.min_df == 2  # 120 texts: a corpus


@pytest.mark.parametrize("bad", [0, -1, "five", True, 2.5])
def test_bad_n_topics(bad):
    with pytest.raises(ValueError, match="n_topics must be"):
        TopicModel(n_topics=bad).fit(TEXTS)


def test_fit_from_a_generator_reads_it_once():
    texts = _theme_corpus(per_theme=40)  # 120 texts: a stream that is not held in memory
    model = TopicModel(n_topics=3).fit(t for t in texts)
    assert model.doc_topics_.shape == (120, 3)
    assert all(model.labels_)  # labels without bigrams when the texts are not kept
    assert model.vectorizer_.min_df == 2  # a corpus's vocabulary limits


def test_a_short_stream_is_fitted_as_its_list():
    texts = _theme_corpus()  # 90 texts, under SMALL_CORPUS
    streamed, listed = TopicModel(n_topics=3).fit(iter(texts)), TopicModel(n_topics=3).fit(texts)
    np.testing.assert_array_equal(streamed.components_, listed.components_)
    assert streamed.labels_ == listed.labels_ and streamed.vectorizer_.min_df == 1
    assert TopicModel(n_topics=1).fit(iter(["troops leave the base", "the base closes"])).n_topics_ == 1
    with pytest.raises(ValueError, match="texts is empty"):
        TopicModel().fit(iter([]))


@pytest.mark.parametrize("options", [{}, {"ngram_range": (1, 2), "max_features": 40}, {"max_features": None}])
def test_term_counts_merged_from_partitions_are_scikit_learns_tfidf(options):
    """Counting a partition at a time and merging (as a corpus does across workers) gives
    exactly TfidfVectorizer's matrix and vocabulary over the texts in one stream."""
    from workbench.term_counts import CorpusTerms, count_partition

    texts = [f"{t} {extra}" for extra in ("alpha", "beta gamma", "gamma delta") for t in TEXTS] * 40  # 120+ texts
    model = TopicModel(2, **options)
    reference = model._vectorizer(small=False)
    expected = reference.fit_transform(texts)
    terms = CorpusTerms()
    for start in range(0, len(texts), 7):  # uneven partitions
        terms.add(count_partition(texts[start:start + 7], model.analyzer()))
    vectorizer = model._vectorizer(small=False)
    got = terms.tfidf(vectorizer)
    assert vectorizer.vocabulary_ == reference.vocabulary_
    assert np.array_equal(vectorizer.idf_, reference.idf_)
    assert got.shape == expected.shape and (got != expected).nnz == 0
    assert np.array_equal(got.indices, expected.indices) and np.array_equal(got.indptr, expected.indptr)
    assert (vectorizer.transform(texts[:5]) != reference.transform(texts[:5])).nnz == 0
    for size in (1, 7, 200):  # the same rows a batch at a time, whatever the batch
        batches = list(terms.weighted_batches(size))
        assert [b.shape[0] for b in batches[:-1]] == [size] * (len(batches) - 1)
        assert (sparse.vstack(batches) != expected).nnz == 0
    sample = np.array([0, 5, 17, 64, 119])  # chosen rows, weighted as in the whole
    assert (terms.tfidf(model._vectorizer(small=False), rows=sample) != expected[sample]).nnz == 0


def test_above_max_fit_texts_nmf_is_fitted_on_a_sample_and_every_text_transformed():
    """Past max_fit_texts the fit is on a seeded sample (bounded memory); the vocabulary and
    idf stay the whole corpus's and every text's weights come from transform."""
    from sklearn.decomposition import NMF

    texts = _theme_corpus(per_theme=40)  # 120 texts
    model = TopicModel(3, max_fit_texts=50, stability_resamples=2).fit(texts)
    sample = model._fit_sample(len(texts))
    assert len(sample) == 50 and np.array_equal(sample, np.sort(sample))
    vectorizer = model._vectorizer(small=False)
    X = vectorizer.fit_transform(texts)
    assert vectorizer.vocabulary_ == model.vectorizer_.vocabulary_
    nmf = NMF(3, init="nndsvd", random_state=0, max_iter=model.max_iter).fit(X[sample])
    np.testing.assert_array_equal(model.components_, nmf.components_[model.order_])
    np.testing.assert_array_equal(model.doc_topics_, nmf.transform(X)[:, model.order_])
    assert model.doc_topics_.shape == (120, 3) and len(set(model.dominant_topic())) == 3
    again = TopicModel(3, max_fit_texts=50, stability_resamples=2).fit(iter(texts))
    np.testing.assert_array_equal(again.doc_topics_, model.doc_topics_)
    assert np.isfinite(model.stability_) and len(model.coherence_) == 3
    whole = TopicModel(3, max_fit_texts=None).fit(texts)
    assert model._fit_sample(120) is not None and whole._fit_sample(120) is None
    with pytest.raises(ValueError, match="max_fit_texts"):
        TopicModel(3, max_fit_texts=0).fit(texts)
