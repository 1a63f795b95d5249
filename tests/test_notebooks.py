"""Notebooks: stored clean, and the exploration notebook run on a live Jupyter server."""
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

from workbench.reporting import ensure_kernel

from .conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert {p.name for p in NOTEBOOKS} >= {"article_report.ipynb", "explore.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs, f"{path.name}: a code cell carries outputs; clear them before committing"
            assert cell.execution_count is None, f"{path.name}: a code cell carries an execution count"
    assert nb.metadata["kernelspec"]["name"] == "workbench"


# ------------------------------------------------------------------ live server
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    def __init__(self, port: int, token: str):
        self.base = f"http://127.0.0.1:{port}"
        self.token = token

    def call(self, method: str, path: str, body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            raw = response.read()
            return json.loads(raw) if raw else None


def _execute(ws, session: str, code: str, timeout: float = 120) -> dict:
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "username": "test", "session": session, "msg_type": "execute_request",
                   "version": "5.3"},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True},
    }))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        msg = json.loads(ws.recv())
        if msg.get("parent_header", {}).get("msg_id") == msg_id and msg["msg_type"] == "execute_reply":
            return msg["content"]
    raise TimeoutError(f"no reply within {timeout} s for: {code[:60]}")


@pytest.mark.slow
def test_explore_notebook_on_a_live_jupyter_server(tmp_path):
    websocket = pytest.importorskip("websocket")
    ensure_kernel()  # what `make` does; also puts this venv's kernels first on JUPYTER_PATH
    port, token = _free_port(), secrets.token_hex(16)
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter_server", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False",
         "--ServerApp.allow_root=True",
         f"--ServerApp.root_dir={ROOT}"],
        stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ),
    )
    api = _Server(port, token)
    try:
        for _ in range(120):
            try:
                api.call("GET", "/api/status")
                break
            except OSError:
                time.sleep(0.5)
        else:
            pytest.fail("the Jupyter server did not answer: " + (tmp_path / "server.log").read_text()[-2000:])

        specs = api.call("GET", "/api/kernelspecs")["kernelspecs"]
        assert "workbench" in specs
        assert Path(specs["workbench"]["spec"]["argv"][0]).resolve() == Path(sys.executable).resolve()

        kernel = api.call("POST", "/api/kernels", {"name": "workbench", "path": "notebooks"})
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{port}/api/kernels/{kernel['id']}/channels?token={token}", timeout=120)
        session = uuid.uuid4().hex
        nb = nbformat.read(ROOT / "notebooks" / "explore.ipynb", as_version=4)
        for index, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
            reply = _execute(ws, session, cell.source)
            assert reply["status"] == "ok", f"code cell {index} failed: {reply.get('ename')}: {reply.get('evalue')}"
        ws.close()
        api.call("DELETE", f"/api/kernels/{kernel['id']}")
        assert api.call("GET", "/api/kernels") == []
        api.call("POST", "/api/shutdown")
        assert server.wait(timeout=30) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
        log.close()


def test_notebook_parameters_use_the_cli_rules():
    from workbench import ParameterError
    from workbench.reporting import notebook_parameters

    namespace = {"In": [], "get_ipython": print, "json": json, "article": "", "n_topics": 4, "results_path": "r.json"}
    assert notebook_parameters(namespace)["n_topics"] == 4
    with pytest.raises(ParameterError, match="n_topics expects an integer, got 'abc'"):
        notebook_parameters(dict(namespace, n_topics="abc"))
    with pytest.raises(ParameterError, match="unknown parameter 'n_topicz'"):
        notebook_parameters(dict(namespace, n_topicz=3))
    with pytest.raises(ParameterError, match="strict must be one of 0, 1"):
        notebook_parameters({"corpus": "c.jsonl", "strict": 2}, "corpus")


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if p.name.endswith("_report.ipynb")], ids=lambda p: p.name)
def test_each_report_notebook_checks_its_parameters_first(path):
    nb = nbformat.read(path, as_version=4)
    index = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    assert "notebook_parameters(globals()" in nb.cells[index + 1].source


@pytest.mark.slow
def test_a_direct_papermill_run_with_a_bad_parameter_fails_at_the_check(tmp_path):
    ensure_kernel()
    run = subprocess.run([sys.executable, "-m", "papermill", str(ROOT / "notebooks" / "article_report.ipynb"),
                          str(tmp_path / "out.ipynb"), "-p", "n_topics", "abc", "-k", "workbench"],
                         capture_output=True, text=True)
    assert run.returncode != 0
    assert "ParameterError: parameter n_topics expects an integer, got 'abc'" in run.stderr
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    check = next(i for i, c in enumerate(executed.cells) if "notebook_parameters(globals()" in c.source)
    assert executed.cells[check].outputs and not any(c.get("outputs") for c in executed.cells[check + 1:])
