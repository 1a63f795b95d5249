"""Real papermill runs on a real kernel (slow; they run in CI too)."""
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.reporting import run_report

from .conftest import ROOT

pytestmark = pytest.mark.slow

WORKBENCH = Path(sys.executable).with_name("workbench")
TABLES = ["actors.csv", "actors_rollup.csv", "mentions.csv", "quotes.csv", "topics.csv"]
ARTICLE_FILES = ["manifest.json", "report.html", "report.ipynb", "results.json", *TABLES]
CORPUS_TABLES = ["actors.csv", "actor_time.csv", "actor_topics.csv", "articles.csv", "evidence.csv", "quotes.csv",
                 "source_differences.csv", "sources_compared.csv", "topics.csv"]


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def seed_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    run = subprocess.run([str(WORKBENCH), "report", "-o", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return out / "us-niger-troop-withdrawal"


def test_seed_report_files(seed_report):
    assert sorted(p.name for p in seed_report.iterdir()) == sorted(ARTICLE_FILES)
    results = json.loads((seed_report / "results.json").read_text(encoding="utf-8"))
    actors = {a["actor"]: a for a in results["actors"]}
    rollup = {a["actor"]: a for a in results["actors_rollup"]}
    assert {"US", "U.S.", "United States", "Washington", "American"} <= set(actors["United States"]["aliases"])
    assert {"Niger", "Niamey"} <= set(actors["Niger"]["aliases"])
    assert {"Niger", "Niamey", "the junta"} <= set(rollup["Niger"]["aliases"])
    assert {"Russia", "Russian", "Moscow"} <= set(actors["Russia"]["aliases"])
    assert {"French", "Paris"} <= set(actors["France"]["aliases"])
    assert {"United States", "Niger", "Russia", "France", "Iran", "Mali", "Burkina Faso"} <= set(rollup)
    assert {"State Department", "Pentagon", "Kurt Campbell"} <= set(rollup["United States"]["members"])
    assert actors["Kurt Campbell"]["root"] == "United States" and actors["Ali Lamine Sain"]["root"] == "Niger"
    assert "Nigeria" not in rollup and rollup["Niger"]["ambiguous"] == ["Nigerian → Niger (not Nigeria)"]
    for actor in results["actors"] + results["actors_rollup"]:  # no interval from fewer than three sentences
        assert (actor["ci_low"] is None) == (actor["units"] < 3), actor["actor"]
    assert actors["France"]["units"] == 3 and actors["France"]["ci_high"] > 0  # 4 mentions: not "clearly negative"
    assert any("is read as Niger, not Nigeria" in note for note in results["notes"])
    assert not set(actors) & {"Trump", "Benedict", "Vatican", "Senegal", "Italy"}
    assert len(results["quotes"]) == 8 and {q["root"] for q in results["quotes"]} == {"United States"}
    removed = [r["text"] for r in results["article"]["removed"]]
    assert any(t.startswith("See also Pope Benedict") for t in removed)
    assert any(t.startswith("See also Trump") for t in removed)
    assert any("contributed to this report" in t for t in removed)
    assert "Leave a Reply" in removed


def test_seed_report_html_content(seed_report):
    html = (seed_report / "report.html").read_text(encoding="utf-8")
    for present in (
        "<h2",
        "Parameters",
        "n_topics",
        "<mark",
        "data:image/png;base64,",
        "Actors and how they are portrayed",
        "United States",
        "Removed as boilerplate",
        "Sources",
        "a senior State Department official",
        "Kurt Campbell",
        "Ali Lamine Sain",
    ):
        assert present in html, present
    for absent in ("<script", "injected-parameters", "from workbench import", "analyze(", "results_file =",
                   "Kernel is running", "http://", "https://"):
        assert absent not in html, absent


def test_the_tables_come_as_csv_too(seed_report):
    import pandas as pd

    results = json.loads((seed_report / "results.json").read_text(encoding="utf-8"))
    actors = pd.read_csv(seed_report / "actors_rollup.csv")
    assert list(actors["actor"]) == [a["actor"] for a in results["actors_rollup"]]
    assert "aliases" in actors and "; " in actors.loc[0, "aliases"]  # lists readable, not Python reprs
    mentions = pd.read_csv(seed_report / "mentions.csv")
    assert len(mentions) == len(results["mentions"]) and "sentence" not in mentions
    assert "0.123456" not in (seed_report / "actors.csv").read_text() and round(actors.loc[0, "score"], 2) == \
        actors.loc[0, "score"]  # two decimals


def test_report_notebook_has_no_stderr_and_no_absolute_path(seed_report):
    import nbformat

    notebook = (seed_report / "report.ipynb").read_text(encoding="utf-8")
    assert str(ROOT) not in notebook and sys.prefix not in notebook and str(seed_report.parent) not in notebook
    outputs = [o for c in nbformat.reads(notebook, as_version=4).cells for o in c.get("outputs", [])]
    assert outputs and not [o for o in outputs if o.get("name") == "stderr"]
    assert "IProgress" not in notebook and "ConvergenceWarning" not in notebook


def test_second_run_is_byte_identical(seed_report, tmp_path):
    run = subprocess.run([str(WORKBENCH), "report", "-o", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    again = tmp_path / "us-niger-troop-withdrawal"
    assert _digests(again) == _digests(seed_report)


def test_parameters_and_hostile_article(tmp_path):
    article = tmp_path / "Hostile Piece.txt"
    article.write_text(
        'Title <script>alert("t")</script>\n\n'
        'WASHINGTON — The US <img src=x onerror=alert(1)> praised Niger. Russia was blamed for <b>chaos</b>.\n\n'
        "France stayed quiet while Niger waited.\n",
        encoding="utf-8",
    )
    folder = run_report(article, output_dir=tmp_path / "out", parameters={"n_topics": 2, "topic_unit": "sentences"})
    assert folder.name == "hostile-piece"
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html and "<img src=x" not in html and "<b>chaos" not in html
    assert "&lt;script&gt;" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert results["parameters"]["topic_unit"] == "sentences" and len(results["topics"]) == 2
    assert results["article"]["title"] == 'Title <script>alert("t")</script>'


def test_report_replaces_an_older_one_whole(tmp_path):
    folder = run_report(output_dir=tmp_path)
    (folder / "stale.txt").write_text("old")  # an older report, with a file the new one does not have
    run_report(output_dir=tmp_path)
    assert sorted(p.name for p in folder.iterdir()) == sorted(ARTICLE_FILES)
    assert [p.name for p in tmp_path.iterdir()] == ["us-niger-troop-withdrawal"]


def test_kernel_found_whatever_else_is_installed(tmp_path):
    """A user-level kernel named 'workbench' pointing elsewhere must not be used."""
    fake = tmp_path / "jupyter-data" / "kernels" / "workbench"
    fake.mkdir(parents=True)
    (fake / "kernel.json").write_text(json.dumps({"argv": ["/nonexistent/python", "-f", "{connection_file}"],
                                                  "display_name": "impostor", "language": "python"}))
    env = dict(os.environ, JUPYTER_DATA_DIR=str(tmp_path / "jupyter-data"), JUPYTER_PATH=str(tmp_path / "jupyter-data"))
    run = subprocess.run(
        [str(WORKBENCH), "report", "-o", str(tmp_path / "out")], capture_output=True, text=True, env=env
    )
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / "us-niger-troop-withdrawal" / "report.html").is_file()


def _corpus_report_twice(name: str, tmp_path: Path, corpus: Path | None = None) -> dict[str, str]:
    """Two corpus reports of ``fixtures/<name>.jsonl`` (or of ``corpus``, reported in folder
    ``name``) into separate folders; the digests of the first, after checking the second
    is byte-identical."""
    corpus = corpus or Path(__file__).parent / "fixtures" / f"{name}.jsonl"
    digests = []
    for run in ("one", "two"):
        result = subprocess.run([str(WORKBENCH), "report", "--corpus", str(corpus), "-o", str(tmp_path / run),
                                 "-p", "n_topics", "2"], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        digests.append(_digests(tmp_path / run / name.replace("_", "-")))
    assert digests[0] == digests[1]
    return digests[0]


def test_corpus_report_reproduces_byte_for_byte(tmp_path):
    digests = _corpus_report_twice("corpus", tmp_path)
    assert sorted(digests) == sorted(["manifest.json", "mentions.parquet", "report.html", "report.ipynb",
                                         "results.json", *CORPUS_TABLES])
    html = (tmp_path / "one" / "corpus" / "report.html").read_text(encoding="utf-8")
    for present in ("Topics", "Actors by topic", "Actors over time", "Evidence", "Skipped records", "corpus.jsonl:3"):
        assert present in html, present
    assert "<script" not in html


def test_a_web_archive_renders_a_corpus_report_with_dates_and_sources_byte_for_byte(tmp_path):
    from .test_webpage import two_source_pages, write_warc

    crawl = write_warc(tmp_path / "crawl.warc.gz", two_source_pages())
    _corpus_report_twice("crawl-warc", tmp_path, crawl)
    folder = tmp_path / "one" / "crawl-warc"
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert {a["source"] for a in results["articles"]} == {"Daily Ledger", "Weekly Courier"}
    assert {a["date"] for a in results["articles"]} >= {"2024-03-01", "2024-03-02"}
    assert results["articles"][0]["id"] == "https://dailyledger.example/d1"
    html = (folder / "report.html").read_text(encoding="utf-8")
    assert "Outlets compared" in html and "Actors over time" in html and "Moscow accused" in html


def test_a_corpus_with_two_sources_compares_them_byte_for_byte(tmp_path):
    _corpus_report_twice("two_sources", tmp_path)
    html = (tmp_path / "one" / "two-sources" / "report.html").read_text(encoding="utf-8")
    assert "Outlets compared" in html and 'alt="actors by source"' in html
    assert "<b>Russia</b>: Daily Ledger" in html and "Weekly Courier is clearly more positive" in html
    results = json.loads((tmp_path / "one" / "two-sources" / "results.json").read_text(encoding="utf-8"))
    assert {r["group"] for r in results["sources_compared"]} == {"Daily Ledger", "Weekly Courier"}
