"""Running a parsed search (storage/search.py) on the search index (storage/textindex.py) and
reading the papers it found from SQLite.

Why its own module: the grammar is pure text handling, the index is a derived store with its
own upkeep; this is the small piece that joins them: the order of attempts (all terms, then any
term), the limit, and turning index hits back into `papers` rows in the index's order.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlite_utils import Database

from storage.search import build_match
from storage.textindex import index_for

MAX_LIMIT = 200


class FullText:
    def __init__(self, db: Database) -> None:
        self.db = db

    def search(self, query: str, limit: int, since: date | None = None) -> list[dict[str, Any]]:
        """Rows of `papers` for `query`, best first (newest first with `sort:date`, or for a
        query of date filters only).

        InvalidInputError when a filter cannot be read; an empty list when nothing is left to
        search for (empty or only punctuation)."""
        parsed = build_match(query)
        if parsed is None:
            return []
        limit = max(1, min(int(limit), MAX_LIMIT))
        parsed.since = max(filter(None, [since, parsed.since]), default=None)
        by_date = parsed.sort == "date" or not parsed.has_words
        index = index_for(self.db)
        for text in parsed.expressions():
            try:
                parsed_text = index.parse(text)
            except ValueError:  # its words analysed to nothing, leaving only exclusions
                continue
            rowids = index.search(self.db, parsed_text, limit, by_date, parsed.until)
            if rowids:
                return self._rows(rowids)
        return []

    def _rows(self, rowids: list[int]) -> list[dict[str, Any]]:
        marks = ",".join("?" for _ in rowids)
        sql = f"SELECT rowid, * FROM papers WHERE rowid IN ({marks})"
        by_rowid = {r["rowid"]: r for r in self.db.query(sql, rowids)}
        return [by_rowid[r] for r in rowids if r in by_rowid]
