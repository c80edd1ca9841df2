"""Opening the database: WAL, foreign keys, a busy timeout, and pending migrations applied.

One connection per thread or unit of work (DESIGN.md): sqlite3 connections must not be shared
between threads, so long-lived processes use `ConnectionPool.get()`: each thread gets its own.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlite_utils import Database

from storage.schema import migrations

BUSY_TIMEOUT_MS = 10_000


def connect(path: str | Path) -> Database:
    """Open (creating if needed) the database at `path` and bring its schema up to date.

    `":memory:"` gives a private in-memory database, which tests use.
    """
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    db = Database(conn)
    if str(path) != ":memory:":
        db.enable_wal()
    conn.execute("PRAGMA synchronous = NORMAL")
    migrations.apply(db)
    return db


class ConnectionPool:
    """One connection per thread, opened lazily, for processes with worker threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        with self._lock:
            connect(path).close()

    def get(self) -> Database:
        db: Database | None = getattr(self._local, "db", None)
        if db is None:
            db = connect(self.path)
            self._local.db = db
        return db


class transaction:  # noqa: N801 - used as `with transaction(db):`
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception.

    IMMEDIATE takes the write lock up front, so two processes claiming the same delivery row
    serialise instead of failing halfway through.
    """

    def __init__(self, db: Database) -> None:
        self.conn = db.conn

    def __enter__(self) -> sqlite3.Connection:
        self.nested = self.conn.in_transaction
        if not self.nested:
            self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if self.nested:
            return
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")
