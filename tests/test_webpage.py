"""Saved web pages: the article without the page's furniture, its metadata, any encoding,
and web archives as corpora (issue 13). The pages are fixtures of our own."""
from __future__ import annotations

import codecs
import gzip
import io
import json
from pathlib import Path

import pytest

from workbench import analyze, load_article
from workbench.corpus import read_corpus
from workbench.decoding import decode_html
from workbench.errors import InputError
from workbench.loading import PAGE_FURNITURE, article_from_page
from workbench.views import byline_html, findings_html, removed_html
from workbench.webpage import MAX_DROPPED_LISTED, strip_site_suffix

FIXTURES = Path(__file__).parent / "fixtures"
NEWS_PAGE = FIXTURES / "web" / "news_page.html"
JUNK = ("cookies", "Share on", "Related stories", "Storm Henk", "Comments", "riverwatcher", "Leave a comment",
        "Most read", "Celebrity chef", "All rights reserved", "United States of America", "Chevron", "Search",
        "US edition", "window.analytics")

# An ASP.NET-style page: everything inside one <form>, paragraphs in <div>s and split by
# <br><br>, in windows-1252 declared the old way (http-equiv). Our own text.
FORM_PAGE = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">
<title>Caf\u00e9 owners win rent case | Northern Courier</title></head>
<body><form id="aspnetForm" method="post" action="story.aspx"><input type="hidden" name="__VIEWSTATE" value="abc">
<div class="nav"><a href="/">Home</a> | <a href="/news">News</a></div>
<div id="story"><h1>Caf\u00e9 owners win rent case</h1>
<div>The owners of a caf\u00e9 in Leeds won their case against the city council on Friday, when a judge ruled that
a rent rise of forty per cent had been imposed without the consultation the lease required.</div>
<div>\u201cWe are relieved,\u201d said Maria Lopez, who has run the caf\u00e9 with her brother for twelve years.
The council said it would study the ruling before deciding whether to appeal.<br><br>The judge ordered the
council to repay the extra rent charged since January, about nine thousand pounds, within a month.<br><br>Other
tenants of the council\u2019s market hall said they would now ask for their own rents to be reviewed, and a
lawyer for the tenants\u2019 association said several cases were being prepared.</div>
</div></form></body></html>"""


def _page(tmp_path: Path, name: str, markup: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(markup.encode(encoding))
    return path


@pytest.fixture(scope="module")
def news_article():
    return load_article(NEWS_PAGE)


def test_the_article_without_menus_teasers_comments_notices_or_icons(news_article):
    art = news_article
    assert art.title == "Flood defence plan agreed after winter storms"  # no site suffix, no icon <title>
    assert art.dateline == "LONDON" and len(art.paragraphs) == 6
    assert art.paragraphs[0].startswith("The government and the Environment Agency agreed")
    assert art.paragraphs[-1].endswith("now lie in the path of the water.")
    for junk in JUNK:
        assert junk not in art.body and junk not in art.title, junk


def test_what_the_extractor_left_out_is_listed(news_article):
    dropped = {r.text for r in news_article.removed if r.reason == PAGE_FURNITURE}
    for kept_aside in ("Accept all cookies", "Related stories", "Storm Henk: what we know", "riverwatcher",
                       "Celebrity chef opens restaurant", "© 2024 The Daily Example. All rights reserved."):
        assert kept_aside in dropped, kept_aside
    assert not any("flood defences of forty towns" in text for text in dropped)
    assert all(r.line > 0 for r in news_article.removed)  # the page's source line of each block
    assert news_article.removed_total == len(news_article.removed) and not news_article.warnings


def test_the_page_metadata_becomes_fields_of_the_article(news_article):
    art = news_article
    assert (art.date, art.authors, art.site_name, art.url, art.language, art.encoding) == (
        "2024-03-05", ("Jane Doe",), "The Daily Example", "https://news.example.org/uk/flood-defence-plan",
        "en-GB", "utf-8")


def test_metadata_in_results_and_in_the_report_header(news_article):
    analysis = analyze(news_article, n_boot=50)
    article = analysis.to_dict()["article"]
    assert article["date"] == "2024-03-05" and article["site_name"] == "The Daily Example"
    assert article["authors"] == ["Jane Doe"] and article["language"] == "en-GB"
    assert article["url"] == "https://news.example.org/uk/flood-defence-plan" and article["warnings"] == []
    head = findings_html(analysis)
    assert "By Jane Doe · The Daily Example · 2024-03-05 · language en-GB" in head
    assert '<a href="https://news.example.org/uk/flood-defence-plan">' in head


def test_page_furniture_does_not_become_actors(news_article):
    actors = set(analyze(news_article, n_boot=0).rollup["actor"])
    assert "United States" not in actors  # the edition switcher's flag icon
    assert "Environment Agency" in actors or "Claire Hughes" in actors


def test_a_hostile_url_is_shown_as_text_not_as_a_link(news_article):
    from dataclasses import replace

    shown = byline_html(replace(news_article, url="javascript:alert(1)", authors=("<b>x</b>",)))
    assert "<a " not in shown and "javascript:alert(1)" in shown and "&lt;b&gt;x&lt;/b&gt;" in shown


def test_an_article_inside_a_form_in_divs_and_split_by_br(tmp_path):
    art = load_article(_page(tmp_path, "story.html", FORM_PAGE, "windows-1252"))
    assert art.encoding == "windows-1252 (declared)"  # iso-8859-1 is read as windows-1252, as browsers do
    assert art.title == "Caf\u00e9 owners win rent case"
    body = art.body
    assert "\u201cWe are relieved,\u201d said Maria Lopez" in body
    assert "repay the extra rent" in body and "tenants\u2019 association" in body
    assert len(art.paragraphs) >= 4 and "Home" not in body


def test_a_legacy_page_gives_the_same_article_as_its_utf8_original(tmp_path):
    markup = NEWS_PAGE.read_text(encoding="utf-8").replace('<meta charset="utf-8">', '<meta charset="windows-1252">')
    markup = markup.replace("Environment Secretary", "Environment Secr\u00e9tary \u2013 \u201csic\u201d")
    utf8 = load_article(_page(tmp_path, "utf8.html", markup))
    legacy = load_article(_page(tmp_path, "legacy.html", markup, "windows-1252"))
    assert (
        legacy.encoding == "windows-1252 (declared)" and utf8.encoding == "utf-8 (valid UTF-8; declared windows-1252)"
    )
    assert (legacy.title, legacy.paragraphs) == (utf8.title, utf8.paragraphs)
    assert "Secr\u00e9tary \u2013 \u201csic\u201d" in legacy.body


@pytest.mark.parametrize(
    "raw, encoding, text",
    [
        ("\ufeff<p>caf\u00e9</p>".encode("utf-8"), "utf-8 (byte-order mark)", "caf\u00e9"),
        ("<p>caf\u00e9</p>".encode("utf-16"), "utf-16-le (byte-order mark)", "caf\u00e9"),
        (
            b'<meta charset="koi8-r"><p>\xcd\xcf\xd3\xcb\xd7\xc1</p>',
            "koi8-r (declared)",
            "\u043c\u043e\u0441\u043a\u0432\u0430",
        ),
        (b"<meta charset=latin1><p>\x93quoted\x94</p>", "windows-1252 (declared)", "\u201cquoted\u201d"),
        (b"<meta charset=no-such-codec><p>plain</p>", "utf-8", "plain"),
    ],
)
def test_encodings_are_read_by_bom_then_declaration(raw, encoding, text):
    decoded, used = decode_html(raw, "page.html")
    assert used == encoding and text in decoded


def test_a_server_charset_takes_the_place_of_the_page_declaration():
    raw = '<meta charset="utf-8"><p>\u201cquoted\u201d and na\u00efve text</p>'.encode("windows-1252")
    assert decode_html(raw, "p", charset="windows-1252") == (raw.decode("windows-1252"), "windows-1252 (declared)")


@pytest.mark.parametrize("text, encoding", [
    ("<p>Les d\u00e9put\u00e9s ont adopt\u00e9 \u00e0 une large majorit\u00e9 le projet de loi, "
     "apr\u00e8s un d\u00e9bat tr\u00e8s anim\u00e9 \u00e0 l\u2019Assembl\u00e9e.</p>", "windows-1252"),
    ("<p>The caf\u00e9 owners won their \u201crent\u201d case.</p>", "windows-1252"),
    ('<html lang="pl"><p>Pa\u0144stwo \u017c\u0105da od rz\u0105du wyja\u015bnie\u0144.</p></html>', "windows-1250"),
    ("<p>\u041f\u0440\u0435\u0437\u0438\u0434\u0435\u043d\u0442 \u0420\u043e\u0441\u0441\u0438\u0438 "
     "\u0437\u0430\u044f\u0432\u0438\u043b \u0432 \u0447\u0435\u0442\u0432\u0435\u0440\u0433.</p>", "windows-1251"),
])
def test_an_undeclared_legacy_page_is_read_as_browsers_read_it(text, encoding):
    raw = (text * 3).encode(encoding)
    decoded, used = decode_html(raw, "page.html")
    assert decoded == text * 3 and used.endswith("(detected)")
    assert codecs.lookup(used.split()[0]).name == codecs.lookup(encoding).name


def test_plain_text_stays_strict_with_a_hint_that_fits_the_bytes(tmp_path):
    path = _page(tmp_path, "story.txt", "Caf\u00e9 owners win\n\n\u201cWe are relieved,\u201d she said. " * 20,
                 "windows-1252")
    with pytest.raises(InputError) as info:
        load_article(path)
    message = str(info.value)
    assert "not valid UTF-8" in message and "iconv -f " in message and "-t UTF-8" in message
    assert "latin1" not in message and "\n" not in message


@pytest.mark.parametrize("title, site, url, want", [
    ("Obama admits gun laws frustrate him - BBC News", "BBC News", "", "Obama admits gun laws frustrate him"),
    ("West Ham threaten the giants | Aktu\u00e1ln\u011b.cz", "Aktu\u00e1ln\u011b.cz - V\u00edte, co se d\u011bje", "",
     "West Ham threaten the giants"),
    ("Whales stranded | Eleanor Ainge Roy", "The Guardian", "", "Whales stranded | Eleanor Ainge Roy"),
    ("Brexit - what next?", "BBC", "", "Brexit - what next?"),
    ("TMZ.com | Dress stolen", "", "http://www.tmz.com/2015/x", "Dress stolen"),
    ("Story \u2013 The Daily Example", "The Daily Example", "", "Story"),
    ("The Daily Example", "The Daily Example", "", "The Daily Example"),  # nothing but the site: kept
])
def test_the_site_suffix_is_removed_from_the_title(title, site, url, want):
    assert strip_site_suffix(title, site, url) == want


def test_an_extraction_that_keeps_very_little_is_a_warning(tmp_path):
    menu = "".join(f"<li><a href='/s{i}'>Section number {i} of the site</a></li>" for i in range(150))
    markup = (f"<html><body><nav><ul>{menu}</ul></nav><article><h1>Short item</h1>"
              "<p>The council approved the budget on Monday.</p></article></body></html>")
    art = load_article(_page(tmp_path, "brief.html", markup))
    assert art.paragraphs == ("The council approved the budget on Monday.",)
    assert len(art.warnings) == 1 and "may have missed the article" in art.warnings[0]
    assert art.removed_total == len(art.removed) == 150
    assert "Section number 149" in " ".join(r.text for r in art.removed)
    assert analyze(art, n_boot=0).notes[0].startswith("The article kept 9 of the page's 909 words")


def test_more_dropped_blocks_than_listed_are_counted(tmp_path):
    menu = "".join(f"<li><a href='/s{i}'>Item {i} of a very long menu</a></li>" for i in range(1000))
    article = "".join(
        f"<p>Paragraph {i} of the story tells what the minister said about schools.</p>" for i in range(30)
    )
    art = load_article(
        _page(tmp_path, "long.html", f"<html><body><ul>{menu}</ul><article>{article}</article></body></html>")
    )
    listed = [r for r in art.removed if r.reason == PAGE_FURNITURE]
    assert len(listed) == MAX_DROPPED_LISTED and art.removed_total == 1000
    assert "800 more blocks of page text outside the article were removed" in removed_html(art)


def test_a_page_without_text_is_an_error_and_a_tiny_page_is_read_whole():
    with pytest.raises(InputError, match="no article text"):
        article_from_page(b"<html><script>x()</script></html>", source="empty.html")
    art = article_from_page(b"<h1>Hi</h1><p>The US and <b>Niger</b> met.</p>", source="tiny.html")
    assert art.title == "Hi" and art.paragraphs == ("The US and Niger met.",)


# ----------------------------------------------------------------------------- corpora
def page_markup(title: str, text: str, *, site: str, date: str) -> str:
    """A small news page around one record's text (our own template)."""
    return (f'<html lang="en"><head><meta charset="utf-8"><title>{title} | {site}</title>'
            f'<meta property="og:site_name" content="{site}">'
            f'<meta property="article:published_time" content="{date}T08:00:00Z"></head><body>'
            f'<nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>{title}</h1>'
            + "".join(f"<p>{s.strip()}.</p>" for s in text.split(". ") if s.strip(". "))
            + f"</article><footer>\u00a9 {site}</footer></body></html>")


def write_warc(path: Path, responses: list[tuple[str, str, bytes]], *, broken_tail: bool = False) -> Path:
    """A web archive of (url, content type, body) responses, each after its request,
    with a warcinfo record first (the way crawlers write them)."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=path.name.endswith(".gz"))
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "tests"}))
    for number, (url, content_type, body) in enumerate(responses):
        status = "404 Not Found" if "missing" in url else "200 OK"
        headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        stamp = {"WARC-Date": f"2024-04-{number + 1:02d}T00:00:00Z"}
        writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n"),
                                                      warc_headers_dict=stamp))
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                      http_headers=headers, warc_headers_dict=stamp))
    data = buffer.getvalue()
    if broken_tail:
        data += gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 999\r\n\r\nshort")[:-9]
    path.write_bytes(data)
    return path


def two_source_pages() -> list[tuple[str, str, bytes]]:
    records = [json.loads(line) for line in (FIXTURES / "two_sources.jsonl").read_text(encoding="utf-8").splitlines()]
    return [(f"https://{r['source'].replace(' ', '').lower()}.example/{r['id']}", "text/html; charset=utf-8",
             page_markup(r["title"], r["text"], site=r["source"], date=r["date"]).encode("utf-8")) for r in records]


def test_a_web_archive_is_a_corpus_with_urls_dates_and_sources(tmp_path):
    pages = two_source_pages()
    undated = page_markup("No date", "The mayor opened the bridge. Traffic resumed", site="City Post", date="x")
    undated = undated.replace('<meta property="article:published_time" content="xT08:00:00Z">', "").replace(
        '<meta property="og:site_name" content="City Post">', "")
    responses = [*pages[:2], ("https://cdn.example/logo.png", "image/png", b"\x89PNG\r\n\x1a\n"),
                 ("https://www.citypost.example/missing", "text/html", b"<p>Not found</p>"),
                 ("https://www.citypost.example/bridge", "text/html", undated.encode("latin-1")), pages[0]]
    skipped = []
    records = list(read_corpus(write_warc(tmp_path / "crawl.warc.gz", responses), skipped=skipped))
    assert [r.id for r in records] == [pages[0][0], pages[1][0], "https://www.citypost.example/bridge"]
    first = records[0]
    assert (first.title, first.date, first.source) == ("Moscow accused", "2024-03-01", "Daily Ledger")
    assert first.text.startswith("Moscow accused\n\nRussia was blamed") and "Home" not in first.text
    assert dict(first.extra)["url"] == pages[0][0]
    assert (records[2].date, records[2].source) == ("2024-04-05", "citypost.example")  # crawl date, host
    reasons = {s.where.rsplit(":", 1)[1]: s.reason for s in skipped}
    assert reasons == {"9": "HTTP status 404 for https://www.citypost.example/missing",
                       "13": f"id {pages[0][0]!r} appears twice"}


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_a_damaged_web_archive_keeps_what_came_before_and_says_where(tmp_path, name):
    path = write_warc(tmp_path / name, two_source_pages()[:2], broken_tail=True)
    skipped = []
    assert len(list(read_corpus(path, skipped=skipped))) == 2
    assert len(skipped) == 1 and "malformed WARC record" in skipped[0].reason
    with pytest.raises(InputError, match="malformed WARC record"):
        list(read_corpus(path, strict=True))


def test_web_pages_in_a_folder_give_their_dates_and_sites(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    for url, _, body in two_source_pages()[:3]:
        (folder / f"{url.rsplit('/', 1)[1]}.html").write_bytes(body)
    records = list(read_corpus(folder))
    assert [(r.id, r.date, r.source) for r in records] == [
        ("d1", "2024-03-01", "Daily Ledger"),
        ("d2", "2024-03-02", "Daily Ledger"),
        ("d3", "2024-03-03", "Daily Ledger"),
    ]


def test_a_corpus_gathers_its_pages_warnings_in_its_notes(tmp_path):
    from workbench.corpus import analyze_corpus

    pages = two_source_pages()  # short pages: each keeps under 50 words, a warning
    french = page_markup("Le maire", "Le maire a ouvert le pont. La circulation a repris", site="Le Courrier",
                         date="2024-03-09").replace('lang="en"', 'lang="fr"')
    crawl = write_warc(tmp_path / "crawl.warc", [*pages, ("https://courrier.example/pont", "text/html",
                                                          french.encode("utf-8")), pages[0]])
    result = analyze_corpus(crawl, n_topics=2, n_boot=0, n_jobs=1)
    assert len(result.skipped) == 1  # the page seen twice: its warning is not counted again
    assert len(result.warned) == 10 and sum("language is fr" in w.reason for w in result.warned) == 1
    assert result.warned[0].where.endswith("crawl.warc:3") and "may have missed the article" in result.warned[0].reason
    note = next(n for n in result.notes if "about web pages" in n)
    assert note.startswith("10 warnings about web pages of the corpus") and note.endswith("; and 5 more.")
    assert len(result.to_dict()["corpus"]["warnings"]) == 10
