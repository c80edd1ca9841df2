"""Persistent buttons: the state lives in the `custom_id`, so a click on a message sent weeks ago,
by a process that has restarted since, still knows which paper and which vote it means.

discord.py matches incoming component clicks against the templates of the `DynamicItem` classes
registered with `Client.add_dynamic_items` (done in `PaperBot.setup_hook`) and rebuilds the item
from its `custom_id`; no view has to be kept in memory. The click itself is handled by the bot
(`interaction.client`), which keeps these classes free of business rules and of the bot module.
"""

from __future__ import annotations

import re
from typing import Any, Protocol, runtime_checkable

import discord

from recommender.domain import InvalidInputError

CUSTOM_ID_LIMIT = 100  # Discord rejects longer custom_ids
VOTE_TEMPLATE = r"vote:(?P<direction>up|down):(?P<paper_id>\S+)"
# Commands such as `forget-me confirm` or `subscribe 09:00 America/Argentina/Buenos_Aires daily`.
CONFIRM_TEMPLATE = r"confirm:(?P<command>[a-z0-9][A-Za-z0-9 :/_+\-]*)"
DIRECTIONS = {"up": 1, "down": -1}
EMOJI = {"up": "👍", "down": "👎"}
SELECTED_STYLE = {"up": discord.ButtonStyle.success, "down": discord.ButtonStyle.danger}


class CustomIdTooLong(InvalidInputError):
    """A button's state does not fit in Discord's 100-character custom_id."""


def vote_custom_id(direction: str, paper_id: str) -> str:
    """`vote:up:<paper_id>`; raises CustomIdTooLong when it would exceed 100 characters."""
    if direction not in DIRECTIONS:
        raise InvalidInputError(f"unknown vote direction {direction!r}")
    custom_id = f"vote:{direction}:{paper_id}"
    if len(custom_id) > CUSTOM_ID_LIMIT or not re.fullmatch(VOTE_TEMPLATE, custom_id):
        raise CustomIdTooLong(f"paper id {paper_id!r} does not fit in a Discord button")
    return custom_id


def parse_vote_custom_id(custom_id: str) -> tuple[int, str] | None:
    """(+1 or -1, paper_id) for one of our vote buttons, None for anything else."""
    match = re.fullmatch(VOTE_TEMPLATE, custom_id)
    if match is None:
        return None
    return DIRECTIONS[match["direction"]], match["paper_id"]


@runtime_checkable
class ClickHandler(Protocol):
    """What the client behind `interaction.client` must offer (PaperBot does)."""

    async def on_vote_click(self, interaction: discord.Interaction, button: VoteButton) -> None: ...

    async def on_confirm_click(self, interaction: discord.Interaction, command: str) -> None: ...


class VoteButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=VOTE_TEMPLATE):
    """👍 or 👎 for one paper. `selected` (shown as a coloured button) is the viewer's vote."""

    def __init__(
        self, direction: str, paper_id: str, selected: bool = False, label: str | None = None
    ) -> None:
        style = SELECTED_STYLE[direction] if selected else discord.ButtonStyle.secondary
        super().__init__(
            discord.ui.Button(
                style=style,
                emoji=EMOJI[direction],
                label=label,
                custom_id=vote_custom_id(direction, paper_id),
            )
        )
        self.direction = direction
        self.paper_id = paper_id
        self.selected = selected

    @property
    def vote(self) -> int:
        return DIRECTIONS[self.direction]

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> VoteButton:
        style = getattr(item, "style", None)
        label = getattr(item, "label", None)
        return cls(match["direction"], match["paper_id"], style in SELECTED_STYLE.values(), label)

    async def callback(self, interaction: discord.Interaction) -> None:
        handler = interaction.client
        if isinstance(handler, ClickHandler):
            await handler.on_vote_click(interaction, self)


class ConfirmButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=CONFIRM_TEMPLATE):
    """Runs a follow-up command the command layer asked the user to confirm (`forget-me confirm`).

    It always acts for whoever clicks, so it can never touch another person's data.
    """

    def __init__(self, command: str, label: str = "Confirm", danger: bool = True) -> None:
        custom_id = f"confirm:{command}"
        if len(custom_id) > CUSTOM_ID_LIMIT or not re.fullmatch(CONFIRM_TEMPLATE, custom_id):
            raise CustomIdTooLong(f"confirmation {command!r} does not fit in a Discord button")
        style = discord.ButtonStyle.danger if danger else discord.ButtonStyle.success
        super().__init__(discord.ui.Button(style=style, label=label[:80], custom_id=custom_id))
        self.command = command

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction,
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> ConfirmButton:
        return cls(match["command"])

    async def callback(self, interaction: discord.Interaction) -> None:
        handler = interaction.client
        if isinstance(handler, ClickHandler):
            await handler.on_confirm_click(interaction, self.command)
