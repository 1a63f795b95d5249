"""Hostile input: a table of cases, each checked for a one-line message, the exit status,
no traceback, no partial or corrupted report, earlier good reports untouched, and no
article script executable in the HTML."""
import hashlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from workbench import ReportError
from workbench.cli import main
from workbench.reporting import run_report

from .conftest import SEED_PATH

WORKBENCH = Path(sys.executable).with_name("workbench")
GOOD = "us-niger-troop-withdrawal"


def _digests(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """An output folder that already holds one good report."""
    folder = tmp_path_factory.mktemp("hostile") / "reports"
    run_report(output_dir=folder)
    return folder


def _write(path: Path, content) -> Path:
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return path


# (case id, function of tmp_path -> CLI arguments after "report", expected message)
FAILING = [
    ("missing file", lambda d: [str(d / "missing.txt")], "no such file"),
    ("directory", lambda d: [str(d)], "is a directory"),
    ("empty", lambda d: [str(_write(d / "empty.txt", b""))], "empty"),
    ("whitespace only", lambda d: [str(_write(d / "ws.txt", b" \n\t\n  \n"))], "empty"),
    ("binary", lambda d: [str(_write(d / "img.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20))], "binary"),
    ("latin-1", lambda d: [str(_write(d / "l1.txt", "Niamey, café, señor".encode("latin-1")))], "not valid UTF-8"),
    ("50 MB article", lambda d: [str(_write(d / "big.txt", b"The US and Niger met again. " * 1_800_000))],
     "larger than"),
    ("unknown parameter", lambda d: ["-p", "n_topicz", "3"], "unknown parameter 'n_topicz'"),
    ("wrongly typed parameter", lambda d: ["-p", "n_topics", "three"], "expects an integer, got 'three'"),
    ("unwritable output directory", lambda d: ["--output-dir", str(_write(d / "a-file", b"x"))],
     "cannot write reports into"),
]


@pytest.mark.parametrize("case, args, message", FAILING, ids=[c[0] for c in FAILING])
def test_failing_input(out, tmp_path, capsys, case, args, message):
    before = _digests(out)
    argv = ["report", *args(tmp_path)]
    if "--output-dir" not in argv:
        argv += ["--output-dir", str(out)]
    code = main(argv)
    err = capsys.readouterr().err
    assert code != 0
    assert err.startswith("workbench: error: ") and message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert _digests(out) == before  # nothing new, nothing half-written, the good report untouched


def test_a_cell_that_raises(out, tmp_path):
    before = _digests(out)
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("article = ''\nresults_path = 'results.json'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("1 / 0")]
    nb.metadata["kernelspec"] = {"name": "workbench", "display_name": "workbench", "language": "python"}
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nb, broken)
    with pytest.raises(ReportError, match="ZeroDivisionError") as info:
        run_report(output_dir=out, notebook=broken)
    assert "\n" not in str(info.value) and info.value.ename == "ZeroDivisionError"
    assert info.value.cell_index == 2  # 0: injected parameters, 1: parameters, 2: the raising cell
    assert _digests(out) == before


SUCCEEDING = [
    ("utf-16 with BOM", "u16.txt", "Headline\n\nThe US praised Niger.\n".encode("utf-16")),
    ("html with script and onerror", "page.html",
     '<h1>Hi</h1><p>The US <img src=x onerror="alert(1)"> and <script>alert(2)</script> Niger.</p>'
     '<p><a href="javascript:alert(3)">x</a> <iframe src="http://evil.example"></iframe></p>'),
    ("title full of markdown and html", "md.txt",
     '# **Bold** [link](javascript:alert(1)) <img src=x onerror=alert(1)> ![i](http://evil.example/i.png)\n\n'
     "The US <script>alert('body')</script> met Niger's *junta* in `Niamey`.\n"),
]


@pytest.mark.slow
@pytest.mark.parametrize("case, name, content", SUCCEEDING, ids=[c[0] for c in SUCCEEDING])
def test_hostile_but_valid_input(out, tmp_path, capsys, case, name, content):
    before = _digests(out)
    article = _write(tmp_path / name, content)
    assert main(["report", str(article), "--output-dir", str(out)]) == 0
    folder = out / Path(name).stem
    html = (folder / "report.html").read_text(encoding="utf-8")
    lowered = html.lower()
    assert "<script" not in lowered and "<iframe" not in lowered
    assert not re.search(r"<[a-z][^>]*\son\w+\s*=", lowered)  # no live tag carries an event handler
    assert 'href="javascript' not in lowered and "<img src=x" not in lowered and 'src="http' not in lowered
    assert _digests(out / GOOD) == {k.removeprefix(GOOD + "/"): v for k, v in before.items() if k.startswith(GOOD)}
    results = json.loads((folder / "results.json").read_text(encoding="utf-8"))
    assert any(a["actor"] == "United States" for a in results["actors"])


def _started_report(out: Path) -> subprocess.Popen:
    """A seed report run into ``out``, once it has made its hidden work folder."""
    run = subprocess.Popen([str(WORKBENCH), "report", "--output-dir", str(out), "--no-progress"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not any(p.name.startswith(".") for p in out.iterdir()):
        time.sleep(0.05)
    return run


@pytest.mark.slow
def test_interrupted_run_leaves_nothing(out):
    before = _digests(out)
    run = _started_report(out)
    time.sleep(1.0)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode != 0, err
    # Usually "workbench: interrupted"; if the interrupt lands inside the kernel's cell it
    # surfaces as a one-line failed-cell error instead. Never a traceback.
    assert "Traceback" not in err and err.strip().splitlines()[-1].startswith("workbench: "), err
    assert _digests(out) == before and not [p for p in out.iterdir() if p.name.startswith(".")], err


@pytest.mark.slow
def test_two_batches_into_one_folder_at_once(tmp_path):
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("one.txt", "two.txt"):
        (inputs / name).write_bytes(SEED_PATH.read_bytes())
    out = tmp_path / "reports"
    runs = [subprocess.Popen([str(WORKBENCH), "batch", str(inputs), "-o", str(out), "--force", "--no-progress"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [r.communicate(timeout=300) for r in runs]
    assert [r.returncode for r in runs] == [0, 0], results
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "index.json", "one", "two"]
    for name in ("one", "two"):  # each report whole: every file matches its manifest
        manifest = json.loads((out / name / "manifest.json").read_text())
        assert {f: hashlib.sha256((out / name / f).read_bytes()).hexdigest() for f in manifest["outputs"]} \
            == manifest["outputs"]
    assert len(json.loads((out / "index.json").read_text())["reports"]) == 2


# ----------------------------------------------------------------------------------------
# Issue 15: nothing lost, nothing hangs, nothing tracebacks.

def _one_line_error(capsys, code: int, message: str) -> str:
    err = capsys.readouterr().err
    assert code not in (0, None), err
    assert err.startswith("workbench: error: ") and message in err, err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


def _actor_file(d: Path, content) -> Path:
    return _write(d / "actors.json", content if isinstance(content, (str, bytes)) else json.dumps(content))


def _deep(n: int = 100_000) -> str:
    return "[" * n + "]" * n


ACTOR_FILES = [
    (
        "a list as name",
        lambda d: _actor_file(d, {"actors": [{"name": ["x"], "aliases": ["X"]}]}),
        "non-empty string 'name'",
    ),
    ("a dict as name", lambda d: _actor_file(d, {"actors": [{"name": {"a": 1}}]}), "non-empty string 'name'"),
    ("deep nesting", lambda d: _actor_file(d, '{"actors": ' + _deep() + "}"), "nested too deeply"),
    (
        "5000-digit integer",
        lambda d: _actor_file(d, '{"actors": [{"name": "X", "type": ' + "9" * 5000 + "}]}"),
        "not a valid UTF-8 JSON actor dictionary",
    ),
    (
        "alias of 500 characters",
        lambda d: _actor_file(d, {"actors": [{"name": "X", "aliases": ["A" * 500]}]}),
        "longer than 200 characters",
    ),
    (
        '"extends": "false"',
        lambda d: _actor_file(d, {"extends": "false", "actors": [{"name": "X"}]}),
        "'extends' must be true or false",
    ),
    (
        "parent cycle",
        lambda d: _actor_file(d, {"actors": [{"name": "A", "parent": "B"}, {"name": "B", "parent": "A"}]}),
        "parents form a cycle: A → B → A",
    ),
    ("self parent", lambda d: _actor_file(d, {"actors": [{"name": "A", "parent": "A"}]}), "parents form a cycle"),
    ("larger than the limit", lambda d: _actor_file(d, b'{"actors": []}' + b" " * 10_000_001), "larger than"),
    ("a folder", lambda d: (d / "actors-dir").mkdir() or d / "actors-dir", "is a directory"),
]


@pytest.mark.parametrize("case, make, message", ACTOR_FILES, ids=[c[0] for c in ACTOR_FILES])
def test_hostile_actor_file(out, tmp_path, capsys, case, make, message):
    before = _digests(out)
    code = main(["report", "-p", "actors", str(make(tmp_path)), "--output-dir", str(out)])
    _one_line_error(capsys, code, message)
    assert _digests(out) == before


def test_special_files_are_refused_without_reading(out, tmp_path, capsys):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # reading it would block for ever
    for path, message in ((fifo, "not a regular file"), (Path("/dev/zero"), "not a regular file"),
                          (Path("/proc/self/status"), "empty")):
        code = main(["report", str(path), "--output-dir", str(out)])
        _one_line_error(capsys, code, message)
        code = main(["report", "--corpus", str(path), "--output-dir", str(out)])
        assert code == 2 and "Traceback" not in capsys.readouterr().err
    code = main(["report", "-p", "actors", str(fifo), "--output-dir", str(out)])
    _one_line_error(capsys, code, "not a regular file")


def test_huge_and_out_of_range_parameters(out, capsys):
    for args, message in ((["-p", "n_boot", "100000000"], "n_boot must be at most 100,000"),
                          (["-p", "seed", "9" * 4000], "seed must be at most"),
                          (["-p", "seed", "9" * 5000], "expects an integer"),
                          (["-p", "n_topics", "100000"], "n_topics must be at most 1,000")):
        _one_line_error(capsys, main(["report", *args, "--output-dir", str(out)]), message)


@pytest.mark.parametrize("kind", ["folder", "file", "symlink"])
def test_a_report_never_replaces_what_is_not_a_report(tmp_path, capsys, kind):
    article = _write(tmp_path / "notes.txt", "Notes\n\nThe US and Niger met.\n")
    target = tmp_path / "out" / "notes"
    target.parent.mkdir()
    if kind == "folder":
        target.mkdir()
        (target / "thesis.docx").write_bytes(b"years of work")
    elif kind == "file":
        target.write_bytes(b"years of work")
    else:
        (tmp_path / "elsewhere").mkdir()
        target.symlink_to(tmp_path / "elsewhere")
    before = _digests(tmp_path)
    code = main(["report", str(article), "--output-dir", str(tmp_path / "out")])
    _one_line_error(capsys, code, "is not a workbench report is in the way")
    assert _digests(tmp_path) == before and (target.is_symlink() or target.exists())
    assert not [p for p in target.parent.iterdir() if p.name.startswith(".")]


def _fake_report(folder: Path, marker: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"fingerprint": marker, "outputs": {}}))
    return folder


def test_stale_work_folders_are_cleaned_and_a_half_swapped_report_restored(tmp_path):
    from workbench._folders import clean_stale_folders, locked_folder

    _fake_report(tmp_path / ".seed.wbold-abcdefgh" / "seed", "old")  # died between the two renames
    (tmp_path / ".other.wbtmp-12345678").mkdir()  # died while running: kernel sockets and all
    (tmp_path / ".other.wbtmp-12345678" / "kernel.sock").write_bytes(b"")
    live, lock = locked_folder(tmp_path, ".live.wbtmp-")  # a run still going
    (tmp_path / ".my-own-hidden-folder").mkdir()  # not ours: never touched
    try:
        removed = clean_stale_folders(tmp_path)
        assert removed == [".other.wbtmp-12345678", ".seed.wbold-abcdefgh"]
        assert json.loads((tmp_path / "seed" / "manifest.json").read_text())["fingerprint"] == "old"
        assert live.is_dir() and (tmp_path / ".my-own-hidden-folder").is_dir()
    finally:
        os.close(lock)
    assert clean_stale_folders(tmp_path) == [live.name]  # once its run has ended


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2 exchange", "two renames"])
def test_the_swap_keeps_a_whole_report_at_its_path(tmp_path, monkeypatch, exchange):
    from workbench import _folders as folders

    if not exchange:
        monkeypatch.setattr(folders, "_exchange", lambda a, b: False)
    dst = _fake_report(tmp_path / "seed", "old")
    new = _fake_report(tmp_path / ".seed.wbtmp-abcdefgh", "new")
    folders.replace_dir(new, dst)
    assert json.loads((dst / "manifest.json").read_text())["fingerprint"] == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["seed"]

    # The process dies after the old report was moved aside: the next run puts it back.
    monkeypatch.setattr(folders, "_exchange", lambda a, b: False)
    newer = _fake_report(tmp_path / ".seed.wbtmp-bcdefghi", "newer")
    real_rename = os.rename

    def die_on_second_rename(src, dst_path):
        if Path(src) == newer:
            raise KeyboardInterrupt  # as SIGKILL would, but in-process
        return real_rename(src, dst_path)

    monkeypatch.setattr(folders.os, "rename", die_on_second_rename)
    with pytest.raises(KeyboardInterrupt):
        folders.replace_dir(newer, dst)
    monkeypatch.setattr(folders.os, "rename", real_rename)
    # the interrupted swap put the old one back itself (its finally); a SIGKILL would leave it
    # in the .wbold- folder, which clean_stale_folders restores (the test above)
    assert json.loads((dst / "manifest.json").read_text())["fingerprint"] == "new"


def test_disk_full_while_writing_keeps_the_earlier_report(out, monkeypatch):
    from workbench.reporting import run as reporting  # where a report run writes its files

    before = _digests(out)
    real = reporting.write_text_atomic

    def full_disk(path, text):
        if Path(path).name == "report.html":
            raise OSError(28, "No space left on device", str(path))
        return real(path, text)

    monkeypatch.setattr(reporting, "write_text_atomic", full_disk)
    with pytest.raises(ReportError, match="No space left on device") as info:
        run_report(output_dir=out)
    assert "\n" not in str(info.value)
    assert _digests(out) == before and not [p for p in out.iterdir() if p.name.startswith(".")]


def test_verify_refuses_a_tampered_or_malformed_manifest(out, tmp_path, capsys):
    import shutil

    for name, manifest, message in (
            ("dotdot", {"kind": "article", "input": {"path": "x"}, "parameters": {}, "fingerprint": "f",
                        "outputs": {"../../etc/passwd": "0" * 64}}, "not a plain file name"),
            ("list", [1, 2], "not a JSON object"),
            ("no kind", {"outputs": {}}, "field kind"),
            ("deep", None, "no readable report manifest")):
        folder = tmp_path / name
        shutil.copytree(out / GOOD, folder)
        (folder / "manifest.json").write_text(_deep(50_000) if manifest is None else json.dumps(manifest))
        _one_line_error(capsys, main(["verify", str(folder)]), message)


GRIDS = [
    ("null key", "~: [1, 2]\n", "parameter names must be strings"),
    ("mixed keys", "1: [1]\nn_topics: [2]\n", "parameter names must be strings"),
    ("ten by nine", "".join(f"p{i}: [{', '.join(map(str, range(9)))}]\n" for i in range(10)),
     "3,486,784,401 combinations"),
    ("billion laughs", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n", "aliases"),
    ("not UTF-8", b"n_topics: [\xff]\n", "not UTF-8"),
    ("deep JSON", None, "nested too deeply"),
]


@pytest.mark.parametrize("case, grid, message", GRIDS, ids=[g[0] for g in GRIDS])
def test_hostile_grid(tmp_path, capsys, case, grid, message):
    path = tmp_path / ("grid.json" if grid is None else "grid.yaml")
    _write(path, _deep() if grid is None else grid)
    out = tmp_path / "reports"
    code = main(["batch", str(SEED_PATH), "--grid", str(path), "-o", str(out)])
    _one_line_error(capsys, code, message)
    assert not out.exists() or not any(out.iterdir())


def test_a_long_grid_value_gives_a_bounded_folder_name():
    from workbench.reporting.batch import plan_jobs

    jobs = plan_jobs([SEED_PATH], [{"actors": ""}, {"actors": "x" * 400 + ".json"}])
    assert all(len(j.slug) <= 120 for j in jobs) and len({j.slug for j in jobs}) == 2


def test_a_refused_batch_leaves_earlier_inputs_alone(tmp_path, capsys):
    corpus = _write(tmp_path / "c.jsonl", '{"id": "1", "text": "The US and Niger met."}\n')
    out = tmp_path / "reports"
    inputs = out / "_inputs" / "c"
    inputs.mkdir(parents=True)
    _write(inputs / "c-1.txt", "an earlier report's input\n")
    code = main(["batch", str(corpus), "-p", "n_topicz", "2", "-o", str(out)])
    _one_line_error(capsys, code, "unknown parameter")
    assert (inputs / "c-1.txt").read_text() == "an earlier report's input\n"


def test_two_corpora_without_ids_plan_apart(tmp_path):
    from workbench.reporting.batch import _expanded, plan_jobs

    for name in ("a", "b"):
        _write(tmp_path / f"{name}.csv", "text\nThe US and Niger met.\nFrance praised the talks.\n")
    articles, records = _expanded([tmp_path / "a.csv", tmp_path / "b.csv"], tmp_path / "out")
    slugs = [j.slug for j in plan_jobs(articles, [{}])]
    assert slugs == ["a-2", "a-3", "b-2", "b-3"] and not (tmp_path / "out").exists()


def _jsonl(tmp_path: Path, lines: list[str]) -> Path:
    return _write(tmp_path / "c.jsonl", "\n".join(lines) + "\n")


def test_hostile_corpus_records_are_skipped_with_reasons_or_refused(tmp_path, capsys):
    from workbench.corpus import read_corpus

    good = '{"id": "ok", "text": "The US and Niger met."}'
    lines = [good,
             '{"id": "deep", "text": "x", "extra": ' + _deep(100_000) + "}",
             '{"id": "int", "text": "x", "n": ' + "9" * 5000 + "}",
             '{"id": "surrogate", "text": "The US \\ud800 met."}',
             '{"id": "nul", "text": "The US\\u0000 met."}',
             '{"id": {"a": 1}, "text": "x"}']
    skipped = []
    records = list(read_corpus(_jsonl(tmp_path, lines), skipped=skipped))
    assert [r.id for r in records] == ["ok"]
    reasons = [s.reason for s in skipped]
    assert reasons == ["not a usable record (JSON nested too deeply)",
                       reasons[1], "field text is not valid Unicode (a lone surrogate such as \\ud800)",
                       "field text contains NUL characters (binary data, not text)",
                       "field id must be a string or a number, not a JSON dict"]
    assert reasons[1].startswith("not a usable record (Exceeds the limit")
    for line in lines[1:]:
        code = main(["report", "--corpus", str(_jsonl(tmp_path, [good, line])), "-p", "strict", "1",
                     "-o", str(tmp_path / "out")])
        err = _one_line_error(capsys, code, "c.jsonl:2: ")
        assert "notebook failed" not in err  # refused before a kernel starts


def test_csv_with_a_byte_order_mark_keeps_its_id_column(tmp_path):
    from workbench.corpus import read_corpus

    path = _write(tmp_path / "c.csv", "\ufeffid,text\nfirst,The US and Niger met.\n".encode("utf-8"))
    assert [r.id for r in read_corpus(path)] == ["first"]


def test_links_out_of_a_corpus_folder_are_not_followed(tmp_path):
    from workbench.corpus import read_corpus
    from workbench.reporting.batch import expand_inputs

    secret = _write(tmp_path / "secret.txt", "Private\n\nMy bank password is hunter2.\n")
    folder = tmp_path / "corpus"
    folder.mkdir()
    _write(folder / "a.txt", "Title\n\nThe US and Niger met.\n")
    (folder / "b.txt").symlink_to(secret)
    (folder / "c.txt").symlink_to(folder / "a.txt")  # inside the folder: fine
    os.mkfifo(folder / "d.txt")
    skipped = []
    assert [r.id for r in read_corpus(folder, skipped=skipped)] == ["a", "c"]
    assert [s.reason for s in skipped] == ["a link to a file outside the folder (not followed)",
                                           "not a regular file (a pipe, device or socket)"]
    assert [p.name for p in expand_inputs([folder], tmp_path / "out")] == ["a.txt", "c.txt"]


def test_hostile_sentiment_files(tmp_path, capsys):
    import numpy as np

    from workbench._io import write_npz_atomic
    from workbench.sentiment import TargetSentiment

    model = TargetSentiment.load("default")
    arrays = {"columns": np.array([1, 2], dtype=np.int32), "weights": np.zeros((3, 2), dtype=np.float32),
              "intercept": np.zeros(3, dtype=np.float32), "labels": np.array(["negative", "neutral", "positive"]),
              "info": np.array(json.dumps({k: v for k, v in model.info_.items() if k not in ("file", "file_sha256")}))}
    cases = {
        "nan.npz": dict(arrays, weights=np.full((3, 2), np.nan, dtype=np.float32)),
        "shape.npz": dict(arrays, weights=np.zeros((2, 7), dtype=np.float32)),
        "negative.npz": dict(arrays, columns=np.array([-5, 2], dtype=np.int32)),
        "bits.npz": dict(arrays, info=np.array(json.dumps({"format": model.info_["format"],
                                                           "params": {"n_bits": 99, "window": 6, "max_iter": 1}}))),
        "info.npz": dict(arrays, info=np.array("[1, 2]")),
    }
    for name, content in cases.items():
        write_npz_atomic(tmp_path / name, content)
        code = main(["sentiment", "evaluate", "--model", str(tmp_path / name), "--split", "dev_mt"])
        _one_line_error(capsys, code, name)
    _write(tmp_path / "garbage.npz", b"PK\x03\x04 not really a zip")
    _one_line_error(capsys, main(["sentiment", "evaluate", "--model", str(tmp_path / "garbage.npz")]), "garbage.npz")
    for content, message in ((b"\xff\xfe\x00binary", "not valid UTF-8"), (_deep(100_000), "line 1"),
                             ('{"sentence_normalized": 5, "targets": []}', "line 1")):
        path = _write(tmp_path / "split.jsonl", content)
        err = _one_line_error(capsys, main(["sentiment", "evaluate", "--split", str(path)]), "split.jsonl")
        assert message in err, err
    blocker = _write(tmp_path / "a-file", b"x")
    code = main(["sentiment", "train", "--data", "dev_mt", "-o", str(blocker / "model.npz")])
    _one_line_error(capsys, code, "a-file")


def test_non_utf8_file_names_are_one_line_or_a_report(tmp_path, capsys):
    name = os.fsdecode(b"caf\xe9-missing.txt")
    code = main(["report", str(tmp_path / name), "--output-dir", str(tmp_path / "out")])
    _one_line_error(capsys, code, "caf\\xe9-missing.txt: no such file")


def test_a_non_utf8_file_name_is_one_line_and_inside_a_corpus_folder_an_escaped_id(tmp_path, capsys):
    from workbench.corpus import read_corpus

    path = tmp_path / os.fsdecode(b"caf\xe9.txt")
    path.write_bytes(SEED_PATH.read_bytes())
    code = main(["report", str(path), "-o", str(tmp_path / "out")])
    _one_line_error(capsys, code, "the file name is not valid UTF-8; rename the file")
    assert [r.id for r in read_corpus(tmp_path)] == ["caf\\xe9"]


@pytest.mark.slow
def test_sigterm_is_handled_like_ctrl_c(out):
    before = _digests(out)
    run = _started_report(out)
    run.send_signal(signal.SIGTERM)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 143 and err == "workbench: terminated\n", err
    assert _digests(out) == before and not [p for p in out.iterdir() if p.name.startswith(".")], err


def _stays_linear(text: str) -> None:
    from workbench import views
    from workbench.actors import find_quotes
    from workbench.loading import article_from_text

    article = article_from_text(text)
    assert article.body
    find_quotes(article, {"start": [], "end": [], "actor": [], "root": []})
    views.article_html(article)


def _patterns():
    from benchmarks.bench_pathological import PATTERNS

    return PATTERNS


@pytest.mark.parametrize("name", list(_patterns()))
def test_text_paths_are_linear_on_a_million_characters(name):
    """Splitting sentences, finding quotes and drawing the article on 1 M characters of one
    pattern (quadratic paths took minutes here; see benchmarks/bench_pathological.py)."""
    unit = _patterns()[name]
    _stays_linear((unit * (1_000_000 // len(unit) + 1))[:1_000_000] + " end")


@pytest.mark.slow
def test_finding_actors_is_linear_on_pathological_text():
    from workbench import views
    from workbench.actors import ActorMatcher, find_quotes
    from workbench.loading import article_from_text

    matcher = ActorMatcher.from_file(None)
    for unit in _patterns().values():
        article = article_from_text((unit * (200_000 // len(unit) + 1))[:200_000] + " end")
        mentions = matcher.find(article)
        find_quotes(article, mentions)
        views.article_html(article, mentions)


@pytest.mark.slow
def test_a_300_kb_run_on_sentence_reports_in_under_1_gb(tmp_path):
    """ "US " × 100,000: 100,000 mentions in one sentence (more than 20 GB before)."""
    article = _write(tmp_path / "us.txt", "US " * 100_000)
    probe = ("import resource, subprocess, sys; "
             "run = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
             "print(run.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
             "print(run.stderr, file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", probe, str(WORKBENCH), "report", str(article), "-o",
                          str(tmp_path / "out"), "--no-progress"], capture_output=True, text=True)
    code, peak_kb = map(int, run.stdout.split())
    assert code == 0, run.stderr
    assert peak_kb < 1024 * 1024, f"peak {peak_kb / 1024:.0f} MB"
    assert json.loads((tmp_path / "out" / "us" / "results.json").read_text())["actors"][0]["mentions"] == 100_000


def _quick(x):
    return x * 2


def _hang(x):
    time.sleep(10_000)


def _die(x):
    os.kill(os.getpid(), signal.SIGKILL)


def _raise(x):
    raise ValueError(f"bad {x}")


def _call(fn, x):
    return fn(x)


def test_one_hanging_or_dying_run_fails_alone():
    from workbench.reporting.processes import run_in_processes

    got = []
    tasks = [(_quick, 1), (_hang, 2), (_die, 3), (_quick, 4), (_raise, 5)]
    run_in_processes(_call, tasks, jobs=3, time_limit=2, failed=lambda task, why: (task[1], why), done=got.append)
    assert sorted(got, key=str) == sorted([2, 8, (2, "stopped after the per-run limit of 2 s"),
                                           (3, "the worker process died (killed by signal 9; out of memory?)"),
                                           (5, "ValueError: bad 5")], key=str)


@pytest.mark.slow
def test_a_batch_run_past_its_time_limit_fails_and_the_index_is_written(tmp_path):
    from workbench.reporting.batch import run_batch

    results = run_batch([SEED_PATH], output_dir=tmp_path, time_limit=0.001)
    assert [(r.status, r.error) for r in results] == [("failed", "stopped after the per-run limit of 0.001 s")]
    index = json.loads((tmp_path / "index.json").read_text())["reports"]
    assert index[0]["status"] == "failed"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.html", "index.json"]
