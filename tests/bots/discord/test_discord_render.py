"""Pure renderer tests: embeds, buttons and Discord's limits, with no client and no network."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import discord
import pytest

from bots.discord.buttons import (
    CUSTOM_ID_LIMIT,
    ConfirmButton,
    CustomIdTooLong,
    VoteButton,
    parse_vote_custom_id,
    vote_custom_id,
)
from bots.discord.render import (
    CONTENT_LIMIT,
    EMBED_TOTAL,
    MAX_ROWS,
    card_embed,
    cards_view,
    picks_messages,
    reply_messages,
)
from engine.chat import PaperCard, PicksMessage, Reply

CARD = PaperCard(
    paper_id="2509.04664",
    title="Why language models hallucinate",
    url="https://arxiv.org/abs/2509.04664",
    authors=("A. Kalai", "O. Nachum", "S. Vempala", "E. Zhang"),
    organization="OpenAI",
    summary="Hallucinations persist because training and evaluation reward guessing.",
    reason="because you liked 2 papers on LLM evaluation",
    teammates_up=2,
)


def custom_ids(view: discord.ui.View | None) -> list[str]:
    assert view is not None
    return [item.custom_id for item in view.children]  # type: ignore[attr-defined]


def test_card_embed_shows_linked_title_authors_org_summary_reason() -> None:
    embed = card_embed(CARD).to_dict()
    assert embed["title"] == CARD.title
    assert embed["url"] == CARD.url
    assert embed["description"] == CARD.summary
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields == {
        "Authors": "A. Kalai, O. Nachum, S. Vempala, E. Zhang",
        "Organization": "OpenAI",
        "Why": CARD.reason,
    }
    assert "👍 by 2 teammates" in embed["footer"]["text"]


def test_embed_colour_follows_the_vote() -> None:
    up, down, none = (card_embed(replace(CARD, vote=v)).colour for v in (1, -1, None))
    assert len({up, down, none}) == 3


def test_non_http_links_are_dropped_rather_than_failing_the_message() -> None:
    assert card_embed(replace(CARD, url="javascript:alert(1)")).url is None


def test_huge_card_respects_every_embed_limit() -> None:
    huge = replace(
        CARD,
        title="T" * 1000,
        summary="S" * 10_000,
        authors=tuple(f"Author {i} " + "x" * 200 for i in range(50)),
        organization="O" * 5000,
        reason="R" * 5000,
    )
    embed = card_embed(huge)
    data = embed.to_dict()
    assert len(data["title"]) <= 256
    assert len(data.get("description", "")) <= 4096
    assert all(len(f["value"]) <= 1024 for f in data["fields"])
    assert len(embed) <= EMBED_TOTAL
    assert data["title"].endswith("…")


def test_five_huge_cards_in_one_reply_stay_under_6000_characters_per_message() -> None:
    huge = replace(CARD, summary="S" * 4000, reason="R" * 1000, authors=("x" * 1000,))
    cards = tuple(replace(huge, paper_id=f"2509.0000{i}") for i in range(7))
    messages = reply_messages(Reply(text="results", cards=cards))
    assert [len(m.embeds) for m in messages] == [5, 2]
    for message in messages:
        assert sum(len(e) for e in message.embeds) <= EMBED_TOTAL


def test_vote_custom_id_round_trips_and_fits_in_100_characters() -> None:
    for paper_id in ("2509.04664", "hep-th/9901001", "t:0123456789abcdef"):
        for direction, value in (("up", 1), ("down", -1)):
            custom_id = vote_custom_id(direction, paper_id)
            assert custom_id == f"vote:{direction}:{paper_id}"
            assert len(custom_id) <= CUSTOM_ID_LIMIT
            assert parse_vote_custom_id(custom_id) == (value, paper_id)
    longest = "x" * (CUSTOM_ID_LIMIT - len("vote:down:"))
    assert len(vote_custom_id("down", longest)) == CUSTOM_ID_LIMIT
    with pytest.raises(CustomIdTooLong):
        vote_custom_id("down", longest + "y")
    assert parse_vote_custom_id("confirm:forget-me confirm") is None


def test_vote_button_is_a_dynamic_item_matching_its_template() -> None:
    button = VoteButton("up", "2509.04664", selected=True)
    assert button.template.fullmatch(button.custom_id)
    assert button.item.style is discord.ButtonStyle.success
    assert VoteButton("down", "2509.04664").item.style is discord.ButtonStyle.secondary


def test_card_with_an_id_too_long_for_a_button_is_shown_without_buttons() -> None:
    assert cards_view([replace(CARD, paper_id="p" * 120)]) is None
    assert cards_view([replace(CARD, votable=False)]) is None


def test_picks_are_a_header_then_one_message_per_paper_each_with_its_own_buttons() -> None:
    second = replace(CARD, paper_id="2509.00002", title="Second")
    message = PicksMessage(
        "discord:1", date(2025, 11, 4), "Your papers for Tue 4 Nov", (CARD, second)
    )
    rendered = picks_messages(message)
    assert rendered[0].content == "**Your papers for Tue 4 Nov**"
    assert rendered[0].view is None
    assert [m.embeds[0].title for m in rendered[1:]] == [CARD.title, "Second"]
    assert custom_ids(rendered[1].view) == ["vote:up:2509.04664", "vote:down:2509.04664"]
    assert custom_ids(rendered[2].view) == ["vote:up:2509.00002", "vote:down:2509.00002"]


def test_reply_with_several_cards_numbers_titles_and_buttons() -> None:
    cards = tuple(replace(CARD, paper_id=f"2509.0000{i}", title=f"P{i}") for i in range(1, 4))
    (message,) = reply_messages(Reply(text="3 results", cards=cards))
    assert message.content == "3 results"
    assert [e.title for e in message.embeds] == ["1. P1", "2. P2", "3. P3"]
    view = message.view
    assert view is not None
    rows = [(item.row, item.item.label) for item in view.children]  # type: ignore[attr-defined]
    assert rows == [(0, "1"), (0, "1"), (1, "2"), (1, "2"), (2, "3"), (2, "3")]


def test_long_text_is_clipped_and_attached_in_full() -> None:
    text = "word " * 1000
    (message,) = reply_messages(Reply(text=text))
    assert message.content is not None and len(message.content) <= CONTENT_LIMIT
    assert message.attachment is not None
    assert message.attachment.data.decode() == text


def test_export_data_is_attached_as_json() -> None:
    (message,) = reply_messages(Reply(text="Your data", data={"votes": [1, 2]}))
    assert message.attachment is not None
    assert message.attachment.filename.endswith(".json")
    assert json.loads(message.attachment.data) == {"votes": [1, 2]}


def test_confirmation_becomes_a_button_carrying_the_command() -> None:
    (message,) = reply_messages(Reply(text="Sure?", confirm="forget-me confirm"))
    assert custom_ids(message.view) == ["confirm:forget-me confirm"]
    assert ConfirmButton("forget-me confirm").template.fullmatch("confirm:forget-me confirm")


def test_the_subscribe_offer_is_a_green_button_whose_id_survives_a_restart() -> None:
    command = "subscribe 09:00 America/Argentina/Buenos_Aires weekdays"
    offer = Reply(text="Welcome", confirm=command, confirm_label="Subscribe", confirm_danger=False)
    (message,) = reply_messages(offer)
    assert message.view is not None
    (button,) = message.view.children
    assert custom_ids(message.view) == [f"confirm:{command}"]
    assert button.item.style is discord.ButtonStyle.success  # type: ignore[attr-defined]
    match = ConfirmButton.__discord_ui_compiled_template__.fullmatch(f"confirm:{command}")
    assert match is not None and match["command"] == command


def test_confirmation_gets_its_own_message_when_all_rows_are_taken() -> None:
    cards = tuple(replace(CARD, paper_id=f"2509.0000{i}") for i in range(MAX_ROWS))
    messages = reply_messages(Reply(text="x", cards=cards, confirm="forget-me confirm"))
    assert len(messages) == 2
    assert custom_ids(messages[1].view) == ["confirm:forget-me confirm"]


def test_errors_are_marked() -> None:
    (message,) = reply_messages(Reply(text="Unknown subcommand", is_error=True))
    assert message.content == "⚠️ Unknown subcommand"


def test_neutral_markdown_goes_to_discord_as_it_is() -> None:
    (message,) = reply_messages(Reply(text="**paperbot** picks, try `/papers help`"))
    assert message.content == "**paperbot** picks, try `/papers help`"
    note = PicksMessage("discord:1", date(2025, 6, 9), "Picks", note="Nothing **new**")
    assert picks_messages(note)[0].content == "**Picks**\nNothing **new**"
