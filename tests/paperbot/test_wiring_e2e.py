"""End to end through the real wiring: the bundled corpus in SQLite, votes, a nightly train saved
to the model store, and a second process's view of it (a fresh Wiring on the same files)."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime
from pathlib import Path

import paperbot.wiring
from engine.chat import Requester
from paperbot.app import build_app
from paperbot.config import load_config
from paperbot.wiring import Wiring
from recommender.domain import DOWN, UP, Paper, UserProfile
from recommender.ranker import HybridRanker
from recommender.training import train_ranker

NOW = datetime(2025, 9, 5, 9, 0, tzinfo=UTC)
CONFIG = """
[database]
path = "bot.db"
model_dir = "models"

[model]
no_components = 8
epochs = 5
num_threads = 1
feature_terms = 100
"""


def test_train_save_reload_and_pick(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(CONFIG)
    config = load_config(tmp_path / "config.toml")
    app = build_app(config, clock=lambda: NOW).wiring
    app.load_sample()
    papers = sorted(app.repos.papers.all(), key=lambda p: p.paper_id)
    assert app.ranker().version == "content"  # no model yet: the content fallback
    for u in range(4):
        app.repos.users.ensure(f"console:u{u}", f"u{u}", NOW)
        for paper in papers[u * 10 : u * 10 + 6]:
            app.repos.feedback.record(f"console:u{u}", paper.paper_id, UP, "command", NOW)
    app.repos.feedback.record("console:u0", papers[7].paper_id, DOWN, "command", NOW)

    message = app.train()
    assert message.startswith("Trained model")

    other_process = build_app(config, clock=lambda: NOW).wiring
    ranker = other_process.ranker()
    assert isinstance(ranker, HybridRanker) and ranker.kind == "hybrid"
    assert ranker.version == app.models.current_version()
    votes = app.repos.feedback.votes_for("console:u0")
    profile = UserProfile(
        "console:u0", votes=votes, rated_papers=tuple(app.repos.papers.get_many(votes))
    )
    picks = ranker.picks([profile], papers, 5, date(2025, 9, 5))["console:u0"]
    assert len(picks) == 5
    assert not {p.paper.paper_id for p in picks} & set(votes)
    assert all(p.reason for p in picks)


def _three_readers(tmp_path: Path) -> tuple[Wiring, list[Paper], list[str]]:
    """The sample corpus and three users whose likes overlap (u0 and u1 share papers 5-7)."""
    (tmp_path / "config.toml").write_text(CONFIG)
    app = build_app(load_config(tmp_path / "config.toml"), clock=lambda: NOW).wiring
    app.load_sample()
    papers = sorted(app.repos.papers.all(), key=lambda p: p.paper_id)
    users = [f"console:u{u}" for u in range(3)]
    for u, user in enumerate(users):
        app.repos.users.ensure(user, user, NOW)
        for paper in papers[u * 5 : u * 5 + 8]:
            app.repos.feedback.record(user, paper.paper_id, UP, "command", NOW)
    return app, papers, users


def test_forget_me_rewrites_the_model_without_the_user(tmp_path: Path) -> None:
    """Issue 11.14: the user's likes (their readers column) stayed in the saved model files
    until the next retrain; now `forget-me confirm` rewrites the model without them and keeps
    no older version that still has them."""
    app, papers, users = _three_readers(tmp_path)
    app.train()
    app.train()  # an older version exists too
    before = app.models.load()
    assert before is not None and before.items.readers.shape[1] == 3
    reply = app.commands.handle(Requester(users[1]), "forget-me confirm")
    assert "deleted" in reply.text
    after = app.models.load()
    assert after is not None and after.items.readers.shape[1] == 2
    assert after.items.reader_keys.tolist() == [users[0], users[2]]
    assert app.models.versions() == [after.version]
    needle = users[1].encode("utf-32-le")
    assert not any(needle in f.read_bytes() for f in app.models.dir.iterdir()), "still on disk"
    shared = papers[5].paper_id  # liked by u0 and u1: now u0 alone, a unit row again
    row = after.items.readers[after.items.codes([shared])[0]].toarray().ravel()
    assert row.tolist() == [1.0, 0.0]
    assert app.ranker().version == after.version  # the live ranker moved on as well


def test_a_user_forgotten_while_a_retrain_fits_is_not_in_the_model_it_saves(
    tmp_path: Path, monkeypatch
) -> None:
    app, _, users = _three_readers(tmp_path)
    fitted, go_on = threading.Event(), threading.Event()

    def fit_then_wait(*args, **kwargs):
        ranker = train_ranker(*args, **kwargs)  # the votes were read before the forget
        fitted.set()
        go_on.wait(30)
        return ranker

    monkeypatch.setattr(paperbot.wiring, "train_ranker", fit_then_wait)
    training = threading.Thread(target=app.train)
    training.start()
    assert fitted.wait(60)
    app.commands.handle(Requester(users[1]), "forget-me confirm")
    go_on.set()
    training.join(60)
    saved = app.models.load()
    assert saved is not None and saved.items.reader_keys.tolist() == [users[0], users[2]]
