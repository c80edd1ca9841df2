"""`paperbot ingest`: papers from a file, a Hugging Face day, an arXiv category, or every feed in
config.toml. Exit codes for pipelines (arxiv-sanity style): 0 something new arrived, 1 nothing
new (skip retraining), 2 a file could not be read or a feed could not be reached."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from paperbot.ingest import (
    Fetchers,
    IngestReport,
    combined_exit_code,
    ingest_bytes,
    ingest_file,
    ingest_sources,
    store_result,
)
from recommender.domain import PaperbotError
from storage.sources import ParseResult
from storage.sources.fetch import fetch_arxiv, fetch_arxiv_rss, fetch_hf_daily

PROGRESS_MIN_PAPERS = 200
MAX_ERRORS_SHOWN = 20
DAY = click.DateTime(formats=["%Y-%m-%d"])


class IngestFailed(click.ClickException):
    """A source as a whole failed: exit code 2, as documented, rather than click's 1."""

    exit_code = 2


def _stderr() -> Console:
    return Console(stderr=True)


Hooks = tuple[Callable[[int], None], Callable[[int], None]]


@contextmanager
def _progress(enabled: bool) -> Iterator[Hooks]:
    """A rich progress bar over the upsert, shown on a terminal for files worth waiting on."""
    console = _stderr()
    bar = Progress(
        TextColumn("storing papers"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=not (enabled and console.is_terminal),
    )
    task = bar.add_task("store", total=None)

    def on_total(total: int) -> None:
        if total >= PROGRESS_MIN_PAPERS:
            bar.update(task, total=total)
            bar.start()

    try:
        yield on_total, lambda n: bar.advance(task, n)
    finally:
        bar.stop()


def _run_one(ctx: click.Context, label: str, work: Callable[[], ParseResult]) -> IngestReport:
    """Fetch (with a spinner on a terminal) and store one network source."""
    console = _stderr()
    try:
        if console.is_terminal:
            with console.status(f"fetching {label} ..."):
                result = work()
        else:
            result = work()
    except PaperbotError as exc:
        return IngestReport(source=label, failure=str(exc))
    return store_result(ctx.obj.db, result, label, _now())


def _now() -> datetime:
    return datetime.now(UTC)


def _ingest_path(ctx: click.Context, path: Path, show_progress: bool) -> IngestReport:
    with _progress(show_progress) as (on_total, advance):
        try:
            if str(path) == "-":
                data = sys.stdin.buffer.read()
                return ingest_bytes(
                    ctx.obj.db, data, "<stdin>", _now(), progress=advance, on_total=on_total
                )
            return ingest_file(ctx.obj.db, path, _now(), progress=advance, on_total=on_total)
        except PaperbotError as exc:
            return IngestReport(source=str(path), failure=str(exc))


def _summary(report: IngestReport) -> str:
    if report.failure:
        if report.failure.startswith(report.source):
            return report.failure
        return f"{report.source}: {report.failure}"
    parts = [f"{report.inserted} new", f"{report.updated} updated", f"{report.unchanged} unchanged"]
    if report.skipped:
        parts.append(f"{report.skipped} passed over")
    if report.clamped:
        parts.append(f"{report.clamped} future dates clamped to today")
    if report.errors:
        parts.append(f"{len(report.errors)} bad records skipped")
    kind = f" ({report.format})" if report.format else ""
    return f"{report.source}{kind}: " + ", ".join(parts)


def _print_human(reports: Sequence[IngestReport]) -> None:
    for report in reports:
        if report.failure:
            click.echo(f"Error: {_summary(report)}", err=True)
            continue
        click.echo(_summary(report))
        for error in report.errors[:MAX_ERRORS_SHOWN]:
            click.echo(f"  skipped {error}", err=True)
        if len(report.errors) > MAX_ERRORS_SHOWN:
            click.echo(f"  ... and {len(report.errors) - MAX_ERRORS_SHOWN} more", err=True)
    if combined_exit_code(reports) == 1:
        click.echo("Nothing new.")


def _print_json(reports: Sequence[IngestReport]) -> None:
    totals: dict[str, Any] = {
        key: sum(getattr(r, key) for r in reports)
        for key in ("inserted", "updated", "unchanged", "skipped", "clamped")
    }
    totals["bad_records"] = sum(len(r.errors) for r in reports)
    totals["exit_code"] = combined_exit_code(reports)
    totals["sources"] = [r.to_dict() for r in reports]
    click.echo(json.dumps(totals, ensure_ascii=False, indent=2))


def _choose(path: Path | None, hf_date: datetime | None, arxiv: str | None, feeds: bool) -> None:
    chosen = [path is not None, hf_date is not None, arxiv is not None, feeds]
    if sum(chosen) != 1:
        raise click.UsageError("give exactly one of PATH, --hf-date, --arxiv or --feeds")


@click.command("ingest")
@click.argument("path", required=False, type=click.Path(path_type=Path, allow_dash=True))
@click.option("--hf-date", type=DAY, help="Fetch the Hugging Face Daily Papers of this day.")
@click.option("--arxiv", "arxiv_category", metavar="CAT", help="Fetch an arXiv category (cs.LG).")
@click.option("--since", type=DAY, help="With --arxiv: first day (default: yesterday).")
@click.option("--until", type=DAY, help="With --arxiv: last day (default: today).")
@click.option("--rss", is_flag=True, help="With --arxiv: read today's RSS listing, not the API.")
@click.option("--feeds", is_flag=True, help="Fetch every feed configured in [sources].")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON summary.")
@click.pass_context
def ingest(
    ctx: click.Context,
    path: Path | None,
    hf_date: datetime | None,
    arxiv_category: str | None,
    since: datetime | None,
    until: datetime | None,
    rss: bool,
    feeds: bool,
    as_json: bool,
) -> None:
    """Add papers from PATH (our JSON Lines, a Hugging Face daily_papers JSON or an arXiv
    Atom/RSS feed; `-` reads stdin) or from the network. Re-running is safe: papers already
    stored are updated, never duplicated. A bad record is skipped and reported with its line;
    a file that cannot be read changes nothing.

    Exit code: 0 when something new arrived, 1 when nothing did, 2 on errors.
    """
    _choose(path, hf_date, arxiv_category, feeds)
    if (since or until or rss) and not arxiv_category:
        raise click.UsageError("--since, --until and --rss only go with --arxiv")
    reports = _collect(ctx, path, hf_date, arxiv_category, since, until, rss, feeds, as_json)
    if as_json:
        _print_json(reports)
    elif len(reports) == 1 and reports[0].failure:
        raise IngestFailed(_summary(reports[0]))
    else:
        _print_human(reports)
    ctx.exit(combined_exit_code(reports))


def _collect(
    ctx: click.Context,
    path: Path | None,
    hf_date: datetime | None,
    category: str | None,
    since: datetime | None,
    until: datetime | None,
    rss: bool,
    feeds: bool,
    as_json: bool,
) -> list[IngestReport]:
    if path is not None:
        return [_ingest_path(ctx, path, show_progress=not as_json)]
    if hf_date is not None:
        day = hf_date.date()
        return [_run_one(ctx, f"hf:{day}", lambda: fetch_hf_daily(day))]
    if category is not None:
        return [_arxiv_report(ctx, category, since, until, rss)]
    console = _stderr()
    if console.is_terminal and not as_json:
        with console.status("fetching the feeds in [sources] ..."):
            return ingest_sources(ctx.obj.db, ctx.obj.config, _now(), Fetchers())
    return ingest_sources(ctx.obj.db, ctx.obj.config, _now(), Fetchers())


def _arxiv_report(
    ctx: click.Context, category: str, since: datetime | None, until: datetime | None, rss: bool
) -> IngestReport:
    last = until.date() if until else _now().date()
    first = since.date() if since else last - timedelta(days=1)
    if rss:
        label = f"arxiv-rss:{category}"
        rss_since: date | None = since.date() if since else None
        rss_until: date | None = until.date() if until else None
        return _run_one(ctx, label, lambda: fetch_arxiv_rss(category, rss_since, rss_until))
    label = f"arxiv:{category}:{first}..{last}"
    return _run_one(ctx, label, lambda: fetch_arxiv(category, first, last))


def register(cli: click.Group) -> None:
    cli.add_command(ingest)
