"""Verifying a report: its files against the sha256 in its manifest, and the report made
again from the same input and parameters, file by file."""

import logging
import os
import shutil
from pathlib import Path

from .._data import (
    resolve_path,
)
from .._folders import (
    MANIFEST,
    locked_folder,
)
from .._io import sha256_file
from .manifest import read_manifest
from .run import run_corpus_report, run_report

log = logging.getLogger(__name__)


def verify_report(folder: str | os.PathLike[str]) -> list[str]:
    """Re-run the report in ``folder`` from its manifest; return the problems found.

    An empty list means every output file is unchanged since it was made and the re-run
    gives identical bytes. Otherwise each entry names a file and what differs.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    problems = []
    for name, digest in sorted(manifest["outputs"].items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif sha256_file(path) != digest:
            problems.append(f"{name}: changed since the report was made")
    params = dict(manifest["parameters"])
    source = resolve_path(manifest["input"]["path"])
    if params.get("actors"):
        params["actors"] = str(resolve_path(params["actors"]))
    tmp, lock = locked_folder(folder.parent, ".verify.wbtmp-")
    try:
        if manifest["kind"] == "corpus":
            params.pop("corpus", None)
            rerun = run_corpus_report(source, output_dir=tmp, parameters=params, slug="rerun")
        else:
            article = params.pop("article", "")
            rerun = run_report(resolve_path(article) if article else None, output_dir=tmp, parameters=params,
                               slug="rerun")
        fresh = read_manifest(rerun)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        os.close(lock)
    if fresh["fingerprint"] != manifest["fingerprint"]:
        changed = [k for k in ("input", "parameters", "notebook", "data", "versions") if fresh[k] != manifest[k]]
        problems.append(f"manifest: made from different {', '.join(changed)} now")
    for name, digest in sorted(manifest["outputs"].items()):
        if name == MANIFEST:
            continue
        if fresh["outputs"].get(name) != digest:
            problems.append(f"{name}: a re-run gives different bytes")
    return problems
