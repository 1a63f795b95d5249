"""Corpus mode: many articles through the same pipeline, topics fitted across them.

A corpus is a JSONL file (one JSON object per line), a CSV file (header row), a
web-archive file (``.warc`` or ``.warc.gz``: each HTML response one article) or a
folder of ``.txt``/``.md``/``.html`` files. Each record needs ``text``; ``id``,
``title``, ``date`` (ISO 8601) and ``source`` are optional. A web page gives its own
title, date (else the crawl's date) and site name (else its host) as ``source``, and
its URL as the field ``url``. A malformed record is reported with its line (record
number, or file) and skipped, or, with ``strict=True``, rejected: never dropped silently.

:func:`analyze_corpus` streams: records are read a partition at a time and analysed in
worker processes (or on a Dask cluster); each partition comes back as per-article
summaries, its mention rows (appended to a Parquet file), its actor statistics
(:mod:`.tally`) and its topic-term counts, merged in input order, so no text and no
mention table is held in memory.
"""
from __future__ import annotations

from .analysis import CorpusAnalysis, analyze_corpus
from .readers import CORPUS_SUFFIXES, Record, Skipped, count_records, folder_articles, is_corpus_file, read_corpus
from .tally import merged_names

__all__ = ["Record", "Skipped", "read_corpus", "folder_articles", "analyze_corpus", "CorpusAnalysis",
           "CORPUS_SUFFIXES", "is_corpus_file", "merged_names", "count_records"]
