"""Command line: ``workbench report``, ``batch``, ``verify``, ``sentiment``, ``actors``,
``kernel``. Thin: parse, call, print one-line errors."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from ._data import display_path, printable
from .errors import WorkbenchError

log = logging.getLogger("workbench")


def _add_verbosity(parser: argparse.ArgumentParser, default) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-v", "--verbose", action="store_true", default=default, help="log progress (info level)")
    group.add_argument("-q", "--quiet", action="store_true", default=default,
                       help="errors only: no warnings, no progress bars")


def _with_verbosity(add_parser):
    """``add_parser`` whose parsers also take -v/-q; their default is SUPPRESS, so a flag
    given before the subcommand is not reset by the subcommand's parser."""
    def add(*args, **kwargs):
        child = add_parser(*args, **kwargs)
        _add_verbosity(child, argparse.SUPPRESS)
        return child
    return add


def _build_parser() -> argparse.ArgumentParser:
    from . import __version__
    from .reporting import NER_BACKENDS, parameters_of

    parser = argparse.ArgumentParser(
        prog="workbench",
        description="News-article research workbench: topics, actors and how each is portrayed.",
    )
    parser.add_argument("--version", action="version", version=f"workbench {__version__}")
    _add_verbosity(parser, False)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser = _with_verbosity(sub.add_parser)  # -v/-q are accepted after any subcommand too

    params = "\n".join(f"  {p.name:<11} {p.help} (default: {p.default!r})" for p in parameters_of("article"))
    params += "\n\ncorpus parameters (with --corpus):\n" + "\n".join(
        f"  {p.name:<11} {p.help} (default: {p.default!r})" for p in parameters_of("corpus") if p.name != "corpus")
    report = sub.add_parser(
        "report",
        help="run the report notebook on one article",
        description="Run notebooks/article_report.ipynb with papermill and write "
        "DIR/<slug>/report.html, report.ipynb and results.json.",
        epilog=f"parameters (-p NAME VALUE):\n{params}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    report.add_argument("article", nargs="?", help="article file (default: the seed article in data/)")
    report.add_argument(
        "--corpus",
        metavar="FILE",
        help="report on a corpus instead: a .jsonl/.csv/.warc(.gz) file or a folder "
        "(runs notebooks/corpus_report.ipynb; parameters below under 'corpus parameters')",
    )
    report.add_argument("-o", "--output-dir", default="reports", metavar="DIR", help="default: reports/")
    report.add_argument("--scheduler", metavar="ADDRESS",
                        help="with --corpus: the per-article work on a Dask distributed scheduler, e.g. "
                        "tcp://host:8786 "
                        "(the same results as on this machine)")
    report.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="set a report parameter (repeatable)",
    )
    report.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    sentiment = sub.add_parser(
        "sentiment",
        help="train or evaluate the per-mention sentiment model",
        description="Train the shipped target-dependent sentiment model on NewsMTSC, or score a scorer on a split.",
    )
    actions = sentiment.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser = _with_verbosity(actions.add_parser)
    train = actions.add_parser(
        "train",
        help="rebuild the shipped model, or fine-tune the neural one (deterministic)",
        description="Train on NewsMTSC train (data/newsmtsc/train.jsonl). linear: write the shipped model file. "
                    "neural (extra [neural]): fine-tune MiniLM on the CPU once per seed (three by default), keep each "
                    "one's best checkpoint on the dev splits, and store the weights in the per-user cache (about 13 "
                    "minutes a seed on 2 cores); members already in the cache are kept, not retrained.",
    )
    train.add_argument(
        "--backend", default="linear", choices=("linear", "neural"), help="model to train (default: linear)"
    )
    train.add_argument(
        "--data", default="train", metavar="FILE", help="training file in NewsMTSC format (default: train)"
    )
    train.add_argument("--dev", action="append", metavar="dev_mt|dev_rw|FILE",
                       help="neural: split(s) that choose the checkpoint (repeatable; default: dev_mt and dev_rw)")
    train.add_argument("--epochs", type=int, default=None, help="neural: training epochs (default: 3)")
    train.add_argument("--seeds", type=int, nargs="+", default=None, metavar="SEED",
                       help="neural: the ensemble members' seeds (default: 0 1 2)")
    train.add_argument("-o", "--output", default=None, metavar="PATH",
                       help="linear: model file (default: data/target_sentiment.npz); "
                            "neural: model folder (default: the cache folder the neural backend loads)")
    evaluate = actions.add_parser(
        "evaluate",
        help="macro-F1, accuracy and confusion matrix on a split",
        description="Score a sentiment backend on a NewsMTSC split or any file in NewsMTSC's JSONL format.",
    )
    evaluate.add_argument("--split", action="append", metavar="dev_mt|dev_rw|FILE",
                          help="split name or NewsMTSC-format file (repeatable; default: dev_mt and dev_rw)")
    evaluate.add_argument("--backend", default="linear", choices=("lexicon", "linear", "neural"),
                          help="sentiment backend (default: linear)")
    evaluate.add_argument("--model", default=None, metavar="PATH",
                          help="model file (linear) or folder (neural) instead of the default one")

    actors = sub.add_parser(
        "actors",
        help="train the name tagger, or score the name and actor finders on a CoNLL file",
        description="The shipped name tagger (data/ner_model.npz) and its evaluation.",
    )
    actor_actions = actors.add_subparsers(dest="action", required=True, metavar="ACTION")
    actor_actions.add_parser = _with_verbosity(actor_actions.add_parser)
    actor_train = actor_actions.add_parser(
        "train", help="rebuild the shipped name tagger (deterministic, about 2 minutes)",
        description="Train the name tagger on a CoNLL-format file (default: CoNLL-2003 English train in "
                    "../shared/data/conll2003/) and write the model file.")
    actor_train.add_argument("--data", default=None, metavar="FILE", help="CoNLL-format training file")
    actor_train.add_argument("-o", "--output", default=None, metavar="PATH", help="default: data/ner_model.npz")
    actor_eval = actor_actions.add_parser(
        "evaluate", help="mention- and entity-level precision/recall per type on a CoNLL file",
        description="Score the name finders (the tagger's own names) and the whole actor finder (its mentions typed "
                    "PER/ORG/LOC) on a CoNLL-format file, on all documents and on those of at least "
                    "--min-sentences sentences.")
    actor_eval.add_argument("file", nargs="?", default=None, metavar="FILE",
                            help="CoNLL-format file (default: CoNLL-2003 dev in ../shared/data/conll2003/)")
    actor_eval.add_argument("--ner", nargs="+", default=["default"], choices=[b for b in NER_BACKENDS if b != "none"],
                            help="name finders to score (default: default)")
    actor_eval.add_argument("--min-sentences", type=int, default=5, metavar="N")

    batch = sub.add_parser(
        "batch",
        help="many reports: articles x a parameter grid, in parallel, with an index page",
        description="Make one report per article and parameter combination in DIR/<slug>/, skipping reports whose "
        "inputs, parameters and code are unchanged, and write DIR/index.html and index.json.",
    )
    batch.add_argument("inputs", nargs="+", metavar="INPUT", help="article files, folders of articles, or corpus files")
    batch.add_argument("--grid", metavar="FILE", help="YAML or JSON file mapping parameter names to lists of values")
    batch.add_argument("-j", "--jobs", type=int, default=1, metavar="N", help="local worker processes (default 1)")
    batch.add_argument("-o", "--output-dir", default="reports", metavar="DIR", help="default: reports/")
    batch.add_argument("-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                       help="a parameter for every run (the grid overrides it)")
    batch.add_argument("--force", action="store_true", help="re-run unchanged reports too")
    batch.add_argument("--scheduler", metavar="ADDRESS", help="run on a Dask distributed scheduler, e.g. tcp://host:8786")
    batch.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                       help="stop a report that runs longer and count it as failed (default: 900; 0: no limit)")
    batch.add_argument("--no-progress", action="store_true", help="hide the progress bar")

    verify = sub.add_parser(
        "verify",
        help="re-run a report and check that every file is identical",
        description="Check a report folder against its manifest.json: every output file unchanged, and a re-run "
        "from the same input and parameters gives identical bytes. Exit 0 if so, 1 with the differing files if not.",
    )
    verify.add_argument("folder", metavar="DIR", help="a report folder (holding manifest.json)")

    sub.add_parser(
        "kernel",
        help="register this environment's Jupyter kernel 'workbench' (make does this)",
        description="Write the kernel spec 'workbench' for this Python into its environment's share/jupyter.",
    )
    return parser


class Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, a scheduler ending the job): unwound like Ctrl-C, so work folders
    are removed and kernels stopped, then reported as terminated (exit status 143)."""


def _interrupted(signum, frame) -> None:
    """Ctrl-C or SIGTERM: silence logging first. Tearing down a running kernel makes papermill,
    nbclient and asyncio log "kernel died" errors with tracebacks; the user asked to stop and
    gets one line ("workbench: interrupted") instead."""
    logging.disable(logging.CRITICAL)
    raise Terminated if signum == signal.SIGTERM else KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``workbench`` command; returns the exit status."""
    # jsonschema (imported by nbformat, so by papermill) compiles an optional IRI grammar,
    # rfc3987-syntax (installed with Jupyter's event schemas), when it is imported: 1.4 s
    # of every report. No notebook schema checks an IRI, so the command does without it.
    sys.modules.setdefault("rfc3987_syntax", None)
    args = _build_parser().parse_args(argv)
    if args.verbose and args.quiet:
        print("workbench: error: -v and -q exclude each other", file=sys.stderr)
        return 2
    level = logging.INFO if args.verbose else logging.ERROR if args.quiet else logging.WARNING
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not args.verbose:  # the extractor's own notes ("discarding data: None") say nothing to a user;
        for name in ("trafilatura", "htmldate", "courlan"):  # what matters is in the page's warnings
            logging.getLogger(name).setLevel(logging.ERROR)
    if args.quiet:
        import warnings

        warnings.simplefilter("ignore")
    previous = {}
    if threading.current_thread() is threading.main_thread():
        previous = {sig: signal.signal(sig, _interrupted) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        return _run(args)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)  # logging stays off after an interrupt: the
            # cancelled kernel task is only collected (and logged) at interpreter exit


def _run(args: argparse.Namespace) -> int:
    try:
        if args.command == "report":
            from .reporting import parameters_of, parse_parameter_values, run_corpus_report, run_report

            progress = not args.no_progress and not args.quiet and sys.stderr.isatty()
            if args.corpus:
                if args.article:
                    raise WorkbenchError("give an article or --corpus, not both")
                params = parse_parameter_values(args.parameter, parameters_of("corpus"))
                if args.scheduler:
                    from ._cluster import check_scheduler, require_dask

                    require_dask()  # before a kernel starts
                    check_scheduler(args.scheduler, timeout=10)
                    params["scheduler"] = args.scheduler
                folder = run_corpus_report(args.corpus, output_dir=args.output_dir, parameters=params,
                                           progress=progress)
            else:
                if args.scheduler:
                    raise WorkbenchError("--scheduler works with --corpus (for many articles use workbench batch)")
                params = parse_parameter_values(args.parameter)
                folder = run_report(args.article, output_dir=args.output_dir, parameters=params, progress=progress)
            print(display_path(folder / "report.html"))
        elif args.command == "batch":
            from .reporting import parse_parameter_values
            from .reporting.batch import DEFAULT_TIME_LIMIT, run_batch

            if args.jobs < 1:
                raise WorkbenchError("--jobs must be at least 1")
            if args.time_limit is not None and not args.time_limit >= 0:
                raise WorkbenchError("--time-limit must be a number of seconds, 0 for none")
            limit = DEFAULT_TIME_LIMIT if args.time_limit is None else (args.time_limit or None)
            results = run_batch(
                args.inputs,
                grid=args.grid,
                parameters=parse_parameter_values(args.parameter),
                output_dir=args.output_dir,
                jobs=args.jobs,
                force=args.force,
                scheduler=args.scheduler,
                progress=not args.no_progress and not args.quiet and sys.stderr.isatty(),
                time_limit=limit,
            )
            failed = [r for r in results if r.status == "failed"]
            for r in failed:
                print(f"workbench: failed: {r.slug} ({display_path(r.article)}): {r.error}", file=sys.stderr)
            counts = {s: sum(r.status == s for r in results) for s in ("ok", "unchanged", "failed")}
            print(f"{len(results)} reports: {counts['ok']} made, {counts['unchanged']} unchanged, "
                  f"{counts['failed']} failed; index: {display_path(Path(args.output_dir) / 'index.html')}")
            return 1 if failed else 0
        elif args.command == "verify":
            from .reporting import verify_report

            problems = verify_report(args.folder)
            for problem in problems:
                print(f"differs: {problem}")
            print(
                f"{display_path(args.folder)}: " + ("identical" if not problems else f"{len(problems)} difference(s)")
            )
            return 1 if problems else 0
        elif args.command == "sentiment":
            _sentiment(args)
        elif args.command == "actors":
            _actors(args)
        elif args.command == "kernel":
            from .reporting import ensure_kernel

            print(ensure_kernel())
    except WorkbenchError as exc:
        print(f"workbench: error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and the like
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as exc:  # a file the command writes: permissions, a full disk, a missing folder
        where = f"{printable(os.fsdecode(exc.filename))}: " if isinstance(exc.filename, (str, bytes)) else ""
        print(f"workbench: error: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except Terminated:
        print("workbench: terminated", file=sys.stderr)
        return 143
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    return 0


def _sentiment(args: argparse.Namespace) -> None:
    from ._data import DEFAULT_MODEL, data_path
    from .sentiment import load_scorer
    from .sentiment.model import TargetSentiment
    from .sentiment.newsmtsc import evaluate, read_newsmtsc, split_path

    if args.action == "train":
        items, labels = read_newsmtsc(split_path(args.data))
        log.info("training on %d targets from %s", len(items), display_path(split_path(args.data)))
        if args.backend == "neural":
            _train_neural(args, items, labels)
            return
        if args.dev or args.epochs is not None or args.seeds is not None:
            raise WorkbenchError("--dev, --epochs and --seeds apply to --backend neural")
        model = TargetSentiment(model=None).fit(items, labels)
        path = model.save(args.output or data_path(DEFAULT_MODEL))
        print(f"wrote {display_path(path)} ({path.stat().st_size:,} bytes, {len(items)} training targets)")
        return
    if args.model and args.backend == "lexicon":
        raise WorkbenchError("--model applies to the linear and neural backends")
    if args.model and args.backend == "neural":
        from .sentiment.ensemble import NeuralEnsemble

        scorer = NeuralEnsemble(model=args.model).ensure_loaded()
    else:
        scorer = TargetSentiment.load(args.model) if args.model else load_scorer(args.backend)
    for split in args.split or ["dev_mt", "dev_rw"]:
        items, labels = read_newsmtsc(split_path(split))
        result = evaluate(scorer, items, labels)
        per_class = "  ".join(f"{k} {v:.1f}" for k, v in result["f1_per_class"].items())
        print(f"{split}: macro-F1 {result['macro_f1']:.2f}  accuracy {result['accuracy']:.2f}  "
              f"(n={result['n']}, backend {args.backend}; F1 {per_class})")
        print(result["confusion"].to_string())
        print()


def _actors(args: argparse.Namespace) -> None:
    from ._data import DEFAULT_NER_MODEL, data_path, project_root
    from .ner.conll import read_conll

    conll = project_root().parent / "shared" / "data" / "conll2003"
    if args.action == "train":
        from .ner import NameTagger

        documents = read_conll(args.data or conll / "train.txt")
        tagger = NameTagger(model=None).fit(documents)
        path = tagger.save(args.output or data_path(DEFAULT_NER_MODEL))
        print(f"wrote {display_path(path)} ({path.stat().st_size:,} bytes, {tagger.info_['n_sentences']:,} "
              f"training sentences)")
        return
    from .actors.evaluate import evaluate

    table = evaluate(args.file or conll / "valid.txt", args.ner, min_sentences=args.min_sentences)
    shown = table.copy()
    for column in ("precision", "recall", "f1", "entity_precision", "entity_recall", "entity_f1"):
        shown[column] = shown[column].map("{:.3f}".format)
    shown["words_per_s"] = shown["words_per_s"].map("{:,.0f}".format)
    print(shown.to_string(index=False))


def _train_neural(args: argparse.Namespace, items, labels) -> None:
    """Fine-tune each member of the neural ensemble, skipping those already in the cache."""
    from .sentiment._items import items_sha256
    from .sentiment.ensemble import NeuralEnsemble
    from .sentiment.neural_parts import DEV_SPLITS
    from .sentiment.newsmtsc import read_newsmtsc, split_path

    dev = {str(split): read_newsmtsc(split_path(split)) for split in args.dev or DEV_SPLITS}
    ensemble = NeuralEnsemble(model=None, seeds=args.seeds or (0, 1, 2),
                              member_params={"epochs": args.epochs} if args.epochs else None)
    train_sha, dev_sha = items_sha256(items, labels), {name: items_sha256(*d) for name, d in dev.items()}
    for seed in ensemble.seeds:
        member = ensemble.member(seed)
        cached = member.trained_before(train_sha, dev_sha)
        if args.output is None and cached is not None:
            print(f"seed {seed}: already trained, kept {display_path(cached)} (delete it to retrain)")
            continue
        if not args.quiet:  # a line even without a terminal: this takes minutes (-v logs each epoch)
            print(f"seed {seed}: fine-tuning on {len(items):,} targets (about 13 minutes on 2 cores)…",
                  file=sys.stderr, flush=True)
        member.fit(items, labels, dev=dev, progress=sys.stderr.isatty() and not args.quiet)
        folder = member.save(None if args.output is None else Path(args.output) / f"seed-{seed}")
        print(f"seed {seed}:")
        print(member.history_.round(2).to_string())
        print(f"kept {member.info_['chosen']}; wrote {display_path(folder)} "
              f"(weights sha256 {member.info_['weights_sha256'][:12]}…, {len(items)} training targets)")


if __name__ == "__main__":
    sys.exit(main())
