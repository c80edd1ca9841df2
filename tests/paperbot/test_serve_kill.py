"""kill -9 of a real `paperbot serve` in the middle of a delivery run, then a restart: every
pending user is delivered exactly once.

Uses the test-only knobs of paperbot.serve: PAPERBOT_TEST_NOW (frozen clock, so every user is due
at start-up), PAPERBOT_TEST_SEND_DELAY (a pause before each send, so the kill lands mid-run) and
PAPERBOT_CONSOLE_OUT (picks appended to a file, which is also the receipt checked on restart).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.chat import Requester
from paperbot.app import build_app
from paperbot.config import load_config
from paperbot.ingest import sample_bytes
from sources import parse
from storage.db import connect

NOW = datetime(2025, 6, 9, 9, 5, tzinfo=UTC)
USERS = [f"console:user{i}" for i in range(8)]
CONFIG = """
[database]
path = "paperbot.db"
[picks]
k = 3
[schedule]
timezone = "UTC"
tick_seconds = 1
grace_minutes = 180
[sources]
ingest_cron = ""
retrain_cron = ""
"""

pytestmark = pytest.mark.slow


def _wait_for(condition: Callable[[], bool], what: str, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _ends(out: Path) -> list[str]:
    text = out.read_text(encoding="utf-8") if out.exists() else ""
    return [line for line in text.splitlines() if line.startswith("=== end ")]


def _statuses(db_path: Path) -> dict[str, str]:
    db = connect(db_path)
    try:
        return {r["user_key"]: r["status"] for r in db.query("SELECT * FROM deliveries")}
    finally:
        db.close()


def _serve(tmp_path: Path, delay: float, log_name: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PAPERBOT_TEST_NOW": NOW.isoformat(),
        "PAPERBOT_TEST_SEND_DELAY": str(delay),
        "PAPERBOT_CONSOLE_OUT": str(tmp_path / "picks.txt"),
    }
    for secret in ("SLACK_BOT_TOKEN", "DISCORD_TOKEN"):
        env.pop(secret, None)
    code = "from paperbot.cli import main; main()"
    args = ["--config", str(tmp_path / "config.toml"), "-v", "serve", "--only", "console"]
    with (tmp_path / log_name).open("wb") as log:
        return subprocess.Popen(
            [sys.executable, "-c", code, *args], cwd=tmp_path, env=env, stdout=log, stderr=log
        )


def _setup(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CONFIG)
    wiring = build_app(load_config(tmp_path / "config.toml"), clock=lambda: NOW).wiring
    # A slice of the bundled corpus: the content ranker each process builds stays quick.
    wiring.repos.papers.upsert(parse(sample_bytes()).papers[:30], NOW)
    for user in USERS:
        wiring.commands.handle(Requester(user), "subscribe 09:00 UTC daily")


def test_kill_9_during_a_delivery_run_then_restart_delivers_each_user_once(tmp_path) -> None:
    _setup(tmp_path)
    out, db_path = tmp_path / "picks.txt", tmp_path / "paperbot.db"

    first = _serve(tmp_path, delay=0.5, log_name="serve-1.log")
    try:
        _wait_for(lambda: len(_ends(out)) >= 3, "the first three deliveries")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    before = _statuses(db_path)
    assert len(before) == len(USERS), "every user was claimed before the kill"
    assert any(s != "sent" for s in before.values()), "the kill landed after the run"

    second = _serve(tmp_path, delay=0.0, log_name="serve-2.log")
    try:
        _wait_for(lambda: set(_statuses(db_path).values()) == {"sent"}, "every delivery sent")
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)

    ends = _ends(out)
    for user in USERS:
        assert sum(1 for line in ends if f" {user} " in line) == 1, user
    assert len(ends) == len(USERS)
    assert second.returncode == 0, (tmp_path / "serve-2.log").read_text()
