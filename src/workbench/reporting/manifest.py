"""What a report was made from (``manifest.json``: input, parameters, notebook, data files,
versions, the sha256 of every output), and :func:`verify_report`, which checks a report
against it."""

import hashlib
import json
import logging
import os
import platform
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from .._data import (
    DEFAULT_ACTORS,
    DEFAULT_MODEL,
    DEFAULT_NER_MODEL,
    GAZETTEER,
    NER_LEXICON,
    data_path,
    display_path,
)
from .._folders import (
    MANIFEST,
    MAX_MANIFEST_BYTES,
)
from .._io import canonical_json, read_user_file, sha256_unchanged_file
from ..errors import InputError

log = logging.getLogger(__name__)


_VERSIONED = ("workbench", "papermill", "nbconvert", "nbformat", "ipykernel", "pandas", "numpy", "scikit-learn",
              "scipy", "matplotlib", "vaderSentiment", "pyarrow", "trafilatura")


@lru_cache(maxsize=1)
def _versions() -> tuple[tuple[str, str | None], ...]:
    from importlib import metadata

    found = [("python", platform.python_version())]
    for name in _VERSIONED:
        try:
            found.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            found.append((name, None))
    return tuple(found)


def _sha256_input(path: Path) -> str:
    """sha256 of a file, or of a folder's files (names and contents, sorted)."""
    if path.is_dir():
        digest = hashlib.sha256()
        for f in sorted(x for x in path.rglob("*") if x.is_file()):
            digest.update(f"{f.relative_to(path).as_posix()}\0{sha256_unchanged_file(f)}\n".encode())
        return digest.hexdigest()
    return sha256_unchanged_file(path)


def build_manifest(kind: str, source: Path, parameters: dict, notebook) -> dict:
    """What a report was made from; its ``fingerprint`` changes when any of it changes."""
    data = {name: sha256_unchanged_file(data_path(name)) for name in (DEFAULT_ACTORS, GAZETTEER, DEFAULT_MODEL,
                                                                     DEFAULT_NER_MODEL, NER_LEXICON)
            if data_path(name).is_file()}
    if parameters.get("actors"):
        if Path(parameters["actors"]).is_file():  # a missing one is reported by the run's own checks
            data["actors (parameter)"] = sha256_unchanged_file(Path(parameters["actors"]))
        parameters = dict(parameters, actors=display_path(parameters["actors"]))
    versions = dict(_versions())
    made_from = {
        "kind": kind,
        "input": {"path": display_path(source), "sha256": _sha256_input(source)},
        "parameters": parameters,
        "notebook": {"path": display_path(notebook), "sha256": sha256_unchanged_file(Path(notebook))},
        "data": data,
        "versions": versions,
    }
    fingerprint = hashlib.sha256(canonical_json(made_from).encode()).hexdigest()
    return dict(made_from, fingerprint=fingerprint)


def read_manifest(folder: str | os.PathLike[str]) -> dict:
    """The manifest of a report folder.

    Raises:
        InputError: the folder has no readable ``manifest.json``.
    """
    path = Path(folder) / MANIFEST
    shown = display_path(path)
    try:
        raw = read_user_file(path, what="a report manifest", max_bytes=MAX_MANIFEST_BYTES)
        manifest = json.loads(raw.decode("utf-8"))
    except InputError as exc:
        raise InputError(f"{shown}: no readable report manifest ({str(exc).removeprefix(shown + ': ')})") from None
    except (ValueError, RecursionError) as exc:
        raise InputError(f"{shown}: no readable report manifest ({exc.__class__.__name__})") from None
    problem = manifest_problem(manifest)
    if problem:
        raise InputError(f"{shown}: not a workbench report manifest ({problem})")
    return manifest


_OUTPUT_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$")


def manifest_problem(manifest: Any) -> str:
    """What is wrong with a parsed manifest, or "" (names of outputs must be plain file
    names: a tampered ``../x`` would make verify read outside the folder)."""
    if not isinstance(manifest, dict):
        return "not a JSON object"
    if manifest.get("kind") not in ("article", "corpus"):
        return "field kind must be article or corpus"
    for key in ("input", "parameters", "outputs"):
        if not isinstance(manifest.get(key), dict):
            return f"field {key} must be an object"
    if not isinstance(manifest["input"].get("path"), str):
        return "field input.path must be a string"
    if not isinstance(manifest["parameters"].get("actors", ""), str):
        return "field parameters.actors must be a string"
    if not isinstance(manifest.get("fingerprint"), str):
        return "field fingerprint must be a string"
    for name, digest in manifest["outputs"].items():
        if not _OUTPUT_NAME.match(name) or ".." in name or not isinstance(digest, str):
            return f"output name {name[:60]!r} is not a plain file name with a digest"
    return ""
