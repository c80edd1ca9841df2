"""One person's requests read one person's votes.

Regression: `PaperService.profile()` grouped `feedback.all_current()` (every vote in the
database) on each picks, search and why, to find this user's votes and their teammates' likes:
~650 ms a call with 100k votes, on the path from a reaction to the next picks. Only the daily
planning run, which ranks everyone, may read all votes, and then once per run.
"""

from __future__ import annotations

import pytest

from recommender.domain import Vote
from tests.conftest import World, make_world
from tests.fakes import FakeFeedback

ANNA, BOB = "console:anna", "console:bob"


class CountingFeedback(FakeFeedback):
    """FakeFeedback that counts full reads of the vote table."""

    full_reads = 0

    def all_current(self) -> list[Vote]:
        self.full_reads += 1
        return super().all_current()


@pytest.fixture
def counted() -> tuple[World, CountingFeedback]:
    world = make_world()
    feedback = CountingFeedback(world.repos.papers)
    world.repos.feedback = feedback
    world.repos.users.cascade = [feedback, world.repos.ledger]
    world.user(ANNA, interests=("video diffusion",))
    world.user(BOB, interests=("retrieval",))
    world.service.vote(BOB, "2506.00001", 1, "command", world.clock())
    return world, feedback


def test_per_user_paths_never_read_every_vote(counted: tuple[World, CountingFeedback]) -> None:
    world, feedback = counted
    service, now = world.service, world.clock()
    first = service.picks_now(ANNA, now).picks
    assert service.vote(ANNA, first[0].paper.paper_id, -1, "reaction", now)
    after = service.picks_now(ANNA, now).picks
    assert first[0].paper.paper_id not in [p.paper.paper_id for p in after]
    assert service.search(ANNA, "retrieval")
    service.why(ANNA, "2506.00001")
    service.explain(ANNA, [p.paper for p in after])
    service.similar("2506.00005")
    service.accounts.add_interest(ANNA, "graph neural networks")
    assert feedback.full_reads == 0


def test_the_daily_run_reads_every_vote_once(counted: tuple[World, CountingFeedback]) -> None:
    world, feedback = counted
    report = world.service.plan_deliveries(world.clock().replace(hour=8))  # 10:00 in Berlin
    assert {d.user_key for d in report.claimed} == {ANNA, BOB}
    assert feedback.full_reads == 1


def test_teammates_likes_of_the_candidates_reach_the_profile(
    counted: tuple[World, CountingFeedback],
) -> None:
    world, _ = counted
    service = world.service
    anna = service.user(ANNA)
    candidates = world.repos.papers.get_many(["2506.00001", "2506.00002"])
    assert service.profile(anna, candidates).teammate_likes == {"2506.00001": 1}
    assert service.profile(anna).teammate_likes == {}  # no papers: no teammates signal
    bob = service.user(BOB)
    assert service.profile(bob, candidates).teammate_likes == {}  # his own like is not a mate's


def test_picks_on_demand_never_repeat_what_was_delivered(
    counted: tuple[World, CountingFeedback],
) -> None:
    """Bug: `/papers picks` showed the five papers delivered that morning. On demand, like the
    daily run, a paper already in one of the user's deliveries is not offered again."""
    world, _ = counted
    service = world.service
    morning = world.clock().replace(hour=8)  # 10:00 in Berlin: Anna's send time has passed
    (delivered,) = [d for d in service.plan_deliveries(morning).claimed if d.user_key == ANNA]
    assert delivered.paper_ids
    again = [p.paper.paper_id for p in service.picks_now(ANNA, morning).picks]
    assert again and not set(again) & set(delivered.paper_ids)


def test_why_on_a_rated_paper_gives_the_vote_and_its_date(
    counted: tuple[World, CountingFeedback],
) -> None:
    """Bug: `why` on a paper you rated said "new in your field"."""
    world, _ = counted
    _, reason = world.service.why(BOB, "2506.00001")
    assert reason == f"you 👍 this on {world.clock().date().isoformat()}"
    world.service.vote(BOB, "2506.00002", -1, "command", world.clock())
    _, reason = world.service.why(BOB, "2506.00002")
    assert reason == "you 👎 this: it will not be shown again"
