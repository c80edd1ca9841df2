"""`export` on the real store: stable machine keys with plain values, and every row stored about
the user, the seen platform events included."""

from __future__ import annotations

from datetime import UTC, datetime

from bots.commands import CommandLayer
from engine.chat import Requester
from engine.service import PaperService
from recommender.domain import Paper
from storage.db import connect
from storage.repos import open_repos
from tests.fakes import FakeRanker

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_export_uses_machine_keys_and_includes_events() -> None:
    repos = open_repos(connect(":memory:"))
    repos.papers.upsert([Paper("2509.04664", "T", arxiv_id="2509.04664")], NOW)
    layer = CommandLayer(PaperService(repos, FakeRanker), lambda: NOW)
    anna = Requester("slack:T1:U1", "anna")
    layer.handle(anna, "k 3")
    layer.vote(anna, "2509.04664", 1, "button", event_id="slack:action:trig-1")
    data = layer.handle(anna, "export").data
    assert data is not None
    assert data["user"] == {
        "user_key": "slack:T1:U1",
        "name": "anna",
        "subscribed": False,
        "paused_until": None,
        "send_time": "09:00",
        "timezone": "UTC",
        "weekdays": [0, 1, 2, 3, 4],
        "picks_per_day": 3,
        "undeliverable": None,
        "created_at": NOW.isoformat(),
    }
    assert data["events"] == [{"event_id": "slack:action:trig-1", "seen_at": NOW.isoformat()}]
    assert data["votes"] == {"2509.04664": 1}
    stored = {t: n for t, n in repos.db.execute(
        "SELECT 'events', count(*) FROM events WHERE user_key = 'slack:T1:U1'"
    )}  # fmt: skip
    assert stored == {"events": len(data["events"])}
