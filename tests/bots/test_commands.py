"""The `/papers` grammar over the real service and in-memory repositories."""

from __future__ import annotations

from datetime import date, time

import pytest

from bots.texts import WELCOME, WELCOME_FIRST_INTEREST
from engine.chat import Requester, Undeliverable
from tests.conftest import World

ANNA = Requester("console:anna", "Anna")


def test_first_contact_welcomes_and_asks_for_interests(world: World) -> None:
    reply = world.commands.handle(ANNA, "help")
    assert reply.text.startswith(WELCOME)
    assert "/papers picks" in reply.text
    assert "Welcome" not in world.commands.handle(ANNA, "help").text


def test_leading_slash_papers_is_accepted(world: World) -> None:
    world.say("console:anna", "hi")
    assert world.commands.handle(ANNA, "/papers settings").is_error is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("frobnicate", "Try `/papers help`"),
        ("serch rlhf", "Did you mean `/papers search`"),
        ("search", "search for what"),
        ("search    ", "search for what"),
        ("subscribe 25:00", "HH:MM"),
        ("subscribe 08:00 Berlin", "Europe/Berlin"),
        # issue 10: the weekday word is blamed, not the timezone given before it
        ("subscribe 10:00 Europe/Paris someday", "'someday' is not a set of days"),
        ("subscribe weekends", "'weekends' is not a set of days"),
        ("subscribe 10:00 Mars/Olympus", "unknown timezone"),
        ("similar 9999.99999", "don't know the paper"),
        ("why nonsense-id", "don't know the paper"),
        ("why", "which paper"),
        ("k 0", "between 1 and"),
        ("k many", "whole number"),
        ("pause forever", "whole number"),
        ("pause 1000", "1 to 365"),
        ("interests remove quantum", "not one of your interests"),
        ("interests frob x", "interests add"),
        ("interests add", "add which interest"),
        ("admin stats", "Only admins"),
    ],
)
def test_every_mistake_gets_a_short_helpful_error(world: World, text: str, expected: str) -> None:
    world.say("console:anna", "help")
    reply = world.commands.handle(ANNA, text)
    assert reply.is_error
    assert expected.lower() in reply.text.lower()
    assert "Traceback" not in reply.text and len(reply.text) < 300


def test_subscribe_takes_time_timezone_and_days_in_any_order(world: World) -> None:
    reply = world.commands.handle(ANNA, "subscribe daily Asia/Tokyo 7:45")
    assert not reply.is_error
    user = world.repos.users.get("console:anna")
    assert user is not None
    assert (user.send_time, user.timezone, user.weekdays) == (
        time(7, 45),
        "Asia/Tokyo",
        tuple(range(7)),
    )
    assert "07:45 Asia/Tokyo" in reply.text


def test_unsubscribe_pause_resume_and_k_change_settings(world: World) -> None:
    world.say("console:anna", "unsubscribe")
    assert world.repos.users.rows["console:anna"].subscribed is False
    world.say("console:anna", "resume")
    assert world.repos.users.rows["console:anna"].subscribed is True
    world.say("console:anna", "pause 3")
    assert world.repos.users.rows["console:anna"].paused_until == date(2025, 6, 12)
    assert "paused" in world.say("console:anna", "settings")
    world.say("console:anna", "k 3")
    assert world.repos.users.rows["console:anna"].picks_per_day == 3


def test_interests_add_list_remove(world: World) -> None:
    world.say("console:anna", "interests add  graph   neural networks")
    world.say("console:anna", "interests add Graph Neural Networks")  # a duplicate, ignored
    world.say("console:anna", "interests add video diffusion")
    assert world.repos.users.rows["console:anna"].interests == (
        "graph neural networks",
        "video diffusion",
    )
    assert "• video diffusion" in world.say("console:anna", "interests")
    world.say("console:anna", "interests remove GRAPH neural networks")
    assert world.repos.users.rows["console:anna"].interests == ("video diffusion",)


def test_picks_follow_interests_and_votes_change_them_at_once(world: World) -> None:
    world.say("console:anna", "interests add video diffusion")
    world.say("console:anna", "k 2")
    first = world.commands.handle(ANNA, "picks")
    assert [c.paper_id for c in first.cards] == ["2506.00006", "2506.00005"]
    assert first.cards[0].reason and "video diffusion" in first.cards[0].reason
    outcome = world.commands.vote(ANNA, "2506.00005", -1, "command")
    assert outcome.recorded and outcome.vote == -1
    second = world.commands.handle(ANNA, "picks")
    assert "2506.00005" not in [c.paper_id for c in second.cards]


def test_search_empty_results_and_hits(world: World) -> None:
    world.say("console:anna", "hi")
    reply = world.commands.handle(ANNA, "search retrieval")
    assert {c.paper_id for c in reply.cards} >= {"2506.00001", "2506.00002", "2506.00011"}
    assert not world.commands.handle(ANNA, "search zzzyzx").is_error


def test_similar_and_why_accept_an_arxiv_url(world: World) -> None:
    world.say("console:anna", "interests add retrieval")
    similar = world.commands.handle(ANNA, "similar https://arxiv.org/abs/2506.00001v2")
    assert not similar.is_error and similar.cards
    assert "2506.00001" not in [c.paper_id for c in similar.cards]
    why = world.commands.handle(ANNA, "why 2506.00002")
    assert "retrieval" in why.text


def test_a_repeated_event_changes_nothing(world: World) -> None:
    world.say("console:anna", "hi")
    first = world.commands.vote(ANNA, "2506.00003", 1, "button", event_id="ev-1")
    replay = world.commands.vote(ANNA, "2506.00003", -1, "button", event_id="ev-1")
    assert first.recorded and not replay.recorded
    assert world.repos.feedback.votes_for("console:anna") == {"2506.00003": 1}
    withdrawn = world.commands.vote(ANNA, "2506.00003", 0, "button", event_id="ev-2")
    assert withdrawn.recorded and withdrawn.vote == 0
    assert world.repos.feedback.votes_for("console:anna") == {}


def test_voting_on_an_unknown_paper_is_a_polite_no(world: World) -> None:
    outcome = world.commands.vote(ANNA, "0000.00000", 1, "command")
    assert not outcome.recorded and "don't know" in outcome.text


def test_export_holds_my_data_and_forget_me_needs_confirmation(world: World) -> None:
    world.say("console:anna", "interests add retrieval")
    world.commands.vote(ANNA, "2506.00001", 1, "command")
    export = world.commands.handle(ANNA, "export")
    assert export.data is not None
    assert export.data["votes"] == {"2506.00001": 1}
    assert export.data["interests"] == ["retrieval"]
    ask = world.commands.handle(ANNA, "forget-me")
    assert ask.confirm == "forget-me confirm"
    assert world.repos.users.get("console:anna") is not None
    world.commands.handle(ANNA, "forget-me confirm")
    assert world.repos.users.get("console:anna") is None
    assert world.repos.feedback.votes_for("console:anna") == {}


def test_users_only_see_their_own_data(world: World) -> None:
    world.commands.vote(ANNA, "2506.00001", 1, "command")
    bob = Requester("console:bob")
    export = world.commands.handle(bob, "export")
    assert export.data is not None and export.data["votes"] == {}


def test_admin_commands_for_admins_only(world: World) -> None:
    admin = Requester("console:admin")
    assert world.commands.handle(admin, "admin ingest").text.endswith("ingest started")
    assert world.commands.handle(admin, "admin retrain").text.endswith("retrain started")
    stats = world.commands.handle(admin, "admin stats")
    assert stats.data is not None and stats.data["papers"] == 12
    assert world.commands.handle(ANNA, "admin ingest").is_error


def test_user_with_closed_dms_is_told_once(world: World) -> None:
    world.say("console:anna", "subscribe 09:00 Europe/Berlin daily")
    world.service.plan_deliveries(world.clock.advance(hours=1, minutes=1))
    notifier_error = Undeliverable("DMs are closed")
    [(row, _message)] = world.worker.begin()
    world.worker.fail(row, notifier_error)
    assert world.repos.users.rows["console:anna"].undeliverable
    told = world.say("console:anna", "settings")
    assert "could not send you your daily picks" in told
    assert "could not send" not in world.say("console:anna", "settings")
    assert world.repos.users.rows["console:anna"].undeliverable is None


def test_vote_on_message_maps_a_reaction_to_the_paper(world: World) -> None:
    from tests.fakes import RecordingNotifier

    world.say("console:anna", "subscribe 09:00 Europe/Berlin daily")
    world.service.plan_deliveries(world.clock.advance(hours=1, minutes=1))
    world.worker.drain(RecordingNotifier())
    row = world.repos.ledger.for_user("console:anna")[0]
    outcome = world.commands.vote_on_message(
        "console", row.message_ids[1], Requester("console:bob"), 1
    )
    assert outcome is not None and outcome.paper_id == row.paper_ids[1]
    assert world.repos.feedback.votes_for("console:bob") == {row.paper_ids[1]: 1}
    assert world.commands.vote_on_message("console", "not-ours", ANNA, 1) is None


def test_home_shows_settings_interests_and_last_picks(world: World) -> None:
    from tests.fakes import RecordingNotifier

    world.say("console:anna", "interests add retrieval")
    world.say("console:anna", "subscribe")
    world.service.plan_deliveries(world.clock.advance(hours=1, minutes=1))
    world.worker.drain(RecordingNotifier())
    world.commands.vote(
        ANNA, world.repos.ledger.for_user("console:anna")[0].paper_ids[0], 1, "button"
    )
    home = world.commands.home(ANNA)
    assert home.interests == ("retrieval",)
    assert home.settings["send time"] == "09:00"
    assert len(home.recent) == 5 and home.recent[0].vote == 1


def test_a_removed_reaction_withdraws_only_the_vote_it_was(world: World) -> None:
    from tests.fakes import RecordingNotifier

    world.say("console:anna", "subscribe 09:00 Europe/Berlin daily")
    world.service.plan_deliveries(world.clock.advance(hours=1, minutes=1))
    world.worker.drain(RecordingNotifier())
    row = world.repos.ledger.for_user("console:anna")[0]
    message, paper_id = row.message_ids[0], row.paper_ids[0]
    world.commands.vote_on_message("console", message, ANNA, 1)
    world.commands.vote(ANNA, paper_id, -1, "button")
    kept = world.commands.vote_on_message("console", message, ANNA, 0, removed=1)
    assert kept is not None and (kept.recorded, kept.vote) == (False, -1)
    assert world.repos.feedback.votes_for("console:anna") == {paper_id: -1}
    gone = world.commands.vote_on_message("console", message, ANNA, 0, removed=-1)
    assert gone is not None and (gone.recorded, gone.vote) == (True, 0)
    assert world.repos.feedback.votes_for("console:anna") == {}


def test_a_first_command_adding_an_interest_is_acknowledged_not_asked_for(world: World) -> None:
    reply = world.commands.handle(ANNA, "interests add retrieval augmented generation")
    assert not reply.is_error
    assert reply.text.startswith(WELCOME_FIRST_INTEREST)
    assert "Tell me a few things" not in reply.text
    assert "• retrieval augmented generation" in reply.text
    assert world.repos.users.rows["console:anna"].interests == ("retrieval augmented generation",)
    assert "Welcome" not in world.commands.handle(ANNA, "interests add rlhf").text


def test_a_failed_first_interest_gets_the_ordinary_welcome(world: World) -> None:
    reply = world.commands.handle(ANNA, "interests add   ")
    assert reply.is_error
    assert reply.text.startswith(WELCOME)
    assert "Noted your first interest" not in reply.text


def test_clearing_a_vote_that_is_not_there_says_so(world: World) -> None:
    """Issue 10: `0 N` on a paper without a vote answered "Vote removed."."""
    world.say("console:anna", "help")
    outcome = world.commands.vote(ANNA, "2506.00001", 0, "command")
    assert not outcome.recorded and "no vote" in outcome.text
    assert world.commands.vote(ANNA, "2506.00001", 1, "command").recorded
    cleared = world.commands.vote(ANNA, "2506.00001", 0, "command")
    assert cleared.recorded and cleared.text == "Vote removed."
