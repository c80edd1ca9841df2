"""The search grammar on a real SQLite store: date filters on the published date, `until:`,
`-word`, `sort:date`, a words-free `since:` listing, and unreadable filters refused in one line.

Regressions from issue 10: `since:` used the ingest date for undated papers (2023 papers under
`since:2026-01-01`), dropped a bad date silently, and `since:DATE` alone found nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from recommender.domain import InvalidInputError, Paper
from storage.db import connect
from storage.papers import PaperStore

NOW = datetime(2026, 3, 1, tzinfo=UTC)


def paper(pid: str, title: str, published: date | None, abstract: str = "") -> Paper:
    return Paper(pid, title, abstract or title, published=published, ingested_at=NOW)


@pytest.fixture
def store() -> PaperStore:
    papers = PaperStore(connect(":memory:"))
    papers.upsert(
        [
            paper("2301.00001", "Graph diffusion for molecules", date(2023, 5, 1)),
            paper("t:undated000000001", "Graph diffusion without a date", None),
            paper("2512.00002", "Video diffusion at scale", date(2025, 12, 31)),
            paper("2601.00003", "Graph transformers", date(2026, 1, 15)),
            paper("2602.00004", "Diffusion policies for robots", date(2026, 2, 20)),
        ],
        NOW,
    )
    return papers


def ids(results: list[Paper]) -> list[str]:
    return [p.paper_id for p in results]


def test_since_uses_the_published_date_not_the_ingest_date(store: PaperStore) -> None:
    assert ids(store.search("diffusion since:2026-01-01")) == ["2602.00004"]


def test_an_unreadable_date_is_refused_in_one_line(store: PaperStore) -> None:
    for query in ("diffusion since:yesterday", "since:2026-13", "until:soon graph", "since:"):
        with pytest.raises(InvalidInputError) as caught:
            store.search(query)
        assert "\n" not in str(caught.value) and "2025-06-01" in str(caught.value)


def test_since_alone_lists_recent_papers_newest_first(store: PaperStore) -> None:
    assert ids(store.search("since:2025-12")) == ["2602.00004", "2601.00003", "2512.00002"]


def test_until_includes_the_whole_period(store: PaperStore) -> None:
    assert set(ids(store.search("diffusion until:2025"))) == {"2512.00002", "2301.00001"}
    assert ids(store.search("since:2025 until:2025")) == ["2512.00002"]
    assert ids(store.search("until:2025-12")) == ["2512.00002", "2301.00001"]


def test_since_after_until_is_refused(store: PaperStore) -> None:
    with pytest.raises(InvalidInputError, match="after"):
        store.search("graph since:2026 until:2025")


def test_minus_word_excludes(store: PaperStore) -> None:
    assert set(ids(store.search("diffusion -graph"))) == {"2512.00002", "2602.00004"}
    assert set(ids(store.search('graph -"graph diffusion"'))) == {"2601.00003"}
    assert ids(store.search("since:2025-12 -robots")) == ["2601.00003", "2512.00002"]


def test_sort_date_puts_the_newest_first(store: PaperStore) -> None:
    assert ids(store.search("diffusion sort:date")) == [
        "2602.00004",
        "2512.00002",
        "2301.00001",
        "t:undated000000001",
    ]
    with pytest.raises(InvalidInputError, match="sort:date"):
        store.search("diffusion sort:best")


def test_a_hyphen_inside_a_word_is_not_an_exclusion(store: PaperStore) -> None:
    assert "2601.00003" in ids(store.search("graph-transformers"))
