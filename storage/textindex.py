"""A tantivy index of the papers' text, kept beside the SQLite file, for ranked search that stays
fast at a million papers.

Why not FTS5 alone: its bm25() scores every document that matches, and after stemming an
ordinary word matches 4-48 % of the papers, so a ranked query at 1M papers took hundreds of
milliseconds however few results were wanted (bench/bench_ingest.py measures it). tantivy keeps
per-block score bounds and skips blocks that cannot reach the top k (block-max WAND), so the cost
follows the results asked for, not the matches.

SQLite stays the source of truth; this index is derived from the `papers` table and can be
deleted at any time (it is rebuilt on the next search). Before each search it catches up with
the rows inserted or updated since it last looked: the high-water marks are `papers.rowid` and
`papers.updated_at` (both indexed, so the check is two index lookups). An upsert writes one
`updated_at` for its whole batch in one transaction, so "later than the mark" misses nothing,
as long as the next batch's clock has moved on (a test clock that stands still does not). One
process at a time writes (tantivy's own lock); a process that finds the lock taken searches
what is already committed, which is at most the other process's catch-up behind.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import tantivy
from sqlite_utils import Database

from storage.rows import loads_list

# Ranking reads one field, `text`, holding the title 10 times, the keywords 4 times and the
# authors 3 times before the abstract: the column weights FTS5's bm25() had, expressed so that
# term frequency and length are summed over the columns as FTS5 summed them. At 100k papers,
# scoring the columns as separate boosted fields agreed with FTS5's top 10 on 14 % for one-word
# queries (69 % for three words); this on 54 % (79 %) (bench/bench_ingest.py measures it).
# `authors` alone serves `author:`. `pairs` holds each two neighbouring words of a column as one
# token (`graph_diffus`), as many times as `text` holds that column: a two-word phrase is then one
# term, scored from its own frequency (as FTS5 scored a phrase) with no positions to read. Phrase
# queries of two common words read the positions of every paper with both words: 120+ ms at 1M.
WEIGHTS = {"title": 10, "keywords": 4, "authors": 3, "abstract": 1}
WRITER_HEAP = 64_000_000
STATE_FILE = "synced.json"
FIELDS = ("rowid", "text", "authors", "pairs", "published")
PAIR = "_"  # joins the two words of a pair: never inside a word (the tokenizer splits on it)
WINDOWS_DAYS = (8, 64)  # sorting by date asks these many days back first (see _newest_first)
UNDATED = 0  # `published` of a paper without a date: below every real date, so never in a range

log = logging.getLogger(__name__)


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("rowid", stored=True, indexed=True, fast=True)
    for name in ("text", "authors"):
        builder.add_text_field(name, stored=False, tokenizer_name=ANALYZER, index_option="position")
    builder.add_text_field("pairs", stored=False, tokenizer_name=PAIRS, index_option="freq")
    builder.add_integer_field("published", stored=False, indexed=True, fast=True)
    return builder.build()


def _analyzer() -> tantivy.TextAnalyzer:
    """Words as FTS5's `porter unicode61 remove_diacritics 2` saw them: split on anything that
    is not a letter or digit, lower case, accents folded (`Müller` finds `muller`), English
    stems (`models` finds `model`); very long tokens are dropped."""
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    for step in (
        tantivy.Filter.remove_long(40),
        tantivy.Filter.lowercase(),
        tantivy.Filter.ascii_fold(),
        tantivy.Filter.stemmer("english"),
    ):
        builder = builder.filter(step)
    return builder.build()


def _pair_analyzer() -> tantivy.TextAnalyzer:
    """`pairs` is written already analysed, pairs separated by spaces."""
    return tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build()


def words(text: str) -> list[list[str]]:
    """`text` as the index sees it, in runs of neighbouring words: a word dropped by the analyzer
    (over 40 characters) ends a run, as it breaks a phrase in `text`."""
    runs: list[list[str]] = []
    last = -2
    for token in _local_analyzer().pre_tokenize(text).tokens:
        if token.position != last + 1:
            runs.append([])
        runs[-1].append(token.text)
        last = token.position
    return runs


def pairs(text: str) -> list[str]:
    """The `pairs` tokens of `text`: `graph_diffus` for "Graph diffusion"."""
    return [a + PAIR + b for run in words(text) for a, b in zip(run, run[1:], strict=False)]


def phrase_clause(quoted: str) -> str:
    """The index's clause for one of our quoted terms (`"graph diffusion"`): a word stays as it
    is; two neighbouring words become their `pairs` token (`pairs:"graph_diffus"`), scored by how
    often the phrase occurs, as FTS5 scored a phrase; a longer phrase stays the exact phrase in
    `text` (scored as before) but must also have each of its pairs, so that positions are read
    only in the papers that have them all."""
    runs = words(quoted.strip('"'))
    if len(runs) != 1 or len(runs[0]) < 2:
        return quoted  # one word, none, or a word the analyzer drops in the middle
    found = [f'pairs:"{a}{PAIR}{b}"' for a, b in zip(runs[0], runs[0][1:], strict=False)]
    if len(found) == 1:
        return found[0]
    return "(" + " ".join([f"+{quoted}", *(f"+{pair}^0" for pair in found)]) + ")"


_LOCAL = threading.local()


def _local_analyzer() -> tantivy.TextAnalyzer:
    """One analyzer per thread: a tantivy analyzer is not to be shared while it tokenizes."""
    if not hasattr(_LOCAL, "analyzer"):
        _LOCAL.analyzer = _analyzer()
    return _LOCAL.analyzer


ANALYZER = "paper_text"
PAIRS = "paper_pairs"
SCHEMA = _schema()


def day_number(day: date) -> int:
    """2025-06-01 -> 20250601: dates as integers, so a date range is an integer range."""
    return day.year * 10_000 + day.month * 100 + day.day


@dataclass(frozen=True, slots=True)
class Mark:
    """How far the index has read `papers`: the highest rowid and updated_at it has seen."""

    rowid: int = 0
    updated_at: str = ""


class TextIndex:
    """The index for one database: on disk beside a file database, in memory for `:memory:`."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
            _discard_other_layout(path)
        self.index = tantivy.Index(SCHEMA, path=str(path)) if path else tantivy.Index(SCHEMA)
        self.index.register_tokenizer(ANALYZER, _analyzer())
        self.index.register_tokenizer(PAIRS, _pair_analyzer())
        self.mark = self._read_mark()
        self.lock = threading.Lock()

    def search(
        self,
        db: Database,
        query: tantivy.Query,
        limit: int,
        by_date: bool,
        until: date | None = None,
    ) -> list[int]:
        """Rowids of `papers`, best first (newest first when `by_date`; `until` is the query's
        own bound on the published date, where looking for the newest can start)."""
        self.catch_up(db)
        searcher = self.index.searcher()
        if by_date:
            newest = min(filter(None, [_newest(db), until]), default=None)
            addresses = _newest_first(searcher, query, limit, newest)
        else:
            addresses = [a for _, a in searcher.search(query, limit, count=False).hits]
        rowids = searcher.fast_field_values("rowid", addresses)  # no stored document to read
        return [int(r) for r in rowids if r is not None]  # None: a segment without the field

    def parse(self, text: str) -> tantivy.Query:
        """A query in tantivy's syntax; words without a field search `text`."""
        return self.index.parse_query(text, ["text"])

    def catch_up(self, db: Database) -> None:
        """Index the rows inserted or updated since the last look; cheap when there are none."""
        latest = _latest(db)
        if latest == self.mark:
            return
        with self.lock:
            if self.path is not None:
                self.mark = self._read_mark()  # another process may have caught up meanwhile
            if latest == self.mark:
                self.index.reload()
                return
            try:
                writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except ValueError as exc:  # another process holds the writer lock
                log.info("search index busy (%s); searching what it has", exc)
                self.index.reload()
                return
            known = self.mark.rowid
            new_rows = db.query(
                "SELECT rowid, * FROM papers WHERE rowid > ? ORDER BY rowid", [known]
            )
            highest = _write(writer, new_rows, replace=False)
            if self.mark.updated_at:
                changed = db.query(
                    "SELECT rowid, * FROM papers WHERE updated_at > ? AND rowid <= ?",
                    [self.mark.updated_at, known],
                )
                _write(writer, changed, replace=True)
            writer.commit()
            writer.wait_merging_threads()
            # Rows above `highest` were committed after the read and are not in the index yet.
            self.mark = Mark(max(highest, known), latest.updated_at)
            self._save_mark()
            self.index.reload()

    def _read_mark(self) -> Mark:
        if self.path is None or not (self.path / STATE_FILE).exists():
            return Mark()
        try:
            return Mark(**json.loads((self.path / STATE_FILE).read_text()))
        except (OSError, ValueError, TypeError):
            return Mark()

    def _save_mark(self) -> None:
        if self.path is None:
            return
        temporary = self.path / (STATE_FILE + ".tmp")
        temporary.write_text(
            json.dumps({"rowid": self.mark.rowid, "updated_at": self.mark.updated_at})
        )
        os.replace(temporary, self.path / STATE_FILE)


def _discard_other_layout(path: Path) -> None:
    """Empty an index directory whose fields are not FIELDS (written before `pairs` existed):
    it is derived, and the next search rebuilds it."""
    try:
        fields = [field["name"] for field in json.loads((path / "meta.json").read_text())["schema"]]
    except (OSError, ValueError, TypeError, KeyError):
        return  # no index yet, or not one tantivy could open either
    if fields != list(FIELDS):
        log.info("search index at %s has fields %s, not %s; rebuilding it", path, fields, FIELDS)
        shutil.rmtree(path)
        path.mkdir()


def _newest_first(
    searcher: tantivy.Searcher, query: tantivy.Query, limit: int, newest: date | None
) -> list[tantivy.DocAddress]:
    """The newest `limit` matches, newest first. A search sorted by date visits every match (a
    word is in up to half the papers: 140 ms at 1M), so this asks the WINDOWS_DAYS before `newest`
    first, nearest first, and sorts every match only when they do not fill the limit (then the
    matches are few, or old). The windows do not overlap and go back in time, so the answer is
    the one sorted search gives; the first is open towards the future (`newest` may be behind
    the index)."""
    found: list[tantivy.DocAddress] = []
    upper: int | None = None
    for days in WINDOWS_DAYS:
        start = _days_before(newest, days)
        if start is None:
            break
        lower = day_number(start)
        dates = tantivy.Query.range_query(
            SCHEMA, "published", tantivy.FieldType.Integer, lower, upper, use_inverted_index=True
        )
        window = tantivy.Query.boolean_query(
            [(tantivy.Occur.Must, query), (tantivy.Occur.Must, dates)]
        )
        hits = searcher.search(window, limit - len(found), count=False, order_by_field="published")
        found += [address for _, address in hits.hits]
        if len(found) >= limit:
            return found
        upper = lower - 1
    hits = searcher.search(query, limit, count=False, order_by_field="published")
    return [address for _, address in hits.hits]


def _days_before(day: date | None, days: int) -> date | None:
    try:
        return day - timedelta(days=days) if day else None
    except OverflowError:  # before year 1
        return None


def _newest(db: Database) -> date | None:
    """The latest published date in `papers` (an index lookup), where `_newest_first` starts."""
    value = db.execute("SELECT max(published) FROM papers").fetchone()[0]
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _latest(db: Database) -> Mark:
    row = db.execute(
        "SELECT (SELECT max(rowid) FROM papers), (SELECT max(updated_at) FROM papers)"
    ).fetchone()
    return Mark(int(row[0] or 0), row[1] or "")


def _write(writer: tantivy.IndexWriter, rows: Iterable[dict[str, Any]], replace: bool) -> int:
    """Add each row (replacing the copy the index holds when `replace`); the highest rowid."""
    highest = 0
    for row in rows:
        if replace:
            writer.delete_documents_by_query(
                tantivy.Query.term_query(SCHEMA, "rowid", row["rowid"])
            )
        document = tantivy.Document()
        document.add_unsigned("rowid", row["rowid"])
        columns = {
            "title": row["title"] or "",
            "keywords": " ".join(loads_list(row["keywords"])),
            "authors": " ".join(loads_list(row["authors"])),
            "abstract": row["abstract"] or "",
        }
        document.add_text(
            "text", " ".join(" ".join([columns[c]] * weight) for c, weight in WEIGHTS.items())
        )
        document.add_text("authors", columns["authors"])
        document.add_text(
            "pairs", " ".join(" ".join(pairs(columns[c]) * w) for c, w in WEIGHTS.items())
        )
        published = row["published"]
        document.add_integer(
            "published", day_number(date.fromisoformat(published[:10])) if published else UNDATED
        )
        writer.add_document(document)
        highest = max(highest, row["rowid"])
    return highest


_FILES: dict[str, TextIndex] = {}
_MEMORY: weakref.WeakKeyDictionary[Database, TextIndex] = weakref.WeakKeyDictionary()
_OPEN_LOCK = threading.Lock()


def index_for(db: Database) -> TextIndex:
    """The one TextIndex of this database in this process: for a file, shared by every
    connection to it (`<file>.search/`); for `:memory:`, one in memory that lives as long as
    the Database object."""
    files = [row[2] for row in db.execute("PRAGMA database_list").fetchall() if row[1] == "main"]
    with _OPEN_LOCK:
        if files and files[0]:
            if files[0] not in _FILES:
                _FILES[files[0]] = TextIndex(Path(files[0] + ".search"))
            return _FILES[files[0]]
        if db not in _MEMORY:
            _MEMORY[db] = TextIndex(None)
        return _MEMORY[db]
