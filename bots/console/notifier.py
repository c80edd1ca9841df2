"""The console's Notifier: prints each user's daily picks, or appends them to a file.

With a file, every message is one `write()` on a file opened for appending, between a start and
an end marker, and fsync'd before `send_picks` returns. That makes the file its own receipt:
after a crash, `find_sent` tells the delivery worker whether a message in flight had landed, so a
restart never prints a user's picks twice (the kill -9 test relies on this).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import TextIO

from bots.console.render import render_picks
from engine.chat import PicksMessage, SentMessage, TemporaryFailure

PLATFORM = "console"


def _marker(kind: str, message: PicksMessage) -> str:
    return f"=== {kind} {message.user_key} {message.local_date.isoformat()} ==="


def _sent(message: PicksMessage) -> SentMessage:
    """Deterministic ids (user, date, card), so a receipt found after a crash has the same ids."""
    base = f"{message.user_key}/{message.local_date.isoformat()}"
    ids = tuple(f"{base}/{i}" for i in range(len(message.cards))) or (base,)
    return SentMessage(channel_id=f"console:{message.user_key}", message_ids=ids)


def _write_all(fd: int, data: bytes) -> None:
    """os.write until every byte is written: a short write (a full disk writes what fits) must
    not count as sent. A write that makes no progress fails as TemporaryFailure, so the row is
    retried; the partial block has no end marker, so `find_sent` never takes it for a receipt."""
    view = memoryview(data)
    while view:
        try:
            written = os.write(fd, view)
        except OSError as exc:
            raise TemporaryFailure(f"cannot write the picks: {exc.strerror}") from exc
        if written <= 0:
            raise TemporaryFailure("cannot write the picks: no space written")
        view = view[written:]


class ConsoleNotifier:
    platform = PLATFORM

    def __init__(
        self, path: Path | None = None, stream: TextIO | None = None, delay: float = 0.0
    ) -> None:
        """`path`: append to this file (with receipts); else write to `stream` (stdout).
        `delay`: seconds to wait before each send; a test-only knob (PAPERBOT_TEST_SEND_DELAY)
        that widens the window in which a test can kill the process mid-run."""
        self.path = path
        self.stream = stream
        self.delay = delay

    def send_picks(self, message: PicksMessage) -> SentMessage:
        if self.delay:
            time.sleep(self.delay)
        block = f"{_marker('picks', message)}\n{render_picks(message)}\n{_marker('end', message)}\n"
        if self.path is None:
            out = self.stream or sys.stdout
            out.write(block + "\n")
            out.flush()
            return _sent(message)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            _write_all(fd, block.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        return _sent(message)

    def find_sent(self, message: PicksMessage) -> SentMessage | None:
        """The receipt check (engine.delivery.ReceiptChecker): did this message reach the file?"""
        if self.path is None or not self.path.exists():
            return None
        end = _marker("end", message)
        with self.path.open(encoding="utf-8") as handle:
            if any(line.rstrip("\n") == end for line in handle):
                return _sent(message)
        return None
