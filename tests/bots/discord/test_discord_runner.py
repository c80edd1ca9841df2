"""`run_discord`: the token comes from DISCORD_TOKEN only and is never logged; the endpoints come
from [discord] in config.toml; the bot runs on the calling thread's loop until closed."""

from __future__ import annotations

import asyncio
import logging
import threading
from pathlib import Path
from typing import Any

import pytest
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from paperbot.discord_runner import build_bot, discord_token, run_discord
from recommender.domain import PaperbotError
from tests.bots.discord.conftest import fake_discord, run, until
from tests.bots.discord.world import World

SECRET = "env-token-that-must-not-be-logged"


def test_missing_token_is_a_clear_error(monkeypatch: Any) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    with pytest.raises(PaperbotError, match="DISCORD_TOKEN is not set"):
        discord_token()


def test_run_discord_logs_in_with_the_env_token_and_never_logs_it(
    tmp_path: Path, monkeypatch: Any, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", SECRET)
    caplog.set_level(logging.DEBUG)

    async def scenario() -> None:
        async with fake_discord() as fake:
            world = World.create(tmp_path, fake, users=(4242,))
            Route.BASE = "https://discord.com/api/v10"  # as if never pointed at the fake
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL("wss://gateway.discord.gg/")
            bot = build_bot(world.wiring, world.config)
            # [discord] api_base_url and gateway_url redirected discord.py to the fake
            assert fake.rest_base == Route.BASE
            assert str(DiscordWebSocket.DEFAULT_GATEWAY) == fake.gateway_url
            errors: list[BaseException] = []

            def serve() -> None:
                try:
                    run_discord(world.wiring, world.config, bot)
                except BaseException as exc:  # surfaced to the test below
                    errors.append(exc)

            thread = threading.Thread(target=serve, name="discord-runner")
            thread.start()
            try:
                await until(lambda: world.delivery(4242)["status"] == "sent", "the daily DM")
            finally:
                await until(lambda: bot.is_ready() or errors, "the bot's loop")
                if not errors:
                    asyncio.run_coroutine_threadsafe(bot.close(), bot.loop).result(timeout=15)
                await asyncio.to_thread(thread.join, 15)
            assert not errors and not thread.is_alive()
            identify = next(f for f in fake.frames if f["op"] == 2)
            assert identify["d"]["token"] == SECRET
            assert {r.authorization for r in fake.requests if r.authorization} == {f"Bot {SECRET}"}

    run(scenario())
    assert "logging in using static token" in caplog.text  # discord.py's logs were captured
    assert SECRET not in caplog.text
