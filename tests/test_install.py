"""A plain install: the wheel carries the data and notebooks, and works from any folder."""
import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from .conftest import ROOT


@pytest.mark.slow
def test_a_wheel_installs_into_a_fresh_venv_and_reports_from_an_empty_folder(tmp_path):
    dist = tmp_path / "dist"
    source = tmp_path / "source"  # a clone: the build sees what a fresh clone has, not local leftovers
    if (ROOT / ".git").exists():
        subprocess.run(["git", "clone", "-q", str(ROOT), str(source)], check=True, capture_output=True)
    else:
        source = ROOT
    try:
        import build  # noqa: F401 - the dev extra brings it
        command = [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(source)]
    except ImportError:
        command = [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-w", str(dist)]
    built = subprocess.run(command, capture_output=True, text=True)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    wheel = next(dist.glob("workbench-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"workbench/data/us-niger-troop-withdrawal.txt", "workbench/data/target_sentiment.npz",
            "workbench/data/ner_model.npz", "workbench/data/actors.json", "workbench/data/gazetteer.json",
            "workbench/notebooks/article_report.ipynb", "workbench/notebooks/corpus_report.ipynb"} <= names

    fresh = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(fresh)], check=True)
    python = fresh / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index", "-q",
                    str(wheel)], check=True, capture_output=True)
    # The dependencies come from this environment (no package index here): its site-packages
    # as a plain path, so its .pth files (an editable workbench among them) are not read.
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    (Path(purelib) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = dict(os.environ, JUPYTER_PATH=str(Path(sys.prefix) / "share" / "jupyter"))  # nbconvert's templates
    env.pop("WORKBENCH_DATA", None)
    empty = tmp_path / "anywhere"
    empty.mkdir()
    workbench = fresh / "bin" / "workbench"

    def run(*args):
        done = subprocess.run([str(workbench), *args], cwd=empty, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    where = subprocess.run([str(python), "-c", "import workbench; print(workbench.__file__)"], cwd=empty,
                           capture_output=True, text=True).stdout
    assert where.startswith(str(fresh))
    assert run("--version").startswith("workbench ")
    run("report", "-o", "out", "--no-progress")
    seed = json.loads((empty / "out" / "us-niger-troop-withdrawal" / "results.json").read_text())
    assert seed["article"]["title"] == "US agrees to withdraw US troops from Niger"
    assert seed["article"]["source"] == "data/us-niger-troop-withdrawal.txt"  # not the venv's path
    (empty / "court.txt").write_text("Court clears Smith\n\nA London court cleared Mr John Smith on Monday. "
                                     "Judge Anne Lee said the Serious Fraud Office had no case against Mr Smith.\n")
    run("report", "court.txt", "-o", "out", "--no-progress")
    manifest = json.loads((empty / "out" / "court" / "manifest.json").read_text())
    assert manifest["input"]["path"] == "court.txt" and manifest["notebook"]["path"] == "notebooks/article_report.ipynb"
    notebook = (empty / "out" / "court" / "report.ipynb").read_text()
    assert str(tmp_path) not in notebook and '"name": "stderr"' not in notebook
