"""Fixtures for the Discord tests: the fake Discord (REST + gateway on 127.0.0.1) with discord.py's
module globals pointed at it and restored afterwards, and a bot running on the test's loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from bots.discord.bot import PaperBot
from tests.bots.discord.fake_discord import FakeDiscord

WAIT_SECONDS = 15.0
TOKEN = "fake-token-not-a-secret"


def run(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run one async scenario with a hang guard (never a speed assertion)."""
    return asyncio.run(asyncio.wait_for(coro, timeout=60))


async def until(predicate: Callable[[], object], what: str = "condition") -> None:
    """Yield to the loop until `predicate()` holds; the deadline only guards against a hang."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_SECONDS
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


@pytest.fixture(autouse=True)
def restore_discord_globals() -> Iterator[None]:
    """Whatever a test patches, the next test (and other test folders) get discord.com back."""
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    yield
    Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


@asynccontextmanager
async def fake_discord() -> AsyncIterator[FakeDiscord]:
    fake = FakeDiscord()
    await fake.start()
    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = fake.rest_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield fake
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway
        await fake.stop()


@asynccontextmanager
async def running(bot: PaperBot, fake: FakeDiscord) -> AsyncIterator[PaperBot]:
    """Log in, connect to the fake gateway, wait for READY; close on the way out."""
    task = asyncio.create_task(bot.start(TOKEN))
    ready = asyncio.create_task(bot.wait_until_ready())
    done, _ = await asyncio.wait({task, ready}, timeout=WAIT_SECONDS, return_when="FIRST_COMPLETED")
    if task in done:
        ready.cancel()
        task.result()  # re-raises why the bot stopped
    if ready not in done:
        raise AssertionError("bot never became ready")
    try:
        yield bot
    finally:
        await bot.close()
        await asyncio.wait_for(task, timeout=WAIT_SECONDS)
