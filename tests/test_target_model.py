"""The trained target-dependent scorer: API contract, target dependence, safe files."""
import numpy as np
import pytest

from workbench import InputError
from workbench.sentiment import LABELS, TargetSentiment
from workbench.sentiment.newsmtsc import evaluate, read_newsmtsc


def item(sentence, target):
    start = sentence.index(target)
    return sentence, start, start + len(target)


@pytest.fixture(scope="module")
def shipped():
    return TargetSentiment()


TINY = [
    ("Critics praised Anna for her brilliant and generous work.", "Anna", "positive"),
    ("Voters loved Ben and cheered his wonderful speech.", "Ben", "positive"),
    ("The court convicted Carl of fraud and cruel abuse.", "Carl", "negative"),
    ("Reporters slammed Dana for her disastrous, corrupt failures.", "Dana", "negative"),
    ("Eve attended the meeting on Tuesday.", "Eve", "neutral"),
    ("Frank will travel to Boston next week.", "Frank", "neutral"),
]


@pytest.fixture(scope="module")
def tiny_model():
    items = [item(s, t) for s, t, _ in TINY]
    return TargetSentiment(model=None).fit(items, [label for *_, label in TINY])


def test_api_contract(shipped):
    items = [item("Critics slammed Johnson for his disastrous failures.", "Johnson"),
             item("Johnson met the mayor on Tuesday.", "Johnson")]
    proba = shipped.predict_proba(items)
    assert list(proba.columns) == list(LABELS) and len(proba) == 2
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    labels = shipped.predict(items)
    assert list(labels) == [LABELS[i] for i in proba.to_numpy().argmax(axis=1)]
    np.testing.assert_allclose(shipped.polarity(items), proba["positive"] - proba["negative"])
    assert labels[0] == "negative"


# Same sentence, two targets: the target decides the label.
DIFFERENT_LABELS = [
    ("Protesters hailed Smith as a hero while they denounced Jones as a corrupt liar.", "Smith", "Jones",
     ("positive", "negative")),
    ("Critics slammed Johnson for his disastrous failures, and they applauded Warren for her courage.",
     "Johnson", "Warren", ("negative", "positive")),
    ("Clinton won praise from voters, while Sanders faced harsh criticism.", "Clinton", "Sanders",
     ("positive", "negative")),
]
# Same sentence, two targets: the first is portrayed better than the second.
BETTER_THAN = [
    ("The US praised the partners, but the junta was condemned as brutal.", "US", "junta"),
    ("Obama praised the brave firefighters, while Trump attacked the journalists as dishonest.",
     "firefighters", "journalists"),
    ("The senator accused Pruitt of corruption and lauded Zinke.", "Zinke", "Pruitt"),
] + [(s, a, b) for s, a, b, _ in DIFFERENT_LABELS if _[0] == "positive"]


@pytest.mark.parametrize("sentence, first, second, expected", DIFFERENT_LABELS)
def test_target_decides_the_label(shipped, sentence, first, second, expected):
    assert tuple(shipped.predict([item(sentence, first), item(sentence, second)])) == expected


@pytest.mark.parametrize("sentence, better, worse", BETTER_THAN)
def test_target_decides_the_polarity(shipped, sentence, better, worse):
    good, bad = shipped.polarity([item(sentence, better), item(sentence, worse)])
    assert good > bad


def test_fit_save_load_roundtrip_is_deterministic(tiny_model, tmp_path):
    a = tiny_model.save(tmp_path / "a.npz")
    b = (
        TargetSentiment(model=None)
        .fit([item(s, t) for s, t, _ in TINY], [label for *_, label in TINY])
        .save(tmp_path / "b.npz")
    )
    assert a.read_bytes() == b.read_bytes()
    loaded = TargetSentiment.load(a)
    probe = [item(s, t) for s, t, _ in TINY]
    np.testing.assert_allclose(loaded.predict_proba(probe), tiny_model.predict_proba(probe), rtol=1e-5)
    assert loaded.info_["n_train"] == len(TINY) and len(loaded.info_["file_sha256"]) == 64


def test_model_file_is_not_a_pickle(tiny_model, tmp_path):
    import zipfile

    names = zipfile.ZipFile(tiny_model.save(tmp_path / "m.npz")).namelist()
    assert sorted(names) == ["columns.npy", "info.npy", "intercept.npy", "labels.npy", "weights.npy"]
    with np.load(tmp_path / "m.npz", allow_pickle=False) as npz:
        assert all(npz[name].dtype != object for name in npz.files)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "not a readable sentiment model"),
        (b"PK\x03\x04 truncated zip", "not a readable sentiment model"),
        (b"\x80\x04\x95 pickle bytes", "not a readable sentiment model"),
    ],
)
def test_corrupted_model_file_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "broken.npz"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        TargetSentiment(model=path).predict([("The US left.", 4, 6)])
    assert "workbench sentiment train" in str(info.value)


def test_truncated_real_model_and_missing_file(tiny_model, tmp_path):
    data = tiny_model.save(tmp_path / "m.npz").read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="not a readable"):
        TargetSentiment.load(tmp_path / "cut.npz")
    with pytest.raises(InputError, match="not found"):
        TargetSentiment.load(tmp_path / "none.npz")


def test_unfitted_and_bad_training_input():
    with pytest.raises(ValueError, match="call fit"):
        TargetSentiment(model=None).predict([("The US left.", 4, 6)])
    with pytest.raises(ValueError, match="labels must be among"):
        TargetSentiment(model=None).fit([("The US left.", 4, 6)] * 2, ["good", "bad"])
    with pytest.raises(ValueError, match="2 items but 1 labels"):
        TargetSentiment(model=None).fit([("The US left.", 4, 6)] * 2, ["neutral"])


def test_two_class_training_never_predicts_the_third(tmp_path):
    rows = [r for r in TINY if r[2] != "neutral"]
    model = TargetSentiment(model=None).fit([item(s, t) for s, t, _ in rows], [label for *_, label in rows])
    proba = model.predict_proba([item(s, t) for s, t, _ in TINY])
    assert (proba["neutral"] < 1e-6).all()
    assert set(model.predict([item(s, t) for s, t, _ in rows])) == {"positive", "negative"}


def test_shipped_model_scores_on_shipped_dev(shipped):
    """The shipped dev split and model agree with the figures in the README (macro-F1)."""
    from workbench.sentiment.newsmtsc import split_path

    items, labels = read_newsmtsc(split_path("dev_rw"))
    assert evaluate(shipped, items, labels)["macro_f1"] >= 68


@pytest.mark.parametrize(
    "line, message",
    [
        ('{"sentence_normalized": "A B", "targets": [{"from": 0, "to": 9, "polarity": 2.0}]}', "outside"),
        ('{"sentence_normalized": "A B", "targets": [{"from": 0, "to": 1, "polarity": 3.0}]}', "line 1"),
        ("not json", "line 1"),
    ],
)
def test_newsmtsc_reader_errors(tmp_path, line, message):
    path = tmp_path / "split.jsonl"
    path.write_text(line + "\n")
    with pytest.raises(InputError, match=message):
        read_newsmtsc(path)


EDGE_ITEMS = [
    ("Hillary Clinton blamed 18 alleged\xa0guilty parties for her loss.", 0, 15),  # a no-break space
    ("The snake_case name of İstanbul’s mayor was not praised.", 30, 37),  # "İ": lower case is longer
    ("Under_scores and   spaces: Smith won't say it's bad.", 27, 32),
    ("“Great,” said Jones; but the critics, however, were not kind.", 14, 19),
    ("   ", 0, 2),  # no token at all
    ("A B", 1, 2),  # the span lies between tokens: the nearest one is the target
    ("US-led forces were not welcomed by critics.", 0, 2),  # the span inside a token
    ("He said it.", 0, 2),  # a pronoun, first in its sentence
    ("Not bad, said the minister, according to Reuters and by all accounts.", 41, 48),
    ("Smith  praised\tthe \u00a0 good plan ,  Jones did not", 0, 5),  # other spaces before tokens
    ("Smith  praised\tthe \u00a0 good plan ,  Jones did not", 41, 46),
]


@pytest.mark.parametrize("window", [2, 6, 10])
def test_the_feature_arrays_are_the_named_features_hashed(window, monkeypatch):
    """transform (array arithmetic over all items) gives the matrix of hashing each
    item's named features one by one, on every NewsMTSC item and awkward ones."""
    from workbench.sentiment.features import FeatureExtractor
    from workbench.sentiment.newsmtsc import split_path

    items = [*EDGE_ITEMS]
    for split in ("train", "dev_mt", "dev_rw") if window == 6 else ("dev_mt",):
        items += read_newsmtsc(split_path(split))[0]
    items += [("Smith and Jones met Smith.", 0, 5), ("Smith and Jones met Smith.", 10, 15)]  # a shared sentence
    extractor = FeatureExtractor(window=window)
    named = extractor.hashed(items)
    arrays = extractor.transform(items)
    assert arrays.shape == named.shape and arrays.dtype == np.float32
    difference = abs(arrays - named.astype(np.float32))
    assert difference.max() < 1e-6
    assert (arrays != 0).nnz == (named != 0).nnz
    np.testing.assert_array_equal(np.diff(arrays.indptr), np.diff(named.indptr))
    again = extractor.transform(items[::-1])  # the tables kept from the first call change nothing
    assert abs(again[::-1] - arrays).max() == 0
    plain = [i for i, item in enumerate(EDGE_ITEMS) if "_" not in item[0]]  # a batch with "_" tokenises apart
    edge = [EDGE_ITEMS[i] for i in plain]
    assert abs(extractor.transform(edge) - arrays[plain]).max() == 0
    monkeypatch.setattr("workbench.sentiment.feature_arrays.MAX_FORMS", 3)  # nor do forms started afresh
    assert abs(extractor.transform(edge[::-1])[::-1] - arrays[plain]).max() == 0
    words = extractor._arrays.words
    monkeypatch.setattr("workbench.sentiment.feature_arrays.MAX_TYPES", 10)  # nor do tables started afresh
    assert abs(extractor.transform(items) - arrays).max() == 0
    assert abs(extractor.transform(edge) - arrays[plain]).max() == 0
    assert extractor._arrays.words is not words
