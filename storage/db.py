"""Opening the database: WAL, foreign keys, a busy timeout, and pending migrations applied.

One connection per thread or unit of work (DESIGN.md): sqlite3 connections must not be shared
between threads, so long-lived processes use `ConnectionPool.get()`: each thread gets its own.

A busy database (another process holds the write lock) is retried with backoff by the
connection itself (`RetryingConnection`), so every writer, whether through our repositories or
sqlite-utils, gets the same patience: a vote waits for an ingest batch instead of being lost.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlite_utils import Database

from recommender.domain import PaperbotError
from storage.schema import migrations

log = logging.getLogger(__name__)
T = TypeVar("T")

BUSY_TIMEOUT_MS = 5_000  # SQLite's own wait for the lock, per attempt
BUSY_RETRY_SECONDS = 60.0  # then retried with backoff for this long before giving up
_FIRST_BACKOFF, _MAX_BACKOFF = 0.05, 2.0


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def retry_busy(work: Callable[[], T]) -> T:
    """Run `work`, again with growing pauses while the database is busy, for up to
    BUSY_RETRY_SECONDS; only then does "database is locked" reach the caller. `work` must be
    safe to repeat: a statement outside a transaction, BEGIN or COMMIT (see RetryingConnection)."""
    deadline = time.monotonic() + BUSY_RETRY_SECONDS
    pause = _FIRST_BACKOFF
    while True:
        try:
            return work()
        except sqlite3.OperationalError as exc:
            if not _is_busy(exc) or time.monotonic() + pause > deadline:
                raise
            log.info("database busy (%s): retrying in %.2f s", exc, pause)
            time.sleep(pause)
            pause = min(pause * 2, _MAX_BACKOFF)


def _repeatable(conn: sqlite3.Connection, sql: str) -> bool:
    """A statement that failed as busy did nothing, so it may run again, unless it was part
    of a transaction whose earlier statements a retry would not repeat."""
    head = sql.lstrip()[:8].upper()
    return not conn.in_transaction or head.startswith(("BEGIN", "COMMIT"))


class RetryingConnection(sqlite3.Connection):
    """sqlite3.Connection whose statements wait out a busy database (`retry_busy`).

    A bare BEGIN (sqlite-utils' `atomic()`) is made BEGIN IMMEDIATE: the write lock is taken
    at BEGIN, where waiting is safe, rather than at the first write of a transaction that has
    already read, where WAL fails at once (SQLITE_BUSY_SNAPSHOT) and no retry can help."""

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        if sql.strip().upper().rstrip(";") == "BEGIN":
            sql = "BEGIN IMMEDIATE"
        if not _repeatable(self, sql):
            return super().execute(sql, parameters)
        return retry_busy(lambda: sqlite3.Connection.execute(self, sql, parameters))

    def executemany(self, sql: str, parameters: Any, /) -> sqlite3.Cursor:
        if self.in_transaction:
            return super().executemany(sql, parameters)
        # Outside a transaction each row would commit on its own, and a retry after a busy
        # row would repeat the rows before it: run them as one transaction instead.
        with transaction(self):
            return super().executemany(sql, parameters)


class NoDatabaseError(PaperbotError):
    """The database file does not exist and this command may not create it: a mistyped
    `--db` must not silently become an empty database that reports zeros."""

    def __init__(self, path: str | Path) -> None:
        super().__init__(f"no database at {path}: run paperbot init")


def connect(path: str | Path, create: bool = True) -> Database:
    """Open the database at `path` and bring its schema up to date; `create=False` raises
    NoDatabaseError instead of creating a missing file (every CLI command but `init`).

    `":memory:"` gives a private in-memory database, which tests use.
    """
    if str(path) != ":memory:":
        if not create and not Path(path).is_file():
            raise NoDatabaseError(path)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(
        str(path),
        timeout=BUSY_TIMEOUT_MS / 1000,
        isolation_level=None,
        factory=RetryingConnection,
    )
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

    def __init__(self, path: str | Path, create: bool = True) -> None:
        self.path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        with self._lock:
            connect(path, create).close()

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

    def __init__(self, db: Database | sqlite3.Connection) -> None:
        self.conn = db if isinstance(db, sqlite3.Connection) else db.conn

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
        elif self.conn.in_transaction:
            # SQLite may already have rolled back (a full disk, an I/O error); a second
            # ROLLBACK would replace the real cause with "cannot rollback".
            self.conn.execute("ROLLBACK")


def describe_error(exc: sqlite3.Error, path: str | Path) -> str:
    """One line naming why the database at `path` failed, for the CLI and the logs."""
    text = str(exc).lower()
    causes = (
        ("locked", "is locked by another process (still busy after the retries)"),
        ("busy", "is locked by another process (still busy after the retries)"),
        ("readonly", "is read-only (check the file's and its folder's permissions)"),
        ("read-only", "is read-only (check the file's and its folder's permissions)"),
        ("full", "cannot be written: the disk is full"),
        ("malformed", "is damaged (malformed); restore it from a backup"),
        ("not a database", "is not a SQLite database (a wrong --db path?)"),
        ("unable to open", "cannot be opened (missing folder or no permission)"),
        ("disk i/o", "cannot be written: disk I/O error"),
    )
    for needle, cause in causes:
        if needle in text:
            return f"database {path} {cause}"
    return f"database {path}: {exc}"
