"""Socket Mode (the default: no public URL needed) with a watchdog for silent drops.

slack_sdk's built-in client pings and reconnects on its own, but a reconnect that fails once
(network down at that moment) is not tried again, and a half-open socket can look connected for
a long time. The watchdog checks the session on its own thread and, after a few failed checks
in a row, asks for a brand-new endpoint; its decision logic is a plain method with an injected
clock so it is tested without sockets or sleeps.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.builtin import SocketModeClient

log = logging.getLogger(__name__)

CHECK_SECONDS = 10.0  # a silent drop is noticed in about 30-40 s, before the SDK's own 40 s
FAILED_CHECKS_BEFORE_RECONNECT = 2


class SessionClient(Protocol):
    """The part of slack_sdk's SocketModeClient the watchdog needs."""

    def is_connected(self) -> bool: ...
    def connect_to_new_endpoint(self, force: bool = False) -> None: ...


class Watchdog:
    """Reconnects a Socket Mode client that stayed disconnected for several checks."""

    def __init__(
        self,
        client: SessionClient,
        interval: float = CHECK_SECONDS,
        failed_checks: int = FAILED_CHECKS_BEFORE_RECONNECT,
        sleep: Callable[[float], bool] | None = None,
    ) -> None:
        self.client = client
        self.interval = interval
        self.failed_checks = failed_checks
        self.misses = 0
        self.reconnects = 0
        self._stop = threading.Event()
        self._sleep = sleep or self._stop.wait
        self._thread: threading.Thread | None = None

    def check(self) -> bool:
        """One look at the session; True when a reconnect was attempted."""
        if self.client.is_connected():
            self.misses = 0
            return False
        self.misses += 1
        if self.misses < self.failed_checks:
            return False
        log.warning("slack socket mode looks disconnected; reconnecting")
        self.reconnects += 1
        try:
            self.client.connect_to_new_endpoint(force=True)
            self.misses = 0
        except Exception as exc:  # noqa: BLE001 - keep watching; the next check tries again
            log.warning("slack socket mode reconnect failed: %s", type(exc).__name__)
        return True

    def run(self) -> None:
        while not self._stop.is_set():
            if self._sleep(self.interval):
                break
            self.check()

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="slack-watchdog", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


class LiveSession:
    """slack_sdk's built-in client as the watchdog sees it, half-open sockets included.

    The client's own `is_connected()` only says a socket object exists: after the peer vanishes
    without a close frame it stays True until the SDK's stale-pong check (4 ping intervals) fires.
    So each look also sends a ping, and a send that fails or a pong older than `stale_after`
    counts as disconnected. (Bug found by tests/bots/slack/test_slack_socket_mode.py.)"""

    def __init__(
        self, client: SocketModeClient, stale_after: float, clock: Callable[[], float] = time.time
    ) -> None:
        self.client = client
        self.stale_after = stale_after
        self.clock = clock

    def is_connected(self) -> bool:
        session = self.client.current_session
        if session is None or not self.client.is_connected():
            return False
        last_pong = session.last_ping_pong_time
        if last_pong is not None and self.clock() - last_pong > self.stale_after:
            return False
        try:
            # The SDK matches the pong to this session and records the time in the payload.
            session.ping(f"{session.session_id}:{time.time()}")
        except OSError:
            return False
        return True

    def connect_to_new_endpoint(self, force: bool = False) -> None:
        self.client.connect_to_new_endpoint(force=force)


class SocketModeRunner:
    """Bolt's SocketModeHandler plus the watchdog; `start()` returns at once (threads only)."""

    def __init__(self, app: App, app_token: str, interval: float = CHECK_SECONDS) -> None:
        self.handler = SocketModeHandler(app, app_token=app_token)
        # A healthy session answers every ping within one check, so a pong two checks old is stale.
        session = LiveSession(self.handler.client, stale_after=2 * interval)
        self.watchdog = Watchdog(session, interval=interval)

    def start(self) -> None:
        self.handler.connect()
        self.watchdog.start()

    def stop(self) -> None:
        self.watchdog.stop()
        self.handler.close()
