"""Wall time of `workbench report` on the seed article against a floor.

The floor is papermill executing an empty notebook on the same kernel: the cost of
starting a kernel that no report can avoid. Also times `analyze()` in-process (the
analysis itself, without kernel or rendering). Prints medians of --runs runs.

    .venv/bin/python benchmarks/bench_report.py --runs 5
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

BIN = Path(sys.executable).parent


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    from workbench.reporting import KERNEL_NAME, ensure_kernel

    ensure_kernel()
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.ipynb"
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell("pass")]
        nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": KERNEL_NAME, "language": "python"}
        nbformat.write(nb, empty)
        floor, report = [], []
        for _ in range(args.runs):  # interleaved, so drift hits both alike
            floor.append(timed([str(BIN / "papermill"), "-k", KERNEL_NAME, "--no-progress-bar", str(empty),
                                str(Path(tmp) / "out.ipynb")]))
            report.append(timed([str(BIN / "workbench"), "report", "-o", str(Path(tmp) / "reports")]))
        in_process = []
        for _ in range(args.runs):
            in_process.append(timed([sys.executable, "-c", "from workbench import analyze; analyze()"]))
        python_floor = [timed([sys.executable, "-c", "pass"]) for _ in range(args.runs)]

    def line(name: str, values: list[float], floor_values: list[float]) -> str:
        med, ref = statistics.median(values), statistics.median(floor_values)
        return (
            f"{name:<44} median {med:6.2f} s  (runs: {', '.join(f'{v:.2f}' for v in values)})  ratio {med / ref:5.2f}x"
        )

    print(f"runs: {args.runs}")
    print(line("papermill, empty notebook (floor)", floor, floor))
    print(line("workbench report, seed article", report, floor))
    print(line("python -c pass (floor)", python_floor, python_floor))
    print(line("python -c 'analyze()' (import + analysis)", in_process, python_floor))


if __name__ == "__main__":
    main()
