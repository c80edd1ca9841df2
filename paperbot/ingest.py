"""Getting papers into the database: from a file, from the bundled sample, from the configured
feeds. Used by `paperbot ingest`, `init --sample`, the scheduler's ingest job and `admin ingest`.

A file that cannot be read at all (its format is not recognised, or no line of it is a paper)
changes nothing. What is read is written in bounded chunks, each its own transaction
(`PaperStore.upsert`), so a 100k-paper file never holds the write lock for long: votes and
deliveries are written between the chunks. A crash halfway keeps the chunks already written;
ingesting the file again is idempotent. Bad records are skipped and reported with their line.
The report's exit code follows the arxiv-sanity convention so a pipeline can skip retraining:
0 something new or changed arrived, 1 nothing did, 2 a source failed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any, BinaryIO

from sqlite_utils import Database

from paperbot.config import SourcesSection
from recommender.domain import InvalidInputError, Paper, PaperbotError
from sources import ParseResult, RecordError, detect_format, parse
from sources.fetch import fetch_arxiv, fetch_hf_daily
from sources.jsonl import bounded_lines, iter_jsonl
from storage.meta import MetaStore
from storage.papers import PaperStore

Progress = Callable[[int], None]
SourceCall = Callable[["Fetchers"], ParseResult]
SAMPLE_SOURCE = "sample"
LAST_CHANGE_KEY = "ingest.last_change"
HEAD_BYTES = 4096
CLOCK_SKEW = timedelta(days=1)  # a source a day ahead of us is skew; further ahead is an error


@dataclass
class IngestReport:
    """What one source brought: counts, the records skipped with their lines, or why it failed."""

    source: str
    format: str = ""
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    cut: int = 0  # papers stored with their abstract cut at MAX_ABSTRACT_CHARS
    clamped: int = 0
    errors: list[RecordError] = field(default_factory=list)
    failure: str | None = None

    @property
    def changed(self) -> bool:
        return self.inserted + self.updated > 0

    @property
    def exit_code(self) -> int:
        return 2 if self.failure else 0 if self.changed else 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "skipped": self.skipped,
            "abstracts_cut": self.cut,
            "clamped": self.clamped,
            "errors": [{"line": e.line, "message": e.message} for e in self.errors],
            "failure": self.failure,
        }


def combined_exit_code(reports: Sequence[IngestReport]) -> int:
    """2 if any source failed, else 0 if any brought something new, else 1."""
    if any(r.failure for r in reports):
        return 2
    return 0 if any(r.changed for r in reports) else 1


def _counted(papers: Iterable[Paper], progress: Progress | None) -> Iterator[Paper]:
    for paper in papers:
        yield paper
        if progress is not None:
            progress(1)


class _FutureDates:
    """Clamps dates from the future as papers stream past, and counts them.

    Why: a paper dated 2099 is the newest paper for 75 years, so it wins every recency
    comparison (the exploration slot, the candidate window) for weeks. A date more than
    CLOCK_SKEW past the ingest instant cannot be true; the paper is placed on its ingest date
    instead (its published date is dropped as unknown, so `Paper.day` falls back to the
    ingestion time, and an earlier good date already stored is kept)."""

    def __init__(self, now: datetime) -> None:
        self.latest = (now + CLOCK_SKEW).date()
        self.count = 0

    def __call__(self, papers: Iterable[Paper]) -> Iterator[Paper]:
        for paper in papers:
            if paper.published is not None and paper.published > self.latest:
                self.count += 1
                paper = replace(paper, published=None)
            yield paper


def store_result(
    db: Database,
    result: ParseResult,
    label: str,
    now: datetime,
    progress: Progress | None = None,
    papers: Iterable[Paper] | None = None,
) -> IngestReport:
    """Upsert `papers` (default: the parsed ones) in bounded chunks and report what changed.

    When `papers` is a stream that fills `result.errors` as it goes, the report is built after
    the stream is spent, so it counts every skipped record."""
    stream = result.papers if papers is None else papers
    store = PaperStore(db)
    clamp = _FutureDates(now)
    upserted = store.upsert(_counted(clamp(stream), progress), now)
    report = IngestReport(
        source=label,
        format=result.format,
        inserted=upserted.inserted,
        updated=upserted.updated,
        unchanged=upserted.unchanged,
        skipped=result.skipped,
        cut=result.cut,
        clamped=clamp.count,
        errors=list(result.errors),
    )
    if report.changed:
        MetaStore(db).set(LAST_CHANGE_KEY, now.isoformat())
        store.update_search_index()  # now, so the next search does not wait for it
    return report


def ingest_bytes(
    db: Database,
    data: bytes,
    label: str,
    now: datetime,
    fmt: str | None = None,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
) -> IngestReport:
    """Parse `data` (format detected unless given) and store it. Raises InvalidInputError, with
    nothing written, when the document as a whole cannot be read."""
    result = parse(data, fmt)
    if on_total is not None:
        on_total(len(result.papers))
    return store_result(db, result, label, now, progress)


def ingest_file(
    db: Database,
    path: str | Path,
    now: datetime,
    progress: Progress | None = None,
    on_total: Callable[[int], None] | None = None,
) -> IngestReport:
    """Ingest one file in any supported format; InvalidInputError when it cannot be read.

    Our JSON Lines files are streamed (memory stays flat however big the file); feeds are
    single documents and are parsed whole. `on_total` hears how many records to expect."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            if detect_format(handle.read(HEAD_BYTES)) != "jsonl":
                handle.seek(0)
                data = handle.read()
                return ingest_bytes(db, data, str(path), now, None, progress, on_total)
            if on_total is not None:
                on_total(_count_lines(handle))
            handle.seek(0)
            result = ParseResult(format="jsonl")
            stream = iter_jsonl(bounded_lines(handle), result)
            return store_result(db, result, str(path), now, progress, papers=stream)
    except FileNotFoundError:
        raise InvalidInputError(f"no such file: {path}") from None
    except IsADirectoryError:
        raise InvalidInputError(f"{path} is a directory, not a papers file") from None
    except InvalidInputError as exc:
        raise InvalidInputError(f"{path}: {exc}") from None
    except OSError as exc:
        raise InvalidInputError(f"cannot read {path}: {exc.strerror}") from None


def _count_lines(handle: BinaryIO) -> int:
    handle.seek(0)
    return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def sample_bytes() -> bytes:
    """The 409-paper sample corpus shipped inside the package."""
    return (resources.files("paperbot") / "data" / "sample_papers.jsonl").read_bytes()


def load_sample(db: Database, now: datetime, progress: Progress | None = None) -> IngestReport:
    """Load the bundled sample (for `init --sample` and the demo); idempotent."""
    return ingest_bytes(db, sample_bytes(), SAMPLE_SOURCE, now, fmt="jsonl", progress=progress)


@dataclass(frozen=True)
class Fetchers:
    """The network calls `ingest_sources` makes, replaceable so the job is testable offline."""

    hf_daily: Callable[[date], ParseResult] = fetch_hf_daily
    arxiv: Callable[[str, date, date], ParseResult] = fetch_arxiv


def planned_sources(sources: SourcesSection, today: date) -> list[tuple[str, SourceCall]]:
    """(label, call) per configured feed: HF for each day of the lookback window, arXiv
    per category over the same window. The window overlaps earlier runs on purpose: re-ingesting
    is idempotent, and a day missed while down is caught up."""
    days = sources.lookback_days
    since = today - timedelta(days=days - 1)
    plan: list[tuple[str, SourceCall]] = []
    if sources.hf_daily:
        for offset in range(days):
            day = since + timedelta(days=offset)
            plan.append((f"hf:{day.isoformat()}", partial(_hf_call, day)))
    for category in sources.arxiv_categories:
        label = f"arxiv:{category}:{since.isoformat()}..{today.isoformat()}"
        plan.append((label, partial(_arxiv_call, category, since, today)))
    return plan


def _hf_call(day: date, fetchers: Fetchers) -> ParseResult:
    return fetchers.hf_daily(day)


def _arxiv_call(category: str, since: date, until: date, fetchers: Fetchers) -> ParseResult:
    return fetchers.arxiv(category, since, until)


def ingest_sources(
    db: Database, sources: SourcesSection, now: datetime, fetchers: Fetchers | None = None
) -> list[IngestReport]:
    """Fetch and store every feed in the config's [sources]; one failing feed is reported (in
    its IngestReport, not logged here: the caller shows it once) and the others still run."""
    fetchers = fetchers or Fetchers()
    reports = []
    for label, call in planned_sources(sources, now.date()):
        try:
            result = call(fetchers)
            reports.append(store_result(db, result, label, now))
        except PaperbotError as exc:
            reports.append(IngestReport(source=label, failure=str(exc)))
    return reports
