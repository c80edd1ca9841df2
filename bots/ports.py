"""What the delivery engine needs from a platform: a way to send one user's picks.

Each adapter (Slack, Discord, console) implements `Notifier`; errors it raises tell the engine
whether to retry later or to mark the user undeliverable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from bots.messages import PicksMessage


class Undeliverable(Exception):
    """The platform refused for good (DMs closed, user gone): mark the user, don't retry."""


class TemporaryFailure(Exception):
    """Rate limits exhausted, network trouble: leave the row for the next drain."""


@dataclass(frozen=True, slots=True)
class SentMessage:
    """Where the picks went: the DM channel, and one platform message id per card (or a single id
    for the whole message, repeated), in card order, so reactions can be mapped to papers."""

    channel_id: str | None
    message_ids: tuple[str, ...]


class Notifier(Protocol):
    platform: str

    def send_picks(self, message: PicksMessage) -> SentMessage: ...
