"""Subscribing is the person's choice: first contact explains and offers, nothing is sent until
they accept, and `forget-me confirm` is not undone by the next command."""

from __future__ import annotations

from bots.texts import INTRO
from engine.chat import Requester
from tests.conftest import World

ANNA = Requester("console:anna", "Anna")


def _planned(world: World) -> list[str]:
    report = world.service.plan_deliveries(world.clock.advance(hours=3, minutes=1))
    return [d.user_key for d in report.claimed]


def test_first_contact_explains_and_offers_subscribe_but_does_not_subscribe(world: World) -> None:
    reply = world.commands.handle(ANNA, "help")
    assert reply.text.startswith(INTRO)
    assert "Nothing is sent to you until you ask" in reply.text
    assert reply.confirm == "subscribe 09:00 Europe/Berlin daily"
    assert reply.confirm_label == "Subscribe: 09:00 Europe/Berlin daily"
    assert reply.confirm_danger is False
    assert world.repos.users.rows["console:anna"].subscribed is False
    assert _planned(world) == []


def test_a_search_or_picks_first_sends_nothing(world: World) -> None:
    world.commands.handle(ANNA, "search retrieval")
    world.commands.handle(Requester("console:bob"), "picks")
    assert _planned(world) == []


def test_accepting_the_offer_subscribes_with_the_time_and_zone_shown(world: World) -> None:
    offer = world.commands.handle(ANNA, "help").confirm
    assert offer is not None
    reply = world.commands.handle(ANNA, offer)
    assert reply.text.startswith("✅ Subscribed")
    assert world.repos.users.rows["console:anna"].subscribed is True
    assert _planned(world) == ["console:anna"]


def test_the_platforms_timezone_prefills_the_offer(world: World) -> None:
    who = Requester("slack:T1:U1", "u1", timezone=lambda: "America/Argentina/Buenos_Aires")
    assert world.commands.handle(who, "help").confirm == (
        "subscribe 09:00 America/Argentina/Buenos_Aires daily"
    )


def test_an_unknown_or_failing_timezone_lookup_falls_back_to_the_default(world: World) -> None:
    def broken() -> str:
        raise ConnectionError("slack is down")

    odd = Requester("slack:T1:U2", timezone=lambda: "Mars/Olympus")
    assert world.commands.handle(odd, "help").confirm == "subscribe 09:00 Europe/Berlin daily"
    down = Requester("slack:T1:U3", timezone=broken)
    assert world.commands.handle(down, "help").confirm == "subscribe 09:00 Europe/Berlin daily"


def test_a_first_subscribe_is_not_offered_subscribe_again(world: World) -> None:
    reply = world.commands.handle(ANNA, "subscribe 07:30")
    assert reply.confirm is None
    assert reply.text.startswith(INTRO) and "✅ Subscribed" in reply.text
    assert world.repos.users.rows["console:anna"].subscribed is True


def test_forget_me_then_any_command_does_not_subscribe_again(world: World) -> None:
    world.commands.handle(ANNA, "subscribe")
    world.commands.handle(ANNA, "forget-me confirm")
    reply = world.commands.handle(ANNA, "settings")
    assert "status: unsubscribed" in reply.text
    assert world.repos.users.rows["console:anna"].subscribed is False
    assert _planned(world) == []


def test_the_home_tab_of_a_new_user_offers_subscribe_and_subscribes_no_one(world: World) -> None:
    home = world.commands.home(Requester("slack:T1:U9", timezone=lambda: "Asia/Tokyo"))
    assert home.notice is not None and "`/papers subscribe 09:00 Asia/Tokyo daily`" in home.notice
    assert world.repos.users.rows["slack:T1:U9"].subscribed is False
