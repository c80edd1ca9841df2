"""The delivery ledger, which is also the outbox (DESIGN.md).

A row per (user_key, local_date), claimed `pending` before anything is sent; adapters move it to
`sending` with a compare-and-set (so two workers never send the same row), then `sent` with the
platform message ids. A row left in `sending` means a crash between the API call and the
bookkeeping; start-up recovery decides what to do with it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from recommender.domain import Delivery, platform_of
from storage.db import transaction
from storage.rows import dumps, loads_list

FAILURE_STATUSES = ("pending", "failed", "undeliverable")


def _reasons(text: str | None, paper_ids: Sequence[str]) -> tuple[tuple[str, str], ...]:
    """The stored JSON object as (paper_id, reason) pairs in card order."""
    stored = json.loads(text) if text else {}
    if not isinstance(stored, dict):
        return ()
    return tuple((p, str(stored[p])) for p in paper_ids if p in stored)


def _row_to_delivery(row: dict[str, Any]) -> Delivery:
    paper_ids = loads_list(row["paper_ids"])
    return Delivery(
        delivery_id=int(row["delivery_id"]),
        user_key=row["user_key"],
        platform=row["platform"],
        local_date=date.fromisoformat(row["local_date"]),
        paper_ids=paper_ids,
        status=row["status"],
        message_ids=loads_list(row["message_ids"]),
        channel_id=row["channel_id"],
        attempts=int(row["attempts"]),
        error=row["error"],
        note=row["note"],
        reasons=_reasons(row.get("reasons"), paper_ids),
    )


class DeliveryStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def _select(self, where: str, params: Sequence[Any]) -> list[Delivery]:
        sql = f"SELECT * FROM deliveries WHERE {where} ORDER BY delivery_id"
        return [_row_to_delivery(r) for r in self.db.query(sql, list(params))]

    def get(self, delivery_id: int) -> Delivery | None:
        rows = self._select("delivery_id = ?", [delivery_id])
        return rows[0] if rows else None

    def claim(
        self,
        user_key: str,
        local_date: date,
        paper_ids: Sequence[str],
        now: datetime,
        note: str | None = None,
        reasons: Mapping[str, str] | None = None,
    ) -> Delivery | None:
        """Insert the row; None when this user already has one for this local date.

        `reasons` (paper_id -> the reason shown with it) is kept with the row so that sending
        it, even from another process or after a restart, needs no ranking."""
        stamp = now.isoformat()
        kept = {p: reasons[p] for p in paper_ids if p in reasons} if reasons is not None else None
        try:
            with transaction(self.db):
                cursor = self.db.execute(
                    "INSERT INTO deliveries (user_key, platform, local_date, paper_ids, status, "
                    "note, reasons, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        user_key,
                        platform_of(user_key),
                        local_date.isoformat(),
                        dumps(list(paper_ids)),
                        "pending",
                        note,
                        dumps(kept) if kept is not None else None,
                        stamp,
                        stamp,
                    ],
                )
        except sqlite3.IntegrityError:
            return None
        return self.get(int(cursor.lastrowid or 0))

    def pending(self, platform: str) -> list[Delivery]:
        return self._select("platform = ? AND status = 'pending'", [platform])

    def in_flight(self, platform: str) -> list[Delivery]:
        return self._select("platform = ? AND status = 'sending'", [platform])

    def _update(self, delivery_id: int, where_status: str | None, **fields: Any) -> bool:
        sets = ", ".join(f"{k} = ?" for k in fields)
        sql = f"UPDATE deliveries SET {sets} WHERE delivery_id = ?"
        params = [*fields.values(), delivery_id]
        if where_status is not None:
            sql += " AND status = ?"
            params.append(where_status)
        return self.db.execute(sql, params).rowcount == 1

    def mark_sending(self, delivery_id: int, now: datetime) -> bool:
        """pending -> sending; False when another worker got there first."""
        return self._update(delivery_id, "pending", status="sending", updated_at=now.isoformat())

    def mark_sent(
        self,
        delivery_id: int,
        channel_id: str | None,
        message_ids: Sequence[str],
        now: datetime,
        pairs: Iterable[tuple[str, str]] = (),
    ) -> None:
        """`sent`, and which paper each posted message shows (`pairs`), in ONE transaction: a
        crash can leave the row `sending` (recovery resolves it) but never `sent` with cards
        whose reactions map to nothing."""
        with transaction(self.db):
            self._update(
                delivery_id,
                None,
                status="sent",
                channel_id=channel_id,
                message_ids=dumps(list(message_ids)),
                error=None,
                updated_at=now.isoformat(),
            )
            self.remember_messages(delivery_id, pairs)

    def mark_failed(
        self, delivery_id: int, error: str, now: datetime, status: str = "pending"
    ) -> None:
        """One failed attempt: back to `pending` for the next drain, `failed` when the retries
        are used up, `undeliverable` when the platform refused for good."""
        if status not in FAILURE_STATUSES:
            raise ValueError(f"mark_failed status must be one of {FAILURE_STATUSES}: {status!r}")
        self.db.execute(
            "UPDATE deliveries SET status = ?, error = ?, attempts = attempts + 1, updated_at = ? "
            "WHERE delivery_id = ?",
            [status, error[:500], now.isoformat(), delivery_id],
        )

    def mark_skipped(self, delivery_id: int, note: str, now: datetime) -> None:
        self._update(delivery_id, None, status="skipped", note=note, updated_at=now.isoformat())

    def reset_to_pending(self, delivery_id: int, now: datetime) -> bool:
        """sending -> pending, for start-up recovery of a row a crash left behind."""
        return self._update(delivery_id, "sending", status="pending", updated_at=now.isoformat())

    def delivered_paper_ids(self, user_key: str) -> set[str]:
        ids: set[str] = set()
        for row in self.db.query("SELECT paper_ids FROM deliveries WHERE user_key = ?", [user_key]):
            ids.update(json.loads(row["paper_ids"]))
        return ids

    def for_user(self, user_key: str, limit: int = 10) -> list[Delivery]:
        sql = "SELECT * FROM deliveries WHERE user_key = ? ORDER BY local_date DESC LIMIT ?"
        return [_row_to_delivery(r) for r in self.db.query(sql, [user_key, limit])]

    def for_date(self, local_date: date) -> list[Delivery]:
        return self._select("local_date = ?", [local_date.isoformat()])

    def remember_messages(self, delivery_id: int, pairs: Iterable[tuple[str, str]]) -> None:
        """Which paper each posted message shows, written in one transaction: a crash never
        leaves half of a delivery's messages mapped."""
        row = self.get(delivery_id)
        if row is None:
            return
        values = [
            [row.platform, message_id, delivery_id, row.user_key, paper_id]
            for message_id, paper_id in pairs
        ]
        with transaction(self.db):
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO delivery_messages (platform, message_id, delivery_id, "
                "user_key, paper_id) VALUES (?, ?, ?, ?, ?)",
                values,
            )

    def find_by_message(self, platform: str, message_id: str) -> Delivery | None:
        sql = "SELECT delivery_id FROM delivery_messages WHERE platform = ? AND message_id = ?"
        rows = list(self.db.query(sql, [platform, message_id]))
        return self.get(int(rows[0]["delivery_id"])) if rows else None

    def sent_unmapped(self, platform: str) -> list[Delivery]:
        """`sent` rows with message ids but no message -> paper rows: left by versions that
        wrote the two in separate transactions and crashed in between. Recovery maps them."""
        return self._select(
            "platform = ? AND status = 'sent' AND message_ids NOT IN ('', '[]') AND NOT EXISTS "
            "(SELECT 1 FROM delivery_messages m WHERE m.delivery_id = deliveries.delivery_id)",
            [platform],
        )

    def paper_for_message(self, platform: str, message_id: str) -> tuple[str, str] | None:
        sql = (
            "SELECT user_key, paper_id FROM delivery_messages WHERE platform = ? AND message_id = ?"
        )
        rows = list(self.db.query(sql, [platform, message_id]))
        return (rows[0]["user_key"], rows[0]["paper_id"]) if rows else None

    def counts(self) -> dict[str, int]:
        sql = "SELECT status, count(*) AS n FROM deliveries GROUP BY status"
        return {r["status"]: int(r["n"]) for r in self.db.query(sql)}
