"""Building the Bolt app: one WebClient, the listeners, and one error hook.

`build_app` does no I/O beyond what Bolt itself does at construction (one auth.test call to learn
the bot's own ids), so tests point `base_url` at a local fake Web API and get the real thing.
Request signatures are checked in HTTP mode (Bolt's RequestVerification: a wrong signature or a
timestamp more than 5 minutes off gets a 401); Socket Mode needs no signatures.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.error import BoltError
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)

from bots.commands import CommandLayer
from bots.slack.listeners import CommandsProvider, register_all
from bots.slack.listeners.errors import tell_user
from bots.slack.settings import SlackSettings
from recommender.domain import PaperbotError

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
API_TIMEOUT_SECONDS = 15
TIMESTAMP = re.compile(r"[0-9]{1,12}")  # fullmatch only: `$` would let "1700000000\n" in

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def make_web_client(settings: SlackSettings, base_url: str | None = None) -> WebClient:
    """The one Web API client: 429s retried honouring Retry-After, dropped connections retried
    once, and a base URL that tests point at 127.0.0.1."""
    return WebClient(
        token=settings.bot_token,
        base_url=base_url or settings.api_base_url,
        timeout=API_TIMEOUT_SECONDS,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=1),
            RateLimitErrorRetryHandler(max_retry_count=settings.rate_limit_retries),
        ],
    )


def _provider(commands: CommandLayer | CommandsProvider) -> CommandsProvider:
    if isinstance(commands, CommandLayer) or not callable(commands):
        layer = commands
        return lambda: layer  # type: ignore[return-value]
    return commands


def build_app(
    commands: CommandLayer | CommandsProvider,
    settings: SlackSettings,
    base_url: str | None = None,
    client: WebClient | None = None,
    executor: Executor | None = None,
) -> App:
    """The Bolt app with every listener registered.

    `commands` is a CommandLayer, or a zero-argument callable returning one for the calling
    thread (Bolt runs listeners on a thread pool and a SQLite connection belongs to one thread).
    `executor` replaces Bolt's listener thread pool (tests pass one they can wait on).
    """
    web = client or make_web_client(settings, base_url)
    try:
        app = App(
            name="paperbot",
            client=web,
            signing_secret=settings.signing_secret,
            request_verification_enabled=settings.mode == "http",
            process_before_response=True,  # acks come first; the work is lazy (listeners/)
            listener_executor=executor,
        )
    except (BoltError, SlackClientError, OSError) as exc:
        # Bolt checks the token with auth.test right here; say which setting to fix.
        raise PaperbotError(f"Slack did not accept SLACK_BOT_TOKEN: {_reason(exc)}") from exc
    register_all(app, _provider(commands))
    app.error(_on_error)
    return app


def _reason(exc: Exception) -> str:
    """Slack's error code (`invalid_auth`, `account_inactive`, ...) out of whatever was raised."""
    data = getattr(getattr(exc, "response", None), "data", None)
    if isinstance(data, dict) and data.get("error"):
        return str(data["error"])
    found = re.search(r"'error': '([a-z_]+)'", str(exc))
    return found.group(1) if found else type(exc).__name__


def _on_error(error: Exception) -> None:
    """Bolt's global hook, for errors outside the listeners (which report their own). It only
    logs: it also runs for requests whose signature was never checked (the verifier itself
    raised), so nothing in the body, least of all its `response_url`, may be acted on here."""
    tell_user(error, None)


def well_formed_timestamp(value: str) -> bool:
    """What Slack sends in X-Slack-Request-Timestamp: whole seconds since the epoch, ASCII."""
    return TIMESTAMP.fullmatch(value) is not None


def wsgi_app(app: App, path: str = EVENTS_PATH) -> WsgiApp:
    """The WSGI callable for HTTP mode (served by waitress in paperbot/slack_runner.py).

    A request whose timestamp is not a plain integer is refused with 401 before Bolt sees it:
    slack_sdk's verifier raises on one (`int("abc")`), which Bolt turns into a 500 and a call
    of the global error hook with the unverified body."""
    handler = SlackRequestHandler(app, path=path)

    def checked(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if not well_formed_timestamp(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", "")):
            log.info("slack request refused: malformed X-Slack-Request-Timestamp")
            start_response("401 Unauthorized", [("Content-Type", "application/json")])
            return [b'{"error": "invalid request"}']
        return handler(environ, start_response)

    return checked
