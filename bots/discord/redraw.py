"""Redrawing a message after a vote: the clicked pair of buttons changes colour and the paper's
embed is re-rendered, while every other card on the message stays as it was.

Pure like render.py: it reads the message Discord sent back with the click (embeds and
components), so it works on messages sent by an earlier process just the same.
"""

from __future__ import annotations

from typing import Any

import discord

from bots.discord.buttons import VoteButton, parse_vote_custom_id
from bots.discord.render import COLOUR, EMBED_TOTAL, card_embed
from engine.chat import PaperCard


def after_vote(
    message: discord.Message, paper_id: str, vote: int, card: PaperCard | None
) -> tuple[list[discord.Embed], discord.ui.View]:
    """The embeds and buttons of `message` once `paper_id` has `vote` (0 = none): the clicked
    pair changes colour and the paper's embed is re-rendered (or just recoloured when the
    command layer did not send a fresh card). Other cards on the message are left as they were.
    """
    embeds = list(message.embeds)
    view = discord.ui.View(timeout=None)
    order: list[str] = []
    number: int | None = None
    for row, component in enumerate(message.components):
        for child in getattr(component, "children", ()):
            item, pid = _rebuilt(child, paper_id, vote)
            if item is None:
                continue
            item.row = row
            view.add_item(item)
            if pid and pid not in order:
                order.append(pid)
            if pid == paper_id and child.label and child.label.isdigit():
                number = int(child.label)
    index = order.index(paper_id) if paper_id in order else None
    if index is not None and index < len(embeds):
        if card is not None:
            embeds[index] = card_embed(card, number, EMBED_TOTAL // len(embeds))
        else:
            embeds[index] = embeds[index].copy()
            embeds[index].colour = COLOUR.get(vote or None, COLOUR[None])
    return embeds, view


def _rebuilt(
    child: object, paper_id: str, vote: int
) -> tuple[discord.ui.Item[Any] | None, str | None]:
    if not isinstance(child, discord.components.Button):
        return None, None
    parsed = parse_vote_custom_id(child.custom_id or "")
    if parsed is None:
        return discord.ui.Button.from_component(child), None
    direction_vote, pid = parsed
    direction = "up" if direction_vote == 1 else "down"
    if pid == paper_id:
        selected = direction_vote == vote
    else:
        selected = child.style in (discord.ButtonStyle.success, discord.ButtonStyle.danger)
    return VoteButton(direction, pid, selected, child.label), pid
