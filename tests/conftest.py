"""Shared fixtures: the shipped seed article and small files written per test."""
from __future__ import annotations

from pathlib import Path

import pytest

from workbench import load_article
from workbench._data import DEFAULT_ARTICLE, data_path

ROOT = Path(__file__).resolve().parents[1]
SEED_PATH = data_path(DEFAULT_ARTICLE)


@pytest.fixture(scope="session")
def seed_article():
    return load_article(SEED_PATH)


@pytest.fixture(scope="session")
def seed_analysis(seed_article):
    from workbench import analyze

    return analyze(seed_article)


@pytest.fixture
def write_file(tmp_path):
    """Write bytes or text to a file under tmp_path and return its path."""

    def _write(name: str, content: bytes | str) -> Path:
        path = tmp_path / name
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    return _write
