"""The sha256 of every output file of a seed report, a corpus report, a web-page report
and a batch, as one sorted listing: run it before and after a change that should change
no output byte, and compare (`diff`).

    .venv/bin/python benchmarks/output_digests.py > before.txt   # on the old commit
    .venv/bin/python benchmarks/output_digests.py > after.txt    # on the new one
    diff before.txt after.txt && echo identical

Everything runs through the `workbench` command in a temporary folder (the seed article,
tests/fixtures/corpus.jsonl and two_sources.jsonl, tests/fixtures/web/news_page.html, and a
batch of the seed and the second example article over a two-value grid).
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKBENCH = Path(sys.executable).with_name("workbench")


def run(*args: str, cwd: Path) -> None:
    result = subprocess.run([str(WORKBENCH), *args], cwd=cwd, capture_output=True, text=True)
    if result.returncode:
        sys.exit(f"workbench {' '.join(args)} failed: {result.stderr.strip()}")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        fixtures = ROOT / "tests" / "fixtures"
        run("report", "-o", "reports", cwd=out)
        run("report", str(fixtures / "web" / "news_page.html"), "-o", "reports", cwd=out)
        for corpus in ("corpus.jsonl", "two_sources.jsonl"):
            run("report", "--corpus", str(fixtures / corpus), "-o", "reports", "-p", "n_topics", "2", cwd=out)
        inputs = out / "inputs"
        inputs.mkdir()
        shutil.copy(ROOT / "data" / "us-niger-troop-withdrawal.txt", inputs)
        shutil.copy(ROOT / "data" / "examples" / "sahel-security-briefing.txt", inputs)
        (out / "grid.yaml").write_text("n_topics: [2, 3]\n", encoding="utf-8")
        run("batch", "inputs", "--grid", "grid.yaml", "-o", "batch", "-j", "2", cwd=out)
        for path in sorted(p for p in out.rglob("*") if p.is_file()):
            print(hashlib.sha256(path.read_bytes()).hexdigest(), path.relative_to(out).as_posix())


if __name__ == "__main__":
    main()
