"""Benchmark (not a test): a big ingest racing votes, commands, a train and a delivery run.

    .venv/bin/python bench/bench_busy.py            # 100,000 papers
    .venv/bin/python bench/bench_busy.py --n 20000  # quicker

`paperbot ingest` runs as its own process on N synthetic papers (bench_ingest's corpus); while it
runs, this process records votes and runs chat commands on their own connections, a `paperbot
train` process starts, and a delivery run plans and sends every user's picks. Prints how many
votes were lost (must be 0), whether "database is locked" reached anyone, and the slowest vote
as a ratio to SQLite's busy timeout: near 1 would mean a vote came close to needing a retry.
The regression test (tests/storage/test_busy_database.py) is the same race at 4,000 papers.
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_ingest import vocabulary, write_corpus  # noqa: E402
from bots.commands import Requester  # noqa: E402
from bots.console.notifier import ConsoleNotifier  # noqa: E402
from paperbot.app import build_app  # noqa: E402
from paperbot.config import load_config  # noqa: E402
from paperbot.ingest import sample_bytes  # noqa: E402
from paperbot.scheduler import EngineJobs  # noqa: E402
from sources import parse  # noqa: E402
from storage.db import BUSY_TIMEOUT_MS, connect  # noqa: E402
from storage.feedback import FeedbackStore  # noqa: E402

NOW = datetime(2025, 6, 9, 9, 5, tzinfo=UTC)
USERS = [f"console:u{i}" for i in range(20)]
CONFIG = """
[database]
path = "paperbot.db"
[model]
no_components = 8
epochs = 2
[picks]
k = 3
[schedule]
timezone = "UTC"
"""


def _paperbot(tmp: Path, *args: str) -> subprocess.Popen[bytes]:
    code = "from paperbot.cli import main; main()"
    command = [sys.executable, "-c", code, "--config", str(tmp / "config.toml"), *args]
    return subprocess.Popen(command, cwd=tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="papers in the ingest")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        run(Path(name), args.n)


def run(tmp: Path, n: int) -> None:
    (tmp / "config.toml").write_text(CONFIG)
    wiring = build_app(load_config(tmp / "config.toml"), clock=lambda: NOW).wiring
    sample = parse(sample_bytes()).papers
    wiring.repos.papers.upsert(sample, NOW)
    for user in USERS:
        wiring.commands.handle(Requester(user), "subscribe 09:00 UTC daily")
    write_corpus(tmp / "big.jsonl", n, vocabulary(), random.Random(1))

    started = time.monotonic()
    ingest = _paperbot(tmp, "ingest", str(tmp / "big.jsonl"))
    latencies: list[float] = []
    errors: list[str] = []
    sent_votes: dict[tuple[str, str], int] = {}
    rng = random.Random(2)

    def vote() -> None:
        store = FeedbackStore(connect(tmp / "paperbot.db"))
        while ingest.poll() is None:
            user, paper = rng.choice(USERS), rng.choice(sample).paper_id
            value = rng.choice((1, -1))
            t0 = time.monotonic()
            try:
                store.record(user, paper, value, "button", NOW)
                sent_votes[(user, paper)] = value
            except Exception as exc:  # noqa: BLE001 - counted, that is the measurement
                errors.append(f"vote: {exc}")
            latencies.append(time.monotonic() - t0)
            time.sleep(0.02)

    def commands() -> None:
        i = 0
        while ingest.poll() is None:
            reply = wiring.commands.handle(Requester(USERS[i % len(USERS)]), f"k {1 + i % 9}")
            if reply.is_error:
                errors.append(f"command: {reply.text}")
            i += 1
            time.sleep(0.1)

    def deliver() -> None:
        time.sleep(2)
        EngineJobs(wiring, ["console"], {"console": ConsoleNotifier(tmp / "picks.txt")}).deliver()

    threads = [threading.Thread(target=job) for job in (vote, commands, deliver)]
    for thread in threads:
        thread.start()
    time.sleep(3)
    train = _paperbot(tmp, "train")
    train_out = train.communicate()[0].decode()
    ingest_out = ingest.communicate()[0].decode()
    ingest_seconds = time.monotonic() - started
    for thread in threads:
        thread.join()

    check = connect(tmp / "paperbot.db")
    stored = {
        (r["user_key"], r["paper_id"]): r["vote"] for r in check.query("SELECT * FROM feedback")
    }
    lost = sum(1 for key, value in sent_votes.items() if stored.get(key) != value)
    statuses = [r["status"] for r in check.query("SELECT status FROM deliveries")]
    locked = sum(text.count("database is locked") for text in (train_out, ingest_out, *errors))
    slowest = max(latencies, default=0.0)
    print(
        f"ingest: {n:,} papers in {ingest_seconds:.1f} s ({n / ingest_seconds:,.0f}/s), "
        f"exit {ingest.returncode}"
    )
    print(f"train: exit {train.returncode}: {train_out.strip().splitlines()[-1:]}")
    print(
        f"votes: {len(latencies):,} recorded during the ingest, {lost} lost, "
        f"{len(errors)} errors, 'database is locked' seen {locked} times"
    )
    print(
        f"vote latency: p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p99 {statistics.quantiles(latencies, n=100)[98] * 1000:.0f} ms, "
        f"max {slowest * 1000:.0f} ms = {slowest / (BUSY_TIMEOUT_MS / 1000):.2f} x the busy timeout"
    )
    print(f"deliveries: {statuses.count('sent')} sent of {len(statuses)}; "
          f"{statuses.count('sending')} left sending")  # fmt: skip


if __name__ == "__main__":
    main()
