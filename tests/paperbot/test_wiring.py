"""The composition root over real SQLite: threads, model reloads, the frozen test clock."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.chat import Requester
from paperbot.app import build_app
from paperbot.config import load_config
from paperbot.ingest import sample_bytes
from paperbot.wiring import Wiring, clock_from_env
from sources import parse
from tests.fakes import RecordingNotifier

NOW = datetime(2025, 6, 9, 9, 5, tzinfo=UTC)
CONFIG = """
[database]
path = "paperbot.db"
model_dir = "models"
[model]
epochs = 3
[schedule]
send_time = "09:00"
weekdays = "daily"
"""


@pytest.fixture
def wiring(tmp_path: Path) -> Wiring:
    (tmp_path / "config.toml").write_text(CONFIG)
    built = build_app(load_config(tmp_path / "config.toml"), clock=lambda: NOW).wiring
    built.repos.papers.upsert(parse(sample_bytes()).papers[:30], NOW)
    return built


def test_commands_work_from_many_threads(wiring: Wiring) -> None:
    papers = [p.paper_id for p in wiring.repos.papers.all()]

    def session(n: int) -> tuple[int, int]:
        who = Requester(f"console:t{n}")
        wiring.commands.handle(who, "interests add diffusion")
        outcome = wiring.commands.vote(who, papers[n], 1, "button", event_id=f"ev{n}")
        return len(wiring.commands.handle(who, "picks").cards), int(outcome.recorded)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(session, range(8)))
    assert all(cards > 0 and recorded == 1 for cards, recorded in results)
    assert wiring.repos.feedback.count() == 8


def test_a_reaction_on_a_delivered_message_maps_to_its_paper(wiring: Wiring) -> None:
    anna = Requester("console:anna")
    wiring.commands.handle(anna, "subscribe 09:00 UTC daily")
    plan = wiring.service.plan_deliveries(NOW)
    assert [d.user_key for d in plan.claimed] == ["console:anna"]
    notifier = RecordingNotifier()
    assert wiring.delivery_worker("console").drain(notifier).sent == 1
    [message] = notifier.sent
    assert all(card.reason for card in message.cards)  # the planner's reasons were kept
    row = wiring.repos.ledger.for_user("console:anna")[0]
    outcome = wiring.commands.vote_on_message("console", row.message_ids[2], anna, -1, "r1")
    assert outcome is not None and outcome.paper_id == row.paper_ids[2] and outcome.vote == -1
    replay = wiring.commands.vote_on_message("console", row.message_ids[2], anna, 1, "r1")
    assert replay is not None and replay.recorded is False
    assert wiring.repos.feedback.votes_for("console:anna") == {row.paper_ids[2]: -1}
    assert wiring.service.plan_deliveries(NOW).claimed == ()  # once per local date


def test_a_newly_trained_model_is_picked_up_without_a_restart(wiring: Wiring) -> None:
    assert wiring.ranker().version == "content"  # no model file yet: the fallback
    papers = [p.paper_id for p in wiring.repos.papers.all()]
    for n in range(3):
        wiring.commands.vote(Requester(f"console:v{n}"), papers[n], 1, "button")
    message = wiring.train()
    version = wiring.models.current_version()
    assert version is not None and version in message
    assert wiring.ranker().version == version


def test_forget_me_removes_deliveries_votes_and_the_user(wiring: Wiring) -> None:
    anna = Requester("console:anna")
    wiring.commands.handle(anna, "subscribe 09:00 UTC daily")
    wiring.service.plan_deliveries(NOW)
    wiring.commands.vote(anna, next(wiring.repos.papers.all()).paper_id, 1, "button")
    wiring.commands.handle(anna, "forget-me confirm")
    assert wiring.repos.users.get("console:anna") is None
    assert wiring.repos.ledger.for_user("console:anna") == []
    assert wiring.repos.feedback.history_for("console:anna") == []


def test_the_frozen_test_clock_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAPERBOT_TEST_NOW", "2025-06-09T09:05:00")
    assert clock_from_env()() == NOW
    monkeypatch.delenv("PAPERBOT_TEST_NOW")
    assert clock_from_env()().tzinfo is not None
