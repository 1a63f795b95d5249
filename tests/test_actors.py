import json

import pytest

from workbench import ActorMatcher, InputError, article_from_text, load_actors

SEED_EXPECTED = {
    "United States": {"US", "U.S.", "United States", "Washington", "American"},
    "Niger": {"Niger", "Niamey", "the junta"},
    "Russia": {"Russia", "Russian", "Moscow"},
    "France": {"French", "Paris"},
}


@pytest.fixture(scope="module")
def matcher():
    return ActorMatcher()


def test_seed_actors_and_aliases_grouped(matcher, seed_article):
    mentions = matcher.find(seed_article)
    for actor, aliases in SEED_EXPECTED.items():
        assert aliases <= set(mentions.loc[mentions["actor"] == actor, "alias"]), actor
    assert not {"Vatican", "Trump", "Benedict"} & set(mentions["alias"])


def test_mention_spans_point_into_body_and_sentence(matcher, seed_article):
    mentions = matcher.find(seed_article)
    for m in mentions.itertuples():
        assert seed_article.body[m.start:m.end] == m.alias
        assert m.sentence[m.span_start:m.span_end] == m.alias
        assert seed_article.sentences[m.sentence_id].text == m.sentence
    assert list(mentions["mention_id"]) == list(range(len(mentions)))
    assert list(mentions["start"]) == sorted(mentions["start"])


def test_washington_post_is_not_the_us(matcher, seed_article):
    mentions = matcher.find(seed_article)
    post = seed_article.body.index("The Washington Post")
    assert not ((mentions["start"] >= post) & (mentions["start"] < post + 19)).any()


def test_case_sensitive_and_longest_match(matcher):
    art = article_from_text("He told us the U.S. Embassy and the US agreed. The junta refused.")
    mentions = matcher.find(art)
    assert list(zip(mentions["actor"], mentions["alias"])) == [
        ("U.S. Embassy", "U.S. Embassy"),
        ("United States", "US"),
        ("Niger", "The junta"),
    ]


def test_no_match_inside_longer_words(matcher):
    art = article_from_text("Nigeria and Nigerian officials met Russians.")
    mentions = matcher.find(art)
    assert list(mentions["alias"]) == ["Nigeria", "Russians"]


def test_custom_dictionary_replaces_default(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"actors": [{"name": "Acme", "type": "organisation", "aliases": ["Acme", "ACME Corp"]}]}))
    mentions = ActorMatcher.from_file(path).find(article_from_text("ACME Corp rose. The US fell. Acme won."))
    assert list(mentions["actor"]) == ["Acme", "Acme"]


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not a valid"),
        ('{"actors": []}', "at least one actor"),
        ('{"actors": [{"type": "country"}]}', "non-empty string 'name'"),
        ('{"actors": [{"name": "X", "type": "planet"}]}', "type must be one of"),
        ('{"actors": [{"name": "X", "aliases": "X"}]}', "'aliases' must be a list"),
        ('{"actors": [{"name": "X"}, {"name": "X"}]}', "listed twice"),
        ('{"actors": [{"name": "X", "parent": "Y"}]}', "parent actor"),
    ],
)
def test_bad_dictionary_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        load_actors(path)


def test_alias_claimed_twice_is_an_error(tmp_path):
    path = tmp_path / "dup.json"
    path.write_text(json.dumps({"actors": [{"name": "A", "aliases": ["X"]}, {"name": "B", "aliases": ["X"]}]}))
    with pytest.raises(InputError, match="belongs to both"):
        ActorMatcher.from_file(path)


def test_missing_dictionary(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_actors(tmp_path / "none.json")
