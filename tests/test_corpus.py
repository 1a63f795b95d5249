"""Corpus mode: readers with malformed records, the streaming analysis, its outputs."""
import json

import numpy as np
import pandas as pd
import pytest

from workbench import InputError
from workbench._io import canonical_json
from workbench.corpus import analyze_corpus, count_records, read_corpus

from .conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"


@pytest.mark.parametrize(
    "name, ids, skipped",
    [
        ("corpus.jsonl", ["a1", "a2", "a3", "a6", "a7"],
         [("corpus.jsonl:3", "not JSON"), ("corpus.jsonl:5", "not ISO 8601"), ("corpus.jsonl:6", "no text")]),
        ("corpus.csv", ["c1", "c3"], [("corpus.csv:3", "no text"), ("corpus.csv:5", "more fields than the header")]),
        ("corpus_folder", ["kenya", "trade"], [("empty.txt", "empty")]),
    ],
)
def test_readers_report_every_skipped_record(name, ids, skipped):
    seen = []
    records = list(read_corpus(FIXTURES / name, skipped=seen))
    assert [r.id for r in records] == ids
    assert len(seen) == len(skipped)
    for got, (where, reason) in zip(seen, skipped):
        assert got.where.endswith(where) and reason in got.reason


def test_record_fields():
    first = next(iter(read_corpus(FIXTURES / "corpus.jsonl")))
    assert (first.id, first.title, first.date, first.source) == ("a1", "Niger talks", "2024-03-01", "fixture")
    trade = [r for r in read_corpus(FIXTURES / "corpus_folder") if r.id == "trade"][0]
    assert trade.title == "Trade news" and "alert" not in trade.text


@pytest.mark.parametrize("name, line", [("corpus.jsonl", ":3"), ("corpus.csv", ":3")])
def test_strict_rejects_with_the_line(name, line):
    with pytest.raises(InputError, match=line):
        list(read_corpus(FIXTURES / name, strict=True))


def test_bad_corpus_paths(tmp_path):
    with pytest.raises(InputError, match="no such corpus"):
        list(read_corpus(tmp_path / "nope.jsonl"))
    (tmp_path / "x.xml").write_text("<a/>")
    with pytest.raises(InputError, match="a corpus is a .jsonl, .csv, .warc or .warc.gz"):
        list(read_corpus(tmp_path / "x.xml"))
    (tmp_path / "no_text.csv").write_text("id,body\n1,hello\n")
    with pytest.raises(InputError, match="'text' column"):
        list(read_corpus(tmp_path / "no_text.csv"))
    (tmp_path / "latin.jsonl").write_bytes('{"text": "caf\u00e9"}\n'.encode("latin-1"))
    seen = []
    assert list(read_corpus(tmp_path / "latin.jsonl", skipped=seen)) == [] and "UTF-8" in seen[0].reason
    (tmp_path / "dup.jsonl").write_text('{"id": "x", "text": "A"}\n{"id": "x", "text": "B"}\n')
    seen = []
    assert len(list(read_corpus(tmp_path / "dup.jsonl", skipped=seen))) == 1 and "twice" in seen[0].reason


@pytest.fixture(scope="module")
def corpus_analysis():
    return analyze_corpus(FIXTURES / "corpus.jsonl", n_topics=2, n_boot=200)


def test_corpus_analysis_tables(corpus_analysis):
    c = corpus_analysis
    assert list(c.articles["id"]) == ["a1", "a2", "a3", "a6", "a7"]
    assert len(c.skipped) == 3 and c.parameters["topics_fitted"] == 2
    assert set(c.articles["topic"]) <= {0, 1} and c.topics["size"].sum() == 5
    assert {"Niger", "Russia", "United States", "Mali"} <= set(c.rollup["actor"])
    assert c.actors is c.rollup  # the rolled-up table has the article's name, the old one kept
    assert set(c.mentions["article"]) <= set(c.articles["id"])
    assert {"2024-03", "2024-04", "2024-05"} == set(c.actor_time["month"])
    russia = c.evidence[c.evidence["actor"] == "Russia"]
    assert set(russia["side"]) == {"negative"} and (russia["polarity"] < 0).all()
    assert {"root", "topic", "mentions", "score"} <= set(c.actor_topics.columns)


def test_corpus_outputs_are_deterministic(corpus_analysis, tmp_path):
    again = analyze_corpus(FIXTURES / "corpus.jsonl", n_topics=2, n_boot=200)
    a = corpus_analysis.write(tmp_path / "a")
    b = again.write(tmp_path / "b")
    assert [p.read_bytes() for p in a] == [p.read_bytes() for p in b]
    results = json.loads(a[0].read_text(encoding="utf-8"))
    assert {"topics", "actors", "actor_topics", "actor_time", "evidence", "quotes", "articles"} <= set(results)
    assert "mentions" not in results and results["corpus"]["mentions"] == len(corpus_analysis.mentions)
    mentions = pd.read_parquet(a[1])
    assert len(mentions) == len(corpus_analysis.mentions) and "polarity" in mentions


def test_nothing_usable_is_an_error(tmp_path):
    (tmp_path / "bad.jsonl").write_text("nope\n{}\n")
    with pytest.raises(InputError, match="no usable article"):
        analyze_corpus(tmp_path / "bad.jsonl")


def test_results_do_not_depend_on_workers_or_chunks(corpus_analysis, tmp_path):
    expected = [p.read_bytes() for p in corpus_analysis.write(tmp_path / "default")]
    for n_jobs, chunk_size in ((1, 64), (2, 1), (2, 2), (1, 3)):
        again = analyze_corpus(FIXTURES / "corpus.jsonl", n_topics=2, n_boot=200, n_jobs=n_jobs, chunk_size=chunk_size)
        assert [s.where for s in again.skipped] == [s.where for s in corpus_analysis.skipped]
        assert [p.read_bytes() for p in again.write(tmp_path / f"{n_jobs}-{chunk_size}")] == expected


def test_rows_through_working_files_give_the_same_bytes(corpus_analysis, tmp_path, monkeypatch):
    """A corpus whose rows fill working row groups on disk (a large one) writes the same
    files as one whose rows stay in memory until the end (a small one)."""
    from workbench.corpus import store

    expected = [p.read_bytes() for p in corpus_analysis.write(tmp_path / "memory")]
    monkeypatch.setattr(store, "WORKING_GROUP", 3)
    again = analyze_corpus(FIXTURES / "corpus.jsonl", n_topics=2, n_boot=200, chunk_size=2)
    assert again.mention_store.rows > 3
    assert [p.read_bytes() for p in again.write(tmp_path / "disk")] == expected


def test_the_last_partitions_are_cut_smaller_and_nothing_moves():
    from workbench.corpus.chunks import _MIN_PARTITION, _partitions

    chunk = 4 * _MIN_PARTITION
    records = list(range(10 * chunk + 77))
    chunks = [records[i:i + chunk] for i in range(0, len(records), chunk)]
    parts = list(_partitions(iter(chunks), workers=2))
    assert [r for part in parts for r in part] == records
    sizes = [len(part) for part in parts]
    assert sizes[:9] == [chunk] * 9  # all but the last full chunk and the rest as they came
    tail = sizes[9:]
    assert tail[:-1] == sorted(tail[:-1], reverse=True) and max(tail) < chunk and len(tail) >= 4
    assert min(tail) >= _MIN_PARTITION and tail[-1] < 2 * _MIN_PARTITION  # no tiny task at the end
    assert list(_partitions(iter([[1, 2], [3]]), workers=2)) == [[1, 2], [3]]  # never above a chunk


def test_an_article_with_nothing_left_is_skipped_in_its_place(tmp_path):
    niger, troops = (
        "Niger's junta met Russian officials in Niamey on Monday.",
        "The United States said its troops would leave.",
    )
    lines = [{"id": "a", "text": niger},
             {"id": "b", "text": "Leave a Reply"},  # nothing left after boilerplate: skipped by the worker
             "not json",
             {"id": "c", "text": troops}, {"id": "d", "text": niger}, {"id": "e", "text": troops}]
    path = tmp_path / "c.jsonl"
    path.write_text("".join((json.dumps(x) if isinstance(x, dict) else x) + "\n" for x in lines), encoding="utf-8")
    for n_jobs in (1, 2):
        result = analyze_corpus(path, n_topics=1, n_boot=10, n_jobs=n_jobs, chunk_size=1)
        assert list(result.articles["id"]) == ["a", "c", "d", "e"]
        assert [s.where.rsplit(":", 1)[1] for s in result.skipped] == ["2", "3"]
        assert "nothing is left" in result.skipped[0].reason
        with pytest.raises(InputError, match=r"c\.jsonl:2: .*nothing is left"):  # the first in file order
            analyze_corpus(path, n_topics=1, strict=True, n_jobs=n_jobs, chunk_size=1)
        with pytest.raises(InputError, match=r"corpus\.jsonl:3: not JSON"):
            analyze_corpus(FIXTURES / "corpus.jsonl", n_topics=2, strict=True, n_jobs=n_jobs)


class _MainProcessOnly:
    """A scorer that may not be forked (like the torch backend): it records where it ran."""

    fork_safe = False
    pids: list[int] = []

    def predict_proba(self, items):
        import os

        type(self).pids.append(os.getpid())
        return pd.DataFrame({"negative": 0.25, "neutral": 0.5, "positive": 0.25}, index=range(len(items)))

    def labels_from_proba(self, proba):
        return pd.Series(["neutral"] * len(proba)).to_numpy()


def test_a_scorer_that_may_not_be_forked_scores_in_the_main_process(monkeypatch):
    import os

    from workbench import sentiment

    monkeypatch.setitem(sentiment.SCORERS, "main-only", _MainProcessOnly)
    result = analyze_corpus(FIXTURES / "corpus.jsonl", n_topics=2, n_boot=10, sentiment="main-only", n_jobs=2,
                            chunk_size=1)
    assert len(_MainProcessOnly.pids) == 5 and set(_MainProcessOnly.pids) == {os.getpid()}
    assert (result.mentions["label"] == "neutral").all() and (result.mentions["polarity"] == 0).all()


def test_a_lone_surname_joins_the_one_full_name_of_the_corpus(tmp_path):
    from collections import Counter

    from workbench.corpus import merged_names

    counts = Counter({"Tony Blair": 9, "Cherie Blair": 1, "Blair": 1, "Brown": 1})
    assert merged_names(counts) == {"Blair": "Tony Blair"}
    assert merged_names(Counter({"Tony Blair": 1, "Brown": 1})) == {}
    assert merged_names(Counter({"Ann Lee": 5, "Bo Lee": 5, "Lee": 1})) == {}  # two full names share it: left alone
    records = [{"id": "a1", "text": "Prime Minister Tony Blair met voters in Leeds. Tony Blair said it would work."},
               {"id": "a2", "text": "Mr Blair was praised by MPs in London on Monday."}]
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in records) + "\n", encoding="utf-8")
    result = analyze_corpus(path, n_topics=1, n_boot=50)
    people = result.mentions[result.mentions["type"] == "person"]
    assert set(people["actor"]) == {"Tony Blair"} and set(people["article"]) == {"a1", "a2"}
    blair = result.rollup.set_index("actor").loc["Tony Blair"]
    assert blair["mentions"] == len(people) and blair["units"] == 2 and "Blair" not in set(result.rollup["actor"])


def test_evidence_cites_each_sentence_once_and_by_title(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {
                    "id": "a1",
                    "title": "Russia blamed for attack",
                    "text": "Russia was blamed for a brutal attack, and Russia denied the terrible charge. "
                            "Russia won praise later.",
                },
                {
                    "id": "a2",
                    "title": "Talks in Moscow",
                    "text": "Russia praised the excellent talks. Russia was criticised.",
                },
            ]
        )
        + "\n"
    )
    evidence = analyze_corpus(path, n_jobs=1).evidence
    russia = evidence[evidence["actor"] == "Russia"]
    assert not russia.duplicated(["article", "sentence"]).any()
    assert set(russia["title"]) <= {"Russia blamed for attack", "Talks in Moscow"} and len(russia)


def test_two_sources_are_compared_with_intervals():
    first = analyze_corpus(FIXTURES / "two_sources.jsonl", n_topics=2, n_jobs=1, n_boot=500)
    comparison = first.comparison.set_index(["actor", "group"])
    ledger, courier = comparison.loc[("Russia", "Daily Ledger")], comparison.loc[("Russia", "Weekly Courier")]
    assert ledger["articles"] == courier["articles"] == 4
    assert ledger["ci_high"] < 0 < courier["ci_low"]
    russia = first.differences.set_index("actor").loc["Russia"]
    assert (russia["group_a"], russia["group_b"]) == ("Daily Ledger", "Weekly Courier")
    assert russia["ci_low"] <= russia["difference"] <= russia["ci_high"] < 0
    again = analyze_corpus(FIXTURES / "two_sources.jsonl", n_topics=2, n_jobs=2, n_boot=500)
    assert canonical_json(first.to_dict()) == canonical_json(again.to_dict())
    one_source = analyze_corpus(FIXTURES / "corpus.jsonl", n_topics=2, n_boot=200)
    assert one_source.comparison.empty and one_source.to_dict()["source_differences"] == []
    no_intervals = analyze_corpus(FIXTURES / "two_sources.jsonl", n_topics=2, n_jobs=1, n_boot=0)
    compared = no_intervals.comparison.set_index(["actor", "group"])
    assert compared.loc[("Russia", "Daily Ledger"), "score"] == ledger["score"]  # same score, no interval
    assert compared["ci_low"].isna().all() and no_intervals.differences["ci_low"].isna().all()


def test_any_record_field_can_be_compared_and_undated_corpora_show_no_empty_chart(tmp_path):
    from workbench import views

    path = tmp_path / "c.csv"
    rows = ["id,category,text"]
    for i in range(4):
        rows.append(f'p{i},politics,"Russia was condemned for the brutal attack. Officials blamed Russia."')
        rows.append(f's{i},sport,"Russia won praise for a superb, excellent game. Fans loved Russia."')
    path.write_text("\n".join(rows) + "\n")
    corpus = analyze_corpus(path, n_topics=2, n_jobs=1, n_boot=300, compare="category")
    assert set(corpus.comparison["group"]) == {"politics", "sport"}
    russia = corpus.differences.set_index("actor").loc["Russia"]
    assert russia["ci_high"] < 0  # politics portrays Russia worse than sport does
    assert corpus.parameters["compare"] == "category" and "category" in views.compare_sources_html(corpus)
    assert views.actor_time_html(corpus) == "<p>No article has a date, so there is nothing to show over time.</p>"
    by_source = analyze_corpus(path, n_topics=2, n_jobs=1, n_boot=300)
    assert by_source.comparison.empty and "fewer than two values of <code>source</code>" in \
        views.compare_sources_html(by_source)


def test_record_counts_for_the_progress_bar(tmp_path):
    assert count_records(FIXTURES / "corpus.jsonl") == len(
        [line for line in (FIXTURES / "corpus.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()])
    (tmp_path / "c.csv").write_text('id,text\na,"two\nlines"\nb,one\n', encoding="utf-8")
    assert count_records(tmp_path / "c.csv") == 2  # a quoted newline is not a record
    (tmp_path / "f").mkdir()
    for name in ("a.txt", "b.md", "c.html", "notes.pdf"):
        (tmp_path / "f" / name).write_text("x", encoding="utf-8")
    assert count_records(tmp_path / "f") == 3
    assert count_records(tmp_path / "crawl.warc.gz") is None and count_records(tmp_path / "missing.jsonl") is None


def test_the_corpus_rollup_is_what_one_table_of_all_mentions_gives(corpus_analysis):
    from workbench.sentiment import aggregate_actors

    c = corpus_analysis
    whole = aggregate_actors(c.mentions, by="root", n_boot=200, random_state=0, max_evidence=3)
    assert list(whole["actor"]) == list(c.rollup["actor"])
    for column in ("type", "aliases", "members", "mentions", "units", "positive", "neutral", "negative", "ambiguous"):
        assert whole[column].tolist() == c.rollup[column].tolist(), column
    for column in ("score", "ci_low", "ci_high"):
        assert np.allclose(whole[column], c.rollup[column], atol=1e-12, equal_nan=True), column
    assert [[e["sentence"] for e in ev] for ev in whole["evidence"]] == [
        [e["sentence"] for e in ev] for ev in c.rollup["evidence"]]


def test_progress_bars_count_records_of_the_total_and_mention_rows(capsys):
    analyze_corpus(FIXTURES / "corpus.jsonl", n_topics=2, n_boot=20, progress=True)
    err = capsys.readouterr().err
    records = count_records(FIXTURES / "corpus.jsonl")
    assert f"{records}/{records}" in err and "articles" in err and "mention rows" in err


def test_articles_and_quotes_live_on_disk_and_are_written_as_they_were_held(tmp_path):
    texts = ['"We will not leave, and we never said so," said Prime Minister Ali Zeine of Niger on Monday.',
             'Officials in Washington disagreed. "The talks failed," a spokesman for the State Department said.',
             "No quotation here: Mali and Burkina Faso held talks on trade."]
    path = tmp_path / "quoted.jsonl"
    path.write_text("".join(json.dumps({"id": f"q{i}", "text": t}) + "\n" for i, t in enumerate(texts)))
    analysis = analyze_corpus(path, n_topics=1, n_boot=50, n_jobs=1, chunk_size=1)
    quotes = analysis.quotes
    assert len(quotes) == analysis.n_quotes >= 2 and list(quotes["article"])[:2] == ["q0", "q1"]
    results, _ = analysis.write(tmp_path / "out")
    written = json.loads(results.read_text(encoding="utf-8"))["quotes"]
    assert written == analysis.to_dict()["quotes"] == quotes.to_dict(orient="records")
    assert analysis.to_dict()["quotes"][0] == written[0]  # a real list for callers, not a stream
    expected = quotes.to_csv(index=False, float_format="%.2f", lineterminator="\n")
    assert (tmp_path / "out" / "quotes.csv").read_text(encoding="utf-8") == expected
    articles = analysis.articles
    assert list(articles["id"]) == ["q0", "q1", "q2"] == [a["id"] for a in analysis.to_dict()["articles"]]
    assert json.loads(results.read_text(encoding="utf-8"))["articles"] == articles.to_dict(orient="records")
    assert list(articles.columns)[-1] == "topic" and analysis.n_articles == 3
    expected = articles.to_csv(index=False, float_format="%.2f", lineterminator="\n")
    assert (tmp_path / "out" / "articles.csv").read_text(encoding="utf-8") == expected


def test_coded_strings_come_back_in_order():
    from workbench.corpus.chunks import Coded

    coded = Coded()
    assert list(coded.values()) == []
    coded.extend(["BBC", "", "AP"])
    coded.extend([])
    coded.extend(["AP", "BBC"])
    assert list(coded.values()) == ["BBC", "", "AP", "AP", "BBC"] and coded.names == ["BBC", "", "AP"]


def test_row_store_streams_its_rows(tmp_path):
    from workbench._io import write_csv_tables, write_json_atomic
    from workbench.corpus.store import RowStore

    store = RowStore("things", ["name", "n"])
    with pytest.raises(RuntimeError, match="not finished"):
        store.read()
    for part in ({"name": ["a", "b"], "n": [1, 2]}, {"name": [], "n": []}, {"name": ["c,\"d\""], "n": [3]}):
        store.append(pd.DataFrame(part))
    store.close()
    whole = store.read()
    assert whole.to_dict(orient="records") == [{"name": "a", "n": 1}, {"name": "b", "n": 2}, {"name": 'c,"d"', "n": 3}]
    assert pd.concat(list(store.batches(size=2)), ignore_index=True).equals(whole)
    records = store.records()
    assert len(records) == 3 and list(records) == list(records) == whole.to_dict(orient="records")
    extra = {"k": np.array([7, 8, 9])}
    assert [r["k"] for r in store.records(extra=extra)] == [7, 8, 9]
    picked = pd.concat(list(store.batches(size=2, columns=["n"], extra=extra)), ignore_index=True)
    assert picked.to_dict(orient="list") == {"n": [1, 2, 3], "k": [7, 8, 9]}
    write_json_atomic(tmp_path / "r.json", {"rows": records})
    assert json.loads((tmp_path / "r.json").read_text())["rows"] == whole.to_dict(orient="records")
    write_csv_tables(tmp_path / "batches", {"t": store.batches(size=1)})
    write_csv_tables(tmp_path / "whole", {"t": whole})
    assert (tmp_path / "batches" / "t.csv").read_bytes() == (tmp_path / "whole" / "t.csv").read_bytes()

    empty = RowStore("none", ["name", "n"])
    empty.close()
    assert list(empty.read().columns) == ["name", "n"] and not empty.records() and list(empty.records()) == []
    write_json_atomic(tmp_path / "e.json", {"rows": empty.records()})
    assert json.loads((tmp_path / "e.json").read_text()) == {"rows": []}
    write_csv_tables(tmp_path / "empty", {"t": empty.batches()})
    assert (tmp_path / "empty" / "t.csv").read_text() == "name,n\n"


def test_summary_parts_of_a_tally_make_its_tables(corpus_analysis):
    import pickle

    from workbench.corpus.tally import ActorTally, joined

    mentions = corpus_analysis.mentions.drop(columns=["topic"])
    positions = pd.factorize(mentions["article"])[0]
    tally = ActorTally.of_partition(mentions, positions)
    whole = tally.rollup(n_boot=100, seed=0)
    buckets = tally.regroup()
    parts = [pickle.loads(pickle.dumps(tally.summary_part(b))) for b in range(buckets)]  # as sent to a cluster
    halves = joined([p.rollup(n_boot=100, seed=0, bucket=b) for b, p in enumerate(parts)])
    assert halves.drop(columns=["evidence"]).equals(whole.drop(columns=["evidence"]))
    assert halves["evidence"].tolist() == whole["evidence"].tolist() and len(whole) > 2
    assert parts[0].evidence().equals(tally.evidence())
    assert sum(len(t) for p in parts for t in p.unit_tables()) == sum(len(t) for t in tally.unit_tables())
    with pytest.raises(RuntimeError, match="no more"):
        parts[1].add(mentions, positions)


def test_units_on_disk_in_any_number_of_buckets_give_the_same_tables(corpus_analysis, monkeypatch):
    """A corpus's units go to disk and are regrouped into buckets of actors; the tables do
    not depend on that, nor on how many buckets there are."""
    import pickle

    from workbench.compare import compare_groups
    from workbench.corpus import units
    from workbench.corpus.tally import ActorTally

    mentions = corpus_analysis.mentions.drop(columns=["topic"])
    positions = pd.factorize(mentions["article"])[0]
    groups = np.array(["a", "b"] * (positions.max() // 2 + 1), dtype=object)[:positions.max() + 1]

    def tables(tally):
        return (tally.rollup(n_boot=100, seed=0), tally.by_article_value(groups, "group"),
                *compare_groups(tally.unit_tables(), groups, tally.root_names(), n_boot=100, min_units=1))

    in_memory = tables(ActorTally.of_partition(mentions, positions))
    for per_bucket in (1_000_000, 3):
        monkeypatch.setattr(units, "UNITS_PER_BUCKET", per_bucket)
        on_disk = ActorTally(units_on_disk=True)
        for start in range(0, len(mentions), 5):  # partitions of rows (an article may span two: fine here)
            part = mentions.iloc[start:start + 5]
            on_disk.merge(ActorTally.of_partition(part, positions[start:start + 5] - positions[start]),
                          positions[start])
        got = tables(on_disk)
        assert on_disk.regroup() == (2 if per_bucket > 100 else 2 * -(-on_disk._units.count // 6))
        for expected, table in zip(in_memory, got):
            pd.testing.assert_frame_equal(table, expected)
        assert not in_memory[2].empty
        with pytest.raises(TypeError, match="not sent"):
            pickle.dumps(on_disk._units)
