"""`paperbot serve --only slack` as a whole: the scheduler's delivery tick claims the picks, wakes
the Slack worker, and the DM reaches the (fake) Slack Web API; stopping ends every thread."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from paperbot.app import build_app
from paperbot.config import load_config
from paperbot.serve import serve
from recommender.domain import Paper
from tests.bots.slack.conftest import wait_for
from tests.bots.slack.corpus import TOPICS
from tests.bots.slack.fake_slack_api import TEAM_ID, FakeSlackApi
from tests.bots.slack.slack_sim import SIGNING_SECRET

NOW = datetime(2025, 11, 24, 9, 5, tzinfo=UTC)
USER = f"slack:{TEAM_ID}:U1"
DIGEST = f"slack:{TEAM_ID}:#C7"


def test_serve_plans_and_delivers_slack_picks_then_stops(
    tmp_path: Path, fake_api: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    serve_until_sent(tmp_path, fake_api, monkeypatch, [USER])
    posts = fake_api.calls_to("chat.postMessage")
    assert [p.params["channel"] for p in posts] == ["DU1"] * 3  # header + k = 2 papers
    assert not [t for t in threading.enumerate() if t.name in ("slack-http", "slack-delivery")]


def test_serve_posts_the_team_digest_on_its_first_tick(
    tmp_path: Path, fake_api: FakeSlackApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The digest is registered before the scheduler's first tick: registered after it, the
    09:00 slot would already lie behind the planner and the digest would wait a day."""
    serve_until_sent(tmp_path, fake_api, monkeypatch, [USER, DIGEST], 'digest_channel = "C7"')
    posts = fake_api.calls_to("chat.postMessage")
    assert sorted(p.params["channel"] for p in posts) == ["C7"] * 3 + ["DU1"] * 3


def serve_until_sent(
    tmp_path: Path,
    fake_api: FakeSlackApi,
    monkeypatch: pytest.MonkeyPatch,
    user_keys: list[str],
    extra: str = "",
) -> None:
    """`paperbot serve --only slack` on a thread until every one of `user_keys` got its picks."""
    config_path = tmp_path / "config.toml"
    config_path.write_text(
        f"""
[database]
path = "paperbot.db"
[picks]
k = 2
[schedule]
weekdays = "daily"
tick_seconds = 1
[slack]
mode = "http"
http_host = "127.0.0.1"
http_port = 0
api_base_url = "{fake_api.base_url}"
{extra}
""",
        encoding="utf-8",
    )
    env = {"SLACK_BOT_TOKEN": "xoxb-serve", "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = load_config(config_path)
    seed = build_app(config, clock=lambda: NOW).wiring
    papers = [
        Paper(paper_id=f"2511.1000{i}", title=title, abstract=abstract, published=NOW.date())
        for i, (title, abstract) in enumerate(TOPICS)
    ]
    seed.repos.papers.upsert(papers, NOW)
    seed.service.accounts.ensure(USER, "u1", NOW)
    seed.service.accounts.subscribe(USER)

    stop = threading.Event()
    runner = threading.Thread(
        target=serve,
        args=(config,),
        kwargs={"only": "slack", "clock": lambda: NOW, "stop": stop, "env": env},
        daemon=True,
    )
    runner.start()
    try:
        ledger = seed.repos.ledger

        def all_sent() -> bool:
            return all([d.status for d in ledger.for_user(k)] == ["sent"] for k in user_keys)

        wait_for(all_sent, "the daily picks")
    finally:
        stop.set()
        runner.join(timeout=30)
    assert not runner.is_alive()
