import numpy as np
import pytest

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
