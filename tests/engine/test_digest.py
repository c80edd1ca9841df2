"""Team digests over in-memory ports: keys, registration, planning with a team profile, the
message (team header, "👍 by N teammates"), and votes on digest messages counting for the voter.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

import pytest

from engine.chat import Requester
from engine.delivery import DIGEST_NOTE, DeliveryWorker
from engine.profiles import group_votes, team_profile
from engine.teams import digest_channel, digest_key, is_digest
from recommender.domain import InvalidInputError, Paper, Pick, User, UserProfile
from tests.conftest import World, corpus, make_world
from tests.fakes import RecordingNotifier, paper

DIGEST = "slack:T1:#C1"
ANNA, BOB, EVE = "slack:T1:UANNA", "slack:T1:UBOB", "slack:T2:UEVE"


def test_digest_keys_name_a_channel_and_never_a_person() -> None:
    assert digest_key("slack", "#C1", team="T1") == DIGEST
    assert digest_key("discord", "123") == "discord:#123"
    assert is_digest(DIGEST) and is_digest("discord:#123")
    assert not any(is_digest(k) for k in (ANNA, "discord:123", "console:#x", "console:bob"))
    assert digest_channel(DIGEST) == "C1" and digest_channel("discord:#123") == "123"
    with pytest.raises(InvalidInputError):
        digest_key("slack", "C1")  # the workspace is part of a Slack digest's key
    with pytest.raises(InvalidInputError):
        digest_channel(ANNA)


def digest_user(world: World, key: str = DIGEST) -> User:
    template = world.repos.users.defaults
    return replace(template, user_key=key, display_name="team digest")


def team_world(world: World) -> World:
    """Two teammates and someone from another workspace, all due at 09:00 Berlin; a digest."""
    world.say(ANNA, "interests add retrieval")
    world.say(BOB, "interests add Retrieval")
    world.say(BOB, "interests add video diffusion")
    world.say(EVE, "interests add graph molecules")
    for who in (ANNA, BOB, EVE):
        world.say(who, "subscribe")
    world.service.set_digests("slack", [digest_user(world)])
    return world


def test_set_digests_subscribes_the_given_ones_and_switches_off_the_rest(world: World) -> None:
    world.service.set_digests("slack", [digest_user(world), digest_user(world, "slack:T1:#C2")])
    world.service.accounts.mark_undeliverable(DIGEST, "not_in_channel")
    world.service.set_digests("slack", [digest_user(world)])
    users = world.repos.users.rows
    assert users[DIGEST].subscribed and users[DIGEST].undeliverable is None
    assert not users["slack:T1:#C2"].subscribed
    with pytest.raises(InvalidInputError):
        world.service.set_digests("slack", [digest_user(world, ANNA)])
    with pytest.raises(InvalidInputError):
        world.service.set_digests("discord", [digest_user(world)])
    assert world.service.stats()["users"] == 0  # digests are not people


def test_the_team_profile_is_the_teams_common_interests_and_likes(world: World) -> None:
    team_world(world)
    world.commands.vote(Requester(BOB), "2506.00009", 1, "command")
    world.commands.vote(Requester(EVE), "2506.00010", 1, "command")
    votes = group_votes(world.repos.feedback.all_current())
    profile = team_profile(DIGEST, world.repos.users.all(), votes, exclude={"2506.00001"})
    assert profile.interests == ("retrieval", "video diffusion")  # most common first
    assert profile.teammate_likes == {"2506.00009": 1}  # EVE is in another workspace
    assert profile.votes == {} and profile.exclude == frozenset({"2506.00001"})


def test_a_digest_is_planned_once_a_day_at_the_default_time_from_team_interests(
    world: World,
) -> None:
    team_world(world)
    plan = world.service.plan_deliveries(world.clock.advance(hours=1, minutes=1))
    assert {row.user_key for row in plan.claimed} == {ANNA, BOB, EVE, DIGEST}
    (row,) = world.repos.ledger.for_user(DIGEST)
    assert set(row.paper_ids) == {"2506.00001", "2506.00002", "2506.00011", "2506.00005",
                                  "2506.00006"}  # fmt: skip
    assert dict(row.reasons)["2506.00005"] == "matches your interest “video diffusion”"
    assert world.service.plan_deliveries(world.clock.advance(minutes=5)).claimed == ()
    people = world.repos.ledger.for_user(ANNA)[0].paper_ids
    assert set(people) & set(row.paper_ids)  # a digest never takes papers away from people


def test_a_switched_off_digest_is_not_planned(world: World) -> None:
    team_world(world)
    world.service.set_digests("slack", [])
    plan = world.service.plan_deliveries(world.clock.advance(hours=1, minutes=1))
    assert DIGEST not in {row.user_key for row in plan.claimed}


def sent_digest(world: World) -> tuple[RecordingNotifier, DeliveryWorker]:
    world.service.plan_deliveries(world.clock.advance(hours=1, minutes=1))
    worker = DeliveryWorker("slack", world.repos, world.service, world.clock)
    notifier = RecordingNotifier("slack")
    assert worker.drain(notifier).sent == 4
    return notifier, worker


def test_digest_message_has_a_team_header_and_counts_teammates_likes(world: World) -> None:
    team_world(world)
    for who in (ANNA, BOB, EVE):
        world.commands.vote(Requester(who), "2506.00002", 1, "command")
    notifier, _ = sent_digest(world)
    (digest,) = [m for m in notifier.sent if m.user_key == DIGEST]
    assert digest.header.startswith("📚 Team paper picks for") and digest.note == DIGEST_NOTE
    likes = {c.paper_id: c.teammates_up for c in digest.cards}
    assert likes["2506.00002"] == 2  # ANNA and BOB; EVE is another workspace
    assert all(c.vote is None for c in digest.cards)


def test_personal_picks_show_how_many_teammates_liked_a_paper(world: World) -> None:
    world.say(ANNA, "interests add retrieval")
    world.say(ANNA, "subscribe")
    for who in (BOB, "slack:T1:UCAT", EVE):
        world.commands.vote(Requester(who), "2506.00001", 1, "command")
    picks = world.commands.handle(Requester(ANNA), "picks")  # on demand, before the delivery
    assert {c.paper_id: c.teammates_up for c in picks.cards}["2506.00001"] == 2
    world.service.plan_deliveries(world.clock.advance(hours=1, minutes=1))
    notifier = RecordingNotifier("slack")
    DeliveryWorker("slack", world.repos, world.service, world.clock).drain(notifier)
    (mine,) = [m for m in notifier.sent if m.user_key == ANNA]
    assert {c.paper_id: c.teammates_up for c in mine.cards}["2506.00001"] == 2


def test_a_vote_on_a_digest_message_counts_for_the_voter(world: World) -> None:
    team_world(world)
    sent_digest(world)
    row = world.repos.ledger.for_user(DIGEST)[0]
    message, paper_id = row.message_ids[0], row.paper_ids[0]
    outcome = world.commands.vote_on_message("slack", message, Requester(BOB), 1)
    assert outcome is not None and outcome.recorded
    assert world.repos.feedback.votes_for(BOB) == {paper_id: 1}
    assert world.repos.feedback.votes_for(DIGEST) == {}
    card = world.commands.digest_card("slack", message)
    assert card is not None and (card.teammates_up, card.vote) == (1, None)
    assert card.reason == dict(row.reasons)[paper_id]
    anna_row = world.repos.ledger.for_user(ANNA)[0]
    assert world.commands.digest_card("slack", anna_row.message_ids[0]) is None


def test_a_persons_daily_profile_counts_teammates_likes_of_the_days_candidates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The planner hands the ranker, per person, how many teammates 👍 each of the day's
    candidates (their own like and other workspaces not counted); papers outside the window
    are left out, since the ranker reads no other."""
    old = paper("2401.00001", "Retrieval in the old days", date(2024, 1, 2))
    world = make_world([*corpus(), old])
    carol = "slack:T1:UCAROL"
    for who in (ANNA, BOB, carol):
        world.say(who, "subscribe")
    for who in (BOB, carol):
        for paper_id in ("2506.00009", old.paper_id):
            world.commands.vote(Requester(who), paper_id, 1, "command")
    world.commands.vote(Requester(EVE), "2506.00009", 1, "command")  # another workspace
    seen: dict[str, UserProfile] = {}
    real = world.ranker.picks

    def recording(
        profiles: Sequence[UserProfile], candidates: Sequence[Paper], k: int, today: date
    ) -> dict[str, list[Pick]]:
        seen.update((p.user_key, p) for p in profiles)
        return real(profiles, candidates, k, today)

    monkeypatch.setattr(world.ranker, "picks", recording)
    world.service.plan_deliveries(world.clock.advance(hours=1, minutes=1))
    assert seen[ANNA].teammate_likes == {"2506.00009": 2}
    assert seen[BOB].teammate_likes == {"2506.00009": 1}  # Carol's: his own is not a teammate's
