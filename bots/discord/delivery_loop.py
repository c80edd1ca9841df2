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

from bots.delivery import DeliveryWorker, DrainReport
from bots.discord.notifier import DiscordNotifier
from bots.ports import TemporaryFailure, Undeliverable

log = logging.getLogger(__name__)


class DeliveryLoop:
    """Owns the `tasks.loop`; `run_once` is public so tests and a manual trigger need no timer."""

    def __init__(self, client: discord.Client, worker: DeliveryWorker, seconds: float) -> None:
        self.client = client
        self.worker = worker
        self.notifier = DiscordNotifier(client)
        self._lock = asyncio.Lock()
        self._recovered = False
        self.loop: tasks.Loop = tasks.loop(seconds=seconds)(self._tick)  # type: ignore[type-var]
        self.loop.before_loop(self._before_first_tick)

    def start(self) -> None:
        if not self.loop.is_running():
            self.loop.start()

    def stop(self) -> None:
        self.loop.cancel()

    async def _before_first_tick(self) -> None:
        await self.client.wait_until_ready()
        if not self._recovered:
            # recover() only uses the notifier as a ReceiptChecker (find_sent); ours is async for
            # sending, so it is not the synchronous Notifier the signature names.
            recover = self.worker.recover
            put_back = await asyncio.to_thread(recover, self.notifier)  # type: ignore[arg-type]
            self._recovered = True
            if put_back:
                log.info("recovered %d Discord deliveries left in flight by a crash", put_back)

    async def _tick(self) -> None:
        # An exception escaping a tasks.loop ends the loop for good; one bad tick must not stop
        # tomorrow's deliveries, so it is logged and the next tick tries again.
        try:
            report = await self.run_once()
        except Exception:
            log.exception("Discord delivery tick failed; retrying on the next tick")
            return
        if report.sent or report.failed or report.undeliverable:
            log.info("Discord deliveries: %s", report)

    async def run_once(self) -> DrainReport:
        """Send every pending Discord row once. One user's failure never stops the others."""
        async with self._lock:
            batch = await asyncio.to_thread(self.worker.begin)
            sent = failed = undeliverable = 0
            for delivery, message in batch:
                try:
                    result = await self.notifier.send_picks(message)
                except Undeliverable as exc:
                    log.info("delivery %s undeliverable: %s", delivery.delivery_id, exc)
                    await asyncio.to_thread(self.worker.fail, delivery, exc)
                    undeliverable += 1
                    continue
                except TemporaryFailure as exc:
                    log.warning("delivery %s failed, will retry: %s", delivery.delivery_id, exc)
                    await asyncio.to_thread(self.worker.fail, delivery, exc)
                    failed += 1
                    continue
                await asyncio.to_thread(self.worker.complete, delivery, result)
                sent += 1
            return DrainReport(sent=sent, failed=failed, undeliverable=undeliverable)
