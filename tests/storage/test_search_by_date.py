"""Newest first (`sort:date`, and a listing of date filters alone) (issue 13): the index asks the
last 8 days first, then the 64 before, and sorts every match only when those do not fill the
limit (a search sorted by date visits every match: 140 ms at 1M papers). Whatever the windows,
the answer must be the one a full sort gives: these compare it with the papers sorted in Python,
for limits the first window fills, that need both windows and that need the full sort."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from recommender.domain import Paper
from storage import textindex
from storage.db import connect
from storage.papers import PaperStore

NOW = datetime(2026, 3, 1, tzinfo=UTC)
NEWEST = date(2026, 2, 28)


@pytest.fixture(scope="module")
def store() -> PaperStore:
    """A paper every 3 days for 3 years back from NEWEST: even ones about `graph`, every
    seventh older than a year about `kernel`; one undated `graph` paper. Titles differ (the
    same title is the same paper)."""
    papers = [
        Paper(
            f"p:{i:04d}",
            " ".join(["graph"] * (i % 2 == 0) + ["kernel"] * (i % 7 == 0 and i > 122) + [f"n{i}"]),
            published=NEWEST - timedelta(days=3 * i),
            ingested_at=NOW,
        )
        for i in range(365)
    ]
    papers.append(Paper("p:undated", "graph undated", ingested_at=NOW))
    store = PaperStore(connect(":memory:"))
    store.upsert(papers, NOW)
    return store


def newest_first(store: PaperStore, word: str, since: date, until: date) -> list[str]:
    """What the search must answer, by sorting the papers in Python."""
    rows = store.db.query(
        "SELECT paper_id, published FROM papers WHERE title LIKE ? ORDER BY published DESC",
        [f"%{word}%"],
    )
    return [
        r["paper_id"]
        for r in rows
        if r["published"] and since.isoformat() <= r["published"][:10] <= until.isoformat()
    ]


@pytest.mark.parametrize("limit", [1, 2, 10, 30, 200])
def test_newest_first_is_the_full_sort_whatever_the_limit(store: PaperStore, limit: int) -> None:
    expected = newest_first(store, "graph", date.min, date.max) + ["p:undated"]
    found = [p.paper_id for p in store.search("graph sort:date", limit=limit)]
    assert found == expected[:limit]


@pytest.mark.parametrize("limit", [1, 10, 60])
def test_matches_older_than_the_windows_are_found(store: PaperStore, limit: int) -> None:
    expected = newest_first(store, "kernel", date.min, date.max)
    found = [p.paper_id for p in store.search("kernel sort:date", limit=limit)]
    assert found == expected[:limit]


def test_until_and_since_bound_the_newest_first(store: PaperStore) -> None:
    since, until = date(2024, 1, 1), date(2025, 3, 1)
    expected = newest_first(store, "graph", since, until)
    found = [p.paper_id for p in store.search("graph since:2024 until:2025-03-01 sort:date", 50)]
    assert found == expected[:50]
    listed = [p.paper_id for p in store.search("until:2025-06", limit=40)]
    assert listed == newest_first(store, "", date.min, date(2025, 6, 30))[:40]


def test_a_paper_newer_than_where_the_windows_start_is_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first window has no upper bound, so a paper dated later than the newest date the
    database reported (the index is ahead of what this connection read) still comes first."""
    monkeypatch.setattr(textindex, "_newest", lambda db: date(2020, 1, 1))
    future = PaperStore(connect(":memory:"))
    future.upsert(
        [
            Paper("p:old", "graph old", published=date(2020, 1, 1), ingested_at=NOW),
            Paper("p:future", "graph future", published=date(2999, 1, 1), ingested_at=NOW),
        ],
        NOW,
    )
    assert [p.paper_id for p in future.search("graph sort:date", limit=1)] == ["p:future"]
    assert [p.paper_id for p in future.search("graph sort:date")] == ["p:future", "p:old"]
