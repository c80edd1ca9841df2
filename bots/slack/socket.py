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
from collections.abc import Callable
from typing import Protocol

from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler

log = logging.getLogger(__name__)

CHECK_SECONDS = 30.0
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


class SocketModeRunner:
    """Bolt's SocketModeHandler plus the watchdog; `start()` returns at once (threads only)."""

    def __init__(self, app: App, app_token: str, interval: float = CHECK_SECONDS) -> None:
        self.handler = SocketModeHandler(app, app_token=app_token)
        self.watchdog = Watchdog(self.handler.client, interval=interval)

    def start(self) -> None:
        self.handler.connect()
        self.watchdog.start()

    def stop(self) -> None:
        self.watchdog.stop()
        self.handler.close()
