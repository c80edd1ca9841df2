"""End to end in Socket Mode (the default): `start_slack` over the real wiring, with the same
slack_sdk built-in client the product uses, against a local fake of Slack's side.

The fake Web API answers `apps.connections.open` with a `ws://127.0.0.1:<port>/link` URL (the
built-in client speaks plain TCP to any port but 443); a small aiohttp WebSocket server on that
port plays Slack: it says `hello`, pushes envelopes and records what the app sends back (acks).
No network beyond 127.0.0.1, fake tokens.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import WSMsgType, web

from bots.slack.app import build_app as build_slack_app
from bots.slack.settings import SlackSettings
from bots.slack.socket import SocketModeRunner
from paperbot.config import Config, load_config
from paperbot.slack_runner import SlackHandle, start_slack
from paperbot.wiring import Wiring
from tests.bots.slack.conftest import TrackingExecutor, wait_for
from tests.bots.slack.corpus import corpus_wiring
from tests.bots.slack.fake_slack_api import TEAM_ID, FakeSlackApi
from tests.logs import debug_log, leaks

NOW = datetime(2025, 11, 24, 9, 5, tzinfo=UTC)
LOOP_SECONDS = 10.0
TICKET = "ticket-0f3a9c"  # what opens this app's event stream: never logged


class FakeSocketServer:
    """Slack's Socket Mode endpoint: one aiohttp server on its own event loop and thread."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.connections = 0
        self._sockets: list[web.WebSocketResponse] = []
        self._requests: list[web.Request] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-slack-ws")
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/link?ticket={TICKET}&app_id=A1"

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(LOOP_SECONDS)

    def start(self) -> FakeSocketServer:
        self._thread.start()
        self._run(self._start())
        return self

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/link", self._session)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def _session(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        with self._lock:
            self.connections += 1
            self._sockets.append(ws)
            self._requests.append(request)
        await ws.send_json({"type": "hello", "num_connections": 1, "connection_info": {}})
        async for msg in ws:
            if msg.type == WSMsgType.TEXT:
                with self._lock:
                    self.received.append(json.loads(msg.data))
        return ws

    def send(self, envelope: dict[str, Any]) -> None:
        """Push an envelope down the newest connection."""
        with self._lock:
            ws = self._sockets[-1]
        self._run(ws.send_json(envelope))

    def drop_silently(self) -> None:
        """Cut the newest connection's TCP without a close frame: what a NAT timeout or a
        vanished peer looks like to the client."""
        with self._lock:
            request = self._requests[-1]

        async def abort() -> None:
            if request.transport is not None:
                request.transport.abort()

        self._run(abort())

    def acks(self) -> list[str]:
        with self._lock:
            return [str(m["envelope_id"]) for m in self.received if "envelope_id" in m]

    def stop(self) -> None:
        async def shutdown() -> None:
            for ws in list(self._sockets):
                await ws.close()
            if self._runner is not None:
                await self._runner.cleanup()

        self._run(shutdown())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=LOOP_SECONDS)
        self._loop.close()


def slash_envelope(envelope_id: str, text: str, response_url: str) -> dict[str, Any]:
    payload = {
        "token": "legacy",
        "team_id": TEAM_ID,
        "team_domain": "lab",
        "channel_id": "C1",
        "user_id": "U1",
        "user_name": "u1",
        "command": "/papers",
        "text": text,
        "response_url": response_url,
        "trigger_id": f"trig-{envelope_id}",
        "api_app_id": "A1",
    }
    return {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": payload,
    }


@dataclass
class Stack:
    wiring: Wiring
    handle: SlackHandle
    api: FakeSlackApi
    ws: FakeSocketServer
    executor: TrackingExecutor


@pytest.fixture
def socket_server() -> Iterator[FakeSocketServer]:
    server = FakeSocketServer().start()
    yield server
    server.stop()


def make_wiring(tmp_path: Path, api: FakeSlackApi, ws: FakeSocketServer) -> tuple[Wiring, Config]:
    """The real wiring over a SQLite file, a socket-mode [slack] section aimed at the fakes."""
    config_path = tmp_path / "config.toml"
    config_path.write_text(
        f"""
[database]
path = "paperbot.db"
[slack]
mode = "socket"
api_base_url = "{api.base_url}"
drain_seconds = 3600
""",
        encoding="utf-8",
    )
    api.socket_url = ws.url
    config = load_config(config_path)
    wiring = corpus_wiring(config, NOW)
    return wiring, config


@pytest.fixture
def stack(
    tmp_path: Path,
    fake_api: FakeSlackApi,
    socket_server: FakeSocketServer,
    executor: TrackingExecutor,
) -> Iterator[Stack]:
    """`start_slack` exactly as `paperbot serve` runs it, in the default Socket Mode."""
    wiring, config = make_wiring(tmp_path, fake_api, socket_server)
    env = {"SLACK_BOT_TOKEN": "xoxb-socket", "SLACK_APP_TOKEN": "xapp-socket"}
    handle = start_slack(wiring, config, env, worker=False, executor=executor)
    yield Stack(wiring, handle, fake_api, socket_server, executor)
    handle.stop()


def test_socket_mode_slash_command_is_acked_over_the_socket_and_answered(stack: Stack) -> None:
    (opened,) = stack.api.calls_to("apps.connections.open")
    assert opened.headers["Authorization"] == "Bearer xapp-socket"
    assert stack.ws.connections == 1

    stack.ws.send(slash_envelope("env-1", "search diffusion video", stack.api.response_url()))
    wait_for(lambda: "env-1" in stack.ws.acks(), "the envelope ack")
    wait_for(lambda: stack.api.calls_to("respond/r1"), "the reply on response_url")
    stack.executor.wait_idle()

    (answer,) = stack.api.calls_to("respond/r1")
    assert answer.params["response_type"] == "ephemeral"
    assert "Diffusion models for video synthesis" in str(answer.params["blocks"])
    assert stack.ws.acks() == ["env-1"]
    assert stack.wiring.repos.users.get(f"slack:{TEAM_ID}:U1") is not None


def test_the_ticket_url_and_response_urls_never_reach_the_logs(
    tmp_path: Path, fake_api: FakeSlackApi, socket_server: FakeSocketServer
) -> None:
    """Regression (issue 11.2): at DEBUG slack_sdk logged the Socket Mode URL with its ticket,
    and the envelopes with their response_url."""
    with debug_log() as log:
        wiring, config = make_wiring(tmp_path, fake_api, socket_server)
        env = {"SLACK_BOT_TOKEN": "xoxb-socket", "SLACK_APP_TOKEN": "xapp-socket"}
        handle = start_slack(wiring, config, env, worker=False)
        try:
            socket_server.send(slash_envelope("env-9", "search diffusion", fake_api.response_url()))
            wait_for(lambda: fake_api.calls_to("respond/r1"), "the reply on response_url")
        finally:
            handle.stop()
    logged = log.getvalue()
    assert "/link?ticket=" in logged  # it was logged, with the ticket blanked
    assert leaks(logged, TICKET, fake_api.response_url(), "xapp-socket") == []


@dataclass
class WatchedApp:
    wiring: Wiring
    runner: SocketModeRunner
    api: FakeSlackApi
    ws: FakeSocketServer


@pytest.fixture
def watched(
    tmp_path: Path,
    fake_api: FakeSlackApi,
    socket_server: FakeSocketServer,
    executor: TrackingExecutor,
) -> Iterator[WatchedApp]:
    """The product's Bolt app and SocketModeRunner, but a watchdog that looks every 0.1 s (the
    default is 30 s); the SDK's own stale check needs 40 s, far beyond this test."""
    wiring, _ = make_wiring(tmp_path, fake_api, socket_server)
    settings = SlackSettings(
        bot_token="xoxb-socket", app_token="xapp-socket", api_base_url=fake_api.base_url
    )
    app = build_slack_app(wiring.commands, settings, executor=executor)
    runner = SocketModeRunner(app, settings.app_token, interval=0.1)
    runner.start()
    yield WatchedApp(wiring, runner, fake_api, socket_server)
    runner.stop()


def test_watchdog_reconnects_after_a_silent_drop(watched: WatchedApp) -> None:
    """Bug this caught: the watchdog asked the SDK's `is_connected()`, which stays True for a
    half-open socket, so a silent drop was never noticed (bots/slack/socket.py LiveSession)."""
    client = watched.runner.handler.client
    assert client.is_connected()
    before = watched.ws.connections

    watched.ws.drop_silently()
    wait_for(lambda: watched.ws.connections > before, "a new socket connection")
    wait_for(client.is_connected, "the client to be connected again")

    assert len(watched.api.calls_to("apps.connections.open")) >= 2
    assert watched.runner.watchdog.reconnects >= 1
    envelope = slash_envelope("env-2", "search diffusion video", watched.api.response_url())
    watched.ws.send(envelope)
    wait_for(lambda: "env-2" in watched.ws.acks(), "the ack on the new connection")
    wait_for(lambda: watched.api.calls_to("respond/r1"), "the reply after reconnecting")
