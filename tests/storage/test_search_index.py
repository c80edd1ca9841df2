"""The search index (storage/textindex.py) follows the papers table: a paper inserted or
changed after a search is found by the next one, the index on disk survives a restart and is
rebuilt when deleted, and a second process holding the index's writer lock does not stop search.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import tantivy

from recommender.domain import Paper
from storage import textindex
from storage.db import connect
from storage.papers import PaperStore
from storage.textindex import SCHEMA

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def titles(store: PaperStore, query: str) -> list[str]:
    return [p.title for p in store.search(query)]


def test_inserted_and_updated_papers_are_found_by_the_next_search() -> None:
    store = PaperStore(connect(":memory:"))
    store.upsert([Paper("2601.00001", "Graph transformers")], NOW)
    assert titles(store, "graph") == ["Graph transformers"]
    store.upsert([Paper("2601.00002", "Graph kernels")], NOW)  # same clock: a new rowid
    assert sorted(titles(store, "graph")) == ["Graph kernels", "Graph transformers"]
    store.upsert([Paper("2601.00001", "Hypergraph transformers")], NOW + timedelta(hours=1))
    assert titles(store, "hypergraph") == ["Hypergraph transformers"]
    assert titles(store, "graph") == ["Graph kernels"]  # the old title is gone from the index


def test_the_index_on_disk_survives_a_restart_and_is_rebuilt_when_deleted(tmp_path: Path) -> None:
    path = tmp_path / "papers.db"
    PaperStore(connect(path)).upsert([Paper("2601.00001", "Sparse attention")], NOW)
    assert titles(PaperStore(connect(path)), "attention") == ["Sparse attention"]
    assert (tmp_path / "papers.db.search" / "synced.json").exists()
    shutil.rmtree(tmp_path / "papers.db.search")
    textindex._FILES.clear()  # what a new process starts with
    assert titles(PaperStore(connect(path)), "attention") == ["Sparse attention"]


def test_search_answers_while_another_process_holds_the_writer(tmp_path: Path) -> None:
    path = tmp_path / "papers.db"
    store = PaperStore(connect(path))
    store.upsert([Paper("2601.00001", "Sparse attention")], NOW)
    assert titles(store, "attention") == ["Sparse attention"]
    other = tantivy.Index(SCHEMA, path=str(tmp_path / "papers.db.search"))
    writer = other.writer(heap_size=15_000_000, num_threads=1)  # holds the lock
    store.upsert([Paper("2601.00002", "Linear attention")], NOW + timedelta(hours=1))
    assert titles(store, "attention") == ["Sparse attention"]  # what the index has
    del writer
    assert sorted(titles(store, "attention")) == ["Linear attention", "Sparse attention"]
