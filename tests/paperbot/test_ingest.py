"""paperbot.ingest against a real SQLite file: idempotent upserts, one row per paper across
sources, bad records skipped with their line, unreadable input leaving the database as it was."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from paperbot.config import SourcesSection
from paperbot.ingest import (
    LAST_CHANGE_KEY,
    Fetchers,
    combined_exit_code,
    ingest_file,
    ingest_sources,
    load_sample,
    planned_sources,
    store_result,
)
from recommender.domain import InvalidInputError, Paper, paper_id_for
from sources import ParseResult
from sources.fetch import FetchError
from storage.db import connect
from storage.papers import CHUNK
from storage.repos import Repos, open_repos
from tests.conftest import FIXTURES

NOW = datetime(2025, 9, 5, 6, 0, tzinfo=UTC)


@pytest.fixture
def repos(tmp_path: Path) -> Repos:
    return open_repos(connect(tmp_path / "ingest.db"))


def test_hf_then_arxiv_is_one_row_per_paper_and_upvotes_survive(repos: Repos) -> None:
    hf = ingest_file(repos.db, FIXTURES / "hf_daily_papers.json", NOW)
    atom = ingest_file(repos.db, FIXTURES / "arxiv_atom.xml", NOW)
    rss = ingest_file(repos.db, FIXTURES / "arxiv_rss.xml", NOW)
    assert (hf.inserted, hf.exit_code) == (4, 0)
    assert (atom.inserted, atom.updated) == (2, 1)  # 2509.04664 was already there from HF
    assert (rss.inserted, rss.updated, rss.skipped) == (1, 1, 1)
    assert repos.papers.count() == 7
    both = repos.papers.get("2509.04664")
    assert both is not None
    assert both.upvotes == 87 and both.organization == "OpenAI"
    assert "cs.CL" in both.keywords or "hallucination" in both.keywords
    assert "https://arxiv.org/pdf/2509.04664" in both.urls


@pytest.mark.parametrize("name", ["hf_daily_papers.json", "arxiv_atom.xml", "arxiv_rss.xml"])
def test_reingesting_a_file_changes_nothing(repos: Repos, name: str) -> None:
    ingest_file(repos.db, FIXTURES / name, NOW)
    before = sorted(map(repr, repos.papers.all()))
    again = ingest_file(repos.db, FIXTURES / name, datetime(2025, 9, 6, tzinfo=UTC))
    assert (again.inserted, again.updated, again.exit_code) == (0, 0, 1)
    assert again.unchanged == len(before)
    assert sorted(map(repr, repos.papers.all())) == before


def test_broken_file_imports_the_rest_and_names_lines(repos: Repos) -> None:
    report = ingest_file(repos.db, FIXTURES / "papers_broken.jsonl", NOW)
    assert report.inserted == 3 and report.exit_code == 0
    assert [e.line for e in report.errors] == [3, 4, 6]
    assert repos.papers.get(paper_id_for("Popularity Priors from Community Upvotes")) is not None


def test_unreadable_file_leaves_the_database_unchanged(repos: Repos, tmp_path: Path) -> None:
    ingest_file(repos.db, FIXTURES / "hf_daily_papers.json", NOW)
    bad = tmp_path / "truncated.json"
    bad.write_bytes((FIXTURES / "hf_daily_papers.json").read_bytes()[:-40])
    with pytest.raises(InvalidInputError, match="truncated.json"):
        ingest_file(repos.db, bad, NOW)
    assert repos.papers.count() == 4
    for missing in (tmp_path / "nope.jsonl", tmp_path):
        with pytest.raises(InvalidInputError):
            ingest_file(repos.db, missing, NOW)


def test_a_jsonl_file_with_no_readable_line_is_refused_after_streaming(
    repos: Repos, tmp_path: Path
) -> None:
    ingest_file(repos.db, FIXTURES / "papers_broken.jsonl", NOW)
    pretty = tmp_path / "pretty.json"
    pretty.write_text('{\n  "title": "A pretty-printed object",\n  "abstract": "x"\n}\n')
    with pytest.raises(InvalidInputError, match="pretty.json"):
        ingest_file(repos.db, pretty, NOW)
    assert repos.papers.count() == 3


def test_streamed_jsonl_reports_every_bad_line_and_the_total(repos: Repos, tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    lines = [f'{{"title": "Streamed paper {n}"}}' for n in range(1200)]
    lines[700] = '{"title": '
    big.write_text("\n".join(lines) + "\n")
    totals: list[int] = []
    ticks: list[int] = []
    report = ingest_file(repos.db, big, NOW, progress=ticks.append, on_total=totals.append)
    assert (report.inserted, [e.line for e in report.errors]) == (1199, [701])
    assert totals == [1200] and len(ticks) == 1199
    assert repos.papers.count() == 1199


def test_a_failure_inside_the_upsert_rolls_back_its_chunk_and_a_rerun_completes(
    repos: Repos,
) -> None:
    """Chunks commit one by one (issue 11.10: one transaction for a whole file locked every
    writer out): a failure undoes its own chunk only, and ingesting again finishes the job."""
    good = [Paper(paper_id=f"p{n}", title=f"Paper number {n}") for n in range(700)]
    broken = replace(good[0], paper_id="boom", title=None)  # type: ignore[arg-type]
    with pytest.raises(Exception):  # noqa: B017 - any failure must roll back its chunk
        store_result(repos.db, ParseResult("jsonl", [*good, broken]), "test", NOW)
    assert repos.papers.count() == CHUNK
    again = store_result(repos.db, ParseResult("jsonl", good), "test", NOW)
    assert (again.inserted, again.unchanged) == (700 - CHUNK, CHUNK)


def test_sample_loads_once_with_progress(repos: Repos) -> None:
    ticks: list[int] = []
    first = load_sample(repos.db, NOW, progress=ticks.append)
    second = load_sample(repos.db, NOW)
    assert (first.inserted, len(ticks)) == (409, 409)
    assert (second.unchanged, second.exit_code) == (409, 1)
    assert repos.papers.count() == 409
    assert repos.meta.get(LAST_CHANGE_KEY) == NOW.isoformat()


def test_planned_sources_cover_the_lookback_window() -> None:
    plan = planned_sources(
        SourcesSection(hf_daily=True, arxiv_categories=("cs.LG", "cs.IR"), lookback_days=3),
        date(2025, 9, 5),
    )
    assert [label for label, _ in plan] == [
        "hf:2025-09-03",
        "hf:2025-09-04",
        "hf:2025-09-05",
        "arxiv:cs.LG:2025-09-03..2025-09-05",
        "arxiv:cs.IR:2025-09-03..2025-09-05",
    ]
    assert planned_sources(SourcesSection(hf_daily=False), date(2025, 9, 5)) == []
    with pytest.raises(InvalidInputError):
        SourcesSection(lookback_days=0)


def test_ingest_sources_reports_a_failing_feed_and_runs_the_rest(repos: Repos) -> None:
    from sources import parse

    asked: list[tuple] = []

    def hf_daily(day: date) -> ParseResult:
        asked.append(("hf", day))
        if day == date(2025, 9, 4):
            raise FetchError("huggingface.co: HTTP 503 Service Unavailable")
        return parse((FIXTURES / "hf_daily_papers.json").read_bytes())

    def arxiv(category: str, since: date, until: date) -> ParseResult:
        asked.append((category, since, until))
        return parse((FIXTURES / "arxiv_atom.xml").read_bytes())

    sources = SourcesSection(hf_daily=True, arxiv_categories=("cs.CL",))
    reports = ingest_sources(repos.db, sources, NOW, Fetchers(hf_daily=hf_daily, arxiv=arxiv))
    assert [r.failure is not None for r in reports] == [True, False, False]
    assert "503" in (reports[0].failure or "")
    assert reports[1].inserted == 4 and reports[2].inserted == 2
    assert asked[-1] == ("cs.CL", date(2025, 9, 4), date(2025, 9, 5))
    assert combined_exit_code(reports) == 2
    assert combined_exit_code(reports[1:]) == 0
    assert combined_exit_code([replace(reports[1], inserted=0, updated=0)]) == 1


def test_future_dates_are_clamped_to_the_ingest_date_and_counted(
    repos: Repos, tmp_path: Path
) -> None:
    """Bug: a paper dated 2099-01-01 was stored as is and took the exploration slot for every
    user for weeks. A day of clock skew is allowed; beyond it the paper lands on its ingest
    date, and the report says how many dates were clamped."""
    feed = tmp_path / "future.jsonl"
    feed.write_text(
        '{"title": "From the far future", "published": "2099-01-01"}\n'
        '{"title": "From tomorrow, clock skew", "published": "2025-09-06"}\n'
        '{"title": "From last week", "published": "2025-08-29"}\n'
    )
    report = ingest_file(repos.db, feed, NOW)
    assert (report.inserted, report.clamped) == (3, 1)
    days = {p.title: p.day for p in repos.papers.all()}
    assert days == {
        "From the far future": NOW.date(),
        "From tomorrow, clock skew": date(2025, 9, 6),
        "From last week": date(2025, 8, 29),
    }
    assert report.to_dict()["clamped"] == 1
