"""Votes: one current vote per (user, paper), every change kept in history, and platform events
de-duplicated in the same transaction, so a redelivered Slack or Discord event changes nothing even
when it races the first attempt."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from recommender.domain import InvalidInputError, NotFoundError, Vote
from storage.db import transaction
from storage.rows import parse_datetime


class FeedbackStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def seen(self, event_id: str, user_key: str | None, at: datetime) -> bool:
        """Record a platform event id; True when it had been seen before."""
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO events (event_id, user_key, seen_at) VALUES (?, ?, ?)",
            [event_id, user_key, at.isoformat()],
        )
        return cursor.rowcount == 0

    def record(
        self,
        user_key: str,
        paper_id: str,
        vote: int,
        source: str,
        at: datetime,
        event_id: str | None = None,
    ) -> bool:
        if vote not in (-1, 0, 1):
            raise InvalidInputError(f"a vote is +1, -1 or 0, not {vote!r}")
        with transaction(self.db):
            if event_id is not None and self.seen(event_id, user_key, at):
                return False
            exists = self.db.execute("SELECT 1 FROM papers WHERE paper_id = ?", [paper_id])
            if exists.fetchone() is None:
                raise NotFoundError(f"unknown paper: {paper_id}")
            if vote == 0:
                self.db.execute(
                    "DELETE FROM feedback WHERE user_key = ? AND paper_id = ?", [user_key, paper_id]
                )
            else:
                self.db.execute(
                    "INSERT INTO feedback (user_key, paper_id, vote, source, updated_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (user_key, paper_id) DO UPDATE SET "
                    "vote = excluded.vote, source = excluded.source, "
                    "updated_at = excluded.updated_at",
                    [user_key, paper_id, vote, source, at.isoformat()],
                )
            self.db.execute(
                "INSERT INTO feedback_history (user_key, paper_id, vote, source, event_id, at) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [user_key, paper_id, vote, source, event_id, at.isoformat()],
            )
        return True

    def votes_for(self, user_key: str) -> dict[str, int]:
        rows = self.db.query("SELECT paper_id, vote FROM feedback WHERE user_key = ?", [user_key])
        return {r["paper_id"]: int(r["vote"]) for r in rows}

    def all_current(self) -> list[Vote]:
        return [
            Vote(
                user_key=r["user_key"],
                paper_id=r["paper_id"],
                vote=int(r["vote"]),
                at=parse_datetime(r["updated_at"]),
                source=r["source"],
            )
            for r in self.db.query("SELECT * FROM feedback ORDER BY user_key, paper_id")
        ]

    def likes_by_paper(
        self, paper_ids: Sequence[str], exclude_user: str | None = None, team: str | None = None
    ) -> dict[str, int]:
        """How many people 👍 each paper ("👍 by 2 teammates"), not counting `exclude_user`;
        with `team` only user_keys starting with `<team>:`.

        One query over the partial index feedback_likes (migration 0004): for each paper it
        reads only the likes inside the team's user_key range, so the cost follows the
        candidates' likes, not the size of the table. The ids travel as one JSON array, so a
        large candidate pool never hits SQLite's limit on bound parameters."""
        if not paper_ids:
            return {}
        sql = (
            "SELECT paper_id, count(*) AS n FROM feedback "
            "WHERE vote = 1 AND paper_id IN (SELECT value FROM json_each(?)) AND user_key != ?"
        )
        params = [json.dumps(list(paper_ids)), exclude_user or ""]
        if team:
            sql += " AND user_key >= ? AND user_key < ?"
            params += _prefix_range(f"{team}:")
        rows = self.db.query(sql + " GROUP BY paper_id", params)
        return {r["paper_id"]: int(r["n"]) for r in rows}

    def history_for(self, user_key: str) -> list[dict[str, Any]]:
        sql = "SELECT * FROM feedback_history WHERE user_key = ? ORDER BY id"
        return list(self.db.query(sql, [user_key]))

    def events_for(self, user_key: str) -> list[dict[str, Any]]:
        sql = "SELECT event_id, seen_at FROM events WHERE user_key = ? ORDER BY seen_at, event_id"
        return list(self.db.query(sql, [user_key]))

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM feedback").fetchone()[0])


def _prefix_range(prefix: str) -> tuple[str, str]:
    """[low, high) such that low <= key < high exactly when key starts with `prefix` (a
    non-empty one). SQLite's BINARY collation compares UTF-8 bytes, which orders like code
    points; an index can seek a range but not a substr() test."""
    return prefix, prefix[:-1] + chr(ord(prefix[-1]) + 1)
