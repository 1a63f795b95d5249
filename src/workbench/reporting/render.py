"""A report's notebook made steady (no timestamps, ids or stderr) and rendered to one
self-contained HTML page with a table of contents."""

import json
import logging
import re
from html import escape

log = logging.getLogger(__name__)


def normalize_notebook(nb):
    """Strip what changes between runs: papermill/execution metadata, random cell ids."""
    import nbformat

    nb = nbformat.from_dict(json.loads(json.dumps(nb)))  # deep copy
    nb.metadata.pop("papermill", None)
    nb.metadata.pop("widgets", None)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index:02d}"
        for key in ("papermill", "execution", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            cell.outputs = _steady_outputs(cell.outputs, index)
    return nb


def _steady_outputs(outputs: list, index: int) -> list:
    """A cell's outputs without stderr (warnings name the venv's absolute path, and how a
    kernel's streams are cut into outputs depends on timing): stderr text goes to this
    process's log instead, and consecutive stdout pieces become one output."""
    kept: list = []
    for output in outputs:
        if output.get("output_type") == "stream":
            if output.get("name") == "stderr":
                for line in str(output.get("text", "")).strip().splitlines()[:20]:
                    log.warning("report cell %d wrote to stderr: %s", index, line)
                continue
            if kept and kept[-1].get("output_type") == "stream" and kept[-1].get("name") == output.get("name"):
                kept[-1]["text"] += output["text"]
                continue
        kept.append(output)
    return kept


#: Styles of the rendered page; no external font, script or stylesheet.
REPORT_CSS = """
body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; line-height: 1.5;
       color: #1d1d1d; margin: 0; background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 1rem 4rem; }
h1, h2, h3 { line-height: 1.2; } h2 { border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
a.anchor-link { display: none; }
table.wb-table { border-collapse: collapse; font-size: .9rem; margin: .5rem 0; }
table.wb-table th, table.wb-table td { border-bottom: 1px solid #e5e5e5; padding: .25rem .6rem;
       text-align: left; vertical-align: top; }
table.wb-table th { background: #f5f5f5; }
mark { padding: 0 .15em; border-radius: .2em; }
img { max-width: 100%; height: auto; }
nav.toc { background: #f7f7f7; border: 1px solid #e5e5e5; padding: .5rem 1rem; margin: 1rem 0; }
nav.toc ul { margin: .3rem 0; padding-left: 1.2rem; }
@media print { main { max-width: none; } nav.toc { display: none; } h2 { page-break-after: avoid; }
               table, img, figure { page-break-inside: avoid; } a { color: inherit; text-decoration: none; } }
"""


def render_html(nb, *, title: str) -> str:
    """Self-contained HTML of an executed report: outputs and text only, no code."""
    import nbformat
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = {"parameters", "injected-parameters"}
    exporter = HTMLExporter(config=config, template_name="basic")
    exporter.exclude_input = True
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    shown = nbformat.from_dict(json.loads(json.dumps(nb)))
    for cell in shown.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                o for o in cell.get("outputs", [])
                if not (o.get("output_type") == "stream" and o.get("name") == "stderr")
            ]
    body, _ = exporter.from_notebook_node(shown)
    return page_html(title, REPORT_CSS, f"<main>\n{_with_contents(body)}\n</main>\n")


def page_html(title: str, css: str, body: str) -> str:
    """The one page shell of reports and of a batch's index: a self-contained HTML5 page
    with ``css`` inline (``title`` is escaped; ``body`` is HTML already)."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{css}</style>\n</head>\n"
        f"<body>\n{body}</body>\n</html>\n"
    )


_SECTION = re.compile(r'<h2 id="([^"]+)">(.*?)<a class="anchor-link"')


def _with_contents(body: str) -> str:
    """``body`` with a list of links to its sections (h2 headings) before the first one."""
    entries = [(anchor, re.sub(r"<[^>]+>", "", text)) for anchor, text in _SECTION.findall(body)]
    if not entries:
        return body
    items = "".join(f'<li><a href="#{anchor}">{text}</a></li>' for anchor, text in entries)
    toc = f'<nav class="toc" aria-label="Contents"><strong>Contents</strong><ul>{items}</ul></nav>\n'
    at = body.rfind('<div class="cell', 0, body.index("<h2 id="))
    return body[:at] + toc + body[at:]
