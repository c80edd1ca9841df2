"""The APScheduler jobs' settings, votes needing no job, and platform selection."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from engine.chat import Requester
from paperbot import serve as serve_module
from paperbot.app import Serving, build_app
from paperbot.config import load_config
from paperbot.scheduler import EngineJobs, build_scheduler
from recommender.domain import InvalidInputError
from tests.fakes import FakeClock, FakeRanker, paper

NOW = datetime(2025, 6, 9, 12, 0, tzinfo=UTC)
CONFIG = """
[database]
path = "paperbot.db"
[schedule]
timezone = "Europe/Berlin"
tick_seconds = 30
[sources]
ingest_cron = "{ingest}"
retrain_cron = "30 2 * * *"
"""


def make(tmp_path: Path, ingest: str = "0 6 * * *") -> EngineJobs:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "config.toml").write_text(CONFIG.format(ingest=ingest))
    wiring = build_app(load_config(tmp_path / "config.toml"), FakeClock(NOW)).wiring
    ranker = FakeRanker()
    wiring.service.current_ranker = lambda: ranker
    wiring.repos.papers.upsert([paper("2506.00001", "Video diffusion", date(2025, 6, 8))], NOW)
    return EngineJobs(wiring, ["console"])


def test_jobs_and_their_misfire_and_coalesce_settings(tmp_path: Path) -> None:
    jobs = make(tmp_path)
    scheduler = build_scheduler(jobs, jobs.wiring.config)
    by_id = {job.id: job for job in scheduler.get_jobs()}
    assert set(by_id) == {"deliver", "ingest", "retrain"}
    deliver = by_id["deliver"]
    assert isinstance(deliver.trigger, IntervalTrigger)
    assert deliver.trigger.interval.total_seconds() == 30
    assert (deliver.coalesce, deliver.max_instances, deliver.misfire_grace_time) == (True, 1, 30)
    for name, grace in (("ingest", 3600), ("retrain", 4 * 3600)):
        job = by_id[name]
        assert isinstance(job.trigger, CronTrigger)
        assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, grace)
        assert str(job.trigger.timezone) == "Europe/Berlin"


def test_no_jobs_leaves_ingest_and_retrain_to_another_process(tmp_path: Path) -> None:
    jobs = make(tmp_path)
    scheduler = build_scheduler(jobs, jobs.wiring.config, batch_jobs=False)
    assert {job.id for job in scheduler.get_jobs()} == {"deliver"}


def test_serve_help_documents_no_jobs() -> None:
    from click.testing import CliRunner

    from paperbot.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    words = " ".join(result.output.split())
    assert "--no-jobs" in words and "run no ingest or retrain jobs" in words


def test_an_empty_cron_disables_a_job_and_a_bad_one_is_an_error(tmp_path: Path) -> None:
    jobs = make(tmp_path, ingest="")
    assert "ingest" not in {j.id for j in build_scheduler(jobs, jobs.wiring.config).get_jobs()}
    bad = make(tmp_path / "bad", ingest="every morning")
    with pytest.raises(InvalidInputError, match="bad cron"):
        build_scheduler(bad, bad.wiring.config)


def test_a_vote_from_another_process_counts_in_the_next_picks_without_a_job(
    tmp_path: Path,
) -> None:
    """There used to be a debounced "model-update" job after votes, folding them into the
    model; the ranker reads each user's votes on every call, so neither it nor a fold-in is
    needed, for this process's votes or another's."""
    jobs = make(tmp_path)
    jobs.wiring.repos.papers.upsert([paper("2506.00002", "Video models", date(2025, 6, 8))], NOW)
    scheduler = build_scheduler(jobs, jobs.wiring.config)
    service, repos = jobs.wiring.service, jobs.wiring.repos
    repos.users.ensure("console:ann", "", NOW)
    before = [p.paper.paper_id for p in service.picks_now("console:ann", NOW).picks]
    assert before[0] == "2506.00001"
    jobs.wiring.commands.vote(Requester("console:ann"), "2506.00002", 1, "button")
    repos.feedback.record("console:ann", "2506.00001", -1, "command", NOW)  # written elsewhere
    assert {job.id for job in scheduler.get_jobs()} == {"deliver", "ingest", "retrain"}
    assert service.picks_now("console:ann", NOW).picks == []  # both rated: neither offered


def test_platforms_follow_tokens_unless_only_is_given() -> None:
    choose = serve_module.choose_platforms
    assert choose(None, {}) == ["console"]
    assert choose(None, {"SLACK_BOT_TOKEN": "x", "DISCORD_TOKEN": "y"}) == ["slack", "discord"]
    assert choose("discord", {"SLACK_BOT_TOKEN": "x"}) == ["discord"]
    with pytest.raises(InvalidInputError):
        choose("irc", {})


def test_admin_jobs_from_chat_run_in_the_background_once_serving(tmp_path: Path) -> None:
    """build_app with Serving gives the command layer admin actions that queue on the jobs'
    scheduler (nothing patches them in afterwards)."""
    (tmp_path / "config.toml").write_text(CONFIG.format(ingest="0 6 * * *"))
    config = load_config(tmp_path / "config.toml")
    app = build_app(config, FakeClock(NOW), serving=Serving(["console"]))
    assert app.jobs is not None
    jobs, scheduler = app.jobs, app.jobs.scheduler
    assert {job.id for job in scheduler.get_jobs()} == {"deliver", "ingest", "retrain"}
    scheduler.start(paused=True)  # nothing runs: the job is only queued
    try:
        reply = jobs.wiring.commands.actions.retrain()  # type: ignore[misc]
        assert "background" in reply
        assert jobs.wiring.models.current_version() is None  # not trained inline
        assert scheduler.get_job("retrain-now") is not None
    finally:
        scheduler.shutdown(wait=False)
