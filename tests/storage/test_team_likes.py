"""Teammates' likes of a request's papers, read from SQLite (FeedbackStore.likes_by_paper).

The per-user paths (picks, search, why) used to group every vote in the database to get them;
they now ask for the likes of the papers being ranked only. These tests pin that the answer is
the one the old grouping gave (team = `planning.team_of`, 👎 not counted, the user's own like
not counted), that the query can use its index, and that a large candidate pool is fine.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from engine.profiles import group_votes, teammate_likes
from engine.service import PaperService
from recommender.domain import Paper
from storage.db import connect
from storage.repos import Repos, open_repos
from tests.fakes import FakeRanker

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
VIEWER = "slack:T1:U1"


@pytest.fixture
def repos(tmp_path: Path) -> Repos:
    repos = open_repos(connect(tmp_path / "t.db"))
    papers = [Paper(f"p{i}", f"Paper {i}", published=date(2026, 11, 20)) for i in range(8)]
    repos.papers.upsert(papers, NOW)
    return repos


def vote(repos: Repos, user_key: str, paper_id: str, value: int) -> None:
    repos.users.ensure(user_key, "", NOW)
    repos.feedback.record(user_key, paper_id, value, "button", NOW)


def old_teammates(repos: Repos, user_key: str, paper_ids: list[str]) -> dict[str, int]:
    """What the daily planner computes, from every vote read once, for `paper_ids`."""
    every = teammate_likes(user_key, group_votes(repos.feedback.all_current()), paper_ids)
    return {p: n for p, n in every.items() if n > 0}


def test_profile_counts_teammates_likes_of_the_given_papers(repos: Repos) -> None:
    for user_key, paper_id, value in [
        (VIEWER, "p1", 1),  # the user's own like: not a teammate's
        ("slack:T1:U2", "p1", 1),
        ("slack:T1:U3", "p1", -1),  # 👎 is not a like
        ("slack:T1:U3", "p2", 1),
        ("slack:T1:U2", "p3", 1),  # liked, but not among the papers asked about
        ("slack:T10:U4", "p1", 1),  # another workspace whose id starts like T1
        ("slack:T2:U5", "p2", 1),
        ("discord:6", "p1", 1),
    ]:  # fmt: skip
        vote(repos, user_key, paper_id, value)
    service = PaperService(repos, FakeRanker)
    viewer = service.user(VIEWER)
    asked = [p for p in repos.papers.all() if p.paper_id in ("p1", "p2", "p4")]
    profile = service.profile(viewer, asked)
    assert profile.teammate_likes == {"p1": 1, "p2": 1}
    assert profile.votes == {"p1": 1}
    assert profile.teammate_likes == old_teammates(repos, VIEWER, ["p1", "p2", "p4"])
    discord = service.profile(service.user("discord:6"), asked)
    assert discord.teammate_likes == {}  # the only Discord like is their own


def test_profile_agrees_with_grouping_every_vote(repos: Repos) -> None:
    rng = random.Random(3)
    users = [f"slack:T{t}:U{i}" for t in (1, 2, 10) for i in range(6)]
    users += [f"discord:{i}" for i in range(6)] + ["console:ann", "console:bo"]
    ids = [f"p{i}" for i in range(8)]
    for user_key in users:
        for paper_id in rng.sample(ids, 4):
            vote(repos, user_key, paper_id, rng.choice((1, 1, -1)))
    service = PaperService(repos, FakeRanker)
    asked = [p for p in repos.papers.all() if p.paper_id in ids[:6]]
    for user_key in users:
        got = service.profile(service.user(user_key), asked).teammate_likes
        assert got == old_teammates(repos, user_key, ids[:6]), user_key


def test_the_likes_query_seeks_the_team_in_the_likes_index(repos: Repos) -> None:
    """Without the index (migration 0004) or with a substr() team test, the query reads every
    vote, or every like of a paper, on each picks."""
    executed: list[str] = []
    repos.db.conn.set_trace_callback(executed.append)  # the SQL with its parameters filled in
    repos.feedback.likes_by_paper(["p1", "p2"], VIEWER, "slack:T1")
    repos.db.conn.set_trace_callback(None)
    (query,) = [sql for sql in executed if "FROM feedback" in sql]
    plan = " ".join(str(row[-1]) for row in repos.db.execute("EXPLAIN QUERY PLAN " + query))
    assert "USING INDEX feedback_likes (paper_id=? AND user_key>? AND user_key<?)" in plan, plan


def test_a_candidate_pool_beyond_the_bound_parameter_limit(repos: Repos) -> None:
    vote(repos, "slack:T1:U2", "p1", 1)
    many = ["p1", *(f"absent{i}" for i in range(40_000))]  # SQLite allows 32,766 parameters
    assert repos.feedback.likes_by_paper(many, VIEWER, "slack:T1") == {"p1": 1}
