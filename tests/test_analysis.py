import json

import pytest

from workbench import analyze, article_from_text


def test_seed_results_schema(seed_analysis):
    results = json.loads(seed_analysis.to_json())
    assert {"title", "sha256", "sentences", "removed"} <= set(results["article"])
    assert len(results["article"]["removed"]) == 5
    assert len(results["article"]["sentences"]) == 33
    assert results["article"]["sentences"][0]["text"].startswith("The United States told")
    assert results["parameters"]["article"] == "data/us-niger-troop-withdrawal.txt"
    assert results["parameters"]["actors"] == "default"
    for topic in results["topics"]:
        assert {"id", "terms", "weight"} <= set(topic) and len(topic["terms"]) == 8
    for actor in results["actors"]:
        assert {"actor", "type", "aliases", "mentions", "positive", "neutral", "negative", "score", "ci_low",
                "ci_high"} <= set(actor)
        assert actor["positive"] + actor["neutral"] + actor["negative"] == actor["mentions"]
    names = {a["actor"] for a in results["actors"]}
    assert {"United States", "Niger", "Russia", "France"} <= names
    assert not names & {"Vatican", "Trump", "Benedict"}


def test_every_paragraph_gets_a_dominant_topic(seed_analysis):
    units = seed_analysis.units
    assert len(units) == len(seed_analysis.article.paragraphs)
    assert set(units["topic"]) <= set(seed_analysis.topics["id"])


def test_same_input_same_json(seed_article, seed_analysis):
    assert analyze(seed_article).to_json() == seed_analysis.to_json()


def test_sentence_unit_and_seed_change():
    a = analyze(topic_unit="sentences", n_topics=2, seed=3)
    assert len(a.units) == len(a.article.sentences) and len(a.topics) == 2
    assert a.parameters["seed"] == 3


def test_short_article_lowers_k_with_a_note():
    a = analyze(article_from_text("Headline\n\nThe US and Niger agreed on troops."), n_topics=3)
    assert len(a.topics) == 1
    assert any("lowered" in n for n in a.notes)


def test_bad_topic_unit():
    with pytest.raises(ValueError, match="topic_unit"):
        analyze(topic_unit="words")


def test_write_is_atomic_and_writes_the_results_and_tables(tmp_path, seed_analysis):
    path, *tables = seed_analysis.write(tmp_path / "r")
    assert path.name == "results.json" and path.read_text(encoding="utf-8") == seed_analysis.to_json()
    assert sorted(p.name for p in path.parent.iterdir()) == sorted(
        ["results.json", *(f"{name}.csv" for name in seed_analysis.tables())])  # no temporary file left
    assert all(t.parent == path.parent for t in tables)
