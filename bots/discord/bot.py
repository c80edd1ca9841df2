"""The discord.py client: wires the `/papers` group, the persistent buttons, emoji reactions and
the delivery loop to a command layer and a delivery worker it is given (built by
paperbot.discord_runner; nothing here opens a database or reads the environment).

Intents are the minimum: `guilds` (discord.py needs it for channel and app-command state) plus
DM and guild reactions for 👍/👎 on pick messages. No privileged intents: message content and
members are never read.
"""

from __future__ import annotations

import asyncio
import logging
import unicodedata
from typing import Any

import discord
from discord import app_commands

from bots.commands import CommandLayer
from bots.discord.buttons import ConfirmButton, VoteButton
from bots.discord.delivery_loop import DeliveryLoop
from bots.discord.handlers import answer_confirm, answer_vote_click, requester_for, tell_failure
from bots.discord.render import card_embed, cards_view
from bots.discord.settings import DiscordSettings
from bots.discord.slash import PapersGroup
from engine.chat import PaperCard, Requester
from engine.delivery import DeliveryWorker

log = logging.getLogger(__name__)

REACTION_VOTES = {"👍": 1, "👎": -1}
SKIN_TONES = {chr(c) for c in range(0x1F3FB, 0x1F400)}


def bot_intents() -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.dm_reactions = True
    intents.guild_reactions = True
    return intents


def reaction_vote(emoji: discord.PartialEmoji) -> int | None:
    """+1 / -1 for 👍 / 👎 in any skin tone; None for every other emoji."""
    if emoji.id is not None or not emoji.name:
        return None
    base = "".join(ch for ch in unicodedata.normalize("NFC", emoji.name) if ch not in SKIN_TONES)
    return REACTION_VOTES.get(base.replace("\ufe0f", ""))


class PaperBot(discord.Client):
    """`commands` is None only for `paperbot discord sync`, which needs the command definitions
    but answers nothing; `worker` is None when this process should not deliver picks."""

    def __init__(
        self,
        commands: CommandLayer | None,
        worker: DeliveryWorker | None,
        settings: DiscordSettings | None = None,
        **options: Any,
    ) -> None:
        settings = settings or DiscordSettings()
        options.setdefault("max_ratelimit_timeout", settings.max_ratelimit_timeout)
        options.setdefault("guild_ready_timeout", settings.guild_ready_timeout)
        super().__init__(intents=bot_intents(), **options)
        self.commands = commands
        self.settings = settings
        self.tree = app_commands.CommandTree(self)
        self.tree.add_command(PapersGroup())
        self.tree.on_error = self._on_app_command_error  # type: ignore[method-assign]
        self.delivery = (
            DeliveryLoop(self, worker, settings.delivery_seconds) if worker is not None else None
        )

    async def setup_hook(self) -> None:
        # Registered here, before the gateway connects, so a click on a message sent by an
        # earlier process is understood from the first event on.
        self.add_dynamic_items(VoteButton, ConfirmButton)
        if self.delivery is not None:
            self.delivery.start()

    async def close(self) -> None:
        if self.delivery is not None:
            await self.delivery.shutdown()
        await super().close()

    async def sync_commands(
        self, guild_id: int | None = None, clear: bool = False
    ) -> list[app_commands.AppCommand]:
        """Upload the command definitions: globally, or to one server (instant, for testing).
        `clear` removes a server's copy again (once the global commands have arrived)."""
        if guild_id is None:
            return await self.tree.sync()
        guild = discord.Object(id=guild_id)
        self.tree.clear_commands(guild=guild)
        if not clear:
            self.tree.copy_global_to(guild=guild)
        return await self.tree.sync(guild=guild)

    async def on_vote_click(self, interaction: discord.Interaction, button: VoteButton) -> None:
        if self.commands is None:
            return await tell_failure(interaction)
        try:
            await answer_vote_click(interaction, self.commands, button)
        except Exception:
            log.exception("vote click on %s failed", button.paper_id)
            await tell_failure(interaction)

    async def on_confirm_click(self, interaction: discord.Interaction, command: str) -> None:
        if self.commands is None:
            return await tell_failure(interaction)
        try:
            await answer_confirm(interaction, self.commands, command)
        except Exception:
            log.exception("confirmation %r failed", command)
            await tell_failure(interaction)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, added=True)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        await self._reaction(payload, added=False)

    async def _reaction(self, payload: discord.RawReactionActionEvent, added: bool) -> None:
        """A 👍/👎 on one of our pick messages is a vote; removing it withdraws the vote, but
        only while it still is that vote (removing a 👍 after clicking 👎 keeps the 👎).

        Raw events work for messages sent before a restart (nothing needs to be cached). The
        command layer says whether the message is ours (None when it is not).
        """
        vote = reaction_vote(payload.emoji)
        if vote is None or self.commands is None:
            return
        if self.user is not None and payload.user_id == self.user.id:
            return
        name = payload.member.display_name if payload.member else ""
        who = requester_for(payload.user_id, name)
        card = await asyncio.to_thread(
            self._reaction_vote, str(payload.message_id), who, vote if added else 0, vote
        )
        if card is None:
            return
        try:
            message = self.get_partial_messageable(payload.channel_id).get_partial_message(
                payload.message_id
            )
            await message.edit(embed=card_embed(card), view=cards_view([card]))
        except discord.HTTPException:
            log.info("vote recorded but message %s could not be updated", payload.message_id)

    def _reaction_vote(
        self, message_id: str, who: Requester, vote: int, emoji_vote: int
    ) -> PaperCard | None:
        """Off the event loop: record the reaction's vote; the card to redraw (a team digest
        card as the channel sees it, else the reactor's own card), or None when nothing changed
        or the card is someone else's (it keeps showing its owner's vote)."""
        if self.commands is None:
            return None
        removed = emoji_vote if vote == 0 else None
        outcome = self.commands.vote_on_message(
            "discord", message_id, who, vote, None, removed=removed
        )
        if outcome is None or not outcome.recorded:
            return None
        team = self.commands.digest_card("discord", message_id)
        if team is not None:
            return team
        owner = self.commands.message_owner("discord", message_id)
        return outcome.card if owner == who.user_key else None

    async def _on_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        log.error("/papers failed", exc_info=error)
        await tell_failure(interaction)
