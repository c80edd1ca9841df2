"""The paper store: upsert with cross-source de-duplication, lookups, the candidate window, and
search that no user input can break (storage/fulltext.py, on the index of storage/textindex.py)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, datetime
from typing import Any

from sqlite_utils import Database

from engine.ports import UpsertResult
from recommender.domain import Paper, normalise_title
from storage.db import transaction
from storage.fulltext import FullText
from storage.rows import dumps, iso, loads_list, parse_date, parse_datetime
from storage.search import search_order
from storage.textindex import index_for

CHUNK = 500
COLUMNS = (
    "paper_id, arxiv_id, title, abstract, authors, organization, keywords, published, upvotes, "
    "urls, source, ingested_at, tldr"
)


def row_to_paper(row: dict[str, Any]) -> Paper:
    return Paper(
        paper_id=row["paper_id"],
        title=row["title"],
        abstract=row["abstract"] or "",
        authors=loads_list(row["authors"]),
        organization=row["organization"],
        keywords=loads_list(row["keywords"]),
        published=parse_date(row["published"]),
        upvotes=int(row["upvotes"] or 0),
        urls=loads_list(row["urls"]),
        source=row["source"],
        ingested_at=parse_datetime(row["ingested_at"]),
        arxiv_id=row["arxiv_id"],
        tldr=row.get("tldr"),
    )


def _merge(old: dict[str, Any], new: Paper) -> dict[str, Any]:
    """Newer non-empty metadata wins; sources and links accumulate; the id and the first
    ingestion time stay, so votes and the candidate window are not disturbed."""
    merged = dict(old)
    for column, value in (
        ("title", new.title),
        ("abstract", new.abstract),
        ("organization", new.organization),
        ("arxiv_id", new.arxiv_id),
        ("published", iso(new.published)),
        ("tldr", new.tldr),
    ):
        if value:
            merged[column] = value
    if new.title:
        merged["title_norm"] = normalise_title(new.title)
    if new.authors:
        merged["authors"] = dumps(list(new.authors))
    if new.keywords:
        merged["keywords"] = dumps(list(new.keywords))
    if new.upvotes or not old["upvotes"]:
        merged["upvotes"] = max(int(new.upvotes), 0)
    urls = list(dict.fromkeys([*loads_list(old["urls"]), *new.urls]))
    merged["urls"] = dumps(urls)
    sources = list(dict.fromkeys([*old["source"].split(","), new.source]))
    merged["source"] = ",".join(s for s in sources if s)
    return merged


def _new_row(paper: Paper, now: datetime) -> dict[str, Any]:
    stamp = (paper.ingested_at or now).isoformat()
    return {
        "paper_id": paper.paper_id,
        "arxiv_id": paper.arxiv_id,
        "title": paper.title,
        "title_norm": normalise_title(paper.title),
        "abstract": paper.abstract,
        "authors": dumps(list(paper.authors)),
        "organization": paper.organization,
        "keywords": dumps(list(paper.keywords)),
        "published": iso(paper.published),
        "upvotes": max(int(paper.upvotes), 0),
        "urls": dumps(list(paper.urls)),
        "source": paper.source,
        "tldr": paper.tldr,
        "ingested_at": stamp,
        "updated_at": now.isoformat(),
    }


class PaperStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    def upsert(self, papers: Iterable[Paper], now: datetime) -> UpsertResult:
        """Insert or update, committing every CHUNK papers: each chunk lands whole or not at
        all, and no transaction holds the write lock for longer than one chunk (a fraction of
        a second), so votes and deliveries keep flowing during a 100k-paper ingest. A failure
        halfway keeps the chunks before it; re-running the ingest is idempotent.

        A paper matches an existing row by paper_id, then arXiv id, then normalised title, so the
        same paper from Hugging Face and arXiv (or a re-ingested file) stays one row.
        """
        counts = {"inserted": 0, "updated": 0, "unchanged": 0}
        batch: list[Paper] = []
        for paper in papers:
            batch.append(paper)
            if len(batch) >= CHUNK:
                self._commit_chunk(batch, now, counts)
                batch = []
        if batch:
            self._commit_chunk(batch, now, counts)
        return UpsertResult(**counts)

    def _commit_chunk(self, papers: list[Paper], now: datetime, counts: dict[str, int]) -> None:
        """One chunk in one transaction; the counts change only once it is committed."""
        chunk_counts = dict.fromkeys(counts, 0)
        with transaction(self.db):
            self._upsert_chunk(papers, now, chunk_counts)
        for key, value in chunk_counts.items():
            counts[key] += value

    def _upsert_chunk(self, papers: list[Paper], now: datetime, counts: dict[str, int]) -> None:
        existing = self._existing_rows(papers)
        new_rows: list[dict[str, Any]] = []
        unwritten: set[int] = set()  # id() of rows in new_rows
        for paper in papers:
            key = self._match(paper, existing)
            if key is None:
                row = _new_row(paper, now)
                new_rows.append(row)
                unwritten.add(id(row))
                counts["inserted"] += 1
                for index_key in self._keys(paper):
                    existing[index_key] = row
                continue
            if id(existing[key]) in unwritten:
                # The same paper twice in one chunk: merge into the row not yet written.
                row = existing[key]
                row.update(_merge(row, paper))
                continue
            old = existing[key]
            merged = _merge(old, paper)
            if merged == old:
                counts["unchanged"] += 1
                continue
            merged["updated_at"] = now.isoformat()
            changes = {k: v for k, v in merged.items() if k != "paper_id"}
            self.db.table("papers").update(old["paper_id"], changes)
            counts["updated"] += 1
            for index_key in (*self._keys(paper), *self._row_keys(merged)):
                existing[index_key] = merged
        if new_rows:
            # One multi-row INSERT per chunk: most of the ingest time was per-row statements.
            self.db.table("papers").insert_all(new_rows, batch_size=CHUNK)

    @staticmethod
    def _keys(paper: Paper) -> list[str]:
        keys = [f"id:{paper.paper_id}", f"t:{normalise_title(paper.title)}"]
        if paper.arxiv_id:
            keys.append(f"ax:{paper.arxiv_id}")
        return keys

    @staticmethod
    def _row_keys(row: dict[str, Any]) -> list[str]:
        keys = [f"id:{row['paper_id']}", f"t:{row['title_norm']}"]
        if row.get("arxiv_id"):
            keys.append(f"ax:{row['arxiv_id']}")
        return keys

    def _match(self, paper: Paper, existing: dict[str, dict[str, Any]]) -> str | None:
        for key in self._keys(paper):
            if key in existing:
                return key
        return None

    def _existing_rows(self, papers: list[Paper]) -> dict[str, dict[str, Any]]:
        ids = list({p.paper_id for p in papers} | {p.arxiv_id for p in papers if p.arxiv_id})
        titles = list({normalise_title(p.title) for p in papers})
        found: dict[str, dict[str, Any]] = {}
        for column, values in (("paper_id", ids), ("arxiv_id", ids), ("title_norm", titles)):
            marks = ",".join("?" for _ in values)
            if not values:
                continue
            sql = f"SELECT * FROM papers WHERE {column} IN ({marks})"
            for row in self.db.query(sql, values):
                for key in self._row_keys(row):
                    found.setdefault(key, row)
        return found

    def lookup(self, keys: Iterable[str]) -> dict[str, Paper]:
        """Papers by `ax:<arXiv id>` (paper_id or arxiv_id), `t:<title_norm>` (both indexed) or
        `url:<url>`. Urls have no index: they are matched in one pass over the papers that
        have a DOI link, which an import (the only caller) can afford."""
        wanted = set(keys)
        out: dict[str, Paper] = {}
        ids = sorted(k[3:] for k in wanted if k.startswith("ax:"))
        titles = sorted(k[2:] for k in wanted if k.startswith("t:"))
        for column, values, prefix in (
            ("paper_id", ids, "ax:"),
            ("arxiv_id", ids, "ax:"),
            ("title_norm", titles, "t:"),
        ):
            for start in range(0, len(values), CHUNK):
                chunk = values[start : start + CHUNK]
                marks = ",".join("?" for _ in chunk)
                sql = f"SELECT * FROM papers WHERE {column} IN ({marks})"
                for row in self.db.query(sql, chunk):
                    out.setdefault(f"{prefix}{row[column]}", row_to_paper(row))
        if any(k.startswith("url:") for k in wanted):
            for row in self.db.query("SELECT * FROM papers WHERE urls LIKE '%doi.org/%'"):
                paper = row_to_paper(row)
                for url in paper.urls:
                    if f"url:{url.lower()}" in wanted:
                        out.setdefault(f"url:{url.lower()}", paper)
        return out

    def get(self, paper_id: str) -> Paper | None:
        rows = list(self.db.query("SELECT * FROM papers WHERE paper_id = ?", [paper_id]))
        return row_to_paper(rows[0]) if rows else None

    def get_many(self, paper_ids: Iterable[str]) -> list[Paper]:
        """Papers in the order asked for; unknown ids are left out."""
        wanted = list(dict.fromkeys(paper_ids))
        by_id: dict[str, Paper] = {}
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start : start + CHUNK]
            marks = ",".join("?" for _ in chunk)
            for row in self.db.query(f"SELECT * FROM papers WHERE paper_id IN ({marks})", chunk):
                by_id[row["paper_id"]] = row_to_paper(row)
        return [by_id[p] for p in wanted if p in by_id]

    def recent(self, since: date) -> list[Paper]:
        """The candidate window: published or ingested on or after `since`.

        Read on every on-demand picks, so each half of the window is a range of its own index
        (papers_published, papers_ingested) rather than a scan of the whole table; an ISO
        timestamp is >= an ISO date exactly when its date part is."""
        sql = (
            "SELECT * FROM papers WHERE paper_id IN ("
            "SELECT paper_id FROM papers WHERE published >= ? "
            "UNION ALL SELECT paper_id FROM papers WHERE ingested_at >= ?) ORDER BY paper_id"
        )
        stamp = since.isoformat()
        return [row_to_paper(r) for r in self.db.query(sql, [stamp, stamp])]

    def all(self) -> Iterator[Paper]:
        for row in self.db.query("SELECT * FROM papers ORDER BY paper_id"):
            yield row_to_paper(row)

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM papers").fetchone()[0])

    def search(self, query: str, limit: int = 10, since: date | None = None) -> list[Paper]:
        """BM25 over title (weighted highest), abstract, authors and keywords; see
        storage/search.py for the grammar and storage/fulltext.py for how it runs.

        InvalidInputError for a filter that cannot be read (`since:yesterday`); no other input
        can raise."""
        return [row_to_paper(r) for r in FullText(self.db).search(query, limit, since)]

    def update_search_index(self) -> None:
        """Bring the search index up to date now (search does it too, before each query, but
        after a large ingest that first search would wait minutes)."""
        index_for(self.db).catch_up(self.db)

    def search_order(self, query: str) -> str:
        """See PaperRepository.search_order."""
        return search_order(query)
