"""Draining the delivery ledger (the outbox) for one platform.

Slack calls `drain` from a worker thread; Discord uses the step API (`begin` / `complete` /
`fail`) from a tasks.loop, running each step via asyncio.to_thread; the console drains inline.
Exactly-once rests on the ledger: a row is claimed once per (user, local date) by the planner,
moved `pending -> sending` with a compare-and-set right before the platform call, and `sent`
after it. A crash in between leaves `sending`; `recover` asks the platform whether the message
arrived (when the notifier can tell, see `ReceiptChecker`) and otherwise resends it once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from engine.cards import paper_card, picks_header, teammates_up
from engine.chat import Notifier, PicksMessage, SentMessage, TemporaryFailure, Undeliverable
from engine.ports import DeliveryLedger, RepositorySet
from engine.service import PaperService
from engine.teams import is_digest
from recommender.domain import Delivery

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
DIGEST_NOTE = "Vote with 👍 / 👎 (buttons or reactions): your vote counts for your own picks."


@dataclass(frozen=True, slots=True)
class DrainReport:
    sent: int = 0
    failed: int = 0
    undeliverable: int = 0
    skipped: int = 0


@runtime_checkable
class ReceiptChecker(Protocol):
    """Optional notifier capability: did this message already arrive? (None when not.)"""

    def find_sent(self, message: PicksMessage) -> SentMessage | None: ...


def _message_papers(message_ids: Sequence[str], message: PicksMessage) -> list[tuple[str, str]]:
    """(message_id, paper_id) per posted message, paired with the cards in order; one id
    repeated means one message for all cards, which maps to its first card."""
    pairs: dict[str, str] = {}
    for message_id, card in zip(message_ids, message.cards, strict=False):
        pairs.setdefault(message_id, card.paper_id)
    return list(pairs.items())


class DeliveryWorker:
    def __init__(
        self,
        platform: str,
        repos: RepositorySet,
        service: PaperService,
        clock: Callable[[], datetime],
        max_attempts: int = MAX_ATTEMPTS,
    ) -> None:
        """`repos`: the ledger and papers the outbox reads and books; `service`: the reasons
        of rows claimed before the ledger kept them, and marking a user unreachable."""
        self.platform = platform
        self._repos = repos
        self._service = service
        self.clock = clock
        self.max_attempts = max_attempts

    @property
    def _ledger(self) -> DeliveryLedger:
        return self._repos.ledger

    def pending(self) -> list[Delivery]:
        """This platform's rows waiting to be sent, oldest first (the Discord loop's work)."""
        return self._ledger.pending(self.platform)

    def message_for(self, delivery: Delivery) -> PicksMessage:
        """The neutral message for one ledger row, with the reasons the row kept from planning
        (no ranking here). Only rows claimed before the ledger kept reasons get them recomputed.
        A paper deleted from the store since is left out, so the cards can be fewer than
        `delivery.paper_ids`."""
        papers = self._repos.papers.get_many(delivery.paper_ids)
        reasons = dict(delivery.reasons)
        missing = [p for p in papers if p.paper_id not in reasons]
        if missing:
            reasons.update(self._service.explain(delivery.user_key, missing))
        likes = teammates_up(self._repos.feedback, delivery.user_key, [p.paper_id for p in papers])
        cards = tuple(
            paper_card(p, reasons.get(p.paper_id), teammates_up=likes.get(p.paper_id, 0))
            for p in papers
        )
        note = delivery.note
        if note is None and cards and is_digest(delivery.user_key):
            note = DIGEST_NOTE
        return PicksMessage(
            user_key=delivery.user_key,
            local_date=delivery.local_date,
            header=picks_header(delivery),
            cards=cards,
            note=note,
            attempt=delivery.attempts,
        )

    def recover(self, notifier: Notifier | None = None) -> int:
        """At start-up: rows left in `sending` by a crash are marked sent when the platform shows
        they arrived (a notifier that is a ReceiptChecker), else put back to pending to be resent
        once. Returns how many rows were put back."""
        put_back = 0
        for delivery in self._ledger.in_flight(self.platform):
            if isinstance(notifier, ReceiptChecker):
                message = self.message_for(delivery)
                found = notifier.find_sent(message)
                if found is not None:
                    log.info("delivery %s had arrived before the crash", delivery.delivery_id)
                    self.complete(delivery, found, message)
                    continue
            self._ledger.mark_failed(delivery.delivery_id, "interrupted", self.clock())
            put_back += 1
        if put_back:
            log.warning(
                "%d %s deliveries interrupted by a crash: resending", put_back, self.platform
            )
        self._map_unmapped()
        return put_back

    def _map_unmapped(self) -> None:
        """Sent rows whose message -> paper rows an older version's crash never wrote: rebuilt
        from the row's cards, so reactions on those messages count again."""
        for delivery in self._ledger.sent_unmapped(self.platform):
            pairs = _message_papers(delivery.message_ids, self.message_for(delivery))
            self._ledger.remember_messages(delivery.delivery_id, pairs)
            log.warning("delivery %s: message ids mapped to papers again", delivery.delivery_id)

    def drain(self, notifier: Notifier, stopping: Callable[[], bool] | None = None) -> DrainReport:
        """Send every pending row for this platform, one user at a time; one user's failure never
        stops the run (Undeliverable marks the user, TemporaryFailure leaves the row pending).

        Each row goes `sending` just before its own send, so a crash leaves at most one row whose
        fate is unknown. `stopping` (a shutdown) is asked before each row: the send under way
        finishes and is booked, the rest stay pending for the next start."""
        sent = failed = undeliverable = skipped = 0
        for delivery in self._ledger.pending(self.platform):
            if stopping is not None and stopping():
                log.info("%s drain stopped for shutdown; the rest stay pending", self.platform)
                break
            batch = self.begin(only=delivery)
            if not batch:
                skipped += 1  # another worker took it
                continue
            row, message = batch[0]
            try:
                result = notifier.send_picks(message)
            except Exception as exc:  # every failure is booked; see fail()
                if not isinstance(exc, Undeliverable | TemporaryFailure):
                    log.exception("sending delivery %s failed", row.delivery_id)
                self.fail(row, exc)
                if isinstance(exc, Undeliverable):
                    undeliverable += 1
                else:
                    failed += 1
                continue
            self.complete(row, result, message)
            sent += 1
        return DrainReport(sent, failed, undeliverable, skipped)

    def begin(self, only: Delivery | None = None) -> list[tuple[Delivery, PicksMessage]]:
        """Mark pending rows `sending` and build their messages (`only`: just that row)."""
        rows = [only] if only is not None else self._ledger.pending(self.platform)
        batch: list[tuple[Delivery, PicksMessage]] = []
        for delivery in rows:
            # Built before the row is taken: if building fails the row stays pending (retried
            # next tick) instead of stuck in `sending` until a restart.
            message = self.message_for(delivery)
            if self._ledger.mark_sending(delivery.delivery_id, self.clock()):
                batch.append((delivery, message))
        return batch

    def complete(self, delivery: Delivery, sent: SentMessage, message: PicksMessage) -> None:
        """Mark `sent` and remember message id -> paper id (one transaction), so reactions map
        to papers.

        The ids pair with the cards of `message` (what was actually posted), not with
        `delivery.paper_ids`: a paper deleted from the store since planning has no card, and
        pairing with the row would shift every later reaction onto the wrong paper."""
        pairs = _message_papers(sent.message_ids, message)
        self._ledger.mark_sent(
            delivery.delivery_id, sent.channel_id, sent.message_ids, self.clock(), pairs
        )

    def fail(self, delivery: Delivery, error: Exception) -> None:
        """Undeliverable: the row is `undeliverable` and the user marked (told on their next
        command). Anything else: back to pending with attempts + 1, and `failed` once
        `max_attempts` are used up; the user is not blamed for our or the platform's trouble."""
        reason = f"{type(error).__name__}: {error}"
        if isinstance(error, Undeliverable):
            self._ledger.mark_failed(delivery.delivery_id, reason, self.clock(), "undeliverable")
            self._service.accounts.mark_undeliverable(delivery.user_key, str(error) or "DMs closed")
            if is_digest(delivery.user_key):
                log.error(
                    "team digest %s refused (%s): off until the bot may post there and restarts",
                    delivery.user_key, error,
                )  # fmt: skip
            return
        status = "failed" if delivery.attempts + 1 >= self.max_attempts else "pending"
        if status == "failed":
            log.error("giving up on delivery %s: %s", delivery.delivery_id, reason)
        self._ledger.mark_failed(delivery.delivery_id, reason, self.clock(), status)
