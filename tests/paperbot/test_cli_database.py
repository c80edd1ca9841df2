"""Issue 11.13: only `init` (and `demo`, `serve --create-db`) creates a database; a missing,
malformed, locked or full one is one line naming the cause and exit code 2, never 1 (which
means "nothing new") and never a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import storage.db
from paperbot.cli import cli
from storage.db import connect, describe_error, transaction

PAPER = '{"title": "Sparse attention at scale %d", "abstract": "%s"}\n'


def run(db: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db), *args])


@pytest.mark.parametrize(
    "args", [("stats",), ("users", "list"), ("train",), ("picks", "ada"), ("ingest", "x.jsonl")]
)
def test_a_missing_database_is_not_created(tmp_path: Path, args: tuple[str, ...]) -> None:
    db = tmp_path / "typo.db"
    (tmp_path / "x.jsonl").write_text(PAPER % (1, "a"))
    result = run(db, *[str(tmp_path / a) if a.endswith(".jsonl") else a for a in args])
    assert result.exit_code == 2, result.output
    assert result.output.strip() == f"Error: no database at {db}: run paperbot init"
    assert not db.exists()


def test_init_creates_it_and_then_the_others_work(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    assert run(db, "init").exit_code == 0 and db.is_file()
    result = run(db, "stats")
    assert result.exit_code == 0 and "papers: 0" in result.output


def test_a_file_that_is_not_a_database_is_named(tmp_path: Path) -> None:
    db = tmp_path / "notes.db"
    db.write_bytes(b"these are my notes, not a database" * 100)
    result = run(db, "stats")
    assert result.exit_code == 2
    assert (
        result.output.strip()
        == f"Error: database {db} is not a SQLite database (a wrong --db path?)"
    )


def test_a_locked_database_is_named(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "busy.db"
    connect(db).close()
    monkeypatch.setattr(storage.db, "BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr(storage.db, "BUSY_RETRY_SECONDS", 0.2)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        (tmp_path / "p.jsonl").write_text(PAPER % (1, "a"))
        result = run(db, "ingest", str(tmp_path / "p.jsonl"))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.exit_code == 2, result.output
    assert "is locked by another process" in result.output
    assert "Traceback" not in result.output


def _tiny_disk(monkeypatch, spare_pages: int) -> None:
    """Every connection may grow the file by `spare_pages` pages only: SQLite's own
    SQLITE_FULL, the error a full disk gives."""
    real = storage.db.connect

    def connect_small(path, create: bool = True):
        db = real(path, create)
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        db.execute(f"PRAGMA max_page_count = {pages + spare_pages}")
        return db

    monkeypatch.setattr(storage.db, "connect", connect_small)


def test_a_full_disk_is_named_and_exits_2(tmp_path: Path, monkeypatch) -> None:
    db = tmp_path / "full.db"
    connect(db).close()
    papers = tmp_path / "big.jsonl"
    papers.write_text("".join(PAPER % (i, "words " * 300) for i in range(300)))
    _tiny_disk(monkeypatch, spare_pages=3)
    result = run(db, "ingest", str(papers))
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if "Error" in line]  # stage lines aside
    assert errors == [f"Error: database {db} cannot be written: the disk is full"]


def test_a_failed_commit_reports_its_cause_not_cannot_rollback(tmp_path: Path) -> None:
    db = connect(tmp_path / "t.db")
    pages = db.execute("PRAGMA page_count").fetchone()[0]
    db.execute(f"PRAGMA max_page_count = {pages + 2}")
    with pytest.raises(sqlite3.OperationalError) as caught, transaction(db):
        db.execute("CREATE TABLE filler (x TEXT)")
        db.conn.executemany("INSERT INTO filler VALUES (?)", [("x" * 4000,)] * 50)
    assert "full" in str(caught.value)
    assert (
        describe_error(caught.value, "t.db") == "database t.db cannot be written: the disk is full"
    )


def test_a_read_only_database_is_named(tmp_path: Path) -> None:
    path = tmp_path / "ro.db"
    connect(path).close()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    with pytest.raises(sqlite3.OperationalError) as caught:
        conn.execute("INSERT INTO meta (key, value) VALUES ('a', 'b')")
    assert describe_error(caught.value, path) == (
        f"database {path} is read-only (check the file's and its folder's permissions)"
    )
