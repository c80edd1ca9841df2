"""Migration 0005 (new users start unsubscribed) on a database built with the schema before it:
existing subscribers keep their state, and nothing hanging off a user (votes, history,
deliveries) is lost by the table rebuild."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from sqlite_utils import Database

from storage.db import connect
from storage.schema import migrations

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC).isoformat()


def _old_database(path: Path) -> None:
    """A file as the current release writes it: migrations up to 0004, two users, votes."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    db = Database(conn)
    migrations.apply(db, stop_before="0005_subscribe_is_a_choice")
    db.execute(
        "INSERT INTO papers (paper_id, title, title_norm, ingested_at, updated_at) "
        "VALUES ('2509.04664', 'T', 't', ?, ?)",
        [NOW, NOW],
    )
    for key, subscribed in (("slack:T1:U1", 1), ("discord:2", 0)):
        db.execute(
            "INSERT INTO users (user_key, platform, subscribed, send_time, timezone, "
            "created_at, updated_at) VALUES (?, ?, ?, '07:30', 'Europe/Berlin', ?, ?)",
            [key, key.split(":")[0], subscribed, NOW, NOW],
        )
        db.execute("INSERT INTO feedback VALUES (?, '2509.04664', 1, 'button', ?)", [key, NOW])
    # An insert that names no `subscribed` gets the old default, 1: the rule being changed.
    db.execute(
        "INSERT INTO users (user_key, platform, created_at, updated_at) "
        "VALUES ('console:old', 'console', ?, ?)",
        [NOW, NOW],
    )
    db.execute(
        "INSERT INTO deliveries (user_key, platform, local_date, status, created_at, updated_at)"
        " VALUES ('slack:T1:U1', 'slack', '2026-03-02', 'sent', ?, ?)",
        [NOW, NOW],
    )
    conn.close()


def test_existing_users_keep_their_state_and_new_rows_default_to_unsubscribed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    _old_database(path)
    db = connect(path)  # applies the pending migration
    rows = {r["user_key"]: r for r in db.query("SELECT * FROM users")}
    assert rows["slack:T1:U1"]["subscribed"] == 1
    assert rows["slack:T1:U1"]["send_time"] == "07:30"
    assert rows["slack:T1:U1"]["timezone"] == "Europe/Berlin"
    assert rows["discord:2"]["subscribed"] == 0
    assert rows["console:old"]["subscribed"] == 1
    assert db.execute("SELECT count(*) FROM feedback").fetchone()[0] == 2
    assert db.execute("SELECT count(*) FROM deliveries").fetchone()[0] == 1
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    db.execute(
        "INSERT INTO users (user_key, platform, created_at, updated_at) "
        "VALUES ('console:new', 'console', ?, ?)",
        [NOW, NOW],
    )
    new = next(db.query("SELECT subscribed FROM users WHERE user_key = 'console:new'"))
    assert new["subscribed"] == 0
    # The foreign keys still point at the rebuilt table: deleting a user cascades.
    db.execute("DELETE FROM users WHERE user_key = 'slack:T1:U1'")
    assert db.execute("SELECT count(*) FROM feedback").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM deliveries").fetchone()[0] == 0


def test_the_migration_is_recorded_once(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_database(path)
    connect(path).close()
    db = connect(path)
    names = [m.name for m in migrations.applied(db)]
    assert names.count("0005_subscribe_is_a_choice") == 1
