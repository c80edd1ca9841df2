"""Sending one user's daily picks as Discord DMs, and translating Discord's failures into the two
errors the delivery worker understands.

A 403 (the user closed DMs from server members, or blocked the bot) or 404 (the account is gone)
is `Undeliverable`: retrying will not help, the user is marked and told next time. Everything
else (server errors, a 429 asking to wait longer than `max_ratelimit_timeout`, network trouble)
is `TemporaryFailure`: the row goes back to pending. Ordinary 429s never reach this module:
discord.py's per-route limiter sleeps and retries them.

The notifier is async (it runs on the bot's event loop) so it is not the synchronous `Notifier`
protocol; the delivery loop drives it through the worker's step API instead of `drain`. It does
offer the worker's synchronous `ReceiptChecker.find_sent`, called from a worker thread during
`recover()`, which looks at the DM itself to decide whether an interrupted send had arrived.
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import discord

from bots.discord.render import DiscordMessage, picks_messages
from engine.chat import PicksMessage, SentMessage, TemporaryFailure, Undeliverable
from engine.teams import digest_channel, is_digest

log = logging.getLogger(__name__)

PLATFORM = "discord"
HISTORY_LIMIT = 50  # how far back a receipt check looks in a DM
RECEIPT_TIMEOUT = 30.0


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
    """Posts a `PicksMessage` as a header DM plus one DM per paper (a team digest: the same,
    in its channel)."""

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

    def find_sent(self, message: PicksMessage) -> SentMessage | None:
        """Did these picks arrive before a crash? Called from a worker thread (never the bot's
        loop, which it would deadlock); the check itself runs on the bot's loop."""
        if _running_loop() is self.client.loop:
            raise RuntimeError("find_sent must not be called on the bot's event loop")
        future = asyncio.run_coroutine_threadsafe(self.receipt(message), self.client.loop)
        return future.result(timeout=RECEIPT_TIMEOUT)

    async def receipt(self, message: PicksMessage) -> SentMessage | None:
        """The DM's recent history: header and every card there -> they arrived (SentMessage).
        Only part of them -> the part is deleted and None returned, so the resend is whole."""
        try:
            channel = await self._channel(message.user_key)
            history = [m async for m in channel.history(limit=HISTORY_LIMIT)]
        except (Undeliverable, TemporaryFailure, discord.HTTPException) as exc:
            log.warning("cannot check whether picks reached %s: %s", message.user_key, exc)
            return None
        mine = [m for m in reversed(history) if m.author == self.client.user]
        header = f"**{message.header}**"
        start = next((i for i, m in enumerate(mine) if m.content.startswith(header)), None)
        if start is None:
            return None
        shown = {_footer_paper(m): m for m in mine[start + 1 :] if _footer_paper(m)}
        cards = [shown.get(card.paper_id) for card in message.cards]
        found = [m for m in cards if m is not None]
        if len(found) < len(cards):
            await self._withdraw([mine[start], *found])
            return None
        ids = [str(m.id) for m in found] or [str(mine[start].id)]
        return SentMessage(channel_id=str(mine[start].channel.id), message_ids=tuple(ids))

    async def _channel(self, user_key: str) -> discord.abc.Messageable:
        """The person's DM, or a team digest's server channel. The channel is used by id
        (no fetch): a missing channel or permission shows up as a 404/403 on the send, which is
        Undeliverable like closed DMs."""
        if is_digest(user_key):
            channel = digest_channel(user_key)
            if not channel.isdigit():
                raise Undeliverable(f"[discord] digest_channel {channel!r} is not a channel id")
            return self.client.get_partial_messageable(int(channel))
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


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def _footer_paper(message: discord.Message) -> str | None:
    """The paper a pick message shows: its embed footer ends with the paper id."""
    if not message.embeds or not message.embeds[0].footer.text:
        return None
    return message.embeds[0].footer.text.rsplit(" · ", 1)[-1]


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
