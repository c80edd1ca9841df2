"""Pure Block Kit renderers for the neutral messages in engine/chat.py.

No I/O and no Slack client here: every function takes a neutral message and returns the dicts the
Web API expects, so the layout and Slack's limits are tested without a network. The vote buttons
carry their state (`action_id` vote_up / vote_down, `value` = paper id), which is why they keep
working after a restart and why the handlers keep no state.
"""

from __future__ import annotations

import copy
import re
from datetime import date
from typing import Any

from bots.slack.limits import (
    MAX_BUTTON_TEXT,
    MAX_BUTTON_VALUE,
    MAX_FALLBACK_TEXT,
    MAX_MESSAGE_BLOCKS,
    MAX_TEXT,
    Block,
    cap_blocks,
    context,
    escape,
    header,
    plain,
    section,
    sections_for_long_text,
    truncate,
)
from engine.chat import PaperCard, PicksMessage, Reply

VOTE_UP = "vote_up"
VOTE_DOWN = "vote_down"
RUN_COMMAND = "run_command"
SUMMARY_LINES = 2
SUMMARY_CHARS = 300
TITLE_CHARS = 300
BYLINE_CHARS = 400
MAX_URL = 600
_VOTE_LABEL = {1: "👍", -1: "👎"}

Payload = dict[str, Any]

# Neutral bold (engine/chat.py): `**x**` with no space just inside the markers.
_NEUTRAL_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")


def slack_bold(text: str) -> str:
    """Neutral `**bold**` (engine/chat.py) as Slack's `*bold*`; nothing else changes.
    Backtick code spans mean the same on both sides and are left alone."""
    return _NEUTRAL_BOLD.sub(r"*\1*", text)


def mrkdwn_text(text: str) -> str:
    """Neutral text as the text of a mrkdwn block: escaped, then its bold converted."""
    return slack_bold(escape(text))


def vote_block_id(paper_id: str) -> str:
    return f"vote:{paper_id}"


def meta_block_id(paper_id: str) -> str:
    return f"meta:{paper_id}"


def two_line_summary(summary: str) -> str:
    """The first two non-empty lines, capped: a DM is skimmed, the abstract is one click away."""
    lines = [line.strip() for line in summary.splitlines() if line.strip()]
    return truncate("\n".join(lines[:SUMMARY_LINES]), SUMMARY_CHARS)


def _link(url: str, label: str) -> str:
    # `|` and `>` end a link's label early; escape() covers `>`, a `|` becomes a lookalike.
    return f"<{url}|{escape(label).replace('|', '∣')}>"


def _title_line(card: PaperCard) -> str:
    title = truncate(card.title.replace("\n", " ").strip(), TITLE_CHARS) or card.paper_id
    if card.url and len(card.url) <= MAX_URL:
        return f"*{_link(card.url, title)}*"
    return f"*{escape(title)}*"


def _links_line(card: PaperCard) -> str:
    links = [_link(url, label) for label, url in card.links if len(url) <= MAX_URL]
    return " · ".join(links)


def _byline(card: PaperCard) -> str:
    parts = [card.author_line] if card.author_line else []
    if card.organization:
        parts.append(f"_{card.organization}_")
    if card.published:
        parts.append(card.published.isoformat())
    return escape(truncate(" · ".join(parts), BYLINE_CHARS))


def card_text(card: PaperCard) -> str:
    """Title (linked), links, byline, the one-liner in italics and the summary: the lines that
    fit in one section's 3000 characters, in that order of importance, the title always."""
    tldr = f"_{escape(truncate(card.tldr, SUMMARY_CHARS))}_" if card.tldr else ""
    lines = [_links_line(card), _byline(card), tldr, escape(two_line_summary(card.summary))]
    text = _title_line(card)
    for line in lines:
        if line and len(text) + 1 + len(line) <= MAX_TEXT:
            text += "\n" + line
    return text


def _meta_texts(card: PaperCard, vote: int | None) -> list[str]:
    texts: list[str] = []
    if card.reason:
        texts.append(f"💡 {escape(card.reason)}")
    if card.teammates_up > 0:
        mates = "teammate" if card.teammates_up == 1 else "teammates"
        texts.append(f"👍 by {card.teammates_up} {mates}")
    if vote in _VOTE_LABEL:
        texts.append(f"Your vote: {_VOTE_LABEL[vote]}")
    return texts


def vote_buttons(paper_id: str, vote: int | None = None) -> Block | None:
    """The 👍/👎 actions block, or None when the id cannot be a button value (over 255 chars)."""
    if len(paper_id) > MAX_BUTTON_VALUE:
        return None
    up: Block = {
        "type": "button",
        "action_id": VOTE_UP,
        "text": plain("👍", MAX_BUTTON_TEXT),
        "value": paper_id,
    }
    down: Block = {
        "type": "button",
        "action_id": VOTE_DOWN,
        "text": plain("👎", MAX_BUTTON_TEXT),
        "value": paper_id,
    }
    if vote == 1:
        up["style"] = "primary"
    elif vote == -1:
        down["style"] = "danger"
    return {"type": "actions", "block_id": vote_block_id(paper_id), "elements": [up, down]}


def card_blocks(card: PaperCard) -> list[Block]:
    """One paper: linked title, authors and organization, a two-line summary, the reason as
    context, and the vote buttons."""
    blocks = [section(card_text(card), block_id=f"paper:{card.paper_id}")]
    meta = _meta_texts(card, card.vote)
    if meta:
        blocks.append(context(meta, block_id=meta_block_id(card.paper_id)))
    buttons = vote_buttons(card.paper_id, card.vote) if card.votable else None
    if buttons is not None:
        blocks.append(buttons)
    return blocks


def confirm_button(command: str, label: str = "Yes, go ahead", danger: bool = True) -> Block:
    """A button that runs the follow-up command the reply asks for (e.g. `forget-me confirm`,
    or a new user's `subscribe 09:00 UTC weekdays`), or, when it cannot be a button value, the
    words to type. Red only for what cannot be undone."""
    if len(command) > MAX_BUTTON_VALUE:
        return context([f"To go on, type `/papers {escape(command)}`"])
    button = {
        "type": "button",
        "action_id": RUN_COMMAND,
        "text": plain(label, MAX_BUTTON_TEXT),
        "style": "danger" if danger else "primary",
        "value": command,
    }
    return {"type": "actions", "block_id": "confirm", "elements": [button]}


def _fallback(text: str) -> str:
    return truncate(text, MAX_FALLBACK_TEXT)


def picks_header_payload(message: PicksMessage) -> Payload:
    """The first DM of the day: a header with the date, and the note (e.g. a quiet day)."""
    day = long_date(message.local_date)
    title = message.header.strip() or f"Your papers for {day}"
    blocks = [header(title)]
    if day not in title and message.local_date.isoformat() not in title:
        blocks.append(context([day]))
    if message.note:
        blocks.append(section(mrkdwn_text(message.note)))
    return {"text": _fallback(f"{title} ({day})"), "blocks": blocks}


def card_payload(card: PaperCard) -> Payload:
    return {"text": _fallback(card.title), "blocks": card_blocks(card)}


def picks_payloads(message: PicksMessage) -> list[Payload]:
    """The daily picks as chat messages: the header, then ONE message per paper, so that a
    reaction on a message maps to exactly one paper (the ledger remembers message -> paper)."""
    return [picks_header_payload(message), *(card_payload(c) for c in message.cards)]


def long_date(day: date) -> str:
    return f"{day.strftime('%A')}, {day.day} {day.strftime('%B %Y')}"


def fit_groups(
    head: list[Block], groups: list[list[Block]], limit: int, noun: str = "papers"
) -> list[Block]:
    """`head` plus as many whole groups (cards) as fit in `limit` blocks; never half a card. When
    some are left out, a last context line says how many (room for it is always kept)."""
    blocks = cap_blocks(head, limit - 1 if groups else limit)
    for shown, group in enumerate(groups):
        remaining = len(groups) - shown
        reserve = 1 if remaining > 1 else 0
        if len(blocks) + len(group) + reserve > limit:
            blocks.append(context([f"_…and {remaining} more {noun} not shown._"]))
            break
        blocks.extend(group)
    return blocks


def reply_payload(reply: Reply) -> Payload:
    """A `/papers` answer. Ephemeral where the command layer marked it private."""
    head: list[Block] = []
    if reply.title:
        head.append(header(reply.title))
    text = reply.text if not reply.is_error else f"⚠️ {reply.text}"
    head.extend(sections_for_long_text(mrkdwn_text(text)) if text.strip() else [])
    if reply.confirm:
        head.append(confirm_button(reply.confirm, reply.confirm_label, reply.confirm_danger))
    blocks = fit_groups(head, [card_blocks(c) for c in reply.cards], MAX_MESSAGE_BLOCKS)
    fallback = reply.title or reply.text or "paperbot"
    return {
        "response_type": "ephemeral" if reply.private else "in_channel",
        "text": _fallback(slack_bold(fallback)),
        "blocks": blocks,
    }


def mark_vote(blocks: list[Block], paper_id: str, vote: int) -> list[Block]:
    """The message's blocks after a vote on `paper_id`: the chosen button highlighted and "Your
    vote" shown (vote 0 clears both). Works on any message showing the card (a DM pick or a
    search reply with many cards) because it edits the blocks Slack sent back in the action."""
    updated = copy.deepcopy(blocks)
    for index, block in enumerate(updated):
        if block.get("block_id") != vote_block_id(paper_id):
            continue
        fresh = vote_buttons(paper_id, vote or None)
        if fresh is not None:
            updated[index] = fresh
        meta_index = _find_meta(updated, paper_id, before=index)
        line = f"Your vote: {_VOTE_LABEL[vote]}" if vote in _VOTE_LABEL else None
        _set_vote_line(updated, meta_index, index, paper_id, line)
        break
    return updated


def _find_meta(blocks: list[Block], paper_id: str, before: int) -> int | None:
    for index in range(before - 1, -1, -1):
        if blocks[index].get("block_id") == meta_block_id(paper_id):
            return index
    return None


def _set_vote_line(
    blocks: list[Block], meta_index: int | None, actions_index: int, paper_id: str, line: str | None
) -> None:
    if meta_index is None:
        if line is not None:
            blocks.insert(actions_index, context([line], block_id=meta_block_id(paper_id)))
        return
    old = blocks[meta_index]["elements"]
    elements = [e for e in old if not str(e.get("text", "")).startswith("Your vote")]
    if line is not None:
        elements.append({"type": "mrkdwn", "text": line})
    if elements:
        blocks[meta_index]["elements"] = elements
    else:
        del blocks[meta_index]
