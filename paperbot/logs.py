"""Logging for every paperbot command: one stderr handler whose filter redacts what must never be
written down, at any level.

Why a filter and not care at each call site: most of what is logged at DEBUG comes from the
SDKs (slack_sdk, slack_bolt, discord.py, aiohttp), which print request URLs and bodies. Some of
those are credentials in all but name: a Slack `response_url` lets anyone post into the chat it
came from for 30 minutes, a Discord interaction token (in the `/interactions/<id>/<token>` and
`/webhooks/<app>/<token>` routes) does the same for 15 minutes, and a Socket Mode `ticket` opens
the app's event stream. Bolt also logs the whole body of a request whose signature failed, at
INFO: text from anyone on the internet. The bot and app tokens are never logged by the SDKs.
"""

from __future__ import annotations

import logging
import re
import sys
from functools import partial
from typing import TextIO

REDACTED = "[redacted]"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# (pattern, replacement): the part before the secret is kept, so the log still says what it was.
_RULES = [
    # A response_url as a JSON / dict key, form field, or %-encoded inside a form field.
    (re.compile(r"(response_url(?:['\"]|%22)?\s*(?:[:=]|%3A)\s*(?:['\"]|%22)?)[^'\"\s,&}]+"), 1),
    (re.compile(r"(https?://hooks\.slack\.com/)[^\s'\"]+"), 1),
    # A URL path with a Discord interaction token, or a Slack Socket Mode ticket.
    (re.compile(r"(/interactions/\d+/)[^/\s'\"]+"), 1),
    (re.compile(r"(/webhooks/\d+/)[^/\s'\"?]+"), 1),
    (re.compile(r"([?&]ticket=)[^&\s'\"]+"), 1),
    # A `token` field of a JSON payload (Discord interactions, Slack's verification token).
    (re.compile(r"((?:['\"]|%22)token(?:['\"]|%22)\s*(?::|%3A)\s*(?:['\"]|%22))[^'\"%]+"), 1),
]
# Loggers whose every message holds one: an unverified request body (all of it goes), and the
# client Bolt's `respond()` posts with, whose URL is always the response_url.
_BY_LOGGER = {
    "slack_bolt.RequestVerification": re.compile(r"(, body: ).*", re.DOTALL),
    "slack_sdk.webhook.client": re.compile(r"(url: )[^,\s]+"),
}


def redact(text: str) -> str:
    """`text` with every secret named in the module docstring replaced by [redacted]."""
    for pattern, keep in _RULES:
        text = pattern.sub(partial(_kept, keep), text)
    return text


def _kept(keep: int, match: re.Match[str]) -> str:
    """The part of a match that is not secret (group `keep`), then the redaction mark."""
    return match.group(keep) + REDACTED


class Redactor(logging.Filter):
    """Rewrites each record's message (and traceback) before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a broken format string: logging reports it itself
            return True
        own = _BY_LOGGER.get(record.name)
        if own is not None:
            message = own.sub(lambda m: m.group(1) + REDACTED, message)
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def configure_logging(verbose: bool = False, stream: TextIO | None = None) -> logging.Handler:
    """The one handler on the root logger (DEBUG with `verbose`, else WARNING), replacing one
    installed by an earlier call (the CLI tests run many commands in one process); returns it."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(Redactor())
    root = logging.getLogger()
    for old in [h for h in root.handlers if any(isinstance(f, Redactor) for f in h.filters)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    return handler
