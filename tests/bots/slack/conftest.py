"""Fixtures for the Slack adapter tests: the fake Web API, a real WSGI server around the Bolt app,
and a patient `wait_for` (listeners run after the ack, on Bolt's worker threads)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Any

import pytest
from slack_bolt import App

from bots.slack.app import EVENTS_PATH, wsgi_app
from bots.slack.settings import SlackSettings
from paperbot.slack_runner import WsgiThread
from tests.bots.slack.fake_slack_api import FakeSlackApi
from tests.bots.slack.slack_sim import SIGNING_SECRET, SlackSim

WAIT_SECONDS = 15.0


class TrackingExecutor(ThreadPoolExecutor):
    """Bolt's listener pool, but one the test can wait on: after a request has been answered
    (acked), `wait_idle()` returns once every listener it started has finished."""

    def __init__(self) -> None:
        super().__init__(max_workers=4, thread_name_prefix="bolt-listener")
        self.futures: list[Future[Any]] = []
        self._guard = threading.Lock()

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future = super().submit(fn, *args, **kwargs)
        with self._guard:
            self.futures.append(future)
        return future

    def wait_idle(self) -> None:
        while True:
            with self._guard:
                pending = [f for f in self.futures if not f.done()]
            if not pending:
                return
            wait(pending, timeout=WAIT_SECONDS)
            if any(not f.done() for f in pending):
                raise AssertionError("a Bolt listener did not finish")


def wait_for(predicate: Callable[[], object], what: str = "condition") -> None:
    """Poll until `predicate()` is truthy. The deadline only guards against a hang; the tests'
    outcome never depends on how fast anything runs."""
    deadline = time.monotonic() + WAIT_SECONDS
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


@pytest.fixture
def fake_api() -> Iterator[FakeSlackApi]:
    api = FakeSlackApi().start()
    yield api
    api.stop()


@pytest.fixture
def executor() -> Iterator[TrackingExecutor]:
    pool = TrackingExecutor()
    yield pool
    pool.shutdown(wait=True)


@pytest.fixture
def http_settings() -> SlackSettings:
    return SlackSettings(
        bot_token="xoxb-fake",
        signing_secret=SIGNING_SECRET,
        mode="http",
        rate_limit_retries=2,
    )


@pytest.fixture
def serve() -> Iterator[Callable[[App], str]]:
    """Serve a Bolt app with waitress on 127.0.0.1; returns the events URL."""
    servers: list[WsgiThread] = []

    def start(app: App) -> str:
        server = WsgiThread(wsgi_app(app), host="127.0.0.1", port=0).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.port}{EVENTS_PATH}"

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def sim_for(fake_api: FakeSlackApi) -> Callable[[str], SlackSim]:
    return lambda url: SlackSim(url, fake_api.response_url())
