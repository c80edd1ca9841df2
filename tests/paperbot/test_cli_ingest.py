"""`paperbot ingest`: summaries, --json, exit codes 0/1/2, and a database left alone on errors."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import paperbot.cli_ingest as cli_ingest
import paperbot.ingest
import sources.fetch
from paperbot.cli import cli
from paperbot.ingest import Fetchers
from sources import ParseResult, parse
from sources.fetch import FetchError
from storage.db import connect
from tests.conftest import FIXTURES


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    connect(path).close()  # what `paperbot init` does: ingest never creates a database
    return path


def run(db_path: Path, *args: str, stdin: bytes | None = None):
    return CliRunner().invoke(cli, ["--db", str(db_path), "ingest", *args], input=stdin)


def count(db_path: Path) -> int:
    return int(connect(db_path).execute("SELECT count(*) FROM papers").fetchone()[0])


def test_new_then_nothing_new(db_path: Path) -> None:
    first = run(db_path, str(FIXTURES / "hf_daily_papers.json"))
    assert first.exit_code == 0, first.output
    assert "4 new" in first.stdout
    again = run(db_path, str(FIXTURES / "hf_daily_papers.json"))
    assert again.exit_code == 1
    assert "4 unchanged" in again.stdout and "Nothing new" in again.stdout


def test_bad_records_are_named_on_stderr(db_path: Path) -> None:
    result = run(db_path, str(FIXTURES / "papers_broken.jsonl"))
    assert result.exit_code == 0
    assert "3 new" in result.stdout and "3 bad records skipped" in result.stdout
    assert "line 3:" in result.stderr and "line 6:" in result.stderr
    assert count(db_path) == 3


def test_json_summary(db_path: Path) -> None:
    result = run(db_path, "--json", str(FIXTURES / "papers_broken.jsonl"))
    data = json.loads(result.stdout)
    assert data["inserted"] == 3 and data["bad_records"] == 3 and data["exit_code"] == 0
    assert [e["line"] for e in data["sources"][0]["errors"]] == [3, 4, 6]
    assert result.exit_code == 0


def test_unreadable_file_is_exit_2_one_line_and_changes_nothing(
    db_path: Path, tmp_path: Path
) -> None:
    run(db_path, str(FIXTURES / "arxiv_atom.xml"))
    bad = tmp_path / "page.html"
    bad.write_text("<html><body>Too many requests</body></html>")
    result = run(db_path, str(bad))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert count(db_path) == 3
    as_json = run(db_path, "--json", str(bad))
    assert as_json.exit_code == 2 and json.loads(as_json.stdout)["sources"][0]["failure"]


def test_missing_file_is_exit_2(db_path: Path, tmp_path: Path) -> None:
    result = run(db_path, str(tmp_path / "absent.jsonl"))
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_stdin(db_path: Path) -> None:
    result = run(db_path, "-", stdin=(FIXTURES / "arxiv_rss.xml").read_bytes())
    assert result.exit_code == 0, result.output
    assert "<stdin> (arxiv-rss): 2 new" in result.stdout


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["x.jsonl", "--hf-date", "2025-09-05"],
        ["--hf-date", "2025-09-05", "--arxiv", "cs.LG"],
        ["x.jsonl", "--since", "2025-09-01"],
        ["--hf-date", "05/09/2025"],
    ],
)
def test_usage_errors(db_path: Path, args: list[str]) -> None:
    result = run(db_path, *args)
    assert result.exit_code == 2 and "Usage" in result.output


def test_hf_date_fetches_that_day(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    days: list[date] = []

    def fake(day: date) -> ParseResult:
        days.append(day)
        return parse((FIXTURES / "hf_daily_papers.json").read_bytes())

    monkeypatch.setattr(sources.fetch, "fetch_hf_daily", fake)  # imported when the command runs
    result = run(db_path, "--hf-date", "2025-09-05")
    assert result.exit_code == 0 and days == [date(2025, 9, 5)]
    assert "hf:2025-09-05 (hf): 4 new" in result.stdout


def test_arxiv_range_and_network_failure(db_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple] = []

    def fake(category: str, since: date, until: date) -> ParseResult:
        calls.append((category, since, until))
        raise FetchError("export.arxiv.org: timed out")

    monkeypatch.setattr(sources.fetch, "fetch_arxiv", fake)
    result = run(db_path, "--arxiv", "cs.LG", "--since", "2025-09-01", "--until", "2025-09-03")
    assert calls == [("cs.LG", date(2025, 9, 1), date(2025, 9, 3))]
    assert result.exit_code == 2 and "timed out" in result.stderr
    assert count(db_path) == 0


def test_feeds_run_every_configured_source(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[sources]\nhf_daily = true\nlookback_days = 1\narxiv_categories = ["cs.CL"]\n'
    )
    fakes = Fetchers(
        hf_daily=lambda day: parse((FIXTURES / "hf_daily_papers.json").read_bytes()),
        arxiv=lambda cat, since, until: parse((FIXTURES / "arxiv_atom.xml").read_bytes()),
    )
    monkeypatch.setattr(paperbot.ingest, "Fetchers", lambda: fakes)
    args = ["--config", str(config), "--db", str(db_path), "ingest", "--feeds", "--json"]
    result = CliRunner().invoke(cli, args)
    data = json.loads(result.stdout)
    assert result.exit_code == 0, result.output
    assert [s["source"].split(":")[0] for s in data["sources"]] == ["hf", "arxiv"]
    assert data["inserted"] == 6 and count(db_path) == 6


def test_a_big_file_off_a_terminal_gets_a_stage_line_and_quiet_silences_it(
    db_path: Path, tmp_path: Path
) -> None:
    big = tmp_path / "big.jsonl"
    big.write_text("".join(f'{{"title": "Paper {n}"}}\n' for n in range(300)))
    loud = run(db_path, str(big))
    assert loud.exit_code == 0 and "storing papers" in loud.stderr
    big.write_text("".join(f'{{"title": "Other {n}"}}\n' for n in range(300)))
    quiet = run(db_path, str(big), "--quiet")
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert "300 new" in quiet.stdout


def test_offline_feeds_print_each_failure_once(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        '[sources]\nhf_daily = true\nlookback_days = 1\narxiv_categories = ["cs.CL"]\n'
    )

    def offline(*args: object) -> ParseResult:
        raise FetchError("could not reach the host (offline?)")

    monkeypatch.setattr(
        paperbot.ingest, "Fetchers", lambda: Fetchers(hf_daily=offline, arxiv=offline)
    )
    args = ["--config", str(config), "--db", str(db_path), "ingest", "--feeds"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    shown = result.stderr + "".join(r.getMessage() + "\n" for r in caplog.records)
    assert shown.count("could not reach the host") == 2  # two feeds, each once
    assert shown.count("hf:") == 1 and shown.count("arxiv:cs.CL") == 1


def test_progress_bar_only_for_big_files_on_a_terminal(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from rich.console import Console

    screens: list[io.StringIO] = []

    def terminal() -> Console:
        screens.append(io.StringIO())
        return Console(file=screens[-1], force_terminal=True, width=100)

    monkeypatch.setattr(cli_ingest, "_stderr", terminal)
    big = tmp_path / "big.jsonl"
    big.write_text("".join(f'{{"title": "Paper {n}"}}\n' for n in range(300)))
    assert run(db_path, str(big)).exit_code == 0
    assert "storing papers" in screens[-1].getvalue()
    assert run(db_path, str(FIXTURES / "papers_broken.jsonl")).exit_code == 0
    assert screens[-1].getvalue() == ""


def test_the_summary_says_how_many_future_dates_were_clamped(db_path: Path, tmp_path: Path) -> None:
    feed = tmp_path / "future.jsonl"
    feed.write_text('{"title": "From the far future", "published": "2099-01-01"}\n')
    result = run(db_path, str(feed))
    assert result.exit_code == 0, result.output
    assert "1 future dates clamped to today" in result.stdout
    data = json.loads(run(db_path, "--json", str(feed)).stdout)
    assert data["clamped"] == 1
