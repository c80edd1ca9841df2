"""The repository ports (engine/ports.py) as a contract: every test here runs against the
in-memory fakes (tests/fakes.py) and the SQLite stores (storage/), so the engine, bots and
adapter tests that run over the fakes test the behaviour production has.

What only SQLite can show (rollback of a half-written batch, the query plans, migrations, the
export of every table) stays in tests/storage/test_store.py.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest

from engine.ports import RepositorySet
from recommender.domain import InvalidInputError, NotFoundError, Paper
from storage.db import connect
from storage.repos import open_repos
from tests.fakes import FakeRepos

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 23)


@pytest.fixture(params=["fake", "sqlite"])
def repos(request: pytest.FixtureRequest, tmp_path: Path) -> RepositorySet:
    if request.param == "fake":
        return FakeRepos.with_papers([])
    return open_repos(connect(tmp_path / "contract.db"))


def paper(paper_id: str, title: str, **fields: object) -> Paper:
    return Paper(paper_id=paper_id, title=title, **fields)  # type: ignore[arg-type]


def with_papers(repos: RepositorySet, *ids: str) -> None:
    repos.papers.upsert([paper(p, f"Paper {p}") for p in ids], NOW)


# PaperRepository


def test_get_and_get_many_in_the_order_asked_without_unknown_ids(repos: RepositorySet) -> None:
    with_papers(repos, "p1", "p2", "p3")
    assert repos.papers.get("nope") is None
    got = repos.papers.get("p2")
    assert got is not None and got.title == "Paper p2"
    assert [p.paper_id for p in repos.papers.get_many(["p3", "nope", "p1", "p3"])] == ["p3", "p1"]
    assert sorted(p.paper_id for p in repos.papers.all()) == ["p1", "p2", "p3"]
    assert repos.papers.count() == 3


def test_upsert_counts_inserted_updated_and_unchanged(repos: RepositorySet) -> None:
    first = repos.papers.upsert([paper("p1", "One", upvotes=3), paper("p2", "Two")], NOW)
    again = repos.papers.upsert([paper("p1", "One", upvotes=3), paper("p2", "Two")], NOW)
    newer = repos.papers.upsert([paper("p1", "One", upvotes=9)], NOW)
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)
    assert (newer.inserted, newer.updated, newer.unchanged) == (0, 1, 0)
    stored = repos.papers.get("p1")
    assert stored is not None and stored.upvotes == 9 and repos.papers.count() == 2


def test_recent_is_published_or_ingested_on_or_after_the_day(repos: RepositorySet) -> None:
    """ "Old but new to us": a paper published years ago but ingested inside the window is a
    candidate; the window's first day counts."""
    midnight = datetime(2026, 11, 20, tzinfo=UTC)
    since = midnight.date()
    repos.papers.upsert([paper("both", "Both", published=since)], midnight)
    repos.papers.upsert([paper("pub", "Published", published=since)], midnight - timedelta(days=9))
    repos.papers.upsert([paper("new", "Ingested", published=date(2019, 1, 1))], midnight)
    repos.papers.upsert([paper("old", "Old", published=date(2019, 1, 1))], midnight - timedelta(1))
    repos.papers.upsert([paper("early", "Too early")], midnight - timedelta(seconds=1))
    assert sorted(p.paper_id for p in repos.papers.recent(since)) == ["both", "new", "pub"]


def test_an_update_keeps_the_first_ingestion_so_the_window_is_not_disturbed(
    repos: RepositorySet,
) -> None:
    old = NOW - timedelta(days=30)
    repos.papers.upsert([paper("p1", "Old news", published=date(2019, 1, 1))], old)
    repos.papers.upsert([paper("p1", "Old news", published=date(2019, 1, 1), upvotes=4)], NOW)
    assert repos.papers.recent(NOW.date() - timedelta(days=3)) == []
    stored = repos.papers.get("p1")
    assert stored is not None and stored.ingested_at == old


def test_lookup_by_arxiv_id_title_and_url_leaves_unknown_keys_out(repos: RepositorySet) -> None:
    doi = "https://doi.org/10.1000/xyz"
    repos.papers.upsert(
        [
            paper("2509.00001", "Deep Sets", arxiv_id="2509.00001"),
            paper("t-1", "Attention: all you need!", urls=(doi,)),
        ],
        NOW,
    )
    keys = ["ax:2509.00001", "t:attention all you need", f"url:{doi}", "ax:9999.99999", "t:nope"]
    found = repos.papers.lookup(keys)
    assert {k: p.paper_id for k, p in found.items()} == {
        "ax:2509.00001": "2509.00001",
        "t:attention all you need": "t-1",
        f"url:{doi}": "t-1",
    }


def test_search_finds_title_words_within_the_limit(repos: RepositorySet) -> None:
    repos.papers.upsert(
        [
            paper("p1", "Dense retrieval for question answering"),
            paper("p2", "Retrieval augmented generation"),
            paper("p3", "Video diffusion"),
        ],
        NOW,
    )
    assert sorted(p.paper_id for p in repos.papers.search("retrieval")) == ["p1", "p2"]
    assert len(repos.papers.search("retrieval", limit=1)) == 1
    assert repos.papers.search("protein") == []


def test_search_order_is_date_for_sort_date_and_for_filters_alone(repos: RepositorySet) -> None:
    assert repos.papers.search_order("retrieval") == "relevance"
    assert repos.papers.search_order("retrieval sort:date") == "date"
    assert repos.papers.search_order("since:2026-11-01") == "date"


# UserRepository


def test_ensure_creates_an_unsubscribed_user_once(repos: RepositorySet) -> None:
    assert repos.users.get("slack:T:U") is None
    user, created = repos.users.ensure("slack:T:U", "Ursula", NOW)
    assert created and user.display_name == "Ursula" and not user.subscribed
    again, created = repos.users.ensure("slack:T:U", "Someone else", NOW + timedelta(hours=1))
    assert not created and again == user
    assert repos.users.get("slack:T:U") == user


def test_saved_settings_read_back_and_all_is_ordered_by_key(repos: RepositorySet) -> None:
    for key in ("slack:T:U", "discord:7", "console:anna"):
        repos.users.ensure(key, key, NOW)
    user = repos.users.get("discord:7")
    assert user is not None
    changed = replace(
        user,
        timezone="Pacific/Auckland",
        send_time=time(7, 30),
        weekdays=(0, 2, 4),
        picks_per_day=3,
        subscribed=True,
        paused_until=date(2026, 12, 1),
        interests=("retrieval", "graph neural networks"),
        undeliverable="DMs closed",
    )
    repos.users.save(changed)
    assert repos.users.get("discord:7") == changed
    assert [u.user_key for u in repos.users.all()] == ["console:anna", "discord:7", "slack:T:U"]


def test_delete_forgets_votes_history_events_and_deliveries_of_that_user_only(
    repos: RepositorySet,
) -> None:
    with_papers(repos, "p1")
    for key in ("console:x", "console:y"):
        repos.users.ensure(key, key, NOW)
        repos.feedback.record(key, "p1", 1, "command", NOW, event_id=f"ev-{key}")
        row = repos.ledger.claim(key, DAY, ["p1"], NOW)
        assert row is not None
        repos.ledger.mark_sent(row.delivery_id, "dm", [f"m-{key}"], NOW, [(f"m-{key}", "p1")])
    repos.users.delete("console:x")
    assert repos.users.get("console:x") is None
    assert repos.feedback.votes_for("console:x") == {}
    assert repos.feedback.history_for("console:x") == []
    assert repos.feedback.events_for("console:x") == []
    assert repos.ledger.for_user("console:x") == []
    assert repos.ledger.delivered_paper_ids("console:x") == set()
    assert repos.ledger.paper_for_message("console", "m-console:x") is None
    assert repos.ledger.find_by_message("console", "m-console:x") is None
    assert repos.papers.count() == 1
    assert repos.feedback.votes_for("console:y") == {"p1": 1}
    assert [e["event_id"] for e in repos.feedback.events_for("console:y")] == ["ev-console:y"]
    assert repos.ledger.paper_for_message("console", "m-console:y") == ("console:y", "p1")
    # the event id of a forgotten user is free again: nothing about them is kept
    repos.users.ensure("console:x", "x", NOW)
    assert repos.feedback.record("console:x", "p1", 1, "command", NOW, event_id="ev-console:x")


# FeedbackRepository


def test_votes_keep_history_and_dedupe_events(repos: RepositorySet) -> None:
    with_papers(repos, "p1")
    repos.users.ensure("slack:T:U", "u", NOW)
    assert repos.feedback.record("slack:T:U", "p1", 1, "button", NOW, event_id="e1")
    assert not repos.feedback.record("slack:T:U", "p1", -1, "button", NOW, event_id="e1")
    assert repos.feedback.votes_for("slack:T:U") == {"p1": 1}
    assert repos.feedback.record("slack:T:U", "p1", 0, "reaction", NOW, event_id="e2")
    assert repos.feedback.votes_for("slack:T:U") == {}
    history = repos.feedback.history_for("slack:T:U")
    assert [(h["paper_id"], h["vote"], h["source"], h["event_id"]) for h in history] == [
        ("p1", 1, "button", "e1"),
        ("p1", 0, "reaction", "e2"),
    ]
    assert [e["event_id"] for e in repos.feedback.events_for("slack:T:U")] == ["e1", "e2"]
    with pytest.raises(NotFoundError):
        repos.feedback.record("slack:T:U", "nope", 1, "button", NOW)


def test_a_vote_refused_for_an_unknown_paper_does_not_use_up_its_event_id(
    repos: RepositorySet,
) -> None:
    """The event and the vote are one unit: a refused vote leaves no seen event behind, so the
    same event id is still counted when it comes with a paper that exists."""
    with_papers(repos, "p1")
    repos.users.ensure("slack:T:U", "u", NOW)
    with pytest.raises(NotFoundError):
        repos.feedback.record("slack:T:U", "nope", 1, "reaction", NOW, event_id="e1")
    assert repos.feedback.events_for("slack:T:U") == []
    assert repos.feedback.history_for("slack:T:U") == []
    assert repos.feedback.record("slack:T:U", "p1", 1, "reaction", NOW, event_id="e1")


@pytest.mark.parametrize("vote", [2, -2, 10])
def test_a_vote_is_plus_one_minus_one_or_zero(repos: RepositorySet, vote: int) -> None:
    with_papers(repos, "p1")
    repos.users.ensure("slack:T:U", "u", NOW)
    with pytest.raises(InvalidInputError):
        repos.feedback.record("slack:T:U", "p1", vote, "button", NOW, event_id="e1")
    assert repos.feedback.votes_for("slack:T:U") == {}
    assert repos.feedback.events_for("slack:T:U") == []


def test_current_votes_are_one_per_user_and_paper_in_key_order(repos: RepositorySet) -> None:
    with_papers(repos, "p1", "p2")
    later = NOW + timedelta(minutes=5)
    for key in ("slack:T:U2", "slack:T:U1"):
        repos.users.ensure(key, key, NOW)
    repos.feedback.record("slack:T:U2", "p2", 1, "button", NOW)
    repos.feedback.record("slack:T:U1", "p2", -1, "button", NOW)
    repos.feedback.record("slack:T:U1", "p1", 1, "button", NOW)
    repos.feedback.record("slack:T:U1", "p2", 1, "reaction", later)
    current = repos.feedback.all_current()
    assert [(v.user_key, v.paper_id, v.vote, v.source) for v in current] == [
        ("slack:T:U1", "p1", 1, "button"),
        ("slack:T:U1", "p2", 1, "reaction"),
        ("slack:T:U2", "p2", 1, "button"),
    ]
    assert current[1].at == later
    assert repos.feedback.count() == 3
    assert repos.feedback.votes_for("slack:T:U1") == {"p1": 1, "p2": 1}


def test_likes_by_paper_counts_one_team_without_the_viewer(repos: RepositorySet) -> None:
    with_papers(repos, "p1", "p2")
    for user_key, paper_id, vote in [
        ("slack:T1:U1", "p1", 1), ("slack:T1:U2", "p1", 1), ("slack:T1:U3", "p1", -1),
        ("slack:T10:U4", "p1", 1), ("discord:5", "p1", 1), ("slack:T1:U2", "p2", 1),
    ]:  # fmt: skip
        repos.users.ensure(user_key, "", NOW)
        repos.feedback.record(user_key, paper_id, vote, "button", NOW)
    likes = repos.feedback.likes_by_paper
    assert likes(["p1", "p2"], exclude_user="slack:T1:U1", team="slack:T1") == {"p1": 1, "p2": 1}
    assert likes(["p1"], team="slack:T1") == {"p1": 2}  # not T10: the team is a whole prefix
    assert likes(["p1"], team="discord") == {"p1": 1}
    assert likes(["p1", "p2"]) == {"p1": 4, "p2": 1}
    assert likes([]) == {}


# DeliveryLedger


def test_ledger_claims_once_and_compare_and_sets(repos: RepositorySet) -> None:
    with_papers(repos, "p1")
    repos.users.ensure("discord:1", "d", NOW)
    row = repos.ledger.claim("discord:1", DAY, ["p1"], NOW)
    assert row is not None and row.status == "pending"
    assert (row.platform, row.local_date, row.paper_ids, row.attempts) == (
        "discord",
        DAY,
        ("p1",),
        0,
    )
    assert repos.ledger.claim("discord:1", DAY, ["p1"], NOW) is None
    assert repos.ledger.mark_sending(row.delivery_id, NOW)
    assert not repos.ledger.mark_sending(row.delivery_id, NOW)
    repos.ledger.mark_sent(row.delivery_id, "dm1", ["m1"], NOW)
    repos.ledger.remember_messages(row.delivery_id, [("m1", "p1")])
    assert repos.ledger.paper_for_message("discord", "m1") == ("discord:1", "p1")
    assert repos.ledger.delivered_paper_ids("discord:1") == {"p1"}


def test_pending_and_in_flight_are_per_platform_oldest_first(repos: RepositorySet) -> None:
    for key in ("slack:T:U", "discord:2", "discord:1"):
        repos.users.ensure(key, key, NOW)
    first = repos.ledger.claim("discord:2", DAY, [], NOW)
    second = repos.ledger.claim("discord:1", DAY, [], NOW)
    slack = repos.ledger.claim("slack:T:U", DAY, [], NOW)
    assert first is not None and second is not None and slack is not None
    assert [d.delivery_id for d in repos.ledger.pending("discord")] == [
        first.delivery_id,
        second.delivery_id,
    ]
    assert repos.ledger.mark_sending(second.delivery_id, NOW)
    assert [d.delivery_id for d in repos.ledger.pending("discord")] == [first.delivery_id]
    (sending,) = repos.ledger.in_flight("discord")
    assert (sending.delivery_id, sending.status) == (second.delivery_id, "sending")
    assert repos.ledger.in_flight("slack") == []
    assert [d.delivery_id for d in repos.ledger.pending("slack")] == [slack.delivery_id]


def test_mark_sent_books_the_messages_with_the_row(repos: RepositorySet) -> None:
    with_papers(repos, "p1", "p2")
    repos.users.ensure("slack:T:U", "u", NOW)
    row = repos.ledger.claim("slack:T:U", DAY, ["p1", "p2"], NOW)
    assert row is not None
    repos.ledger.mark_failed(row.delivery_id, "429", NOW)
    assert repos.ledger.mark_sending(row.delivery_id, NOW)
    pairs = [("D1:1.0", "p1"), ("D1:2.0", "p2")]
    repos.ledger.mark_sent(row.delivery_id, "D1", ["D1:0.5", "D1:1.0", "D1:2.0"], NOW, pairs)
    (sent,) = repos.ledger.for_user("slack:T:U")
    assert (sent.status, sent.channel_id, sent.error) == ("sent", "D1", None)
    assert sent.message_ids == ("D1:0.5", "D1:1.0", "D1:2.0") and sent.attempts == 1
    assert repos.ledger.paper_for_message("slack", "D1:2.0") == ("slack:T:U", "p2")
    found = repos.ledger.find_by_message("slack", "D1:1.0")
    assert found is not None and found.delivery_id == row.delivery_id
    assert repos.ledger.find_by_message("slack", "D1:0.5") is None  # the header shows no paper
    assert repos.ledger.paper_for_message("discord", "D1:1.0") is None  # another platform
    assert repos.ledger.sent_unmapped("slack") == []


def test_sent_unmapped_lists_sent_rows_with_messages_but_no_mapping(repos: RepositorySet) -> None:
    with_papers(repos, "p1")
    for key in ("slack:T:U1", "slack:T:U2", "slack:T:U3", "slack:T:U4"):
        repos.users.ensure(key, key, NOW)
    unmapped, mapped, empty, pending = (
        repos.ledger.claim(key, DAY, ["p1"], NOW)
        for key in ("slack:T:U1", "slack:T:U2", "slack:T:U3", "slack:T:U4")
    )
    assert unmapped and mapped and empty and pending
    repos.ledger.mark_sent(unmapped.delivery_id, "D1", ["D1:1"], NOW)
    repos.ledger.mark_sent(mapped.delivery_id, "D2", ["D2:1"], NOW, [("D2:1", "p1")])
    repos.ledger.mark_sent(empty.delivery_id, "D3", [], NOW)
    assert [d.delivery_id for d in repos.ledger.sent_unmapped("slack")] == [unmapped.delivery_id]
    repos.ledger.remember_messages(unmapped.delivery_id, [("D1:1", "p1")])
    assert repos.ledger.sent_unmapped("slack") == []


def test_failed_attempts_book_the_status_asked_for(repos: RepositorySet) -> None:
    repos.users.ensure("discord:1", "d", NOW)
    row = repos.ledger.claim("discord:1", DAY, [], NOW)
    assert row is not None
    repos.ledger.mark_failed(row.delivery_id, "429", NOW)
    (retry,) = repos.ledger.pending("discord")
    assert (retry.status, retry.attempts, retry.error) == ("pending", 1, "429")
    repos.ledger.mark_failed(row.delivery_id, "429 again", NOW, "failed")
    (after,) = repos.ledger.for_user("discord:1")
    assert (after.status, after.attempts, after.error) == ("failed", 2, "429 again")
    assert repos.ledger.pending("discord") == []
    with pytest.raises(ValueError):
        repos.ledger.mark_failed(row.delivery_id, "x", NOW, "sent")
    repos.ledger.mark_failed(row.delivery_id, "DMs closed", NOW, "undeliverable")
    (refused,) = repos.ledger.for_user("discord:1")
    assert (refused.status, refused.attempts) == ("undeliverable", 3)


def test_ledger_keeps_each_papers_reason_in_card_order(repos: RepositorySet) -> None:
    repos.users.ensure("discord:1", "d", NOW)
    reasons = {"p2": "matches your interest “agents”", "p1": "trending", "other": "not picked"}
    row = repos.ledger.claim("discord:1", DAY, ["p1", "p2"], NOW, reasons=reasons)
    assert row is not None
    assert row.reasons == (("p1", "trending"), ("p2", "matches your interest “agents”"))
    (again,) = repos.ledger.pending("discord")
    assert again.reasons == row.reasons
    plain = repos.ledger.claim("discord:1", DAY + timedelta(1), ["p1"], NOW, note="No new papers")
    assert plain is not None and plain.reasons == () and plain.note == "No new papers"


def test_for_user_is_newest_first_within_the_limit(repos: RepositorySet) -> None:
    repos.users.ensure("console:x", "x", NOW)
    repos.users.ensure("console:y", "y", NOW)
    for offset in (2, 0, 1):
        repos.ledger.claim("console:x", DAY + timedelta(offset), [f"p{offset}"], NOW)
    repos.ledger.claim("console:y", DAY, ["py"], NOW)
    rows = repos.ledger.for_user("console:x")
    assert [d.local_date for d in rows] == [DAY + timedelta(n) for n in (2, 1, 0)]
    assert [d.local_date for d in repos.ledger.for_user("console:x", limit=1)] == [
        DAY + timedelta(2)
    ]
    assert repos.ledger.delivered_paper_ids("console:x") == {"p0", "p1", "p2"}


# RepositorySet


def test_atomic_writes_land_together_or_not_at_all(repos: RepositorySet) -> None:
    with_papers(repos, "p1")
    repos.users.ensure("console:x", "x", NOW)

    def write_everything() -> None:
        repos.papers.upsert([paper("p2", "Two")], NOW)
        repos.users.ensure("console:y", "y", NOW)
        repos.feedback.record("console:x", "p1", 1, "import", NOW, event_id="e1")
        repos.ledger.claim("console:x", DAY, ["p1"], NOW)

    with pytest.raises(RuntimeError), repos.atomic():
        write_everything()
        raise RuntimeError("half way")
    assert repos.papers.count() == 1 and repos.users.get("console:y") is None
    assert repos.feedback.votes_for("console:x") == {}
    assert repos.feedback.history_for("console:x") == []
    assert repos.feedback.events_for("console:x") == []
    assert repos.ledger.for_user("console:x") == []
    with repos.atomic():
        write_everything()
    assert repos.papers.count() == 2 and repos.users.get("console:y") is not None
    assert repos.feedback.votes_for("console:x") == {"p1": 1}
    assert [d.local_date for d in repos.ledger.for_user("console:x")] == [DAY]


def test_an_inner_unit_of_work_joins_the_outer_one(repos: RepositorySet) -> None:
    """Nested atomic() blocks are one unit: an outer failure undoes what an inner block wrote,
    even after the inner block ended."""
    with_papers(repos, "p1")
    repos.users.ensure("console:x", "x", NOW)
    with pytest.raises(RuntimeError), repos.atomic():
        with repos.atomic():
            repos.feedback.record("console:x", "p1", 1, "import", NOW)
        raise RuntimeError("after the inner block")
    assert repos.feedback.votes_for("console:x") == {}
