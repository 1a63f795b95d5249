"""The rendered report in a real headless browser: it renders, requests nothing from
the network, and a screenshot is kept as a test artifact (test-artifacts/)."""
import os
import shutil
import socket
import subprocess
import threading
from pathlib import Path

import pytest

from workbench.reporting import run_report

from .conftest import ROOT

pytestmark = pytest.mark.slow
ARTIFACTS = ROOT / "test-artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--metrics-recording-only", "--no-default-browser-check"]


def _find_chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium; installed with apt-get when missing and we are root."""
    found = _find_chromium()
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.skip("chromium is not installed and cannot be installed here (needs root and apt-get)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    try:
        subprocess.run(["apt-get", "update", "-qq"], check=True, capture_output=True, env=env, timeout=600)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, capture_output=True, env=env,
                       timeout=900)
    except (subprocess.SubprocessError, OSError) as exc:
        pytest.skip(f"chromium could not be installed: {exc.__class__.__name__}")
    found = _find_chromium()
    if not found:
        pytest.skip("chromium could not be installed (apt-get finished without it)")
    return found


class _Trap:
    """A TCP listener posing as the browser's only proxy: it records the host of every
    request and answers none."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hosts: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            conn.settimeout(2)
            try:
                line = conn.recv(400).split(b"\r\n")[0].decode("latin-1")  # "GET http://host/…" or "CONNECT host:443"
            except OSError:
                line = ""
            finally:
                conn.close()
            if " " in line:  # a socket opened speculatively and never used sends nothing: not a request
                target = line.split(" ")[1]
                self.hosts.append(target.split("://")[-1].split("/")[0].split(":")[0])

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


def _browse(chromium: str, page: Path, trap: _Trap, tmp_path: Path, *extra: str) -> subprocess.CompletedProcess:
    args = [chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}",
            f"--proxy-server=http://127.0.0.1:{trap.port}", "--proxy-bypass-list=<-loopback>", *extra, page.as_uri()]
    return subprocess.run(args, capture_output=True, text=True, timeout=120)


def test_report_renders_offline_with_no_network_request(chromium, tmp_path):
    hostile = tmp_path / "hostile.txt"
    hostile.write_text(
        'A <script>document.title="pwned"</script> title\n\n'
        'The US <img src="http://example.com/x.png" onerror="document.title=\'pwned\'"> praised Niger.\n',
        encoding="utf-8",
    )
    pages = [run_report(output_dir=tmp_path / "out") / "report.html",
             run_report(hostile, output_dir=tmp_path / "out") / "report.html"]
    trap = _Trap()
    try:
        # The browser's own housekeeping (update and time checks), from a blank page.
        blank = tmp_path / "blank.html"
        blank.write_text("<html><body><p>blank</p></body></html>")
        _browse(chromium, blank, trap, tmp_path, "--dump-dom", "--virtual-time-budget=3000")
        housekeeping = set(trap.hosts)
        # Control: a page that does ask the network is caught by the trap.
        trap.hosts.clear()
        control = tmp_path / "control.html"
        control.write_text('<html><body><img src="http://example.com/pixel.png"></body></html>')
        _browse(chromium, control, trap, tmp_path, "--dump-dom", "--virtual-time-budget=3000")
        assert "example.com" in trap.hosts, "the network trap did not see the control page's request"
        trap.hosts.clear()
        ARTIFACTS.mkdir(exist_ok=True)
        for page in pages:
            dom = _browse(chromium, page, trap, tmp_path, "--dump-dom", "--virtual-time-budget=3000")
            assert dom.returncode == 0 and "<h1" in dom.stdout
            assert "<title>pwned</title>" not in dom.stdout and "<script" not in dom.stdout  # no article script ran
            assert "Actors and how they are portrayed" in dom.stdout and 'class="toc"' in dom.stdout
            shot = ARTIFACTS / f"{page.parent.name}.png"
            _browse(chromium, page, trap, tmp_path, f"--screenshot={shot}", "--window-size=1200,2000",
                    "--virtual-time-budget=3000")
            assert shot.is_file() and shot.stat().st_size > 10_000
        from_pages = sorted(set(trap.hosts) - housekeeping)
        assert from_pages == [], f"the report pages requested {from_pages}"
    finally:
        trap.close()


def test_the_first_screen_shows_the_headline_and_the_findings(chromium, tmp_path):
    """At 1280×800 the headline and the summary of findings are on the first screen. The
    report has no script; a test page holds it in a 1280×800 frame and measures it."""
    import json
    import re

    report = run_report(output_dir=tmp_path / "out") / "report.html"
    probe = tmp_path / "out" / "us-niger-troop-withdrawal" / "probe.html"
    probe.write_text(
        '<html><body style="margin:0"><iframe id="f" src="report.html" style="width:1280px;height:800px;border:0">'
        "</iframe><script>document.getElementById('f').onload = function () {"
        " var d = this.contentDocument, h = d.querySelector('h1'), s = d.querySelector('.wb-findings');"
        " document.title = JSON.stringify({h1: h ? h.textContent : null,"
        " h1_bottom: h ? h.getBoundingClientRect().bottom"
        " : null, findings_bottom: s ? s.getBoundingClientRect().bottom : null}); };</script></body></html>"
    )
    trap = _Trap()
    try:
        dom = _browse(chromium, probe, trap, tmp_path, "--dump-dom", "--allow-file-access-from-files",
                      "--window-size=1280,800", "--virtual-time-budget=5000")
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / "seed-first-screen.png"
        _browse(chromium, report, trap, tmp_path, f"--screenshot={shot}", "--window-size=1280,800",
                "--virtual-time-budget=3000")
    finally:
        trap.close()
    title = re.search(r"<title>(.*?)</title>", dom.stdout, re.S)
    assert title, dom.stdout[:500]
    seen = json.loads(title.group(1).replace("&quot;", '"'))
    assert seen["h1"] == "US agrees to withdraw US troops from Niger"
    assert 0 < seen["h1_bottom"] < seen["findings_bottom"] <= 800, seen
    assert shot.is_file() and shot.stat().st_size > 10_000
