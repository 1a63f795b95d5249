"""Batch runs, the index page, Dask, manifest and verify (real kernels: slow)."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbench import InputError, ParameterError
from workbench.cli import main
from workbench.reporting.batch import plan_jobs, read_grid, run_batch

from .conftest import ROOT, SEED_PATH, LocalDaskCluster

WORKBENCH = Path(sys.executable).with_name("workbench")
SECOND = ROOT / "data" / "examples" / "sahel-security-briefing.txt"


def test_grid_files(tmp_path):
    (tmp_path / "g.yaml").write_text("topic_unit: [paragraphs, sentences]\nn_topics: [2, 3]\n")
    assert read_grid(tmp_path / "g.yaml") == [
        {"n_topics": 2, "topic_unit": "paragraphs"}, {"n_topics": 2, "topic_unit": "sentences"},
        {"n_topics": 3, "topic_unit": "paragraphs"}, {"n_topics": 3, "topic_unit": "sentences"}]
    (tmp_path / "g.json").write_text('{"n_topics": 4}')
    assert read_grid(tmp_path / "g.json") == [{"n_topics": 4}]
    assert read_grid(None) == [{}]
    (tmp_path / "bad.yaml").write_text("- just\n- a list\n")
    with pytest.raises(InputError, match="maps parameter names"):
        read_grid(tmp_path / "bad.yaml")


def test_plan_names_each_combination_and_checks_parameters():
    jobs = plan_jobs([SEED_PATH, SECOND], [{"n_topics": 2}, {"n_topics": 3}])
    assert [j.slug for j in jobs] == [
        "us-niger-troop-withdrawal--n_topics-2", "us-niger-troop-withdrawal--n_topics-3",
        "sahel-security-briefing--n_topics-2", "sahel-security-briefing--n_topics-3"]
    with pytest.raises(ParameterError, match="unknown parameter"):
        plan_jobs([SEED_PATH], [{"n_topic": 2}])
    with pytest.raises(ParameterError, match="same report folder"):
        plan_jobs([SEED_PATH, SEED_PATH], [{}])


@pytest.fixture(scope="module")
def batch_dir(tmp_path_factory):  # noqa: D401
    """5 articles (one broken) x a 2-value grid, with 2 workers."""
    root = tmp_path_factory.mktemp("batch")
    inputs = root / "in"
    inputs.mkdir()
    shutil.copy(SEED_PATH, inputs / "a-seed.txt")
    shutil.copy(SECOND, inputs / "b-sahel.txt")
    (inputs / "c-short.txt").write_text("Short note\n\nThe US and France met in Paris. Both praised the talks.\n")
    (inputs / "d-html.html").write_text("<h1>Page</h1><p>Russia <script>alert(1)</script>criticised NATO.</p>")
    (inputs / "e-broken.txt").write_bytes(b"\x00\x01\x02 binary, not an article")
    (root / "grid.yaml").write_text("n_topics: [1, 2]\n")
    out = root / "reports"
    run = subprocess.run([str(WORKBENCH), "batch", str(inputs), "--grid", str(root / "grid.yaml"), "-j", "2",
                          "-o", str(out)], capture_output=True, text=True)
    return out, run


@pytest.mark.slow
def test_batch_makes_every_report_and_reports_the_broken_one(batch_dir):
    out, run = batch_dir
    assert run.returncode == 1  # one input failed
    assert "10 reports: 8 made, 0 unchanged, 2 failed" in run.stdout
    assert run.stderr.count("workbench: failed: e-broken") == 2 and "Traceback" not in run.stderr
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders == sorted(f"{s}--n_topics-{k}" for s in ("a-seed", "b-sahel", "c-short", "d-html") for k in (1, 2))
    for folder in folders:
        assert {"manifest.json", "report.html", "report.ipynb", "results.json"} <= {
            p.name for p in (out / folder).iterdir()
        }
    index = json.loads((out / "index.json").read_text())["reports"]
    assert len(index) == 10
    broken = [r for r in index if r["slug"].startswith("e-broken")]
    assert all(r["status"] == "failed" and "binary" in r["error"] for r in broken)
    seed = [r for r in index if r["slug"] == "a-seed--n_topics-2"][0]
    assert seed["title"] == "US agrees to withdraw US troops from Niger" and seed["top_actors"][0] == "United States"
    html = (out / "index.html").read_text()
    assert 'href="a-seed--n_topics-2/report.html"' in html and "failed" in html
    assert "http://" not in html and "https://" not in html
    assert "<script>alert" not in (out / "d-html--n_topics-1" / "report.html").read_text()


@pytest.mark.slow
def test_rerun_skips_unchanged_and_force_reruns(batch_dir):
    out, _ = batch_dir
    inputs = out.parent / "in"
    grid = out.parent / "grid.yaml"
    before = (out / "a-seed--n_topics-1" / "report.html").stat().st_mtime_ns
    results = run_batch([inputs], grid=grid, output_dir=out)
    assert sorted({r.status for r in results}) == ["failed", "unchanged"]
    assert (out / "a-seed--n_topics-1" / "report.html").stat().st_mtime_ns == before
    (inputs / "c-short.txt").write_text("Short note\n\nThe US and France met in Paris. Both condemned the talks.\n")
    results = {r.slug: r.status for r in run_batch([inputs / "c-short.txt"], grid=grid, output_dir=out)}
    assert results == {"c-short--n_topics-1": "ok", "c-short--n_topics-2": "ok"}
    forced = run_batch([inputs / "a-seed.txt"], parameters={"n_topics": 1}, output_dir=out, force=True)
    assert [r.status for r in forced] == ["ok"]


@pytest.mark.slow
def test_verify_passes_then_names_the_changed_file(batch_dir, capsys):
    out, _ = batch_dir
    folder = out / "b-sahel--n_topics-2"
    assert main(["verify", str(folder)]) == 0
    assert "identical" in capsys.readouterr().out
    data = bytearray((folder / "results.json").read_bytes())
    data[20] = ord("X") if data[20] != ord("X") else ord("Y")
    (folder / "results.json").write_bytes(bytes(data))
    assert main(["verify", str(folder)]) == 1
    out_text = capsys.readouterr().out
    assert "results.json: changed since the report was made" in out_text
    with pytest.raises(InputError, match="manifest"):
        from workbench.reporting import verify_report

        verify_report(out / "no-such-report")


@pytest.mark.slow
def test_batch_on_a_local_dask_cluster(tmp_path):
    with LocalDaskCluster() as cluster:
        cluster.add_workers(2)
        results = run_batch([SEED_PATH, SECOND], output_dir=tmp_path, scheduler=cluster.address)
        assert [r.status for r in results] == ["ok", "ok"]
        local = run_batch([SEED_PATH], output_dir=tmp_path / "local")
        assert local[0].status == "ok"
        same = tmp_path / "us-niger-troop-withdrawal"
        assert (same / "report.html").read_bytes() == (tmp_path / "local" / same.name / "report.html").read_bytes()
