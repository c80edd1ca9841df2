"""Running the Slack adapter inside `paperbot serve`: the Bolt app (Socket Mode, or HTTP behind
waitress) plus a worker thread that drains the Slack rows of the delivery ledger.

Tokens come only from the environment (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_APP_TOKEN),
go straight into the settings object (which hides them from `repr`) and are never logged.
`start_slack` returns at once; everything runs on threads, and `handle.stop()` ends them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Mapping
from concurrent.futures import Executor
from typing import Any, Protocol

import waitress
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from waitress import wasyncore

from bots.slack.app import build_app, wsgi_app
from bots.slack.notifier import SlackNotifier
from bots.slack.settings import SlackSettings
from bots.slack.socket import SocketModeRunner
from engine.delivery import DrainReport
from engine.teams import digest_key
from paperbot.config import Config
from paperbot.wiring import Wiring

log = logging.getLogger(__name__)


class Transport(Protocol):
    def start(self) -> Any: ...
    def stop(self) -> None: ...


class WsgiThread:
    """waitress on a background thread that stops cleanly.

    waitress's `run()` loops until interrupted, and closing it from another thread races with
    its select. Here the loop polls once at a time and checks a flag; `stop()` sets the flag and
    wakes the poll, and the serving thread closes its own sockets."""

    def __init__(self, app: Any, host: str, port: int, threads: int = 4) -> None:
        self.server: Any = waitress.create_server(app, host=host, port=port, threads=threads)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="slack-http", daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.effective_port)

    def start(self) -> WsgiThread:
        self._thread.start()
        return self

    def _serve(self) -> None:
        server = self.server
        try:
            while not self._stop.is_set():
                wasyncore.loop(timeout=1.0, map=server._map, count=1)  # noqa: SLF001 (waitress' socket map)
        finally:
            server.task_dispatcher.shutdown()
            wasyncore.close_all(server._map)  # noqa: SLF001

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            # The serving thread may close the trigger between the check and the pull: harmless,
            # it is already on its way out.
            with contextlib.suppress(OSError):
                self.server.pull_trigger()
            self._thread.join(timeout=10)


class SlackHandle:
    """The running Slack adapter. `wake()` asks for a drain now (e.g. right after planning);
    `drain_once()` runs one on the calling thread and returns what it did."""

    def __init__(
        self, wiring: Wiring, settings: SlackSettings, transport: Transport, notifier: SlackNotifier
    ) -> None:
        self.settings = settings
        self.transport = transport
        self.notifier = notifier
        self.worker = wiring.delivery_worker("slack")
        self._wake = wiring.claimed  # set by the delivery tick when it claimed rows
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="slack-delivery", daemon=True)

    @property
    def port(self) -> int | None:
        return self.transport.port if isinstance(self.transport, WsgiThread) else None

    def start(self, worker: bool = True) -> SlackHandle:
        self.transport.start()
        if worker:
            self._thread.start()
        log.info("slack adapter started (%s mode)", self.settings.mode)
        return self

    def drain_once(self) -> DrainReport:
        report = self.worker.drain(self.notifier, self._stop.is_set)
        if report != DrainReport():
            log.info("slack deliveries: %s", report)
        return report

    def wake(self) -> None:
        self._wake.set()

    def _run(self) -> None:
        """Recover rows a crash left in `sending`, then drain every `drain_seconds` or on wake.
        A failing drain is logged and retried on the next round; the thread never dies of it."""
        try:
            self.worker.recover(self.notifier)
        except Exception:
            log.exception("slack delivery recovery failed")
        while not self._stop.is_set():
            try:
                self.drain_once()
            except Exception:
                log.exception("slack delivery drain failed; retrying next round")
            self._wake.wait(self.settings.drain_seconds)
            self._wake.clear()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=30)
        self.transport.stop()
        log.info("slack adapter stopped")


def slack_settings(config: Config, environ: Mapping[str, str] | None = None) -> SlackSettings:
    """The [slack] section plus the tokens from the environment (and nowhere else)."""
    env = os.environ if environ is None else environ
    return config.slack.settings(env)


def start_slack(
    wiring: Wiring,
    config: Config,
    environ: Mapping[str, str] | None = None,
    worker: bool = True,
    executor: Executor | None = None,
) -> SlackHandle:
    """Start the Slack adapter for `paperbot serve`; returns at once with a handle to stop it.

    `worker=False` leaves draining to the caller (`drain_once`); `executor` replaces Bolt's
    listener pool (tests pass one they can wait on)."""
    settings = slack_settings(config, environ)
    app = build_app(wiring.commands, settings, executor=executor)
    transport: Transport
    if settings.mode == "http":
        transport = WsgiThread(wsgi_app(app), settings.http_host, settings.http_port)
    else:
        transport = SocketModeRunner(app, settings.app_token)
    register_digest(wiring, settings, app.client)
    handle = SlackHandle(wiring, settings, transport, SlackNotifier(app.client))
    return handle.start(worker=worker)


def register_digest(wiring: Wiring, settings: SlackSettings, client: WebClient) -> list[str]:
    """The [slack] digest_channel as a team digest (none when unset, which also switches off
    one configured before). Its key names the workspace, so "👍 by N teammates" counts this
    workspace's people only; the workspace id comes from auth.test."""
    keys: list[str] = []
    if settings.digest_channel:
        try:
            team = str(client.auth_test()["team_id"])
        except (SlackClientError, KeyError, OSError) as exc:
            log.error("team digest not set up: auth.test failed (%s)", type(exc).__name__)
            return []
        keys.append(digest_key("slack", settings.digest_channel, team))
    wiring.set_digests("slack", keys)
    return keys
