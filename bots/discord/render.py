"""Pure renderers: neutral messages (engine/chat.py) -> Discord embeds, buttons and attachments.

Nothing here talks to Discord, so every limit Discord enforces (2000 characters of content,
6000 characters across a message's embeds, 256 per title, 1024 per field, 5 rows of buttons, 100
characters per custom_id) is checked by plain unit tests instead of by a rejected API call.

Neutral text's markup (`**bold**`, `` `code` ``, see engine/chat.py) is Discord's own Markdown,
so reply texts and notes go out as they are.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import discord

from bots.discord.buttons import ConfirmButton, CustomIdTooLong, VoteButton
from engine.chat import PaperCard, PicksMessage, Reply

log = logging.getLogger(__name__)

CONTENT_LIMIT = 2000
EMBED_TOTAL = 6000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 1024
FOOTER_LIMIT = 2048
MAX_ROWS = 5  # action rows per message, so at most 5 voteable cards per message
SUMMARY_CHARS = 900  # a readable summary; Discord would allow 4096
COLOUR = {1: discord.Colour(0x2ECC71), -1: discord.Colour(0xE74C3C), None: discord.Colour(0x5865F2)}


@dataclass(frozen=True)
class Attachment:
    """A file to upload with a message; kept as bytes so a retried send can rebuild it."""

    filename: str
    data: bytes

    def to_file(self) -> discord.File:
        return discord.File(BytesIO(self.data), filename=self.filename)


@dataclass(frozen=True)
class DiscordMessage:
    """One Discord message ready to send: what `Messageable.send` and webhook sends take."""

    content: str | None = None
    embeds: tuple[discord.Embed, ...] = ()
    view: discord.ui.View | None = None
    attachment: Attachment | None = None

    def send_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `Messageable.send` / `Webhook.send`."""
        kwargs: dict[str, Any] = {"embeds": list(self.embeds)}
        if self.content:
            kwargs["content"] = self.content
        if self.view is not None:
            kwargs["view"] = self.view
        if self.attachment is not None:
            kwargs["file"] = self.attachment.to_file()
        return kwargs

    def edit_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `edit_original_response`: replaces everything the message had."""
        return {
            "content": self.content,
            "embeds": list(self.embeds),
            "view": self.view,
            "attachments": [self.attachment.to_file()] if self.attachment else [],
        }


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, with an ellipsis when something was cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


def _safe_url(url: str | None) -> str | None:
    """Discord rejects a whole message whose embed url is not http(s), so drop such links."""
    if url and url.startswith(("https://", "http://")) and len(url) <= 2048:
        return url
    return None


def _links(card: PaperCard) -> str:
    """`[arXiv](…) · [PDF](…) · [Hugging Face](…)`: the links that fit in one field."""
    shown = ""
    for label, url in card.links:
        link = f"[{label}]({url})"
        if _safe_url(url) and len(shown) + len(link) + 3 <= FIELD_LIMIT:
            shown = f"{shown} · {link}" if shown else link
    return shown


def _description(card: PaperCard) -> str | None:
    """The one-liner in italics, then the summary."""
    tldr = f"*{clip(card.tldr, FIELD_LIMIT)}*" if card.tldr else ""
    text = "\n\n".join(filter(None, [tldr, clip(card.summary, SUMMARY_CHARS)]))
    return clip(text, DESCRIPTION_LIMIT) or None


def _footer(card: PaperCard) -> str:
    parts = []
    if card.teammates_up:
        noun = "teammate" if card.teammates_up == 1 else "teammates"
        parts.append(f"👍 by {card.teammates_up} {noun}")
    if card.published:
        parts.append(card.published.isoformat())
    parts.append(card.paper_id)
    return clip(" · ".join(parts), FOOTER_LIMIT)


def card_embed(
    card: PaperCard, number: int | None = None, budget: int = EMBED_TOTAL
) -> discord.Embed:
    """One paper: linked title, summary, authors, organization, the reason, coloured by the vote.

    `budget` is this embed's share of the message's 6000-character total; the summary gives way
    first, then the reason, so the title and the link always survive.
    """
    title = f"{number}. {card.title}" if number is not None else card.title
    embed = discord.Embed(
        title=clip(title, TITLE_LIMIT),
        url=_safe_url(card.url),
        description=_description(card),
        colour=COLOUR.get(card.vote, COLOUR[None]),
    )
    if card.links:
        embed.add_field(name="Read", value=_links(card) or "—", inline=False)
    if card.authors:
        embed.add_field(name="Authors", value=clip(card.author_line, FIELD_LIMIT), inline=False)
    if card.organization:
        embed.add_field(name="Organization", value=clip(card.organization, FIELD_LIMIT))
    if card.reason:
        embed.add_field(name="Why", value=clip(card.reason, FIELD_LIMIT), inline=False)
    embed.set_footer(text=_footer(card))
    return _fit(embed, budget)


def _fit(embed: discord.Embed, budget: int) -> discord.Embed:
    overflow = len(embed) - budget
    if overflow > 0 and embed.description:
        keep = len(embed.description) - overflow
        embed.description = clip(embed.description, keep) if keep > 1 else None
    for index, field in reversed(list(enumerate(embed.fields))):
        overflow = len(embed) - budget
        if overflow <= 0:
            break
        value = field.value or ""
        embed.set_field_at(
            index,
            name=field.name or "",
            value=clip(value, max(len(value) - overflow, 2)),
            inline=bool(field.inline),
        )
    return embed


def vote_buttons(card: PaperCard, row: int, label: str | None = None) -> list[VoteButton]:
    """The 👍/👎 pair for a card; empty when the card is not votable or its id is too long."""
    if not card.votable:
        return []
    try:
        buttons = [
            VoteButton("up", card.paper_id, selected=card.vote == 1, label=label),
            VoteButton("down", card.paper_id, selected=card.vote == -1, label=label),
        ]
    except CustomIdTooLong:
        log.warning("paper %r shown without buttons: id too long for a custom_id", card.paper_id)
        return []
    for button in buttons:
        button.row = row
    return buttons


def cards_view(
    cards: Sequence[PaperCard], first_number: int | None = None
) -> discord.ui.View | None:
    """One row of vote buttons per card (at most 5 cards); labelled with the card's number when
    several cards share a message, so a click is unambiguous."""
    if len(cards) > MAX_ROWS:
        raise ValueError(f"at most {MAX_ROWS} cards per message, got {len(cards)}")
    view = discord.ui.View(timeout=None)
    for row, card in enumerate(cards):
        label = str(first_number + row) if first_number is not None else None
        for button in vote_buttons(card, row, label):
            view.add_item(button)
    return view if view.children else None


def picks_messages(message: PicksMessage) -> list[DiscordMessage]:
    """A daily DM: a header message, then one message per paper with its own buttons, so a
    reaction on a message maps to exactly one paper (the ledger remembers message -> paper)."""
    header = f"**{message.header}**"
    if message.note:
        header += f"\n{message.note}"
    out = [DiscordMessage(content=clip(header, CONTENT_LIMIT))]
    for card in message.cards:
        out.append(DiscordMessage(embeds=(card_embed(card),), view=cards_view([card])))
    return out


def reply_messages(reply: Reply) -> list[DiscordMessage]:
    """A command's answer: the text (with any export attached), then the cards, five to a
    message with numbered buttons. Text beyond 2000 characters is attached in full."""
    text = reply.text
    if reply.title:
        text = f"**{reply.title}**\n{text}"
    if reply.is_error:
        text = f"⚠️ {text}"
    attachment = _attachment(reply, text)
    content = clip(text, CONTENT_LIMIT) if text.strip() else None
    chunks = [reply.cards[i : i + MAX_ROWS] for i in range(0, len(reply.cards), MAX_ROWS)] or [()]
    numbered = len(reply.cards) > 1
    out: list[DiscordMessage] = []
    for index, chunk in enumerate(chunks):
        first = index * MAX_ROWS + 1
        budget = EMBED_TOTAL // max(len(chunk), 1)
        embeds = tuple(
            card_embed(card, first + n if numbered else None, budget)
            for n, card in enumerate(chunk)
        )
        view = cards_view(chunk, first if numbered else None) if chunk else None
        out.append(
            DiscordMessage(
                content=content if index == 0 else None,
                embeds=embeds,
                view=view,
                attachment=attachment if index == 0 else None,
            )
        )
    if reply.confirm:
        label = "Confirm" if reply.confirm_danger else reply.confirm_label
        out = _with_confirm(out, reply.confirm, label, reply.confirm_danger)
    if not any(m.content or m.embeds or m.attachment for m in out[:1]):
        out[0] = DiscordMessage(content="Done.", embeds=out[0].embeds, view=out[0].view)
    return out


def _attachment(reply: Reply, text: str) -> Attachment | None:
    if reply.data is not None:
        body = json.dumps(reply.data, indent=2, ensure_ascii=False, default=str)
        return Attachment("paperbot-export.json", body.encode())
    if len(text) > CONTENT_LIMIT:
        return Attachment("paperbot-reply.txt", text.encode())
    return None


def _with_confirm(
    messages: list[DiscordMessage], command: str, label: str, danger: bool
) -> list[DiscordMessage]:
    """A Confirm button on the last message, or on a message of its own when rows are full."""
    try:
        button = ConfirmButton(command, label, danger)
    except CustomIdTooLong:
        log.warning("confirmation %r cannot be a button; the user can type it", command)
        return messages
    last = messages[-1]
    view = last.view or discord.ui.View(timeout=None)
    used = {getattr(item, "row", None) for item in view.children}
    free = sorted(set(range(MAX_ROWS)) - used)
    if not free:
        alone = discord.ui.View(timeout=None)
        alone.add_item(button)
        return [*messages, DiscordMessage(content=f"Confirm `{command}`?", view=alone)]
    button.row = free[0]
    view.add_item(button)
    return [*messages[:-1], DiscordMessage(last.content, last.embeds, view, last.attachment)]
