"""Users and their settings. Deleting a user deletes everything stored about them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlite_utils import Database

from recommender.domain import WEEKDAYS, User, platform_of
from storage.db import transaction
from storage.rows import dumps, iso, loads_list, parse_date, parse_datetime


@dataclass(frozen=True, slots=True)
class UserDefaults:
    """What a new user starts with ([schedule] and [picks] in config.toml)."""

    timezone: str = "UTC"
    send_time: time = time(9, 0)
    weekdays: tuple[int, ...] = WEEKDAYS
    picks_per_day: int = 5


def _row_to_user(row: dict[str, Any]) -> User:
    hour, minute = (int(x) for x in row["send_time"].split(":"))
    weekdays = tuple(int(d) for d in row["weekdays"].split(",") if d != "")
    return User(
        user_key=row["user_key"],
        display_name=row["display_name"],
        timezone=row["timezone"],
        send_time=time(hour, minute),
        weekdays=weekdays,
        picks_per_day=int(row["picks_per_day"]),
        subscribed=bool(row["subscribed"]),
        paused_until=parse_date(row["paused_until"]),
        interests=loads_list(row["interests"]),
        undeliverable=row["undeliverable"],
        created_at=parse_datetime(row["created_at"]),
    )


def _user_to_row(user: User, now: datetime) -> dict[str, Any]:
    return {
        "user_key": user.user_key,
        "platform": platform_of(user.user_key),
        "display_name": user.display_name,
        "timezone": user.timezone,
        "send_time": user.send_time.strftime("%H:%M"),
        "weekdays": ",".join(str(d) for d in sorted(set(user.weekdays))),
        "picks_per_day": int(user.picks_per_day),
        "subscribed": int(user.subscribed),
        "paused_until": iso(user.paused_until),
        "interests": dumps(list(user.interests)),
        "undeliverable": user.undeliverable,
        "created_at": iso(user.created_at or now),
        "updated_at": now.isoformat(),
    }


class UserStore:
    def __init__(self, db: Database, defaults: UserDefaults | None = None) -> None:
        self.db = db
        self.defaults = defaults or UserDefaults()

    def get(self, user_key: str) -> User | None:
        rows = list(self.db.query("SELECT * FROM users WHERE user_key = ?", [user_key]))
        return _row_to_user(rows[0]) if rows else None

    def ensure(self, user_key: str, display_name: str, now: datetime) -> tuple[User, bool]:
        """The user, created on first contact NOT subscribed: daily picks are the person's
        choice (`subscribe`), never a side effect of asking for help or searching once."""
        existing = self.get(user_key)
        if existing is not None:
            return existing, False
        user = User(
            user_key=user_key,
            display_name=display_name,
            timezone=self.defaults.timezone,
            send_time=self.defaults.send_time,
            weekdays=self.defaults.weekdays,
            picks_per_day=self.defaults.picks_per_day,
            subscribed=False,
            created_at=now,
        )
        row = _user_to_row(user, now)
        self.db.execute(
            f"INSERT OR IGNORE INTO users ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
            list(row.values()),
        )
        stored = self.get(user_key)
        return (stored or user), True

    def save(self, user: User, now: datetime | None = None) -> None:
        stamp = now or user.created_at or datetime.now().astimezone()
        self.db.table("users").upsert(_user_to_row(user, stamp), pk="user_key")

    def all(self) -> list[User]:
        return [_row_to_user(r) for r in self.db.query("SELECT * FROM users ORDER BY user_key")]

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM users").fetchone()[0])

    def delete(self, user_key: str) -> None:
        """Forget a user: votes, their history, deliveries, seen events, then the user row."""
        with transaction(self.db):
            for table in ("feedback", "feedback_history", "delivery_messages", "events"):
                self.db.execute(f"DELETE FROM {table} WHERE user_key = ?", [user_key])
            self.db.execute("DELETE FROM deliveries WHERE user_key = ?", [user_key])
            self.db.execute("DELETE FROM users WHERE user_key = ?", [user_key])

    def export(self, user_key: str) -> dict[str, Any]:
        """Every row stored about one user, as plain JSON-able data."""
        out: dict[str, Any] = {}
        tables = (
            "users",
            "feedback",
            "feedback_history",
            "deliveries",
            "delivery_messages",
            "events",
        )
        for table in tables:
            rows = list(self.db.query(f"SELECT * FROM {table} WHERE user_key = ?", [user_key]))
            for row in rows:
                for key in ("interests", "paper_ids", "message_ids"):
                    if key in row and isinstance(row[key], str):
                        row[key] = json.loads(row[key])
            out[table] = rows
        return out
