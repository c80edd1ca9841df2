"""Phrases (issue 13): a two-word phrase is one token of the index's `pairs` field (the two
neighbouring words of a column), so it costs one term instead of reading the positions of every
paper with both words (120+ ms at 1M papers for two common words); a longer phrase is the exact
phrase, read only in the papers that have all its pairs. These pin what a phrase matches, and
that an index written before `pairs` existed is rebuilt rather than searched without it."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tantivy

from recommender.domain import Paper
from storage import textindex
from storage.db import connect
from storage.papers import PaperStore

NOW = datetime(2026, 3, 1, tzinfo=UTC)
LONG = "x" * 45  # over the analyzer's 40 characters: dropped from the index


@pytest.fixture
def store() -> PaperStore:
    papers = PaperStore(connect(":memory:"))
    papers.upsert(
        [
            Paper("p:title", "Graph diffusion models", "We study kernels."),
            Paper("p:apart", "Diffusion on a graph", "A graph, then diffusion."),
            Paper("p:hyphen", "Graph-diffusion kernels", "Kernels."),
            Paper("p:abstract", "Kernels", "Fast graph diffusion, and diffusion models."),
            Paper("p:gap", "Kernels again", f"A graph {LONG} diffusion."),
            Paper("p:columns", "Spectral graph", "Diffusion is slow.", keywords=("kernels",)),
        ],
        NOW,
    )
    return papers


def ids(store: PaperStore, query: str) -> list[str]:
    return [p.paper_id for p in store.search(query, limit=50)]


def test_a_two_word_phrase_finds_the_words_next_to_each_other_in_that_order(
    store: PaperStore,
) -> None:
    assert sorted(ids(store, '"graph diffusion"')) == ["p:abstract", "p:hyphen", "p:title"]
    assert sorted(ids(store, "graph-diffusion")) == ["p:abstract", "p:hyphen", "p:title"]
    assert ids(store, '"diffusion graph"') == []


def test_a_phrase_does_not_span_a_dropped_word_two_columns_or_two_copies_of_the_title(
    store: PaperStore,
) -> None:
    """`p:gap` has a 45-character word between the two; `p:columns` ends its title with
    "graph" and starts its abstract with "diffusion"; `p:apart` repeats its title "Diffusion on
    a graph" in the index, so "graph" of one copy meets "diffusion" of the next (the phrase in
    `text` matched across copies before `pairs`)."""
    found = ids(store, '"graph diffusion"')
    assert "p:gap" not in found and "p:columns" not in found and "p:apart" not in found


def test_a_longer_phrase_is_exact(store: PaperStore) -> None:
    assert ids(store, '"graph diffusion models"') == ["p:title"]  # p:abstract has both pairs
    assert ids(store, '"fast graph diffusion"') == ["p:abstract"]


def test_a_phrase_is_ranked_by_how_often_it_occurs(store: PaperStore) -> None:
    """The title counts 10 times: a phrase in the title ranks above one in the abstract."""
    assert ids(store, '"graph diffusion"')[-1] == "p:abstract"


def test_an_excluded_phrase_leaves_out_only_the_papers_with_the_phrase(store: PaperStore) -> None:
    assert sorted(ids(store, 'diffusion -"graph diffusion"')) == ["p:apart", "p:columns", "p:gap"]
    found = ids(store, 'kernels -"graph diffusion models" -"fast graph diffusion"')
    assert sorted(found) == ["p:columns", "p:gap", "p:hyphen"]


def test_an_index_written_before_pairs_existed_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "papers.db"
    db = connect(path)
    PaperStore(db).upsert([Paper("p:1", "Graph diffusion")], NOW)
    old = tmp_path / "papers.db.search"
    old.mkdir()
    builder = tantivy.SchemaBuilder()  # the layout before `pairs`
    builder.add_unsigned_field("rowid", stored=True, indexed=True, fast=True)
    for name in ("text", "authors"):
        builder.add_text_field(name, stored=False, index_option="position")
    builder.add_integer_field("published", stored=False, indexed=True, fast=True)
    writer = tantivy.Index(builder.build(), path=str(old)).writer(15_000_000, 1)
    document = tantivy.Document()
    document.add_unsigned("rowid", 1)
    document.add_text("text", "graph diffusion")
    writer.add_document(document)
    writer.commit()
    writer.wait_merging_threads()
    del writer
    mark = textindex._latest(db)  # the old index is up to date with the papers
    (old / textindex.STATE_FILE).write_text(json.dumps({"rowid": 1, "updated_at": mark.updated_at}))
    textindex._FILES.clear()  # what a new process starts with
    assert ids(PaperStore(connect(path)), '"graph diffusion"') == ["p:1"]
