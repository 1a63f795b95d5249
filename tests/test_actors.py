import json

import pytest

from workbench import ActorMatcher, InputError, article_from_text, load_actors
from workbench.actors import find_quotes, trie_pattern


@pytest.fixture(scope="module")
def matcher():
    return ActorMatcher()


@pytest.fixture(scope="module")
def seed_mentions(matcher, seed_article):
    return matcher.find(seed_article)


def find(matcher, text):
    return matcher.find(article_from_text(text))


def pairs(mentions):
    return list(zip(mentions["actor"], mentions["alias"]))


# ------------------------------------------------------------------ the seed article
def test_seed_countries_and_aliases_rolled_up(seed_mentions):
    expected = {
        "United States": {"US", "U.S.", "United States", "Washington", "American"},
        "Niger": {"Niger", "Niamey", "the junta", "Niger's government"},
        "Russia": {"Russia", "Russian", "Moscow"},
        "France": {"French", "Paris"},
    }
    for root, aliases in expected.items():
        assert aliases <= set(seed_mentions.loc[seed_mentions["root"] == root, "alias"]), root
    assert {"Iran", "Mali", "Burkina Faso"} <= set(seed_mentions["actor"])
    assert not {"Vatican", "Trump", "Benedict", "Senegal", "Italy"} & set(seed_mentions["alias"])


def test_seed_institutions_roll_up_to_the_united_states(seed_mentions):
    rows = seed_mentions.drop_duplicates("actor").set_index("actor")
    for institution in ("State Department", "Pentagon", "U.S. Embassy"):
        assert rows.loc[institution, "parent"] == "United States"
        assert rows.loc[institution, "root"] == "United States"
        assert rows.loc[institution, "level"] == 1
    assert rows.loc["Nigerien junta", "root"] == "Niger"


def test_seed_people_with_countries(seed_mentions):
    people = seed_mentions[seed_mentions["type"] == "person"]
    roots = dict(zip(people["actor"], people["root"]))
    assert roots == {"Kurt Campbell": "United States", "Ali Lamine Sain": "Niger"}
    sain = people[people["actor"] == "Ali Lamine Sain"]
    assert {"Ali Lamine Sain", "The prime minister"} <= set(sain["alias"])  # later short reference resolved


def test_seed_nigerian_is_read_as_niger_by_the_stated_rule(seed_mentions):
    nigerian = seed_mentions[seed_mentions["alias"] == "Nigerian"]
    assert len(nigerian) == 3
    assert set(nigerian["actor"]) == {"Niger"} and set(nigerian["ambiguous"]) == {"Nigeria"}
    assert "Nigeria" not in set(seed_mentions["actor"]) | set(seed_mentions["root"])


def test_seed_quotes_with_speakers(seed_article, seed_mentions):
    quotes = find_quotes(seed_article, seed_mentions)
    assert len(quotes) == 8
    assert set(quotes["actor"]) == {"State Department"} and set(quotes["root"]) == {"United States"}
    assert list(quotes["closed"]).count(False) == 1  # the unclosed quote is kept, to its paragraph end
    unclosed = quotes[~quotes["closed"]].iloc[0]
    assert unclosed["text"].endswith("Department of Defense project.")
    assert "illegal" not in set(quotes["text"])  # a scare quote is not a quotation


def test_mention_spans_point_into_body_and_sentence(seed_article, seed_mentions):
    for m in seed_mentions.itertuples():
        assert seed_article.body[m.start:m.end] == m.alias
        assert m.sentence[m.span_start:m.span_end] == m.alias
        assert seed_article.sentences[m.sentence_id].text == m.sentence
    assert list(seed_mentions["start"]) == sorted(seed_mentions["start"])


# ------------------------------------------------------------------ hard cases
def test_washington_post_is_not_the_us_government(matcher):
    m = find(matcher, "The Washington Post reported that Washington was angry.")
    assert pairs(m) == [("Washington Post", "Washington Post"), ("United States", "Washington")]
    assert list(m["type"]) == ["media", "country"]
    assert m.iloc[1]["start"] == 34


def test_french_is_france_not_a_territory(matcher):
    m = find(matcher, "French troops left; the French said Paris would decide.")
    assert set(m["actor"]) == {"France"}


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "Officials in Moscow and Beijing met Iranian envoys.",
            [("Russia", "Moscow"), ("China", "Beijing"), ("Iran", "Iranian")],
        ),
        (
            "German, Dutch and Swiss banks lent to Brazilians.",
            [("Germany", "German"), ("Netherlands", "Dutch"), ("Switzerland", "Swiss"), ("Brazil", "Brazilians")],
        ),
        (
            "The UK and the U.K. and Britain agreed.",
            [("United Kingdom", "UK"), ("United Kingdom", "U.K."), ("United Kingdom", "Britain")],
        ),
        ("He told us the U.S. Embassy and the US agreed.", [("U.S. Embassy", "U.S. Embassy"), ("United States", "US")]),
        (
            "Nigeria and Nigerian officials met Russians.",
            [("Nigeria", "Nigeria"), ("Nigeria", "Nigerian"), ("Russia", "Russians")],
        ),
    ],
)
def test_gazetteer_names_demonyms_capitals(matcher, text, expected):
    assert pairs(find(matcher, text)) == expected


def test_demonym_ambiguity_only_when_the_other_country_is_named(matcher):
    about_niger = find(matcher, "Niger expelled the envoy. Nigerian state television cheered.")
    assert list(about_niger["actor"]) == ["Niger", "Niger"] and list(about_niger["ambiguous"]) == ["", "Nigeria"]
    about_nigeria = find(matcher, "Nigeria and Niger met. Nigerian state television cheered.")
    assert list(about_nigeria["actor"]) == ["Nigeria", "Niger", "Nigeria"]
    assert list(about_nigeria["ambiguous"]) == ["", "", ""]


def test_unbalanced_quotes_do_not_spoil_the_rest(matcher):
    text = ("“We will leave soon, the minister said. Nothing more was announced.\n\n"
            "“This is a fair deal for everyone,” a French official said.")
    art = article_from_text(text)
    quotes = find_quotes(art, matcher.find(art))
    assert list(quotes["closed"]) == [False, True]
    assert quotes.iloc[1]["actor"] == "France" and quotes.iloc[1]["text"].startswith("This is a fair deal")


def test_quote_speaker_before_and_anaphora(matcher):
    text = ("A Pentagon spokesman said: “The drills will go ahead as planned.” "
            "“We see no threat at all,” the spokesman added.")
    art = article_from_text(text)
    quotes = find_quotes(art, matcher.find(art))
    assert list(quotes["actor"]) == ["Pentagon", "Pentagon"]
    assert list(quotes["speaker"]) == ["A Pentagon spokesman", "the spokesman"]


def test_people_titles_affiliations_and_surnames(matcher):
    text = ("French President Emmanuel Macron met Prime Minister Ali Lamine Zeine. "
            "Macron praised the prime minister. Secretary of State Antony Blinken called later.")
    m = find(matcher, text)
    people = m[m["type"] == "person"]
    assert dict(zip(people["actor"], people["parent"])) == {
        "Emmanuel Macron": "France", "Ali Lamine Zeine": "", "Antony Blinken": "State Department"}
    assert list(people["alias"]) == [
        "Emmanuel Macron",
        "Ali Lamine Zeine",
        "Macron",
        "the prime minister",
        "Antony Blinken",
    ]


# ------------------------------------------------------------------ user files
def test_user_file_extends_the_default(tmp_path):
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"actors": [
        {"name": "Acme", "type": "organisation", "aliases": ["Acme", "ACME Corp"], "parent": "United States"},
        {"name": "France", "type": "country", "aliases": ["France", "Gaul"]},
    ]}))
    m = ActorMatcher.from_file(path).find(article_from_text("ACME Corp rose. The US fell. Gaul and French wine."))
    assert pairs(m) == [("Acme", "ACME Corp"), ("United States", "US"), ("France", "Gaul")]
    assert m.iloc[0]["root"] == "United States"


def test_user_file_can_replace_everything(tmp_path):
    path = tmp_path / "only.json"
    path.write_text(json.dumps({"extends": False, "actors": [{"name": "Acme", "aliases": ["Acme"]}]}))
    text = article_from_text("Acme rose. The US fell.")
    assert list(ActorMatcher.from_file(path, ner="none").find(text)["actor"]) == ["Acme"]
    m = ActorMatcher.from_file(path).find(text)  # the name finder still runs: names outside the file, typed
    assert list(m["actor"]) == ["Acme", "US"] and m["type"].iloc[1] in ("place", "organisation")


@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json", "not a valid"),
        ('{"actors": []}', "at least one actor"),
        ('{"actors": [{"type": "country"}]}', "non-empty string 'name'"),
        ('{"actors": [{"name": "X", "type": "planet"}]}', "type must be one of"),
        ('{"actors": [{"name": "X", "aliases": "X"}]}', "'aliases' must be a list"),
        ('{"actors": [{"name": "X"}, {"name": "X"}]}', "listed twice"),
        ('{"actors": [{"name": "X", "parent": "Nowhere"}]}', "parent actor"),
        ('{"actors": [{"name": "X"}], "exclude": "Y"}', "'exclude' must be"),
    ],
)
def test_bad_dictionary_is_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(InputError, match=message):
        load_actors(path)


def test_alias_claimed_twice_is_an_error(tmp_path):
    path = tmp_path / "dup.json"
    path.write_text(
        json.dumps({"extends": False, "actors": [{"name": "A", "aliases": ["X"]}, {"name": "B", "aliases": ["X"]}]})
    )
    with pytest.raises(InputError, match="belongs to both"):
        ActorMatcher.from_file(path)


def test_missing_dictionary(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_actors(tmp_path / "none.json")


def test_trie_pattern_prefers_longest_whole_word():
    pattern = trie_pattern(["U.S.", "U.S. Embassy", "US", "USA"])
    assert [m.group() for m in pattern.finditer("USA, US, U.S. Embassy, U.S., USB")] == [
        "USA",
        "US",
        "U.S. Embassy",
        "U.S.",
    ]


def test_trie_matches_as_a_longest_first_alternation_would():
    import random
    import re

    from workbench.actors.people import _TITLE_BEFORE, MODIFIERS, TITLES
    from workbench.actors.trie import trie_pattern

    rng = random.Random(0)
    words = ["Niger", "Nigeria", "Nigerian", "N.", "the junta", "The junta", "US", "U.S.", "U.S. Embassy", "a"]
    plain = re.compile(r"(?<![\w.])(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
                       + r")(?![\w])")
    title = re.compile(  # the title pattern as plain alternations, longest first
        rf"(?<![\w.])(?P<title>(?:(?:{'|'.join(sorted(MODIFIERS, key=len, reverse=True))})\s+)*(?:"
        + "|".join(re.escape(t) for t in sorted(TITLES, key=len, reverse=True))
        + r"))\s+$"
    )
    trie = trie_pattern(words)
    pieces = words + list(TITLES) + list(MODIFIERS) + ["Ann", "Smith", "x", ".", ",", "'s", "of", "State", "1"]
    for _ in range(300):
        text = "".join(rng.choice(pieces) + rng.choice([" ", "", ". ", "-"]) for _ in range(25))
        assert [m.span() for m in trie.finditer(text)] == [m.span() for m in plain.finditer(text)]
        for end in range(0, len(text), 7):
            a, b = _TITLE_BEFORE.search(text[:end] + " "), title.search(text[:end] + " ")
            assert (a and a.span("title")) == (b and b.span("title"))


def test_possessive_names_and_generic_heads(matcher):
    m = find(matcher, "General Ann Smith's plan failed. The general election follows. Smith resigned.")
    people = m[m["type"] == "person"]
    assert list(people["alias"]) == ["Ann Smith", "Smith"]


def test_mention_rows_share_their_sentence_instead_of_copying_it():
    from workbench import article_from_text
    from workbench.actors import ActorMatcher

    article = article_from_text("US " * 2000)
    mentions = ActorMatcher.from_file(None).find(article)
    assert len(mentions) == 2000 and mentions["sentence"].dtype == object
    assert mentions["sentence"].iloc[0] is mentions["sentence"].iloc[-1] is article.sentences[0].text


def _plain_and_fast_patterns():
    import re

    from workbench.actors.people import _the_title
    from workbench.actors.resolve import _NOMINAL, NOMINALS
    from workbench.loading import _BOUNDARY

    return [
        (re.compile(r"(?<![.!?])[.!?]++[\"”’')\]]*+(?=\s+[\"“‘(\[]?[A-Z0-9])"), _BOUNDARY),
        (re.compile(r"\b[Tt]he\s+(?P<head>" + "|".join(NOMINALS) + r")\b(?!\s+[A-Z])"), _NOMINAL),
        (re.compile(r"\b[Tt]he\s+(prime minister)\b", re.I), _the_title("prime minister")),
    ]


@pytest.mark.parametrize("plain, fast", _plain_and_fast_patterns(), ids=["sentence end", "the company", "the title"])
def test_patterns_moved_to_start_with_a_character_set_match_as_before(plain, fast):
    """A pattern whose look-behind moved after its first character (so that re skips to
    where it can start) finds the same matches as the plain one, on random texts of the
    pieces that matter."""
    import random

    rng = random.Random(0)
    pieces = ["the", "The", "tHE", "T", "t", "he", "prime", "minister", "MINISTER", "company", "club", " ", "  ",
              "\n", ".", "!", "?", "”", "'", ")", "A", "a", "1", "_", "é", "“", "("]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(20_000)]

    def found(pattern, text):
        return [(m.span(), m.groups()) for m in pattern.finditer(text)]

    assert [found(fast, t) for t in texts] == [found(plain, t) for t in texts]
