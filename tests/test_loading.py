import codecs
import hashlib

import pytest

from workbench import InputError, article_from_text, load_article
from workbench.loading import split_sentences

from .conftest import ROOT, SEED_PATH


def test_seed_file_is_byte_identical_copy():
    shared = ROOT.parent / "shared" / "data" / "seed" / "us-niger-troop-withdrawal.txt"
    if not shared.exists():
        pytest.skip("../shared is not beside this checkout")
    assert SEED_PATH.read_bytes() == shared.read_bytes()


def test_seed_title_dateline_and_hash(seed_article):
    assert seed_article.title == "US agrees to withdraw US troops from Niger"
    assert seed_article.dateline == "NAPLES, Italy"
    assert seed_article.paragraphs[0].startswith("The United States told Niger's government")
    assert seed_article.sha256 == hashlib.sha256(SEED_PATH.read_bytes()).hexdigest()
    assert seed_article.source == "data/us-niger-troop-withdrawal.txt"


def test_seed_boilerplate_removed_with_reasons(seed_article):
    removed = {(r.reason, r.text.split()[0]) for r in seed_article.removed}
    assert removed == {
        ("see-also teaser", "See"),
        ("credit line", "Dan"),
        ("comment form", "Leave"),
        ("comment form", "Your"),
    }
    assert [r.line for r in seed_article.removed] == [17, 31, 43, 45, 47]
    for word in ("Benedict", "Trump", "Lamothe", "Reply", "email"):
        assert word not in seed_article.body


def test_sentence_offsets_index_the_body(seed_article):
    body = seed_article.body
    assert len(seed_article.sentences) == 33
    for s in seed_article.sentences:
        assert body[s.start:s.end] == s.text
        para_start = seed_article.paragraph_starts[s.paragraph]
        assert para_start <= s.start < s.end <= para_start + len(seed_article.paragraphs[s.paragraph])
    assert [s.index for s in seed_article.sentences] == list(range(33))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("The U.S. Embassy said so. Then it left.", ["The U.S. Embassy said so.", "Then it left."]),
        ("“We agreed,” he said. “They did.”", ["“We agreed,” he said.", "“They did.”"]),
        ("Mr. Smith met Gen. Jones. It rained.", ["Mr. Smith met Gen. Jones.", "It rained."]),
        ("It grew 5.4 percent. Prices fell!", ["It grew 5.4 percent.", "Prices fell!"]),
        ("posture. in the region.", ["posture. in the region."]),
        ("No end punctuation", ["No end punctuation"]),
    ],
)
def test_split_sentences(text, expected):
    assert [text[s:e] for s, e in split_sentences(text)] == expected


def test_from_string_blank_line_paragraphs_and_hard_wraps():
    text = (
        "A headline\n\nWASHINGTON (Reuters) - First line\nwrapped here. Second one.\n\nSee also: other story\n\nLast."
    )
    art = article_from_text(text)
    assert art.title == "A headline"
    assert art.dateline == "WASHINGTON (Reuters)"
    assert art.paragraphs == ("First line wrapped here. Second one.", "Last.")
    assert [r.reason for r in art.removed] == ["see-also teaser"]
    assert art.source == "<string>"
    assert art.sha256 == hashlib.sha256(text.encode()).hexdigest()


def test_single_paragraph_has_no_title():
    art = article_from_text("Just one short line")
    assert art.title == "" and art.paragraphs == ("Just one short line",)


def test_utf8_bom_and_utf16_are_decoded(write_file):
    text = "Headline\n\nBody text here."
    a = load_article(write_file("bom.txt", codecs.BOM_UTF8 + text.encode()))
    b = load_article(write_file("u16.txt", text.encode("utf-16")))
    assert a.paragraphs == b.paragraphs == ("Body text here.",)


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.txt", b"", "empty"),
        ("blank.txt", b"  \n\n \t\n", "empty"),
        ("binary.bin", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("latin1.txt", "Café in Niamey".encode("latin-1"), "not valid UTF-8"),
        ("only-boilerplate.txt", b"Leave a Reply\n\nSee also: something else", "nothing is left"),
    ],
)
def test_bad_files_raise_one_line_input_error(write_file, name, content, message):
    with pytest.raises(InputError, match=message) as info:
        load_article(write_file(name, content))
    assert "\n" not in str(info.value)


def test_missing_directory_and_too_large(tmp_path, write_file):
    with pytest.raises(InputError, match="no such file"):
        load_article(tmp_path / "nope.txt")
    with pytest.raises(InputError, match="is a directory"):
        load_article(tmp_path)
    with pytest.raises(InputError, match="larger than"):
        load_article(write_file("big.txt", "x" * 200), max_bytes=100)


def test_html_article(write_file):
    page = (
        "<html><head><title>Site | Story</title><script>alert('x')</script><style>p{}</style></head><body>"
        "<nav>Home · World</nav><h1>Niger &amp; the US</h1><p>NIAMEY, Niger — The junta <b>spoke</b>.</p>"
        "<p>Second<br>paragraph.</p><aside>Ad</aside><form>Leave a Reply</form><footer>© Site</footer></body></html>"
    )
    art = load_article(write_file("page.html", page))
    assert art.title == "Niger & the US" and art.dateline == "NIAMEY, Niger"
    assert art.paragraphs == ("The junta spoke.", "Second", "paragraph.")  # a <br> breaks the line
    for gone in ("alert", "Home", "Ad", "Reply", "©"):
        assert gone not in art.body
    assert {"Home · World", "Ad", "© Site"} <= {r.text for r in art.removed}


def test_html_without_text_is_an_error(write_file):
    with pytest.raises(InputError, match="no article text"):
        load_article(write_file("empty.html", "<html><script>x()</script></html>"))


def test_a_trailing_newline_does_not_change_how_a_file_is_read():
    lines = "US troops leave Niger\nThe US said on Monday it would leave.\nNiger welcomed it."
    for text in (lines, lines + "\n", "\n\n" + lines + "\n\n\n"):
        article = article_from_text(text)
        assert article.title == "US troops leave Niger"
        assert article.paragraphs == ("The US said on Monday it would leave.", "Niger welcomed it.")
