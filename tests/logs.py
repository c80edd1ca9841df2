"""Capturing what paperbot's own log handler (paperbot/logs.py, redaction included) writes, at
DEBUG, while a test runs real flows."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

from paperbot.logs import configure_logging


@contextmanager
def debug_log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    level = root.level
    stream = io.StringIO()
    handler = configure_logging(verbose=True, stream=stream)
    try:
        yield stream
    finally:
        root.removeHandler(handler)
        root.setLevel(level)


def leaks(logged: str, *secrets: str) -> list[str]:
    """The secrets that appear in `logged`, as they are or %-encoded (inside a form body)."""
    return [s for s in secrets if s in logged or quote(s, safe="") in logged]
