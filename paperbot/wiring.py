"""What a process is made of: the database pool, per-thread repositories, the model store, the
live ranker, the application service, training and ingest. paperbot/app.py `build_app` is the
one function that builds it (and, for `serve`, the jobs and the command layer's admin actions).

Threads: Bolt listeners, APScheduler jobs and discord.py's `asyncio.to_thread` calls each run on
their own threads, and a SQLite connection belongs to one thread. So the service is given
`ThreadRepos`, whose repositories resolve to the calling thread's own connection; one
PaperService and one CommandLayer then serve every thread safely.

Test-only knob: PAPERBOT_TEST_NOW (an ISO datetime) freezes the clock of a real process, so an
end-to-end test can make every user due at once. Never set it in production.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bots.commands import CommandLayer
from engine import schedule
from engine.delivery import DeliveryWorker
from engine.ports import Ranker
from engine.service import PaperService
from engine.teams import digest_channel
from paperbot.config import Config
from recommender.domain import Paper, User
from recommender.ranker import HybridRanker
from recommender.state import without_reader
from recommender.training import content_ranker, train_ranker
from storage.db import ConnectionPool, transaction
from storage.deliveries import DeliveryStore
from storage.feedback import FeedbackStore
from storage.meta import MetaStore
from storage.modelstore import ModelStore
from storage.papers import PaperStore
from storage.repos import Repos, open_repos
from storage.users import UserDefaults, UserStore

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
TEST_NOW_ENV = "PAPERBOT_TEST_NOW"


def system_clock() -> datetime:
    return datetime.now(UTC)


def clock_from_env() -> Clock:
    """The real clock, or the frozen test clock when PAPERBOT_TEST_NOW is set (tests only)."""
    frozen = os.environ.get(TEST_NOW_ENV)
    if not frozen:
        return system_clock
    instant = datetime.fromisoformat(frozen)
    instant = instant if instant.tzinfo else instant.replace(tzinfo=UTC)
    log.warning("%s is set: the clock is frozen at %s (test-only)", TEST_NOW_ENV, instant)
    return lambda: instant


class ThreadRepos:
    """The repositories of the calling thread (one SQLite connection per thread)."""

    def __init__(self, pool: ConnectionPool, defaults: UserDefaults) -> None:
        self.pool = pool
        self.defaults = defaults
        self._local = threading.local()

    def current(self) -> Repos:
        repos: Repos | None = getattr(self._local, "repos", None)
        if repos is None:
            repos = open_repos(self.pool.get(), self.defaults)
            self._local.repos = repos
        return repos

    @property
    def papers(self) -> PaperStore:
        return self.current().papers

    @property
    def users(self) -> UserStore:
        return self.current().users

    @property
    def feedback(self) -> FeedbackStore:
        return self.current().feedback

    @property
    def ledger(self) -> DeliveryStore:
        return self.current().ledger

    @property
    def meta(self) -> MetaStore:
        return self.current().meta

    def atomic(self) -> transaction:
        return self.current().atomic()


class LiveRanker:
    """The live ranker: the saved model, reloaded when the store's version changes, else the
    content-only fallback built over the current papers (rebuilt after `invalidate`)."""

    def __init__(self, store: ModelStore, fallback: Callable[[], Ranker]) -> None:
        self.store = store
        self.fallback = fallback
        self._lock = threading.Lock()
        self._ranker: Ranker | None = None
        self._version: str | None = None

    def __call__(self) -> Ranker:
        version = self.store.current_version()
        with self._lock:
            if self._ranker is None or version != self._version:
                loaded = self.store.load() if version else None
                self._ranker = loaded if loaded is not None else self.fallback()
                self._version = version
            return self._ranker

    def invalidate(self) -> None:
        with self._lock:
            self._ranker = None


@dataclass
class Wiring:
    """Everything a process needs; built by `build_app`."""

    config: Config
    clock: Clock
    pool: ConnectionPool
    repos: ThreadRepos
    models: ModelStore
    ranker: LiveRanker = field(init=False)
    service: PaperService = field(init=False)
    commands: CommandLayer = field(init=False)  # set by app.build_app, with its admin actions
    # Set when a delivery tick claimed rows: the Slack worker waits on it to drain at once.
    claimed: threading.Event = field(default_factory=threading.Event)
    _train_lock: threading.Lock = field(default_factory=threading.Lock)
    _save_lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.ranker = LiveRanker(self.models, self._content_ranker)
        self.service = PaperService(
            self.repos, self.ranker, self.config.service_settings, on_forget=self._forget_in_model
        )

    def delivery_worker(self, platform: str) -> DeliveryWorker:
        return DeliveryWorker(platform, self.repos, self.service, self.clock)

    def set_digests(self, platform: str, keys: Sequence[str]) -> list[User]:
        """Make `keys` (see engine.planning.digest_key) the team digests `platform` posts,
        on the [schedule] default send time, timezone and days with [picks] k papers; other
        digests of the platform are switched off. Called before the scheduler starts, so the
        first planning run already knows them."""
        defaults = self.config.user_defaults
        digests = [
            User(
                user_key=key,
                display_name=f"team digest {digest_channel(key)}",
                timezone=defaults.timezone,
                send_time=defaults.send_time,
                weekdays=defaults.weekdays,
                picks_per_day=defaults.picks_per_day,
            )
            for key in keys
        ]
        saved = self.service.set_digests(platform, digests)
        for digest in saved:
            log.info(
                "team digest %s: %s %s (%s)", digest.user_key, digest.send_time,
                digest.timezone, schedule.describe_days(digest.weekdays),
            )  # fmt: skip
        return saved

    def _forget_in_model(self, user_key: str) -> None:
        """`forget-me` in the model files: the current model is rewritten without the user."""
        with self._save_lock:
            if self.models.forget(user_key):
                self.ranker.invalidate()
                log.info("model rewritten without a forgotten user")

    def _content_ranker(self) -> Ranker:
        papers: list[Paper] = list(self.repos.papers.all())
        return content_ranker(papers, self.config.picks, self.config.model)

    def train(
        self,
        stop: threading.Event | None = None,
        stage: Callable[[str], None] = lambda text: None,
    ) -> str:
        """Full fit on every paper and current vote; saved atomically, picked up by readers.
        With `stop` set by the time the fit ends (a shutdown), nothing is saved. `stage(text)`
        is told as each stage starts (the CLI's progress)."""
        with self._train_lock:
            stage("reading papers and votes")
            papers = list(self.repos.papers.all())
            if not papers:
                return "No papers to train on yet: run `paperbot init --sample` or an ingest."
            votes = self.repos.feedback.all_current()
            interests = {u.user_key: u.interests for u in self.repos.users.all()}
            seed = self.config.model.seed
            stage(f"fitting on {len(papers)} papers and {len(votes)} votes")
            ranker = train_ranker(
                papers, votes, interests, self.config.model, self.config.picks, seed
            )
            stage("saving the model")
            with self._save_lock:
                if stop is not None and stop.is_set():
                    return "Retrain stopped before saving: shutting down."
                ranker = self._without_forgotten(ranker)
                version = self.models.save(ranker)  # type: ignore[arg-type]
                self.ranker.invalidate()
                self.repos.meta.set("model.trained_at", self.clock().isoformat())
        return f"Trained model {version} on {len(papers)} papers and {len(votes)} votes."

    def _without_forgotten(self, ranker: HybridRanker) -> HybridRanker:
        """Readers who said `forget-me` while the fit ran (their votes were read before) are
        taken out before saving; every voter is a user (a foreign key), so a reader with no
        user row is one of them."""
        users = {user.user_key for user in self.repos.users.all()}
        for key in set(ranker.items.reader_keys.tolist()) - users:
            ranker = without_reader(ranker, key) or ranker
        return ranker

    def quiesce(self) -> None:
        """At shutdown: wait for a model save under way, and let no other start (the lock is
        kept), so exiting never leaves the model folder between two versions."""
        self._save_lock.acquire()

    def ingest(self) -> str:
        """Fetch every feed in [sources] (network), then refresh the content fallback."""
        from paperbot.ingest import ingest_sources

        reports = ingest_sources(self.repos.current().db, self.config.sources, self.clock())
        self.ranker.invalidate()
        new = sum(r.inserted for r in reports)
        failed = [r.source for r in reports if r.failure]
        for report in reports:
            if report.failure:
                log.warning("ingest of %s failed: %s", report.source, report.failure)
        return f"Ingested {new} new papers" + (f"; failed: {', '.join(failed)}" if failed else ".")

    def load_sample(self) -> str:
        """The bundled sample corpus (init --sample, the demo); idempotent."""
        from paperbot.ingest import load_sample

        report = load_sample(self.repos.current().db, self.clock())
        self.ranker.invalidate()
        return f"Sample corpus: {report.inserted} new, {report.unchanged + report.updated} known."
