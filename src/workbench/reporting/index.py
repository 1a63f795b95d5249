"""The index page of a batch (``index.html``, sortable, self-contained) and its
machine-readable twin (``index.json``)."""
from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from html import escape
from pathlib import Path

from .._data import display_path
from .._io import canonical_json, write_text_atomic
from .render import page_html

__all__ = ["write_index"]

log = logging.getLogger(__name__)


#: The index page's stylesheet (the page shell is the reports' own, :func:`~.render.page_html`).
INDEX_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 2rem; color: #1d1d1d; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { border-bottom: 1px solid #e5e5e5; padding: .3rem .6rem; text-align: left; vertical-align: top; }
th { background: #f5f5f5; cursor: pointer; } th:after { content: " ⇅"; color: #aaa; }
td.failed { color: #b00020; font-weight: bold; } td.ok { color: #2e7d32; }
"""


def write_index(output_dir: Path, results: Sequence) -> Path:
    """``index.html`` (sortable, self-contained) and ``index.json`` listing every report
    (``results``: the batch's :class:`~workbench.reporting.batch.JobResult` objects)."""
    rows = []
    for r in results:
        entry = {"slug": r.slug, "article": display_path(r.article), "parameters": r.parameters,
                 "status": "failed" if r.status == "failed" else "ok", "error": r.error, "cell": r.cell_index,
                 "title": "", "top_actors": []}
        results_file = output_dir / r.slug / "results.json"
        if entry["status"] == "ok" and results_file.is_file():
            data = json.loads(results_file.read_text(encoding="utf-8"))
            entry["title"] = data["article"]["title"]
            entry["top_actors"] = [a["actor"] for a in data.get("actors_rollup", [])[:3]]  # article reports only
        rows.append(entry)
    write_text_atomic(output_dir / "index.json", canonical_json({"reports": rows}))
    body = "".join(
        "<tr>"
        + (f'<td><a href="{escape(e["slug"])}/report.html">{escape(e["slug"])}</a></td>' if e["status"] == "ok"
           else f"<td>{escape(e['slug'])}</td>")
        + f"<td>{escape(e['title'])}</td>"
        + f"<td>{escape(', '.join(f'{k}={v}' for k, v in sorted(e['parameters'].items())))}</td>"
        + f'<td class="{e["status"]}">{e["status"]}</td>'
        + f"<td>{escape(', '.join(e['top_actors']))}</td>"
        + f"<td>{escape(e['error'])}</td></tr>"
        for e in rows
    )
    ok = sum(e["status"] == "ok" for e in rows)
    html = page_html("Workbench reports", INDEX_CSS, f"""<h1>Workbench reports</h1>
<p>{len(rows)} reports: {ok} ok, {len(rows) - ok} failed. Click a column header to sort.</p>
<table id="reports">
<thead><tr><th>report</th><th>title</th><th>parameters</th><th>status</th><th>top actors</th><th>error</th></tr></thead>
<tbody>
{body}
</tbody>
</table>
<script>
document.querySelectorAll("#reports th").forEach(function (th, col) {{
  th.addEventListener("click", function () {{
    var body = document.querySelector("#reports tbody");
    var rows = Array.prototype.slice.call(body.rows);
    var up = th.dataset.order !== "asc";
    rows.sort(function (a, b) {{
      var x = a.cells[col].textContent, y = b.cells[col].textContent;
      return up ? x.localeCompare(y) : y.localeCompare(x);
    }});
    th.dataset.order = up ? "asc" : "desc";
    rows.forEach(function (r) {{ body.appendChild(r); }});
  }});
}});
</script>
""")
    return write_text_atomic(output_dir / "index.html", html)
