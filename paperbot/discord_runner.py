"""Running the Discord bot: the token from the environment, the bot from the wiring, discord.py
on this thread's event loop (DESIGN.md: Discord owns the main thread's loop when enabled).

Nothing here is done at import time. The token is read from DISCORD_TOKEN only, passed straight
to discord.py, and never logged or stored.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import threading

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import INTERNAL_API_VERSION, Route

from bots.discord.bot import PaperBot
from bots.discord.settings import DiscordSettings
from engine.teams import digest_key
from paperbot.config import Config
from paperbot.wiring import Wiring
from recommender.domain import PaperbotError

log = logging.getLogger(__name__)

TOKEN_ENV = "DISCORD_TOKEN"
# What the bot needs in a server: see its digest channel and post embeds, files and buttons there.
INVITE_PERMISSIONS = discord.Permissions(
    view_channel=True,
    send_messages=True,
    embed_links=True,
    attach_files=True,
    read_message_history=True,
    add_reactions=True,
)
INVITE_SCOPES = ("bot", "applications.commands")


def discord_token() -> str:
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        raise PaperbotError(
            f"{TOKEN_ENV} is not set: export the bot token from the Developer Portal"
        )
    return token


def discord_settings(config: Config) -> DiscordSettings:
    return config.discord


def point_at(settings: DiscordSettings) -> None:
    """Send discord.py somewhere other than discord.com when configured (a local fake in tests).

    discord.py keeps its endpoints in class attributes, so this changes them for the process.
    """
    if settings.api_base_url:
        base = settings.api_base_url.rstrip("/")
        suffix = f"/api/v{INTERNAL_API_VERSION}"
        Route.BASE = base if base.endswith(suffix) else base + suffix
    if settings.gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)


def register_digest(wiring: Wiring, config: Config) -> list[str]:
    """The [discord] digest_channel as a team digest (none when 0, which also switches off one
    configured before). `paperbot serve` calls this before its scheduler starts."""
    channel = discord_settings(config).digest_channel
    keys = [digest_key("discord", str(channel))] if channel else []
    wiring.set_digests("discord", keys)
    return keys


def build_bot(wiring: Wiring, config: Config, deliver: bool = True) -> PaperBot:
    """The bot over the wiring's command layer and (unless `deliver` is False) a Discord
    delivery worker that drains the ledger's Discord rows."""
    settings = discord_settings(config)
    point_at(settings)
    worker = wiring.delivery_worker("discord") if deliver else None
    return PaperBot(wiring.commands, worker, settings)


def run_discord(wiring: Wiring, config: Config, bot: PaperBot | None = None) -> None:
    """Run until SIGINT/SIGTERM (or `bot.close()`); blocks the calling thread."""
    token = discord_token()
    bot = bot or build_bot(wiring, config)
    try:
        asyncio.run(_serve(bot, token))
    except discord.LoginFailure as exc:
        raise PaperbotError(f"Discord rejected {TOKEN_ENV}: {exc}") from None
    except discord.PrivilegedIntentsRequired as exc:  # pragma: no cover - we ask for none
        raise PaperbotError(str(exc)) from None


async def _serve(bot: PaperBot, token: str) -> None:
    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
            handled.append(sig)
    try:
        async with bot:
            await bot.start(token)
    finally:
        for sig in handled:
            loop.remove_signal_handler(sig)


async def sync_commands(
    token: str, settings: DiscordSettings, guild_id: int | None, clear: bool = False
) -> list[str]:
    """Log in over HTTP only (no gateway) and upload the `/papers` definitions."""
    bot = PaperBot(None, None, settings)
    async with bot:
        await bot.login(token)
        synced = await bot.sync_commands(guild_id, clear)
    return [command.name for command in synced]


async def invite_url(token: str, settings: DiscordSettings) -> str:
    """The OAuth2 link that adds the bot (with its command scope) to a server."""
    bot = PaperBot(None, None, settings)
    async with bot:
        await bot.login(token)
        app_id = bot.application_id
    if app_id is None:  # pragma: no cover - login always sets it
        raise PaperbotError("Discord did not report the application id")
    return discord.utils.oauth_url(app_id, permissions=INVITE_PERMISSIONS, scopes=INVITE_SCOPES)
