"""Pure renderer tests: layout, escaping, vote state, and Slack's limits."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bots.slack.blocks import (
    RUN_COMMAND,
    VOTE_DOWN,
    VOTE_UP,
    card_blocks,
    mark_vote,
    picks_payloads,
    reply_payload,
    two_line_summary,
)
from bots.slack.home import home_view
from bots.slack.limits import (
    MAX_BUTTON_VALUE,
    MAX_HEADER,
    MAX_MESSAGE_BLOCKS,
    MAX_TEXT,
    MAX_VIEW_BLOCKS,
)
from engine.chat import HomeView, PaperCard, PicksMessage, Reply

CARD = PaperCard(
    paper_id="2509.04664",
    title="Attention <is> all | you need & more",
    url="https://arxiv.org/abs/2509.04664",
    authors=("Ada", "Grace"),
    organization="Analytical Engines",
    summary="Line one.\n\nLine two.\nLine three is cut.",
    reason="You liked transformers",
)


def texts_of(block: dict[str, Any]) -> list[str]:
    """Every text string inside a block, wherever Block Kit keeps it."""
    found: list[str] = []
    if isinstance(block.get("text"), dict):
        found.append(block["text"]["text"])
    for element in block.get("elements", []):
        if "text" in element and isinstance(element["text"], str):
            found.append(element["text"])
        elif isinstance(element.get("text"), dict):
            found.append(element["text"]["text"])
    return found


def assert_within_limits(blocks: list[dict[str, Any]], max_blocks: int) -> None:
    assert len(blocks) <= max_blocks
    for block in blocks:
        for text in texts_of(block):
            assert len(text) <= MAX_TEXT
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= MAX_HEADER
        for element in block.get("elements", []):
            if element.get("type") == "button":
                assert len(element["value"]) <= MAX_BUTTON_VALUE


def test_card_has_linked_title_byline_two_line_summary_reason_and_buttons() -> None:
    section, meta, actions = card_blocks(CARD)
    text = section["text"]["text"]
    assert text.splitlines()[0] == (
        "*<https://arxiv.org/abs/2509.04664|Attention &lt;is&gt; all ∣ you need &amp; more>*"
    )
    assert "Ada, Grace" in text and "Analytical Engines" in text
    assert "Line one.\nLine two." in text and "Line three" not in text
    assert meta["type"] == "context" and "You liked transformers" in meta["elements"][0]["text"]
    assert [(b["action_id"], b["value"]) for b in actions["elements"]] == [
        (VOTE_UP, "2509.04664"),
        (VOTE_DOWN, "2509.04664"),
    ]


def test_picks_are_a_dated_header_then_one_message_per_paper() -> None:
    message = PicksMessage("slack:T:U", date(2025, 11, 24), "Your papers", (CARD, CARD))
    payloads = picks_payloads(message)
    assert len(payloads) == 3
    head = payloads[0]["blocks"]
    assert head[0]["type"] == "header"
    assert "Monday, 24 November 2025" in json.dumps(head)
    assert all(p["blocks"][-1]["type"] == "actions" for p in payloads[1:])


def test_a_vote_is_shown_and_changed_and_withdrawn_on_the_existing_blocks() -> None:
    blocks = card_blocks(CARD)
    up = mark_vote(blocks, CARD.paper_id, 1)
    assert up[-1]["elements"][0]["style"] == "primary"
    assert "Your vote: 👍" in json.dumps(up, ensure_ascii=False)
    down = mark_vote(up, CARD.paper_id, -1)
    assert down[-1]["elements"][1]["style"] == "danger"
    assert "style" not in down[-1]["elements"][0]
    dumped = json.dumps(down, ensure_ascii=False)
    assert "Your vote: 👎" in dumped and "Your vote: 👍" not in dumped
    cleared = mark_vote(down, CARD.paper_id, 0)
    assert "Your vote" not in json.dumps(cleared, ensure_ascii=False)
    assert blocks == card_blocks(CARD), "mark_vote must not mutate its input"


def test_vote_on_a_card_without_reason_adds_then_removes_its_context() -> None:
    bare = PaperCard(paper_id="p1", title="Bare")
    voted = mark_vote(card_blocks(bare), "p1", -1)
    assert [b["type"] for b in voted] == ["section", "context", "actions"]
    assert [b["type"] for b in mark_vote(voted, "p1", 0)] == ["section", "actions"]


def test_a_paper_id_too_long_for_a_button_value_gets_no_buttons() -> None:
    long_card = PaperCard(paper_id="x" * (MAX_BUTTON_VALUE + 1), title="Long id")
    assert all(b["type"] != "actions" for b in card_blocks(long_card))
    ok_card = PaperCard(paper_id="x" * MAX_BUTTON_VALUE, title="Exact")
    assert card_blocks(ok_card)[-1]["type"] == "actions"


def test_huge_reply_stays_within_limits_and_says_what_was_left_out() -> None:
    cards = tuple(
        PaperCard(paper_id=f"p{i}", title="T" * 5000, summary="S" * 5000, reason="R" * 5000)
        for i in range(40)
    )
    payload = reply_payload(Reply(text="x" * 10_000, cards=cards, title="H" * 400))
    blocks = payload["blocks"]
    assert_within_limits(blocks, MAX_MESSAGE_BLOCKS)
    assert "more papers not shown" in blocks[-1]["elements"][0]["text"]
    # Cards are never cut in half: every shown paper section is followed by its buttons.
    shown = [b for b in blocks if b.get("block_id", "").startswith("paper:")]
    buttons = [b for b in blocks if b.get("block_id", "").startswith("vote:")]
    assert len(shown) == len(buttons) > 0


def test_private_replies_are_ephemeral_and_public_ones_in_channel() -> None:
    assert reply_payload(Reply(text="hi"))["response_type"] == "ephemeral"
    assert reply_payload(Reply(text="hi", private=False))["response_type"] == "in_channel"
    error = reply_payload(Reply(text="nope", is_error=True))
    assert "⚠️ nope" in json.dumps(error, ensure_ascii=False)


def test_a_confirmation_becomes_a_button_carrying_the_follow_up_command() -> None:
    blocks = reply_payload(Reply(text="Sure?", confirm="forget-me confirm"))["blocks"]
    (button,) = blocks[-1]["elements"]
    assert (button["action_id"], button["value"]) == (RUN_COMMAND, "forget-me confirm")
    too_long = reply_payload(Reply(text="Sure?", confirm="x" * 300))["blocks"][-1]
    assert too_long["type"] == "context" and "/papers xxx" in too_long["elements"][0]["text"]


def test_the_subscribe_offer_is_a_plain_button_with_the_time_and_zone_to_confirm() -> None:
    offer = Reply(
        text="Welcome",
        confirm="subscribe 09:00 Europe/Berlin weekdays",
        confirm_label="Subscribe: 09:00 Europe/Berlin weekdays",
        confirm_danger=False,
    )
    (button,) = reply_payload(offer)["blocks"][-1]["elements"]
    assert button["value"] == "subscribe 09:00 Europe/Berlin weekdays"
    assert button["text"]["text"] == "Subscribe: 09:00 Europe/Berlin weekdays"
    assert button["style"] == "primary"


def test_home_view_shows_settings_interests_and_votes_within_100_blocks() -> None:
    recent = tuple(PaperCard(paper_id=f"p{i}", title=f"Paper {i}", vote=1) for i in range(60))
    view = home_view(HomeView("slack:T:U", {"send time": "09:00"}, ("rlhf",), recent))
    assert view["type"] == "home"
    assert_within_limits(view["blocks"], MAX_VIEW_BLOCKS)
    dumped = json.dumps(view, ensure_ascii=False)
    assert "send time" in dumped and "`rlhf`" in dumped and "Your vote: 👍" in dumped


def test_two_line_summary_keeps_two_lines_and_caps_length() -> None:
    assert two_line_summary("a\n\n b \nc") == "a\nb"
    assert len(two_line_summary("w" * 1000)) <= 300


@settings(max_examples=60, deadline=None)
@given(
    title=st.text(max_size=4000),
    summary=st.text(max_size=6000),
    authors=st.lists(st.text(max_size=300), max_size=50),
    header_text=st.text(max_size=600),
    count=st.integers(min_value=0, max_value=60),
)
def test_any_picks_message_respects_slack_limits(
    title: str, summary: str, authors: list[str], header_text: str, count: int
) -> None:
    card = PaperCard(
        paper_id="2509.1", title=title, summary=summary, authors=tuple(authors), reason=summary
    )
    message = PicksMessage("slack:T:U", date(2025, 1, 1), header_text, (card,) * count, summary)
    for payload in picks_payloads(message):
        assert_within_limits(payload["blocks"], MAX_MESSAGE_BLOCKS)
        assert len(payload["text"]) <= MAX_TEXT
    reply = reply_payload(Reply(text=summary, cards=(card,) * count, title=header_text))
    assert_within_limits(reply["blocks"], MAX_MESSAGE_BLOCKS)


def test_a_reply_with_a_huge_text_and_no_cards_is_capped_with_a_note() -> None:
    text = "\n".join("line " + "y" * 2990 for _ in range(80))
    blocks = reply_payload(Reply(text=text))["blocks"]
    assert_within_limits(blocks, MAX_MESSAGE_BLOCKS)
    assert len(blocks) == MAX_MESSAGE_BLOCKS
    assert "not shown" in blocks[-1]["elements"][0]["text"]


def test_neutral_bold_becomes_slack_bold_and_code_and_escaping_stay() -> None:
    reply = Reply(text="**paperbot** says `/papers help` & <more>; 2 ** 3 stays", title="Help")
    payload = reply_payload(reply)
    body = "\n".join(t for b in payload["blocks"] for t in texts_of(b))
    assert "*paperbot* says `/papers help` &amp; &lt;more&gt;; 2 ** 3 stays" in body
    assert "**" not in body.replace("2 ** 3", "")
    assert payload["text"] == "Help"
    untitled = reply_payload(Reply(text="**bold** news"))
    assert untitled["text"] == "*bold* news"


def test_neutral_bold_in_picks_notes_and_home_notices_is_converted() -> None:
    note = PicksMessage("slack:T:U", date(2025, 6, 9), "Picks", note="Nothing **new** today")
    header_blocks = picks_payloads(note)[0]["blocks"]
    assert any("Nothing *new* today" in t for b in header_blocks for t in texts_of(b))
    home = home_view(HomeView("slack:T:U", notice="**Welcome** to paperbot"))
    assert any("*Welcome* to paperbot" in t for b in home["blocks"] for t in texts_of(b))
