"""The APScheduler jobs of `paperbot serve`: ingest, nightly retrain, and the delivery tick.

Why the delivery tick is a short interval job and not one cron job per user: send times are in
each user's own timezone and change with a command; a tick every `tick_seconds` asks the service
which slots fell in `(last tick, now]`, and the ledger makes each claim happen once. So the
APScheduler settings are about load, not correctness:

- deliver: coalesce=True, max_instances=1, misfire_grace_time=tick: a late tick is folded into the
  next one (which covers the same interval anyway); never two at once.
- ingest / retrain (cron): coalesce=True, max_instances=1, misfire_grace_time=1 h / 4 h: a run
  missed because the process was busy or asleep still happens if it is not too late, and several
  missed runs collapse into one. Runs missed while the process was *down* are not replayed (the
  job store is in memory); ingest looks back over days, so the next run catches up.

There is no job after reactions: the ranker represents each user from their current votes on
every call, so a vote (from this process or another) counts in the next picks without one.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from engine.chat import Notifier
from engine.delivery import DrainReport
from engine.planning import PlanReport
from paperbot.config import Config
from paperbot.wiring import Wiring

log = logging.getLogger(__name__)

PLANNED_KEY = "delivery.planned_until.{platform}"


class EngineJobs:
    """The work behind each job, callable directly (tests walk it with a fake clock)."""

    def __init__(
        self,
        wiring: Wiring,
        platforms: Sequence[str],
        notifiers: Mapping[str, Notifier] | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        """`platforms`: whose users to plan for. `notifiers`: platforms drained inline by the
        tick (the console); Slack and Discord drain their own rows in their own loops.
        `stop` (set on SIGTERM): drains end after the current send, a retrain before saving."""
        self.wiring = wiring
        self.stop = stop or threading.Event()
        self.failure: str | None = None  # why serving cannot go on (see database_gone)
        self.platforms = list(platforms)
        self.notifiers = dict(notifiers or {})
        self.workers = {p: wiring.delivery_worker(p) for p in self.notifiers}
        self._tick = threading.Lock()
        # The jobs are added by build_scheduler; admin commands queue on it once it runs.
        timezone = wiring.config.schedule.timezone
        self.scheduler = BackgroundScheduler(timezone=timezone)

    def recover(self) -> int:
        """Start-up: settle rows a crash left in `sending` for the inline platforms."""
        return sum(self.workers[p].recover(n) for p, n in self.notifiers.items())

    def _since(self, platform: str) -> datetime | None:
        stamp = self.wiring.repos.meta.get(PLANNED_KEY.format(platform=platform))
        return datetime.fromisoformat(stamp) if stamp else None

    def database_gone(self) -> bool:
        """The database file was deleted or moved while serving: the open connections would
        go on writing to a file nobody can see. Said once, then `stop` is set (serve exits 2)."""
        path = self.wiring.config.db_path
        if path.is_file():
            return False
        if self.failure is None:
            self.failure = f"no database at {path} any more (deleted or moved while serving)"
            log.error("%s: stopping; restore it, or run paperbot init", self.failure)
            self.stop.set()
        return True

    def deliver(self) -> tuple[dict[str, PlanReport], dict[str, DrainReport]]:
        """One tick: plan every platform's due users, then drain the inline platforms."""
        if self.database_gone():
            return {}, {}
        with self._tick:
            now = self.wiring.clock()
            plans: dict[str, PlanReport] = {}
            for platform in self.platforms:
                since = self._since(platform)
                plans[platform] = self.wiring.service.plan_deliveries(now, since, platform)
                newest = max(filter(None, [since, now]))
                self.wiring.repos.meta.set(
                    PLANNED_KEY.format(platform=platform), newest.isoformat()
                )
            drains = {
                p: self.workers[p].drain(n, self.stop.is_set) for p, n in self.notifiers.items()
            }
        if any(plan.claimed for plan in plans.values()):
            self.wiring.claimed.set()  # the Slack worker drains at once
        for platform, plan in plans.items():
            if plan.claimed or plan.missed:
                log.info(
                    "%s: %d deliveries planned, %d missed, %d with nothing new",
                    platform, len(plan.claimed), len(plan.missed), len(plan.nothing_new),
                )  # fmt: skip
        return plans, drains

    def ingest(self) -> str:
        result = self.wiring.ingest()
        log.info("ingest job: %s", result)
        return result

    def retrain(self) -> str:
        """Train on a daemon thread and wait for it, or for `stop`: a LightFM fit cannot be
        interrupted, so on shutdown it is abandoned (the process exits without waiting for
        it), and `Wiring.train` never starts saving once `stop` is set, so no model file is
        left half-written."""
        outcome: list[str] = []
        worker = threading.Thread(
            target=lambda: outcome.append(self.wiring.train(self.stop)), name="retrain", daemon=True
        )
        worker.start()
        while worker.is_alive() and not self.stop.is_set():
            worker.join(timeout=0.5)
        result = outcome[0] if outcome else "Retrain abandoned: shutting down."
        log.info("retrain job: %s", result)
        return result

    def run_soon(self, job_id: str) -> Callable[[], str]:
        """An admin action for chat: queue the job now instead of running it inside a command
        handler (an ingest fetches from the network; a retrain takes minutes)."""
        work = {"ingest": self.ingest, "retrain": self.retrain}[job_id]

        def queue() -> str:
            if not self.scheduler.running:
                return work()
            self.scheduler.add_job(
                work, DateTrigger(run_date=datetime.now(UTC)), id=f"{job_id}-now",
                name=f"{job_id} (admin)", replace_existing=True, misfire_grace_time=None,
            )  # fmt: skip
            return f"Started `{job_id}` in the background; it is logged when done."

        return queue


def _cron(expression: str, timezone: str, name: str) -> CronTrigger | None:
    text = expression.strip()
    if not text:
        log.info("%s job disabled (empty cron)", name)
        return None
    try:
        return CronTrigger.from_crontab(text, timezone=timezone)
    except ValueError as exc:
        from recommender.domain import InvalidInputError

        raise InvalidInputError(f"[sources] {name}: bad cron {text!r} ({exc})") from None


def build_scheduler(
    jobs: EngineJobs, config: Config, batch_jobs: bool = True
) -> BackgroundScheduler:
    """`jobs.scheduler` with every job added, not started. See the module docstring.

    `batch_jobs=False` (`serve --no-jobs`) leaves out the ingest and retrain cron jobs, for a
    process that runs next to another `serve` which has them: two processes would fetch the
    same feeds and train the same model twice. Delivery and admin commands still run here; a
    model trained elsewhere is picked up when its version changes."""
    timezone = config.schedule.timezone
    tick = max(1, config.schedule.tick_seconds)
    scheduler = jobs.scheduler
    scheduler.add_job(
        jobs.deliver, IntervalTrigger(seconds=tick, timezone=timezone), id="deliver",
        name="delivery tick", coalesce=True, max_instances=1, misfire_grace_time=tick,
        next_run_time=datetime.now(UTC),
    )  # fmt: skip
    cron_jobs: tuple[tuple[str, Callable[[], object], str, int], ...] = (
        ("ingest", jobs.ingest, config.sources.ingest_cron, 3600),
        ("retrain", jobs.retrain, config.sources.retrain_cron, 4 * 3600),
    )
    if not batch_jobs:
        log.info("ingest and retrain jobs left to another process (--no-jobs)")
        cron_jobs = ()
    for name, func, expression, grace in cron_jobs:
        trigger = _cron(expression, timezone, f"{name}_cron")
        if trigger is not None:
            scheduler.add_job(
                func, trigger, id=name, name=name, coalesce=True, max_instances=1,
                misfire_grace_time=grace,
            )  # fmt: skip
    return scheduler
