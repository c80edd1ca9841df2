"""Thin interaction handlers: answer Discord within its 3-second window, make one command-layer
call off the event loop, render, respond.

Every handler `defer()`s first (the model or database may take longer than 3 seconds), then runs
the command layer in a worker thread (`asyncio.to_thread`) so gateway heartbeats never wait on
SQLite or numpy, and finally edits the deferred response.
"""

from __future__ import annotations

import asyncio
import logging

import discord

from bots.commands import CommandLayer
from bots.discord.buttons import VoteButton
from bots.discord.redraw import after_vote
from bots.discord.render import reply_messages
from engine.chat import PaperCard, Reply, Requester, VoteOutcome

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side. Please try again in a minute."


def requester_for(user_id: int, display_name: str = "") -> Requester:
    """The neutral identity of whoever clicked, typed or reacted: `discord:<user id>`."""
    return Requester(user_key=f"discord:{user_id}", display_name=display_name)


def interaction_requester(interaction: discord.Interaction) -> Requester:
    return requester_for(interaction.user.id, interaction.user.display_name)


async def answer_command(
    interaction: discord.Interaction, commands: CommandLayer, text: str
) -> Reply:
    """`/papers <text>`: defer (ephemeral, since most answers are private), run, reply."""
    await interaction.response.defer(ephemeral=True, thinking=True)
    reply = await asyncio.to_thread(commands.handle, interaction_requester(interaction), text)
    await send_reply(interaction, reply)
    return reply


async def send_reply(interaction: discord.Interaction, reply: Reply) -> None:
    """Private replies replace the ephemeral "thinking…" message; a public reply is posted as a
    normal follow-up and the private placeholder removed, so the channel sees only the answer."""
    messages = reply_messages(reply)
    if reply.private:
        await interaction.edit_original_response(**messages[0].edit_kwargs())
        for message in messages[1:]:
            await interaction.followup.send(**message.send_kwargs(), ephemeral=True)
        return
    for message in messages:
        await interaction.followup.send(**message.send_kwargs(), ephemeral=False)
    await interaction.delete_original_response()


async def answer_vote_click(
    interaction: discord.Interaction, commands: CommandLayer, button: VoteButton
) -> None:
    """👍/👎 clicked: record it (clicking the button of the stored vote again withdraws it) and
    update the message in place when it is the clicker's own. The interaction id makes a
    redelivered click a no-op."""
    await interaction.response.defer()
    message = interaction.message
    who = interaction_requester(interaction)
    outcome, team, owner = await asyncio.to_thread(
        _click,
        commands,
        who,
        button,
        f"discord:{interaction.id}",
        str(message.id) if message is not None else None,
    )
    if not outcome.recorded and outcome.card is None and outcome.text:
        # Refused (e.g. the paper is gone): say why, and leave the buttons as they were.
        await interaction.followup.send(outcome.text, ephemeral=True)
        return
    if message is None:
        return
    if team is not None:
        # A team digest card is shared: redraw it for everyone, tell the voter privately.
        embeds, view = after_vote(message, button.paper_id, 0, team)
        await interaction.edit_original_response(embeds=embeds, view=view)
    elif _shows_votes_of(message, owner, who.user_key):
        embeds, view = after_vote(message, button.paper_id, outcome.vote, outcome.card)
        await interaction.edit_original_response(embeds=embeds, view=view)
        return
    if outcome.recorded and outcome.text:
        await interaction.followup.send(outcome.text, ephemeral=True)


def _shows_votes_of(message: discord.Message, owner: str | None, user_key: str) -> bool:
    """Whether the clicker's vote may be drawn on `message`: their own picks, or a reply only
    they can see. Someone else's card (a forged click, a message in a shared place) keeps
    showing its owner's votes; the clicker is answered privately instead."""
    return owner == user_key or (owner is None and message.flags.ephemeral)


def _click(
    commands: CommandLayer,
    who: Requester,
    button: VoteButton,
    event_id: str,
    message_id: str | None,
) -> tuple[VoteOutcome, PaperCard | None, str | None]:
    """One trip off the event loop: record the vote; and for the message clicked, the team
    digest card as the channel now sees it (None for other messages) and whose picks it is."""
    outcome = commands.toggle_vote(who, button.paper_id, button.vote, event_id)
    if message_id is None:
        return outcome, None, None
    team = commands.digest_card("discord", message_id)
    return outcome, team, commands.message_owner("discord", message_id)


async def answer_confirm(
    interaction: discord.Interaction, commands: CommandLayer, command: str
) -> None:
    """A Confirm button (e.g. `forget-me confirm`): run it for the clicker, and turn the question
    into the answer so it cannot be clicked twice."""
    await interaction.response.defer()
    reply = await asyncio.to_thread(commands.handle, interaction_requester(interaction), command)
    first = reply_messages(reply)[0]
    await interaction.edit_original_response(**first.edit_kwargs())


async def tell_failure(interaction: discord.Interaction) -> None:
    """The one friendly message a user sees when a handler crashed (the traceback is logged)."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(SORRY, ephemeral=True)
        else:
            await interaction.response.send_message(SORRY, ephemeral=True)
    except discord.HTTPException:
        log.warning("could not tell user about a failed interaction %s", interaction.id)
