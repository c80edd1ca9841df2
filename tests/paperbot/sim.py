"""A simulated `paperbot serve` for fake-clock tests: real SQLite, the real scheduler jobs and
console notifier, a fake clock, and the obvious FakeRanker. `restart()` builds a fresh process
over the same database and picks file, as a crash and restart would."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from bots.console.notifier import ConsoleNotifier
from engine.chat import PicksMessage, Requester, SentMessage
from paperbot.app import build_app
from paperbot.config import load_config
from paperbot.scheduler import EngineJobs
from tests.fakes import FakeClock, FakeRanker, paper

CONFIG = """
[database]
path = "paperbot.db"
[picks]
k = 3
window_days = 7
[schedule]
timezone = "UTC"
send_time = "09:00"
weekdays = "daily"
grace_minutes = 180
empty_day = "{empty_day}"
[sources]
ingest_cron = ""
retrain_cron = ""
"""


@dataclass
class Sent:
    at: datetime
    message: PicksMessage


class TimedNotifier:
    """The console notifier, plus when (fake clock) each message went out."""

    platform = "console"

    def __init__(self, inner: ConsoleNotifier, clock: FakeClock, log: list[Sent]) -> None:
        self.inner, self.clock, self.log = inner, clock, log

    def send_picks(self, message: PicksMessage) -> SentMessage:
        sent = self.inner.send_picks(message)
        self.log.append(Sent(self.clock(), message))
        return sent

    def find_sent(self, message: PicksMessage) -> SentMessage | None:
        return self.inner.find_sent(message)


class Sim:
    def __init__(self, tmp_path: Path, start: datetime, empty_day: str = "skip") -> None:
        (tmp_path / "config.toml").write_text(CONFIG.format(empty_day=empty_day))
        self.config = load_config(tmp_path / "config.toml")
        self.out = tmp_path / "picks.txt"
        self.clock = FakeClock(start)
        self.ranker = FakeRanker()
        self.sent: list[Sent] = []
        self.restart()

    def restart(self) -> None:
        self.wiring = build_app(self.config, self.clock).wiring
        self.wiring.service.current_ranker = lambda: self.ranker
        notifier = TimedNotifier(ConsoleNotifier(path=self.out), self.clock, self.sent)
        self.notifier = notifier
        self.jobs = EngineJobs(self.wiring, ["console"], {"console": notifier})
        self.jobs.recover()

    def say(self, user_key: str, text: str) -> str:
        reply = self.wiring.commands.handle(Requester(user_key), text)
        assert not reply.is_error, reply.text
        return reply.text

    def add_papers(self, day: date, n: int = 4) -> None:
        papers = [
            paper(f"{day:%y%m%d}.{i:05d}", f"Paper {i} of {day:%A %d %B}", day) for i in range(n)
        ]
        self.wiring.repos.papers.upsert(papers, self.clock())

    def run_until(
        self, end: datetime, step: timedelta = timedelta(minutes=10), new_papers: bool = True
    ) -> None:
        """Tick every `step` until `end`; new papers arrive each UTC midnight when asked."""
        while self.clock.now < end:
            self.clock.advance(seconds=step.total_seconds())
            if new_papers and self.clock.now.time() < (datetime.min + step).time():
                self.add_papers(self.clock.now.date())
            self.jobs.deliver()

    def sent_to(self, user_key: str) -> list[Sent]:
        return [s for s in self.sent if s.message.user_key == user_key]

    def file_blocks(self, user_key: str) -> list[str]:
        text = self.out.read_text() if self.out.exists() else ""
        return [line for line in text.splitlines() if line.startswith(f"=== end {user_key} ")]
