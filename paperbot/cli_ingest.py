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
from typing import TYPE_CHECKING, Any

import click

from paperbot.progress import Progress
from recommender.domain import PaperbotError

if TYPE_CHECKING:
    from rich.console import Console

    from paperbot.ingest import IngestReport
    from sources import ParseResult

# paperbot.ingest (sqlite-utils, the search index) and sources.fetch (urllib, the parsers) are
# imported in the functions that use them, so `paperbot ingest --help` loads neither.

PROGRESS_MIN_PAPERS = 200
MAX_ERRORS_SHOWN = 20
DAY = click.DateTime(formats=["%Y-%m-%d"])


class IngestFailed(click.ClickException):
    """A source as a whole failed: exit code 2, as documented, rather than click's 1."""

    exit_code = 2


def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True)


Hooks = tuple[Callable[[int], None], Callable[[int], None]]


@contextmanager
def _progress(enabled: bool) -> Iterator[Hooks]:
    """Progress over the upsert for files worth waiting on: a bar on a terminal, a line
    otherwise (paperbot/progress.py)."""
    with Progress(quiet=not enabled, console=_stderr()) as progress:

        def on_total(total: int) -> None:
            if total >= PROGRESS_MIN_PAPERS:
                progress.stage("storing papers", total=total)

        yield on_total, progress.advance


def _run_one(ctx: click.Context, label: str, work: Callable[[], ParseResult]) -> IngestReport:
    """Fetch (with a spinner on a terminal) and store one network source."""
    from paperbot.ingest import IngestReport, store_result

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
    from paperbot.ingest import IngestReport, ingest_bytes, ingest_file

    db = ctx.obj.db  # opened first: a missing database is an error of its own, not of `path`
    with _progress(show_progress) as (on_total, advance):
        try:
            if str(path) == "-":
                data = sys.stdin.buffer.read()
                return ingest_bytes(
                    db, data, "<stdin>", _now(), progress=advance, on_total=on_total
                )
            return ingest_file(db, path, _now(), progress=advance, on_total=on_total)
        except PaperbotError as exc:
            return IngestReport(source=str(path), failure=str(exc))


def _summary(report: IngestReport) -> str:
    from sources.records import MAX_ABSTRACT_CHARS

    if report.failure:
        if report.failure.startswith(report.source):
            return report.failure
        return f"{report.source}: {report.failure}"
    parts = [f"{report.inserted} new", f"{report.updated} updated", f"{report.unchanged} unchanged"]
    if report.skipped:
        parts.append(f"{report.skipped} passed over")
    if report.cut:
        parts.append(f"{report.cut} abstracts cut at {MAX_ABSTRACT_CHARS:,} characters")
    if report.clamped:
        parts.append(f"{report.clamped} future dates clamped to today")
    if report.errors:
        parts.append(f"{len(report.errors)} bad records skipped")
    kind = f" ({report.format})" if report.format else ""
    return f"{report.source}{kind}: " + ", ".join(parts)


def _print_human(reports: Sequence[IngestReport], exit_code: int) -> None:
    for report in reports:
        if report.failure:
            click.echo(f"Error: {_summary(report)}", err=True)
            continue
        click.echo(_summary(report))
        for error in report.errors[:MAX_ERRORS_SHOWN]:
            click.echo(f"  skipped {error}", err=True)
        if len(report.errors) > MAX_ERRORS_SHOWN:
            click.echo(f"  ... and {len(report.errors) - MAX_ERRORS_SHOWN} more", err=True)
    if exit_code == 1:
        click.echo("Nothing new.")


def _print_json(reports: Sequence[IngestReport], exit_code: int) -> None:
    totals: dict[str, Any] = {
        key: sum(getattr(r, key) for r in reports)
        for key in ("inserted", "updated", "unchanged", "skipped", "cut", "clamped")
    }
    totals["bad_records"] = sum(len(r.errors) for r in reports)
    totals["exit_code"] = exit_code
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
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
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
    quiet: bool,
) -> None:
    """Add papers from PATH (our JSON Lines, a Hugging Face daily_papers JSON or an arXiv
    Atom/RSS feed; `-` reads stdin) or from the network. Re-running is safe: papers already
    stored are updated, never duplicated. A bad record is skipped and reported with its line;
    a file that cannot be read changes nothing.

    Exit code: 0 when something new arrived, 1 when nothing did, 2 on errors.
    """
    from paperbot.ingest import combined_exit_code

    _choose(path, hf_date, arxiv_category, feeds)
    if (since or until or rss) and not arxiv_category:
        raise click.UsageError("--since, --until and --rss only go with --arxiv")
    reports = _collect(
        ctx, path, hf_date, arxiv_category, since, until, rss, feeds, as_json or quiet
    )
    exit_code = combined_exit_code(reports)
    if as_json:
        _print_json(reports, exit_code)
    elif len(reports) == 1 and reports[0].failure:
        raise IngestFailed(_summary(reports[0]))
    else:
        _print_human(reports, exit_code)
    ctx.exit(exit_code)


def _collect(
    ctx: click.Context,
    path: Path | None,
    hf_date: datetime | None,
    category: str | None,
    since: datetime | None,
    until: datetime | None,
    rss: bool,
    feeds: bool,
    quiet: bool,
) -> list[IngestReport]:
    if path is not None:
        return [_ingest_path(ctx, path, show_progress=not quiet)]
    if hf_date is not None:
        from sources.fetch import fetch_hf_daily

        day = hf_date.date()
        return [_run_one(ctx, f"hf:{day}", lambda: fetch_hf_daily(day))]
    if category is not None:
        return [_arxiv_report(ctx, category, since, until, rss)]
    from paperbot.ingest import Fetchers, ingest_sources

    console = _stderr()
    if console.is_terminal and not quiet:
        with console.status("fetching the feeds in [sources] ..."):
            return ingest_sources(ctx.obj.db, ctx.obj.config.sources, _now(), Fetchers())
    return ingest_sources(ctx.obj.db, ctx.obj.config.sources, _now(), Fetchers())


def _arxiv_report(
    ctx: click.Context, category: str, since: datetime | None, until: datetime | None, rss: bool
) -> IngestReport:
    from sources.fetch import fetch_arxiv, fetch_arxiv_rss

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
