"""Importing a library on the real SQLite store: matched / added / skipped with reasons, every
usable entry a 👍 the next picks see, and nothing half-written when the import fails."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bots.commands import CommandLayer
from engine.chat import Requester
from engine.service import PaperService
from paperbot.cli import cli
from recommender.domain import Paper
from sources.library import parse_library
from storage.db import connect
from storage.repos import Repos, open_repos
from tests.fakes import FakeRanker

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LIBRARY = Path(__file__).resolve().parent.parent / "sources" / "library"
STORED = [
    Paper("1706.03762", "Attention Is All You Need", arxiv_id="1706.03762"),
    Paper("t:0000000000000001", "Graph Neural Networks for Social Recommendation at Scale",
          urls=("https://doi.org/10.1145/3292500.3330701",)),
    Paper("2510.00001", "Diffusion transformers for video", published=date(2026, 3, 1),
          arxiv_id="2510.00001", abstract="video diffusion transformers"),
    Paper("2510.00002", "Retrieval heads in language models", published=date(2026, 3, 1),
          arxiv_id="2510.00002", abstract="retrieval augmented generation heads"),
]  # fmt: skip


@pytest.fixture
def repos() -> Repos:
    repos = open_repos(connect(":memory:"))
    repos.papers.upsert(STORED, NOW)
    repos.users.ensure("console:anna", "Anna", NOW)
    return repos


def _service(repos: Repos) -> PaperService:
    return PaperService(repos, FakeRanker)


def _bib() -> list:
    return parse_library((LIBRARY / "zotero.bib").read_text(), "zotero.bib")[1]


def test_bibtex_import_matches_adds_skips_and_likes(repos: Repos) -> None:
    report = _service(repos).import_library("console:anna", _bib(), NOW)
    assert [pid for _, pid in report.matched] == ["1706.03762", "t:0000000000000001"]
    assert [pid for _, pid in report.added] == ["2005.11401", "2509.04664"]
    assert [(e.line, why) for e, why in report.skipped] == [(41, "no arXiv id, DOI or title")]
    votes = repos.feedback.votes_for("console:anna")
    assert votes == dict.fromkeys(report.liked, 1)
    added = repos.papers.get("2509.04664")
    assert added is not None and added.title.startswith("Hard-wrapped titles survive")
    # matched papers keep what was stored (the file does not overwrite them)
    assert repos.papers.get("1706.03762").abstract == ""  # type: ignore[union-attr]
    assert "👍 4 papers from your library: 2 matched, 2 added, 1 skipped." in report.summary()


def test_importing_again_matches_everything_and_repeats_are_reported(repos: Repos) -> None:
    service = _service(repos)
    service.import_library("console:anna", _bib(), NOW)
    again = service.import_library("console:anna", _bib() + _bib()[:1], NOW)
    assert (len(again.matched), len(again.added)) == (4, 0)
    assert again.skipped[-1][1] == "the same paper as line 5"
    assert repos.papers.count() == len(STORED) + 2


def test_the_next_picks_use_the_imported_likes_at_once(repos: Repos) -> None:
    service = _service(repos)
    video = Paper("2510.00003", "Video diffusion at scale", abstract="video diffusion")
    repos.papers.upsert([video], NOW)
    before = [p.paper.paper_id for p in service.picks_now("console:anna", NOW).picks]
    assert before[0] != "2510.00003"
    entries = parse_library("https://huggingface.co/papers/1706.03762 2510.00001")[1]
    service.import_library("console:anna", entries, NOW)
    after = [p.paper.paper_id for p in service.picks_now("console:anna", NOW).picks]
    assert after[0] == "2510.00003"  # like the liked video-diffusion paper, with no refit


def test_a_failure_half_way_writes_nothing(repos: Repos, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []
    record = repos.feedback.record

    def flaky(*args: object, **kw: object) -> bool:
        calls.append(args)
        if len(calls) == 3:
            raise OSError("disk full")
        return record(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(repos.feedback, "record", flaky)
    with pytest.raises(OSError):
        _service(repos).import_library("console:anna", _bib(), NOW)
    assert repos.feedback.votes_for("console:anna") == {}
    assert repos.papers.count() == len(STORED)


def test_the_like_command_takes_pasted_ids_urls_and_dois(repos: Repos) -> None:
    layer = CommandLayer(_service(repos), lambda: NOW)
    reply = layer.handle(
        Requester("console:anna"),
        "like 2510.00001 <https://arxiv.org/abs/2510.00002v2|arxiv.org/abs/2510.00002v2> "
        "10.1145/3292500.3330701 nonsense",
    )
    assert reply.text.startswith("👍 3 papers from your library: 3 matched, 0 added, 1 skipped.")
    assert "nonsense" in reply.text
    assert len(repos.feedback.votes_for("console:anna")) == 3
    assert layer.handle(Requester("console:anna"), "like").is_error


def test_cli_import_reports_and_a_malformed_file_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "p.db"
    assert CliRunner().invoke(cli, ["--db", str(db), "init"]).exit_code == 0
    ok = CliRunner().invoke(
        cli, ["--db", str(db), "import-library", "--user", "anna", str(LIBRARY / "zotero.ris")]
    )
    assert ok.exit_code == 0, ok.output
    assert "3 entries (ris) for console:anna" in ok.stdout
    assert "0 matched, 3 added, 0 skipped" in ok.stdout
    bad = tmp_path / "bad.ris"
    bad.write_text("TY  - JOUR\nTI  - Only half a record\n")
    failed = CliRunner().invoke(
        cli, ["--db", str(db), "import-library", "--user", "anna", str(bad)]
    )
    assert failed.exit_code == 2
    assert "line 1: the record starting here has no `ER  -` line; nothing was imported" in (
        failed.stderr
    )
    assert connect(db).execute("SELECT count(*) FROM feedback").fetchone()[0] == 3
