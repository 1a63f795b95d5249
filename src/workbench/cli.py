"""Command line: ``workbench report``, ``workbench kernel``. Thin: parse, call, print one-line errors."""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Sequence

from ._data import display_path
from .errors import WorkbenchError

log = logging.getLogger("workbench")


def _build_parser() -> argparse.ArgumentParser:
    from .reporting import REPORT_PARAMETERS

    parser = argparse.ArgumentParser(
        prog="workbench",
        description="News-article research workbench: topics, actors and how each is portrayed.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress (info level)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    params = "\n".join(f"  {p.name:<11} {p.help} (default: {p.default!r})" for p in REPORT_PARAMETERS)
    report = sub.add_parser(
        "report",
        help="run the report notebook on one article",
        description="Run notebooks/article_report.ipynb with papermill and write "
        "DIR/<slug>/report.html, report.ipynb and results.json.",
        epilog=f"parameters (-p NAME VALUE):\n{params}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("article", nargs="?", help="article file (default: the seed article in data/)")
    report.add_argument("-o", "--output-dir", default="reports", metavar="DIR", help="default: reports/")
    report.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="set a report parameter (repeatable)",
    )
    report.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    sub.add_parser(
        "kernel",
        help="register this environment's Jupyter kernel 'workbench' (make does this)",
        description="Write the kernel spec 'workbench' for this Python into its environment's share/jupyter.",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``workbench`` command; returns the exit status."""
    args = _build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "report":
            from .reporting import parse_parameter_values, run_report

            params = parse_parameter_values(args.parameter)
            folder = run_report(
                args.article,
                output_dir=args.output_dir,
                parameters=params,
                progress=not args.no_progress and sys.stderr.isatty(),
            )
            print(display_path(folder / "report.html"))
        elif args.command == "kernel":
            from .reporting import ensure_kernel

            print(ensure_kernel())
    except WorkbenchError as exc:
        print(f"workbench: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
