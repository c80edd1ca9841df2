"""Running a parsed search (storage/search.py) against SQLite: FTS5 for words, the published-date
index for date filters, and a listing by date when a query has no words (`since:2026-01`).

Why its own module: the query shapes (ranked words, word-less listings, date sorts, exclusions)
each need a different SQL statement, and their cost at a million papers is what decides whether
search answers inside a chat's patience; keeping them together keeps that cost in one place.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlite_utils import Database

from storage.search import ParsedQuery, build_match

# bm25 weights in the FTS column order: title, abstract, authors, keywords.
BM25 = "bm25(papers_fts, 10.0, 1.0, 3.0, 4.0)"
MAX_LIMIT = 200
DATE_POOL = 100  # `sort:date` orders this many best matches newest first


class FullText:
    def __init__(self, db: Database) -> None:
        self.db = db

    def search(self, query: str, limit: int, since: date | None = None) -> list[dict[str, Any]]:
        """Rows of `papers` for `query`, best first (or newest first with `sort:date`).

        InvalidInputError when a filter cannot be read; an empty list when nothing is left to
        search for (empty or only punctuation)."""
        parsed = build_match(query)
        if parsed is None:
            return []
        limit = max(1, min(int(limit), MAX_LIMIT))
        parsed.since = max(filter(None, [since, parsed.since]), default=None)
        if not parsed.has_words:
            return self._listing(parsed, limit)
        pool = max(limit, DATE_POOL) if parsed.sort == "date" else limit
        for match in parsed.expressions():
            rowids = self._ranked(match, parsed, pool)
            if rowids:
                rows = self._rows(rowids)
                if parsed.sort == "date":
                    rows.sort(key=lambda r: r["published"] or "", reverse=True)
                return rows[:limit]
        return []

    def _ranked(self, match: str, parsed: ParsedQuery, limit: int) -> list[int]:
        dates, params = _date_clause(parsed)
        join = "JOIN papers ON papers.rowid = papers_fts.rowid " if dates else ""
        sql = (
            f"SELECT papers_fts.rowid FROM papers_fts {join}WHERE papers_fts MATCH ? {dates}"
            f"ORDER BY {BM25} LIMIT ?"
        )
        return [r[0] for r in self.db.execute(sql, [match, *params, limit]).fetchall()]

    def _listing(self, parsed: ParsedQuery, limit: int) -> list[dict[str, Any]]:
        """Newest first by published date, read along the papers_published index, so the cost
        is the rows shown, not the rows filtered."""
        dates, params = _date_clause(parsed)
        where = "published IS NOT NULL " + dates
        if parsed.excluded:
            where += (
                "AND NOT EXISTS (SELECT 1 FROM papers_fts WHERE papers_fts MATCH ? "
                "AND papers_fts.rowid = papers.rowid) "
            )
            params.append(" OR ".join(parsed.excluded))
        sql = f"SELECT * FROM papers WHERE {where}ORDER BY published DESC, paper_id LIMIT ?"
        return list(self.db.query(sql, [*params, limit]))

    def _rows(self, rowids: list[int]) -> list[dict[str, Any]]:
        marks = ",".join("?" for _ in rowids)
        by_rowid = {
            r["rowid"]: r
            for r in self.db.query(f"SELECT rowid, * FROM papers WHERE rowid IN ({marks})", rowids)
        }
        return [by_rowid[r] for r in rowids if r in by_rowid]


def _date_clause(parsed: ParsedQuery) -> tuple[str, list[Any]]:
    """The published-date bounds as SQL on `papers`; undated papers never pass a date filter
    (using the ingest date instead put 2023 papers under `since:2026-01-01`)."""
    clause, params = "", []
    if parsed.since:
        clause += "AND papers.published >= ? "
        params.append(parsed.since.isoformat())
    if parsed.until:
        clause += "AND papers.published <= ? "
        params.append(parsed.until.isoformat())
    return clause, params
