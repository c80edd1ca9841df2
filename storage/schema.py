"""Append-only migrations. Never edit a migration that has shipped; add a new one below it."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("paperbot")


@migrations(name="0001_initial")
def initial(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE papers (
            paper_id TEXT PRIMARY KEY,
            arxiv_id TEXT,
            title TEXT NOT NULL,
            title_norm TEXT NOT NULL,
            abstract TEXT NOT NULL DEFAULT '',
            authors TEXT NOT NULL DEFAULT '[]',
            organization TEXT,
            keywords TEXT NOT NULL DEFAULT '[]',
            published TEXT,
            upvotes INTEGER NOT NULL DEFAULT 0,
            urls TEXT NOT NULL DEFAULT '[]',
            source TEXT NOT NULL DEFAULT 'file',
            ingested_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX papers_title_norm ON papers(title_norm)")
    db.execute("CREATE INDEX papers_published ON papers(published)")
    db.execute("CREATE INDEX papers_ingested ON papers(ingested_at)")
    db.table("papers").enable_fts(
        ["title", "abstract", "authors", "keywords"],
        fts_version="FTS5",
        create_triggers=True,
        tokenize="porter unicode61 remove_diacritics 2",
    )
    db.execute(
        """
        CREATE TABLE users (
            user_key TEXT PRIMARY KEY,
            platform TEXT NOT NULL,
            display_name TEXT NOT NULL DEFAULT '',
            timezone TEXT NOT NULL DEFAULT 'UTC',
            send_time TEXT NOT NULL DEFAULT '09:00',
            weekdays TEXT NOT NULL DEFAULT '0,1,2,3,4',
            picks_per_day INTEGER NOT NULL DEFAULT 5,
            subscribed INTEGER NOT NULL DEFAULT 1,
            paused_until TEXT,
            interests TEXT NOT NULL DEFAULT '[]',
            undeliverable TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE feedback (
            user_key TEXT NOT NULL REFERENCES users(user_key) ON DELETE CASCADE,
            paper_id TEXT NOT NULL REFERENCES papers(paper_id),
            vote INTEGER NOT NULL CHECK (vote IN (-1, 1)),
            source TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            PRIMARY KEY (user_key, paper_id)
        )
        """
    )
    db.execute("CREATE INDEX feedback_updated ON feedback(updated_at)")
    db.execute(
        """
        CREATE TABLE feedback_history (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_key TEXT NOT NULL REFERENCES users(user_key) ON DELETE CASCADE,
            paper_id TEXT NOT NULL,
            vote INTEGER NOT NULL CHECK (vote IN (-1, 0, 1)),
            source TEXT NOT NULL,
            event_id TEXT,
            at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX feedback_history_user ON feedback_history(user_key, at)")
    db.execute(
        """
        CREATE TABLE events (
            event_id TEXT PRIMARY KEY,
            user_key TEXT,
            seen_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE deliveries (
            delivery_id INTEGER PRIMARY KEY AUTOINCREMENT,
            user_key TEXT NOT NULL REFERENCES users(user_key) ON DELETE CASCADE,
            platform TEXT NOT NULL,
            local_date TEXT NOT NULL,
            paper_ids TEXT NOT NULL DEFAULT '[]',
            status TEXT NOT NULL CHECK (
                status IN ('pending', 'sending', 'sent', 'failed', 'undeliverable', 'skipped')
            ),
            channel_id TEXT,
            message_ids TEXT NOT NULL DEFAULT '[]',
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            note TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (user_key, local_date)
        )
        """
    )
    db.execute("CREATE INDEX deliveries_status ON deliveries(platform, status)")
    db.execute(
        """
        CREATE TABLE delivery_messages (
            platform TEXT NOT NULL,
            message_id TEXT NOT NULL,
            delivery_id INTEGER NOT NULL REFERENCES deliveries(delivery_id) ON DELETE CASCADE,
            user_key TEXT NOT NULL,
            paper_id TEXT NOT NULL,
            PRIMARY KEY (platform, message_id)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        )
        """
    )


@migrations(name="0002_arxiv_id_index")
def arxiv_id_index(db: Database) -> None:
    """Upserts look papers up by arXiv id too; without an index every chunk scanned the table."""
    db.execute("CREATE INDEX IF NOT EXISTS papers_arxiv_id ON papers(arxiv_id)")


@migrations(name="0003_delivery_reasons")
def delivery_reasons(db: Database) -> None:
    """Each delivery row keeps the reason shown with each paper (a JSON object paper_id ->
    reason), so the message can be rebuilt after a restart without ranking again. Rows claimed
    before this migration keep NULL, and their reasons are recomputed once when sent."""
    db.execute("ALTER TABLE deliveries ADD COLUMN reasons TEXT")


@migrations(name="0004_feedback_likes_index")
def feedback_likes_index(db: Database) -> None:
    """Teammates' likes of a request's candidates (FeedbackStore.likes_by_paper, on every picks,
    search and why): without an index each call scanned every vote. Partial (👍 only) and
    ordered (paper_id, user_key) so a team is one range per paper, read from the index alone."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS feedback_likes ON feedback(paper_id, user_key) WHERE vote = 1"
    )


@migrations(name="0005_subscribe_is_a_choice", transactional=False)
def subscribe_is_a_choice(db: Database) -> None:
    """New users start unsubscribed: `users.subscribed` defaults to 0, not 1. Existing rows keep
    the value they have, so today's subscribers go on getting their picks.

    SQLite cannot change a column default in place, so the table is rebuilt (create, copy, drop,
    rename). Foreign keys are switched off around it, outside any transaction (the pragma is a
    no-op inside one): with them on, dropping `users` would cascade into every user's votes and
    deliveries. `foreign_key_check` runs before the commit, so a broken copy is rolled back."""
    sql = db.execute("SELECT sql FROM sqlite_master WHERE name = 'users'").fetchone()[0]
    old = "subscribed INTEGER NOT NULL DEFAULT 1"
    if old not in sql:
        return  # already rebuilt (a run interrupted after the copy, before it was recorded)
    fk_on = db.execute("PRAGMA foreign_keys").fetchone()[0]
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute("BEGIN IMMEDIATE")
    try:
        db.execute(sql.replace("TABLE users", "TABLE users_new", 1).replace(old, old[:-1] + "0"))
        db.execute("INSERT INTO users_new SELECT * FROM users")
        db.execute("DROP TABLE users")
        db.execute("ALTER TABLE users_new RENAME TO users")
        broken = db.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"users rebuild broke {len(broken)} foreign keys")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    finally:
        db.execute(f"PRAGMA foreign_keys = {'ON' if fk_on else 'OFF'}")


@migrations(name="0006_paper_tldr")
def paper_tldr(db: Database) -> None:
    """A paper's one-line summary when its source gives one (Hugging Face `ai_summary`), shown
    on cards above the abstract. NULL for every paper stored before."""
    db.execute("ALTER TABLE papers ADD COLUMN tldr TEXT")


@migrations(name="0007_papers_updated_index")
def papers_updated_index(db: Database) -> None:
    """The search index (storage/textindex.py) asks before every search whether any paper
    changed since it last looked (`max(updated_at)`): one index lookup, not a table scan."""
    db.execute("CREATE INDEX IF NOT EXISTS papers_updated ON papers(updated_at)")
