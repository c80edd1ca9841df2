"""`paperbot chat` scripted through stdin (not a terminal), and the other engine commands."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperbot.cli import cli
from paperbot.ingest import sample_bytes
from sources import parse
from storage.db import connect
from storage.repos import open_repos

CONFIG = """
[database]
path = "paperbot.db"
model_dir = "models"
[model]
epochs = 3
[picks]
k = 3
[admins]
users = ["console:boss"]
[sources]
hf_daily = false
arxiv_categories = []
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG)
    db = connect(tmp_path / "paperbot.db")
    open_repos(db).papers.upsert(parse(sample_bytes()).papers[:40], datetime.now(UTC))
    db.close()
    return path


def chat(config: Path, user: str, script: str) -> str:
    result = CliRunner().invoke(
        cli, ["--config", str(config), "chat", "--user", user], input=script
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_a_scripted_session_runs_every_subcommand(config: Path) -> None:
    first = parse(sample_bytes()).papers[0]
    script = f"""
# a comment, then every subcommand
/papers help
/papers interests add diffusion models
/papers interests add language model agents
/papers interests list
/papers interests remove language model agents
/papers search diffusion
+1 1
-1 2
/papers picks
/papers similar {first.paper_id}
/papers why {first.paper_id}
/papers subscribe 08:30 Europe/Berlin weekdays
/papers settings
/papers k 4
/papers pause 3
/papers resume
/papers unsubscribe
/papers export
/papers admin stats
/papers frobnicate
/papers forget-me
/papers forget-me confirm
quit
/papers help
"""
    out = chat(config, "anna", script)
    assert out.count("> ") >= 21  # every command echoed, transcript style
    assert "Welcome to paperbot" in out
    assert "• diffusion models" in out
    assert "👍 Noted" in out and "👎 Noted" in out
    assert "Your picks right now" in out
    assert "Papers like" in out
    assert "Subscribed: 3 picks at 08:30 Europe/Berlin (weekdays)" in out
    assert "You will get 4 picks a day." in out
    assert "Paused." in out and "Resumed." in out and "Unsubscribed" in out
    assert '"votes"' in out  # the export's JSON
    assert "✗ Only admins" in out and "✗ I don't know `frobnicate`" in out
    assert "forget-me confirm" in out and "everything paperbot stored about you is deleted" in out
    assert out.rstrip().endswith("> quit")  # nothing after quit ran
    db = connect(config.parent / "paperbot.db")
    assert open_repos(db).users.get("console:anna") is None


def test_reactions_need_a_card_or_an_id(config: Path) -> None:
    out = chat(config, "bob", "+1\n+1 7\n+1 0000.00000\n")
    assert "React to which paper" in out
    assert "There is no card 7" in out
    assert "don't know the paper" in out


def test_admin_stats_and_retrain_for_an_admin(config: Path) -> None:
    out = chat(config, "boss", "/papers admin stats\n/papers admin retrain\n")
    assert "papers: 40" in out
    assert "Trained model" in out
    assert any((config.parent / "models").glob("model-*.npz"))


def test_init_sample_train_and_picks_commands(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CONFIG)
    runner = CliRunner()
    base = ["--config", str(tmp_path / "config.toml")]
    result = runner.invoke(cli, [*base, "init", "--sample"])
    assert result.exit_code == 0, result.output
    assert "409 new" in result.output
    again = runner.invoke(cli, [*base, "init", "--sample"])
    assert "0 new" in again.output  # idempotent
    picks = runner.invoke(cli, [*base, "picks", "nobody"])
    assert picks.exit_code != 0 and "no such user" in picks.output
    chat(tmp_path / "config.toml", "carol", "/papers interests add video generation\n")
    picks = runner.invoke(cli, [*base, "picks", "carol"])
    assert picks.exit_code == 0, picks.output
    assert "1. " in picks.output and "↳" in picks.output


def test_export_is_valid_json(config: Path) -> None:
    out = chat(config, "dora", "/papers interests add robots\n/papers export\n")
    start = out.index("> /papers export\n") + len("> /papers export\n")
    data = json.loads(out[start:])
    assert data["interests"] == ["robots"] and data["user"]["user_key"] == "console:dora"
