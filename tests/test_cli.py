"""The command line: help, and bad input turned into one line and a non-zero exit."""
import pytest

from workbench.cli import main


def test_help_lists_parameters(capsys):
    with pytest.raises(SystemExit) as info:
        main(["report", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "-p NAME VALUE" in out and "n_topics" in out and "topic_unit" in out


@pytest.mark.parametrize(
    "setup, message",
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: d, "is a directory"),
        (lambda d: _write(d / "empty.txt", b""), "empty"),
        (lambda d: _write(d / "space.txt", b"   \n\n  "), "empty"),
        (lambda d: _write(d / "binary.dat", bytes(range(256))), "binary"),
        (lambda d: _write(d / "latin.txt", "Niamey café".encode("latin-1")), "not valid UTF-8"),
    ],
)
def test_bad_article_one_line_error_and_nothing_written(tmp_path, capsys, setup, message):
    out_dir = tmp_path / "out"
    code = main(["report", str(setup(tmp_path)), "-o", str(out_dir)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("workbench: error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out_dir.exists() or not any(out_dir.iterdir())


@pytest.mark.parametrize(
    "args, message",
    [
        (["-p", "n_topic", "3"], "unknown parameter 'n_topic'"),
        (["-p", "n_topics", "five"], "expects an integer, got 'five'"),
        (["-p", "topic_unit", "words"], "must be one of"),
        (["-p", "actors", "/nonexistent/actors.json"], "actor dictionary not found"),
    ],
)
def test_bad_parameters_fail_before_running(tmp_path, capsys, args, message):
    code = main(["report", "-o", str(tmp_path / "out"), *args])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def _write(path, data):
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "args, message",
    [
        (["--corpus", "/nonexistent/corpus.jsonl"], "no such corpus"),
        (["--corpus", "tests/fixtures/corpus.jsonl", "-p", "strict", "1"], "corpus.jsonl:3"),
        (
            ["--corpus", "tests/fixtures/corpus.jsonl", "-p", "topic_unit", "sentences"],
            "unknown parameter 'topic_unit'",
        ),
        (["article.txt", "--corpus", "tests/fixtures/corpus.jsonl"], "not both"),
    ],
)
def test_bad_corpus_runs_fail_before_running(tmp_path, capsys, args, message, monkeypatch):
    from .conftest import ROOT

    monkeypatch.chdir(ROOT)
    code = main(["report", "-o", str(tmp_path / "out"), *args])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_version(capsys):
    from workbench import __version__

    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0 and capsys.readouterr().out == f"workbench {__version__}\n"


@pytest.mark.parametrize("argv", [["-v", "report", "MISSING"], ["report", "-v", "MISSING"], ["report", "MISSING", "-q"],
                                  ["sentiment", "evaluate", "-q", "--split", "MISSING"],
                                  ["actors", "evaluate", "MISSING", "-v"]])
def test_verbosity_flags_go_anywhere(tmp_path, capsys, argv):
    argv = [str(tmp_path / "missing.txt") if a == "MISSING" else a for a in argv]
    assert main(argv) == 2
    assert "no such" in capsys.readouterr().err


def test_verbose_and_quiet_exclude_each_other(capsys):
    assert main(["-v", "report", "x.txt", "-q"]) == 2
    assert "exclude each other" in capsys.readouterr().err


def test_scheduler_without_the_dask_extra_is_one_line(tmp_path, capsys, monkeypatch):
    import builtins

    from .conftest import SEED_PATH

    real_import = builtins.__import__

    def no_distributed(name, *args, **kwargs):
        if name == "distributed" or name.startswith("distributed."):
            raise ImportError("No module named 'distributed'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_distributed)
    code = main(["batch", str(SEED_PATH), "--scheduler", "tcp://127.0.0.1:1", "-o", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "pip install 'workbench[dask]'" in err, err
    code = main(["report", "--corpus", str(tmp_path), "--scheduler", "tcp://127.0.0.1:1", "-o", str(tmp_path)])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and "pip install 'workbench[dask]'" in err, err


def test_scheduler_is_for_corpus_reports(capsys):
    assert main(["report", "x.txt", "--scheduler", "tcp://127.0.0.1:1"]) == 2
    assert "--scheduler works with --corpus" in capsys.readouterr().err


def test_the_command_does_without_jsonschemas_iri_grammar():
    """rfc3987-syntax compiles ~40 parsers when imported (1.4 s of every report); the
    command keeps jsonschema (via nbformat and papermill) from importing it, and notebooks
    still validate."""
    import subprocess
    import sys

    code = ("import sys; from workbench.cli import main\n"
            "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
            "import nbformat, papermill\n"
            "nbformat.validate(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1')]))\n"
            "print(sys.modules['rfc3987_syntax'] is None)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "True"
