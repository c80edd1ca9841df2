"""Plain-text rendering of the neutral message model (engine/chat.py) for a terminal.

Pure functions: a card or a reply in, a string out. Cards are numbered so a person can react with
`+1 2` instead of typing a paper id.
"""

from __future__ import annotations

import json
import re
import textwrap

from engine.chat import PaperCard, PicksMessage, Reply

WIDTH = 88
VOTE_MARKS = {1: " [👍]", -1: " [👎]"}
# Neutral bold (engine/chat.py): `**x**` with no space just inside the markers.
_NEUTRAL_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")


def plain_text(text: str) -> str:
    """Neutral text (engine/chat.py) for a terminal: `**bold**` loses its asterisks (a
    terminal shows them literally); backticks stay, they read fine as quotes."""
    return _NEUTRAL_BOLD.sub(r"\1", text)


def render_card(card: PaperCard, number: int | None = None) -> str:
    """`2. Title [👍]` / id · date / links / authors / one-liner / summary / why."""
    mark = VOTE_MARKS.get(card.vote or 0, "")
    lines = [f"{f'{number}. ' if number is not None else ''}{card.title}{mark}"]
    indent = "   "
    day = card.published.isoformat() if card.published else ""
    links = [f"{label} {url}" for label, url in card.links] or [card.url or ""]
    lines.append(indent + " · ".join(filter(None, [card.paper_id, day])))
    lines += [indent + link for link in links if link]
    byline = " · ".join(filter(None, [card.author_line, card.organization or ""]))
    if byline:
        lines.append(indent + byline)
    wrap = {"width": WIDTH, "initial_indent": indent, "subsequent_indent": indent}
    if card.tldr:
        lines += textwrap.wrap(f"TL;DR {card.tldr}", **wrap)  # type: ignore[arg-type]
    if card.summary:
        lines += textwrap.wrap(card.summary, **wrap)  # type: ignore[arg-type]
    if card.reason:
        lines.append(f"{indent}↳ {card.reason}")
    if card.teammates_up:
        lines.append(f"{indent}👍 by {card.teammates_up} teammate(s)")
    return "\n".join(lines)


def render_cards(cards: tuple[PaperCard, ...]) -> str:
    return "\n\n".join(render_card(card, i) for i, card in enumerate(cards, start=1))


def render_reply(reply: Reply, numbered: bool = True) -> str:
    """A reply as text; an error is prefixed so it stands out in a script's output. A card that
    is not part of a list (`why`) is shown without a number, so it cannot be taken for card 1."""
    parts = []
    if reply.title and not reply.data:
        parts.append(f"== {reply.title} ==")
    parts.append(("✗ " if reply.is_error else "") + plain_text(reply.text))
    if reply.cards and numbered:
        parts.append(render_cards(reply.cards))
    elif reply.cards:
        parts += [render_card(card) for card in reply.cards]
    if reply.cards and numbered and any(c.votable for c in reply.cards):
        parts.append("(react with +1 <n> or -1 <n>)")
    return "\n\n".join(parts)


def render_picks(message: PicksMessage) -> str:
    """A daily picks message: the header, the cards, and the note on an empty day."""
    parts = [f"{message.header}  [{message.user_key}]"]
    if message.note:
        parts.append(plain_text(message.note))
    if message.cards:
        parts.append(render_cards(message.cards))
    return "\n\n".join(parts)


def render_json(data: object) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)
