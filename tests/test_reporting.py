
import nbformat
import papermill as pm
import pytest

from workbench import ParameterError
from workbench.reporting import (
    REPORT_NOTEBOOK,
    REPORT_PARAMETERS,
    ensure_kernel,
    normalize_notebook,
    parse_parameter_values,
    render_html,
    report_slug,
    validate_parameters,
)


def test_notebook_parameters_match_the_spec():
    declared = pm.inspect_notebook(str(REPORT_NOTEBOOK))
    spec = {p.name: p.default for p in REPORT_PARAMETERS}
    assert set(declared) == set(spec) | {"results_path"}
    for name, default in spec.items():
        assert eval(declared[name]["default"]) == default, name


def test_validate_fills_defaults():
    params = validate_parameters({"n_topics": 5})
    assert params["n_topics"] == 5 and params["topic_unit"] == "paragraphs" and params["article"] == ""


@pytest.mark.parametrize(
    "values, message",
    [
        ({"n_topic": 3}, "unknown parameter 'n_topic'"),
        ({"n_topics": "five"}, "expects an integer"),
        ({"n_topics": True}, "expects an integer"),
        ({"n_topics": 0}, "at least 1"),
        ({"topic_unit": "words"}, "must be one of"),
        ({"sentiment": "oracle"}, "must be one of"),
        ({"article": 3}, "expects a string"),
    ],
)
def test_validate_rejects(values, message):
    with pytest.raises(ParameterError, match=message):
        validate_parameters(values)


def test_parse_cli_values():
    assert parse_parameter_values([("n_topics", "4"), ("topic_unit", "sentences")]) == {
        "n_topics": 4,
        "topic_unit": "sentences",
    }
    with pytest.raises(ParameterError, match="expects an integer, got 'five'"):
        parse_parameter_values([("n_topics", "five")])
    with pytest.raises(ParameterError, match="unknown parameter"):
        parse_parameter_values([("colour", "red")])


@pytest.mark.parametrize(
    "path, slug",
    [("data/us-niger-troop-withdrawal.txt", "us-niger-troop-withdrawal"), ("x/Élan Vital!.txt", "elan-vital"),
     ("/tmp/???.txt", "article")],
)
def test_report_slug(path, slug):
    assert report_slug(path) == slug


def _executed_like_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["papermill"] = {"start_time": "2026-01-01T00:00:00", "duration": 1.5}
    code = nbformat.v4.new_code_cell("print('x')")
    code.metadata["papermill"] = {"start_time": "t", "duration": 0.1}
    code.metadata["execution"] = {"iopub.status.busy": "t"}
    code.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text="noise"),
        nbformat.v4.new_output("display_data", data={"text/html": "<p>shown &amp; kept</p>"}),
    ]
    params = nbformat.v4.new_code_cell("secret_param = 1")
    params.metadata["tags"] = ["injected-parameters"]
    params.outputs = [nbformat.v4.new_output("stream", name="stdout", text="PARAMS-OUTPUT")]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title <b>"), params, code]
    return nb


def test_normalize_strips_run_metadata():
    nb = normalize_notebook(_executed_like_notebook())
    assert "papermill" not in nb.metadata
    assert [c.id for c in nb.cells] == ["cell-00", "cell-01", "cell-02"]
    assert "papermill" not in nb.cells[2].metadata and "execution" not in nb.cells[2].metadata


def test_render_html_shows_outputs_only():
    html = render_html(normalize_notebook(_executed_like_notebook()), title="A <title>")
    assert "<title>A &lt;title&gt;</title>" in html
    assert "shown &amp; kept" in html
    for absent in ("print(", "secret_param", "PARAMS-OUTPUT", "noise", "<script", "http://", "https://"):
        assert absent not in html, absent


def test_ensure_kernel_points_at_this_python(monkeypatch):
    import sys

    from jupyter_client.kernelspec import KernelSpecManager

    monkeypatch.setenv("JUPYTER_PATH", "")
    ensure_kernel()
    spec = KernelSpecManager().get_kernel_spec("workbench")
    assert spec.argv[0] == sys.executable


def test_corpus_parameters_accept_auto_topics():
    from workbench.reporting import CORPUS_PARAMETERS

    assert parse_parameter_values([("n_topics", "auto")], CORPUS_PARAMETERS) == {"n_topics": "auto"}
    assert validate_parameters({"n_topics": "auto"}, CORPUS_PARAMETERS)["n_topics"] == "auto"
    with pytest.raises(ParameterError, match="expects an integer"):
        parse_parameter_values([("n_topics", "auto")])  # the article report takes an integer


def test_corpus_notebook_parameters_match_the_spec():
    from workbench.reporting import CORPUS_NOTEBOOK, CORPUS_PARAMETERS

    declared = pm.inspect_notebook(str(CORPUS_NOTEBOOK))
    assert set(declared) == {p.name for p in CORPUS_PARAMETERS} | {"results_path"}
    for p in CORPUS_PARAMETERS:
        assert eval(declared[p.name]["default"]) == p.default, p.name


def test_parameter_choices_match_the_code():
    from workbench.analysis import TOPIC_UNITS
    from workbench.ner import NER_BACKENDS
    from workbench.reporting import NER_BACKENDS as REPORT_NER
    from workbench.reporting import SENTIMENT_BACKENDS
    from workbench.reporting import TOPIC_UNITS as REPORT_UNITS
    from workbench.sentiment import SCORERS

    assert REPORT_UNITS == TOPIC_UNITS and SENTIMENT_BACKENDS == tuple(sorted(SCORERS))
    assert REPORT_NER == NER_BACKENDS


def test_normalize_drops_stderr_and_joins_stdout_pieces():
    import nbformat

    from workbench.reporting import normalize_notebook

    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print('a'); print('b')")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a\n"),
                    nbformat.v4.new_output("stream", name="stderr", text="/venv/lib/x.py:1: Warning\n"),
                    nbformat.v4.new_output("stream", name="stdout", text="b\n")]
    nb.cells = [cell]
    outputs = normalize_notebook(nb).cells[0].outputs
    assert [(o["name"], o["text"]) for o in outputs] == [("stdout", "a\nb\n")]


@pytest.mark.slow
def test_verify_passes_while_both_cores_are_busy(tmp_path):
    """The same bytes under load: two processes spin on the CPUs while the report is made
    and while verify re-runs it."""
    import subprocess
    import sys

    from workbench.reporting import run_report, verify_report

    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        folder = run_report(output_dir=tmp_path)
        assert verify_report(folder) == []
    finally:
        for process in busy:
            process.kill()
            process.wait()


def test_analyze_and_analyze_corpus_take_the_notebooks_defaults():
    import inspect

    from workbench.analysis import analyze
    from workbench.corpus import analyze_corpus
    from workbench.reporting import defaults_of

    for function, kind in ((analyze, "article"), (analyze_corpus, "corpus")):
        signature = inspect.signature(function).parameters
        shared = {name: default for name, default in defaults_of(kind).items() if name in signature}
        assert len(shared) >= 6
        for name, default in shared.items():
            if name in ("article", "actors", "scheduler"):
                continue  # "" in a notebook, None in Python: both the shipped file (no cluster)
            assert signature[name].default == default, (kind, name)


def test_a_default_changed_in_the_notebook_changes_the_cli_and_the_checks(tmp_path, monkeypatch, capsys):
    import json

    from workbench import parameters
    from workbench.cli import main

    notebook = json.loads(parameters.NOTEBOOKS["article"].read_text(encoding="utf-8"))
    cell = next(c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", []))
    source = "".join(cell["source"])
    assert "n_topics = 3  # number of TF-IDF/NMF topics" in source
    cell["source"] = source.replace("n_topics = 3  # number of TF-IDF/NMF topics",
                                    "n_topics = 7  # how many themes to look for")
    changed = tmp_path / "article_report.ipynb"
    changed.write_text(json.dumps(notebook), encoding="utf-8")
    monkeypatch.setitem(parameters.NOTEBOOKS, "article", changed)
    parameters.parameters_of.cache_clear()
    try:
        assert parameters.validate_parameters({})["n_topics"] == 7
        with pytest.raises(SystemExit):
            main(["report", "--help"])
        assert "how many themes to look for (default: 7)" in capsys.readouterr().out
    finally:
        parameters.parameters_of.cache_clear()


@pytest.mark.slow
def test_a_plan_made_already_is_not_made_again(tmp_path, monkeypatch):
    from workbench.reporting import planned_report, run
    from workbench.reporting.batch import Job, run_job

    plan = planned_report(None)

    def planned_again(*args, **kwargs):
        raise AssertionError("planned twice")

    monkeypatch.setattr(run, "planned_report", planned_again)
    result = run_job(Job(str(plan[1]), {}, "seed"), str(tmp_path), plan)
    assert result.status == "ok", result.error
    assert (tmp_path / "seed" / "report.html").is_file()
