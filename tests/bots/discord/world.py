"""A real paperbot over a real SQLite file in tmp_path, configured to talk to the fake Discord:
the same `build_app` wiring `paperbot serve` uses, a frozen clock (Tuesday 09:01 UTC, just after
the default send time) and six fresh papers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bots.discord.bot import PaperBot
from paperbot.app import build_app
from paperbot.config import Config, load_config
from paperbot.discord_runner import build_bot, register_digest
from paperbot.wiring import Wiring
from recommender.domain import Paper
from storage.db import connect
from tests.bots.discord.fake_discord import FakeDiscord

NOW = datetime(2025, 11, 4, 9, 1, tzinfo=UTC)
TOPICS = (
    "retrieval augmented generation",
    "reinforcement learning from human feedback",
    "video diffusion models",
    "graph neural networks",
    "speech recognition",
    "protein structure prediction",
)
PAPERS = tuple(
    Paper(
        paper_id=f"2511.0000{i}",
        arxiv_id=f"2511.0000{i}",
        title=f"A study of {topic}",
        abstract=f"We study {topic} in depth and report new results. " * 3,
        authors=("Ada Lovelace", "Alan Turing"),
        organization="Analytical Lab",
        published=date(2025, 11, 3),
    )
    for i, topic in enumerate(TOPICS)
)


def write_config(tmp_path: Path, fake: FakeDiscord, digest_channel: int = 0) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        "[database]\n"
        'path = "paperbot.db"\n'
        "[discord]\n"
        f'api_base_url = "http://127.0.0.1:{fake.port}"\n'
        f'gateway_url = "{fake.gateway_url}"\n'
        "delivery_seconds = 3600\n"
        "guild_ready_timeout = 0.01\n"
        f"digest_channel = {digest_channel}\n",
        encoding="utf-8",
    )
    return path


@dataclass
class World:
    config: Config
    wiring: Wiring

    @classmethod
    def create(
        cls, tmp_path: Path, fake: FakeDiscord, users: tuple[int, ...] = (), digest: int = 0
    ) -> World:
        """Papers in the database; each user known, subscribed, and due today (rows claimed);
        with `digest`, that channel's team digest registered (as `serve` does) and claimed too."""
        world = cls.reopen(tmp_path, fake, digest)
        world.wiring.repos.papers.upsert(PAPERS, NOW)
        for user_id in users:
            world.wiring.service.accounts.ensure(f"discord:{user_id}", f"reader{user_id}", NOW)
            world.wiring.service.accounts.subscribe(f"discord:{user_id}")
        register_digest(world.wiring, world.config)
        world.wiring.service.plan_deliveries(NOW)
        return world

    @classmethod
    def reopen(cls, tmp_path: Path, fake: FakeDiscord, digest: int = 0) -> World:
        """A fresh process's view: new wiring over the same database file."""
        config = load_config(write_config(tmp_path, fake, digest))
        return cls(config, build_app(config, clock=lambda: NOW).wiring)

    def bot(self, deliver: bool = True) -> PaperBot:
        return build_bot(self.wiring, self.config, deliver=deliver)

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[dict[str, Any]]:
        """Read the database from the test's own connection (WAL: sees committed writes)."""
        db = connect(self.config.db_path)
        try:
            return list(db.query(sql, params))
        finally:
            db.close()

    def delivery(self, user_id: int | str) -> dict[str, Any]:
        """The user's one ledger row (`user_id`: a Discord user id, or a whole user_key)."""
        key = user_id if isinstance(user_id, str) else f"discord:{user_id}"
        (row,) = self.rows("SELECT * FROM deliveries WHERE user_key = ?", (key,))
        row["paper_ids"] = json.loads(row["paper_ids"])
        row["message_ids"] = json.loads(row["message_ids"])
        return row

    def votes(self, user_id: int | str) -> dict[str, int]:
        key = user_id if isinstance(user_id, str) else f"discord:{user_id}"
        rows = self.rows("SELECT paper_id, vote FROM feedback WHERE user_key = ?", (key,))
        return {r["paper_id"]: r["vote"] for r in rows}

    def history(self, user_id: int) -> list[tuple[str, int, str]]:
        rows = self.rows(
            "SELECT paper_id, vote, source FROM feedback_history WHERE user_key = ? ORDER BY id",
            (f"discord:{user_id}",),
        )
        return [(r["paper_id"], r["vote"], r["source"]) for r in rows]
