"""Sending one user's daily picks as Discord DMs, and translating Discord's failures into the two
errors the delivery worker understands.

A 403 (the user closed DMs from server members, or blocked the bot) or 404 (the account is gone)
is `Undeliverable`: retrying will not help, the user is marked and told next time. Everything
else (server errors, a 429 asking to wait longer than `max_ratelimit_timeout`, network trouble)
is `TemporaryFailure`: the row goes back to pending. Ordinary 429s never reach this module:
discord.py's per-route limiter sleeps and retries them.

The notifier is async (it runs on the bot's event loop) so it is not the synchronous `Notifier`
protocol; the delivery loop drives it through the worker's step API instead of `drain`.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import discord

from bots.discord.render import DiscordMessage, picks_messages
from bots.messages import PicksMessage
from bots.ports import SentMessage, TemporaryFailure, Undeliverable

log = logging.getLogger(__name__)

PLATFORM = "discord"


def discord_user_id(user_key: str) -> int:
    """`discord:1234` -> 1234; Undeliverable for a key that is not a Discord user."""
    platform, _, rest = user_key.partition(":")
    if platform != PLATFORM or not rest.isdigit():
        raise Undeliverable(f"{user_key!r} is not a Discord user key")
    return int(rest)


async def send_one(channel: discord.abc.Messageable, message: DiscordMessage) -> discord.Message:
    """Send one rendered message (content, embeds, buttons, file) to a channel."""
    return await channel.send(**message.send_kwargs())


class DiscordNotifier:
    """Posts a `PicksMessage` as a header DM plus one DM per paper."""

    platform = PLATFORM

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    async def send_picks(self, message: PicksMessage) -> SentMessage:
        """Returns the DM channel and one message id per card (the header's id when there are no
        cards). If a send fails halfway, the messages already posted are deleted so that the
        retry on the next drain does not leave a half-copy behind."""
        channel = await self._channel(message.user_key)
        posted: list[discord.Message] = []
        try:
            for rendered in picks_messages(message):
                posted.append(await send_one(channel, rendered))
        except Exception as exc:
            await self._withdraw(posted)
            raise _translate(exc) from exc
        card_ids = [str(m.id) for m in posted[1:]] or [str(posted[0].id)]
        return SentMessage(channel_id=str(posted[0].channel.id), message_ids=tuple(card_ids))

    async def _channel(self, user_key: str) -> discord.abc.Messageable:
        user_id = discord_user_id(user_key)
        try:
            # create_dm reuses a cached DM channel, so a user costs one API call per process.
            return await self.client.create_dm(discord.Object(id=user_id))
        except Exception as exc:
            raise _translate(exc) from exc

    async def _withdraw(self, posted: list[discord.Message]) -> None:
        for message in posted:
            try:
                await message.delete()
            except discord.HTTPException:
                log.warning("could not delete half-sent message %s", message.id)


def _translate(exc: BaseException) -> Exception:
    """Discord's errors -> Undeliverable (don't retry) or TemporaryFailure (retry later)."""
    if isinstance(exc, Undeliverable | TemporaryFailure):
        return exc
    if isinstance(exc, discord.Forbidden | discord.NotFound):
        return Undeliverable(f"Discord refused the DM ({exc.status}, code {exc.code}): {exc.text}")
    if isinstance(exc, discord.RateLimited):
        return TemporaryFailure(f"rate limited for {exc.retry_after:.0f}s")
    if isinstance(exc, discord.HTTPException):
        return TemporaryFailure(f"Discord error {exc.status}: {exc.text}")
    if isinstance(exc, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return TemporaryFailure(f"network trouble: {exc!r}")
    return TemporaryFailure(f"unexpected error while sending: {exc!r}")
