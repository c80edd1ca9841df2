"""Draining Discord's delivery rows on the bot's own event loop (DESIGN.md: a tasks.loop).

Each tick takes the pending rows through the worker's step API: `begin` (rows -> `sending`, in a
worker thread because it is database work), one awaited send per user on the event loop, then
`complete` or `fail` (again in a thread). The ledger alone decides what is due: a gateway
reconnect restarts nothing here, so picks are never re-sent because the socket dropped.
"""

from __future__ import annotations

import asyncio
import logging

import discord
from discord.ext import tasks

from bots.discord.notifier import DiscordNotifier
from engine.chat import TemporaryFailure, Undeliverable
from engine.delivery import DeliveryWorker, DrainReport
from recommender.domain import Delivery

log = logging.getLogger(__name__)


class DeliveryLoop:
    """Owns the `tasks.loop`; `run_once` is public so tests and a manual trigger need no timer."""

    def __init__(self, client: discord.Client, worker: DeliveryWorker, seconds: float) -> None:
        self.client = client
        self.worker = worker
        self.notifier = DiscordNotifier(client)
        self._lock = asyncio.Lock()
        self._recovered = False
        self._stopping = False
        self.loop: tasks.Loop = tasks.loop(seconds=seconds)(self._tick)  # type: ignore[type-var]
        self.loop.before_loop(self.client.wait_until_ready)

    def start(self) -> None:
        if not self.loop.is_running():
            self._stopping = False
            self.loop.start()

    async def shutdown(self, timeout: float = 15.0) -> None:
        """Let the send in progress finish (so its row is recorded `sent`), then stop. Rows not
        started yet stay `pending` for the next process."""
        self._stopping = True
        if self._lock.locked():
            try:
                async with asyncio.timeout(timeout):
                    async with self._lock:
                        pass
            except TimeoutError:
                log.warning("stopping in the middle of a delivery; start-up will recover it")
        self.loop.cancel()

    async def _tick(self) -> None:
        # An exception escaping a tasks.loop ends the loop for good; one bad tick must not stop
        # tomorrow's deliveries, so it is logged and the next tick tries again.
        try:
            if not self._recovered:
                await self.recover()
            report = await self.run_once()
        except Exception:
            log.exception("Discord delivery tick failed; retrying on the next tick")
            return
        if report.sent or report.failed or report.undeliverable:
            log.info("Discord deliveries: %s", report)

    async def recover(self) -> None:
        """Rows a crash left `sending`: the worker asks our notifier (as a ReceiptChecker, from
        a worker thread) whether they arrived, else puts them back to be sent once."""
        # The worker's signature names the synchronous Notifier; it only uses find_sent here.
        recover = self.worker.recover
        put_back = await asyncio.to_thread(recover, self.notifier)  # type: ignore[arg-type]
        self._recovered = True
        if put_back:
            log.info("%d interrupted Discord deliveries will be resent", put_back)

    async def run_once(self) -> DrainReport:
        """Send every pending Discord row once. Each row is marked `sending` just before its own
        send, so a crash leaves at most one row whose fate is unknown; one user's failure never
        stops the others."""
        async with self._lock:
            rows = await asyncio.to_thread(self._pending)
            counts = {"sent": 0, "failed": 0, "undeliverable": 0, "skipped": 0}
            for row in rows:
                if self._stopping or self.client.is_closed():
                    break
                outcome = await self._deliver(row)
                counts[outcome] += 1
            return DrainReport(**counts)

    def _pending(self) -> list[Delivery]:
        # Runs in the worker thread: the ledger resolves to that thread's own connection.
        return self.worker.pending()

    async def _deliver(self, row: Delivery) -> str:
        batch = await asyncio.to_thread(self.worker.begin, row)
        if not batch:
            return "skipped"  # another process took it
        delivery, message = batch[0]
        try:
            result = await self.notifier.send_picks(message)
        except Undeliverable as exc:
            log.info("delivery %s undeliverable: %s", delivery.delivery_id, exc)
            await asyncio.to_thread(self.worker.fail, delivery, exc)
            return "undeliverable"
        except TemporaryFailure as exc:
            log.warning("delivery %s failed, will retry: %s", delivery.delivery_id, exc)
            await asyncio.to_thread(self.worker.fail, delivery, exc)
            return "failed"
        await asyncio.to_thread(self.worker.complete, delivery, result, message)
        return "sent"
