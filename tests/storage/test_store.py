"""The SQLite repositories against a real database file: what only SQLite shows (merging across
sources, half-written batches rolled back, query plans, migrations, the export of every table).
The behaviour every implementation of the ports shares is in tests/engine/test_ports_contract.py,
run against these stores and the in-memory fakes alike."""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta

import pytest

from recommender.domain import Paper, paper_id_for
from storage.db import connect
from storage.repos import Repos, open_repos

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def paper(title: str, **kw: object) -> Paper:
    return Paper(paper_id=kw.pop("paper_id", paper_id_for(title)), title=title, **kw)  # type: ignore[arg-type]


@pytest.fixture
def repos(tmp_path) -> Repos:
    return open_repos(connect(tmp_path / "t.db"))


def test_upsert_is_idempotent_and_newer_metadata_wins(repos: Repos) -> None:
    first = repos.papers.upsert([paper("Attention Is All You Need", upvotes=3)], NOW)
    again = repos.papers.upsert([paper("Attention Is All You Need", upvotes=3)], NOW)
    newer = repos.papers.upsert([paper("Attention Is All You Need", upvotes=9)], NOW)
    assert (first.inserted, again.unchanged, newer.updated) == (1, 1, 1)
    assert repos.papers.count() == 1
    stored = repos.papers.get(paper_id_for("Attention Is All You Need"))
    assert stored is not None and stored.upvotes == 9


def test_same_paper_from_two_sources_is_one_row(repos: Repos) -> None:
    repos.papers.upsert([paper("Deep Sets", source="file")], NOW)
    from_arxiv = Paper(
        paper_id="1703.06114", arxiv_id="1703.06114", title="Deep sets", source="arxiv"
    )
    result = repos.papers.upsert([from_arxiv], NOW)
    assert result.updated == 1 and repos.papers.count() == 1
    (stored,) = list(repos.papers.all())
    assert stored.arxiv_id == "1703.06114" and stored.source == "file,arxiv"


def test_failed_upsert_leaves_database_unchanged(repos: Repos) -> None:
    repos.papers.upsert([paper("Kept")], NOW)

    def broken():
        yield paper("New one")
        raise ValueError("file broke halfway")

    with pytest.raises(ValueError):
        repos.papers.upsert(broken(), NOW)
    assert [p.title for p in repos.papers.all()] == ["Kept"]


def test_search_ranks_title_matches_first_and_filters(repos: Repos) -> None:
    repos.papers.upsert(
        [
            paper("Graph neural networks", abstract="message passing", published=date(2024, 1, 1)),
            paper(
                "Language models",
                abstract="we also try graph methods",
                authors=("Ada Lovelace",),
                published=date(2025, 3, 1),
            ),
        ],
        NOW,
    )
    assert [p.title for p in repos.papers.search("graph")] == [
        "Graph neural networks",
        "Language models",
    ]
    assert [p.title for p in repos.papers.search("author:lovelace")] == ["Language models"]
    assert [p.title for p in repos.papers.search("graph since:2025-01-01")] == ["Language models"]
    assert repos.papers.search('"message passing"')[0].title == "Graph neural networks"
    assert repos.papers.search("graph zebra")  # falls back to any term


def test_recent_window_uses_published_or_ingested(repos: Repos) -> None:
    repos.papers.upsert([paper("Old but new to us", published=date(2019, 1, 1))], NOW)
    repos.papers.upsert([paper("Old", published=date(2019, 1, 1))], NOW - timedelta(days=30))
    assert [p.title for p in repos.papers.recent(date(2026, 11, 20))] == ["Old but new to us"]


def test_recent_window_edges_and_both_halves_from_their_indexes(repos: Repos) -> None:
    """recent() runs on every on-demand picks: each half of the window is an index range, not a
    scan of every paper, and a paper in both halves comes back once."""
    since = date(2026, 11, 20)
    midnight = datetime(2026, 11, 20, tzinfo=UTC)
    repos.papers.upsert([paper("Both", published=since)], midnight)
    repos.papers.upsert([paper("Published", published=since)], midnight - timedelta(days=9))
    repos.papers.upsert([paper("Ingested at midnight", published=date(2019, 1, 1))], midnight)
    repos.papers.upsert([paper("A second too early")], midnight - timedelta(seconds=1))
    got = sorted(p.title for p in repos.papers.recent(since))
    assert got == ["Both", "Ingested at midnight", "Published"]
    executed: list[str] = []
    repos.db.conn.set_trace_callback(executed.append)
    repos.papers.recent(since)
    repos.db.conn.set_trace_callback(None)
    (query,) = [sql for sql in executed if "FROM papers" in sql]
    plan = " ".join(str(row[-1]) for row in repos.db.execute("EXPLAIN QUERY PLAN " + query))
    assert "INDEX papers_published" in plan and "INDEX papers_ingested" in plan, plan


def test_delete_user_forgets_everything(repos: Repos) -> None:
    repos.papers.upsert([paper("P", paper_id="p1")], NOW)
    repos.users.ensure("console:x", "x", NOW)
    repos.feedback.record("console:x", "p1", 1, "command", NOW, event_id="ev")
    row = repos.ledger.claim("console:x", date(2026, 11, 23), ["p1"], NOW)
    assert row is not None
    repos.ledger.remember_messages(row.delivery_id, [("m", "p1")])
    repos.users.delete("console:x")
    exported = repos.users.export("console:x")
    assert all(rows == [] for rows in exported.values())
    assert repos.papers.count() == 1


def test_same_paper_twice_in_one_file_is_one_row(repos: Repos) -> None:
    result = repos.papers.upsert([paper("Twice", upvotes=1), paper("twice!", upvotes=5)], NOW)
    assert result.inserted == 1 and repos.papers.count() == 1
    (stored,) = list(repos.papers.all())
    assert stored.upvotes == 5


def test_author_filter_finds_middle_names(repos: Repos) -> None:
    repos.papers.upsert([paper("Calibration", authors=("Adam Tauman Kalai",))], NOW)
    assert [p.title for p in repos.papers.search('author:"Adam Kalai"')] == ["Calibration"]


def test_rows_claimed_before_migration_0003_read_as_having_no_reasons(repos: Repos) -> None:
    """A row written by the 0001 schema (no reasons column value) still reads back."""
    repos.users.ensure("discord:1", "d", NOW)
    repos.db.execute(
        "INSERT INTO deliveries (user_key, platform, local_date, paper_ids, status, created_at, "
        "updated_at) VALUES ('discord:1', 'discord', '2026-11-22', '[\"p1\"]', 'pending', ?, ?)",
        [NOW.isoformat(), NOW.isoformat()],
    )
    (row,) = repos.ledger.pending("discord")
    assert row.paper_ids == ("p1",) and row.reasons == ()
    names = [m["name"] for m in repos.db.query("SELECT name FROM _sqlite_migrations")]
    assert "0003_delivery_reasons" in names  # later migrations may follow it


def test_remember_messages_maps_every_message_or_none(repos: Repos) -> None:
    repos.papers.upsert([paper("P", paper_id="p1"), paper("Q", paper_id="p2")], NOW)
    repos.users.ensure("slack:T:U", "u", NOW)
    row = repos.ledger.claim("slack:T:U", date(2026, 11, 23), ["p1", "p2"], NOW)
    assert row is not None
    repos.ledger.remember_messages(row.delivery_id, [("D1:1.0", "p1"), ("D1:2.0", "p2")])
    assert repos.ledger.paper_for_message("slack", "D1:2.0") == ("slack:T:U", "p2")
    bad = [("D1:3.0", "p1"), ("D1:4.0", None)]  # NOT NULL fails on the second row
    with pytest.raises(sqlite3.IntegrityError):
        repos.ledger.remember_messages(row.delivery_id, bad)  # type: ignore[arg-type]
    assert repos.ledger.paper_for_message("slack", "D1:3.0") is None  # rolled back together


def test_a_papers_one_line_summary_is_stored_and_kept_by_a_later_source() -> None:
    from datetime import UTC, datetime

    from storage.db import connect
    from storage.repos import open_repos

    now = datetime(2026, 3, 2, tzinfo=UTC)
    papers = open_repos(connect(":memory:")).papers
    papers.upsert([Paper("2509.04664", "T", arxiv_id="2509.04664", tldr="One line.")], now)
    papers.upsert([Paper("2509.04664", "T", arxiv_id="2509.04664", abstract="Later.")], now)
    stored = papers.get("2509.04664")
    assert stored is not None and (stored.tldr, stored.abstract) == ("One line.", "Later.")
