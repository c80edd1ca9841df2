"""Draining the delivery ledger (the outbox) for one platform. CONTRACT SKELETON: implemented by
the engine work (issue 3). Slack calls `drain` from a worker thread; Discord uses the step API
(`begin` / `complete` / `fail`) from a tasks.loop, running each step via asyncio.to_thread.
"""

from __future__ import annotations

from dataclasses import dataclass

from bots.messages import PicksMessage
from bots.ports import Notifier, SentMessage
from recommender.domain import Delivery


@dataclass(frozen=True, slots=True)
class DrainReport:
    sent: int = 0
    failed: int = 0
    undeliverable: int = 0
    skipped: int = 0


class DeliveryWorker:
    platform: str

    def recover(self) -> int:
        """At start-up: rows left in `sending` by a crash are resent once (or marked sent when the
        platform shows they arrived). Returns how many rows were put back."""
        raise NotImplementedError

    def drain(self, notifier: Notifier) -> DrainReport:
        """Send every pending row for this platform, one user at a time; one user's failure never
        stops the run (Undeliverable marks the user, TemporaryFailure leaves the row pending)."""
        raise NotImplementedError

    def begin(self) -> list[tuple[Delivery, PicksMessage]]:
        """Mark pending rows `sending` and build their messages."""
        raise NotImplementedError

    def complete(self, delivery: Delivery, sent: SentMessage) -> None:
        """Mark `sent` and remember message id -> paper id for reactions."""
        raise NotImplementedError

    def fail(self, delivery: Delivery, error: Exception) -> None:
        """Undeliverable: mark the row and the user. Anything else: back to pending, attempts+1."""
        raise NotImplementedError
