"""The CLI: store commands print human text and JSON; user mistakes give one-line errors and a
non-zero exit code, never a traceback. (Every command's help text: tests/paperbot/test_help.py.)"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperbot.cli import cli
from recommender.domain import Paper
from storage.db import connect
from storage.repos import open_repos


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    repos = open_repos(connect(path))
    now = datetime(2026, 11, 23, tzinfo=UTC)
    repos.papers.upsert(
        [
            Paper(paper_id="2401.00001", arxiv_id="2401.00001", title="Sparse attention at scale"),
            Paper(paper_id="t:abc", title="Retrieval augmented generation", abstract="rag"),
        ],
        now,
    )
    repos.db.close()
    return path


def run(db_path: Path, *args: str):
    return CliRunner().invoke(cli, ["--db", str(db_path), *args])


def test_stats_json(db_path: Path) -> None:
    result = run(db_path, "stats", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["papers"] == 2


def test_search_and_show(db_path: Path) -> None:
    found = json.loads(run(db_path, "search", "retrieval", "--json").output)
    assert [p["paper_id"] for p in found] == ["t:abc"]
    shown = run(db_path, "papers", "show", "2401.00001")
    assert "https://arxiv.org/abs/2401.00001" in shown.output
    missing = run(db_path, "papers", "show", "0000.00000")
    assert missing.exit_code != 0 and "no paper with id" in missing.output
    assert "Traceback" not in missing.output


def test_feedback_import_reports_bad_lines_and_exports(db_path: Path, tmp_path: Path) -> None:
    csv_path = tmp_path / "votes.csv"
    csv_path.write_text(
        "user_key,paper_id,vote\n"
        "console:ann,2401.00001,+1\n"
        "console:ann,unknown-paper,1\n"
        "console:bob,t:abc,sideways\n"
        "console:bob,t:abc,-1\n"
    )
    result = run(db_path, "feedback", "import", str(csv_path))
    assert result.exit_code == 0
    assert "Imported 2 votes; skipped 2" in result.output
    assert "line 3" in result.output and "line 4" in result.output
    exported = json.loads(run(db_path, "feedback", "export", "--json").output)
    assert {(r["user_key"], r["vote"]) for r in exported} == {
        ("console:ann", 1),
        ("console:bob", -1),
    }


def test_bad_config_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "config.toml"
    bad.write_text("[database\npath=")
    result = CliRunner().invoke(cli, ["--config", str(bad), "stats"])
    assert result.exit_code != 0
    assert "not valid TOML" in result.output and "Traceback" not in result.output
