"""Issue 11.10: a big ingest racing votes, commands, a retrain and a delivery run, each on its own
connection: no vote lost, no "database is locked" reaching anyone, no row left `sending`.

Scaled to stay a few seconds: 4,000 papers with long abstracts, and SQLite's own busy wait cut
to 0.2 s, shorter than one ingest chunk takes here, so the test leans on the retries and on the
ingest committing in chunks. It used to be one transaction for the whole file: every writer
waited for all of it and failed after the busy timeout. `python bench/bench_busy.py` runs the
full 100k-paper version across processes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

import storage.db
from bots.console.notifier import ConsoleNotifier
from engine.chat import Requester
from paperbot.app import build_app
from paperbot.config import load_config
from paperbot.ingest import ingest_file, sample_bytes
from paperbot.scheduler import EngineJobs
from sources import parse
from storage.db import connect
from storage.feedback import FeedbackStore

NOW = datetime(2025, 6, 9, 9, 5, tzinfo=UTC)
USERS = [f"console:u{i}" for i in range(6)]
PAPERS = 4_000
CONFIG = """
[database]
path = "paperbot.db"
[model]
no_components = 4
epochs = 1
feature_terms = 100
max_text_terms = 2000
[picks]
k = 3
[schedule]
timezone = "UTC"
"""

pytestmark = pytest.mark.slow


def _big_file(path: Path) -> Path:
    words = [
        "sparse",
        "attention",
        "retrieval",
        "reward",
        "diffusion",
        "graph",
        "tokenizer",
        "kernels",
    ]
    with path.open("w") as out:
        for i in range(PAPERS):
            abstract = " ".join(words[(i + j) % len(words)] + str(j % 97) for j in range(300))
            out.write(json.dumps({"title": f"Synthetic paper {i}", "abstract": abstract}) + "\n")
    return path


def _racing(*jobs: Callable[[], None]) -> list[BaseException]:
    errors: list[BaseException] = []

    def run(job: Callable[[], None]) -> None:
        try:
            job()
        except BaseException as exc:  # noqa: BLE001 - every failure is the test's result
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def test_ingest_racing_every_writer_loses_nothing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(storage.db, "BUSY_TIMEOUT_MS", 200)
    (tmp_path / "config.toml").write_text(CONFIG)
    wiring = build_app(load_config(tmp_path / "config.toml"), clock=lambda: NOW).wiring
    sample = parse(sample_bytes()).papers[:40]
    wiring.repos.papers.upsert(sample, NOW)
    for user in USERS:
        wiring.commands.handle(Requester(user), "subscribe 09:00 UTC daily")
    big = _big_file(tmp_path / "big.jsonl")
    db_path = tmp_path / "paperbot.db"
    started = threading.Event()
    # votes on 30 of the 40 papers, so that every user has unrated ones whenever the delivery
    # tick plans (before or after the racing ingest lands): nobody is skipped as "nothing new"
    voted = sample[:30]
    votes = [(u, p.paper_id, 1 if i % 3 else -1) for i, p in enumerate(voted) for u in USERS[:3]]

    def ingest() -> None:
        db = connect(db_path)
        started.set()
        report = ingest_file(db, big, NOW)
        assert report.inserted == PAPERS

    def vote() -> None:
        store = FeedbackStore(connect(db_path))
        started.wait()
        for user, paper_id, value in votes:
            store.record(user, paper_id, value, "button", NOW)

    def commands() -> None:
        started.wait()
        for i, user in enumerate(USERS * 3):
            reply = wiring.commands.handle(Requester(user), f"interests add topic {i}")
            assert not reply.is_error, reply.text

    def train() -> None:
        started.wait()
        assert wiring.train().startswith("Trained model")

    notifier = ConsoleNotifier(path=tmp_path / "picks.txt")
    jobs = EngineJobs(wiring, ["console"], {"console": notifier})

    def deliver() -> None:
        started.wait()
        jobs.deliver()

    errors = _racing(ingest, vote, commands, train, deliver)
    assert errors == []
    check = connect(db_path)
    stored = {
        (r["user_key"], r["paper_id"]): r["vote"] for r in check.query("SELECT * FROM feedback")
    }
    assert stored == {(u, p): v for u, p, v in votes}
    assert check.execute("SELECT count(*) FROM papers").fetchone()[0] == PAPERS + len(sample)
    statuses = [r["status"] for r in check.query("SELECT status FROM deliveries")]
    assert statuses == ["sent"] * len(USERS)
