"""The console adapter's own behaviour: card numbers in `similar` / `why`, and the global error
hook that keeps a session alive when a command fails unexpectedly. Over the real command layer
and in-memory repositories (tests/conftest.py's chat_world), as the Slack and Discord tests."""

from __future__ import annotations

import re

from bots.console.chat import ChatSession
from engine.chat import Requester
from tests.conftest import World, chat_world

KEY = "console:t"


def session(world: World, out: list[str]) -> ChatSession:
    return ChatSession(world.commands, Requester(KEY, "t"), out.append, False)


def known_world() -> World:
    """chat_world() with the user subscribed and interested in retrieval: picks show both papers."""
    world = chat_world()
    world.user(KEY, interests=("retrieval",))
    return world


def asked(world: World) -> list[str]:
    return [text for _, text in world.commands.texts]


def test_card_numbers_become_paper_ids_for_similar_and_why() -> None:
    world, out = known_world(), []
    chat = session(world, out)
    chat.run(["/papers picks"])
    picks = chat.last_cards
    chat.run(["/papers similar 2"])
    similar = chat.last_cards
    assert len(picks) == 2 and len(similar) == 1 and similar[0].paper_id == picks[0].paper_id
    out.clear()
    chat.run(["/papers why 1", "/papers why 7", "similar 0", "why 2509.04664"])
    assert asked(world)[1:] == [
        f"/papers similar {picks[1].paper_id}",
        f"/papers why {similar[0].paper_id}",
        "why 2509.04664",  # not a card number: an id, passed on as typed
    ]
    # as for a reaction, a number that is no card says so (it was "I don't know the paper '7'")
    assert out[1:3] == [
        "✗ There is no card 7 in the last list.",
        "✗ There is no card 0 in the last list.",
    ]


def test_an_unexpected_error_is_one_line_and_the_session_goes_on() -> None:
    world, out = known_world(), []
    world.commands.crash_on = "boom"
    errors = session(world, out).run(["/papers boom", "/papers picks"])
    assert errors == 1
    assert any("Something went wrong" in line for line in out)
    assert asked(world) == ["/papers boom", "/papers picks"]
    assert "1. Retrieval" in out[-1]  # the picks after the failure were answered


def test_card_numbers_outlive_why() -> None:
    """Issue 10: after `why 1` the numbers of the list before it still hold ("There is no card
    2" was the answer), and the `why` card is shown without a number of its own."""
    world, out = known_world(), []
    chat = session(world, out)
    errors = chat.run(["/papers picks", "why 1", "+1 2", "why 2"])
    first, second = (card.paper_id for card in chat.last_cards)
    assert errors == 0
    assert asked(world)[1:] == [f"why {first}", f"why {second}"]
    assert world.votes(KEY) == {second: 1}
    for why, card in zip((out[1], out[3]), chat.last_cards, strict=True):
        assert card.title in why.splitlines()  # the card, shown on its own
        assert not any(re.match(r"\d+\. ", line) for line in why.splitlines()), why


def test_help_in_the_terminal_lists_clearing_a_vote() -> None:
    world, out = known_world(), []
    session(world, out).run(["help"])
    assert "`0 <n>` clears your vote" in out[-1]
