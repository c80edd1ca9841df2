"""Looking at and moving the stored data: `papers show`, `search`, `users list`, `feedback
import|export`, `stats`. Human output by default, `--json` for scripts."""

from __future__ import annotations

import csv
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from recommender.domain import InvalidInputError, NotFoundError, Paper

if TYPE_CHECKING:
    from storage.repos import Repos

VOTE_WORDS = {"1": 1, "+1": 1, "up": 1, "-1": -1, "down": -1, "0": 0}


def _repos(ctx: click.Context) -> Repos:
    from storage.repos import open_repos  # sqlite-utils and the search index: not for --help

    return open_repos(ctx.obj.db)


def _paper_dict(paper: Paper) -> dict[str, Any]:
    """The JSONL record (the same shape `ingest` reads back) plus the clickable url."""
    from sources.jsonl import paper_to_record

    return {**paper_to_record(paper), "url": paper.url}


def _emit(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group("papers")
def papers_group() -> None:
    """Look at stored papers."""


@papers_group.command("show")
@click.argument("paper_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def papers_show(ctx: click.Context, paper_id: str, as_json: bool) -> None:
    """Show one paper by its id (arXiv id or t:<hash>)."""
    paper = _repos(ctx).papers.get(paper_id.strip())
    if paper is None:
        raise NotFoundError(f"no paper with id {paper_id!r} (try `paperbot search ...`)")
    if as_json:
        _emit(_paper_dict(paper))
        return
    click.echo(f"{paper.title}\n  id: {paper.paper_id}   upvotes: {paper.upvotes}")
    for label, value in (
        ("url", paper.url),
        ("authors", ", ".join(paper.authors)),
        ("organization", paper.organization),
        ("keywords", ", ".join(paper.keywords)),
        ("published", paper.published),
    ):
        if value:
            click.echo(f"  {label}: {value}")
    click.echo(f"\n{paper.abstract}")


@click.command("search")
@click.argument("query", nargs=-1, required=True)
@click.option("-n", "--limit", default=10, show_default=True, help="How many results.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def search(ctx: click.Context, query: tuple[str, ...], limit: int, as_json: bool) -> None:
    """Full-text search: words, "exact phrases", -word, author:NAME, since:/until:YYYY-MM-DD
    (published date; alone they list the newest papers), sort:date."""
    results = _repos(ctx).papers.search(" ".join(query), limit=limit)
    if as_json:
        _emit([_paper_dict(p) for p in results])
        return
    if not results:
        click.echo("No papers match.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "title", "upvotes", box=None)
    for paper in results:
        table.add_row(paper.paper_id, paper.title, str(paper.upvotes))
    Console().print(table)


@click.group("users")
def users_group() -> None:
    """Look at users."""


@users_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def users_list(ctx: click.Context, as_json: bool) -> None:
    """Every user with their delivery settings."""
    users = _repos(ctx).users.all()
    rows: list[dict[str, Any]] = [
        {
            "user_key": u.user_key,
            "display_name": u.display_name,
            "timezone": u.timezone,
            "send_time": u.send_time.strftime("%H:%M"),
            "weekdays": list(u.weekdays),
            "k": u.picks_per_day,
            "subscribed": u.subscribed,
            "paused_until": u.paused_until.isoformat() if u.paused_until else None,
            "interests": list(u.interests),
        }
        for u in users
    ]
    if as_json:
        _emit(rows)
        return
    if not rows:
        click.echo("No users yet.")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("user", "tz", "send", "k", "subscribed", "interests", box=None)
    for r in rows:
        table.add_row(
            r["user_key"],
            r["timezone"],
            r["send_time"],
            str(r["k"]),
            str(r["subscribed"]),
            "; ".join(r["interests"]),
        )
    Console().print(table)


@click.group("feedback")
def feedback_group() -> None:
    """Import or export votes (CSV: user_key,paper_id,vote[,timestamp])."""


def _parse_vote_row(row: dict[str, str], line: int) -> tuple[str, str, int, datetime | None]:
    user = (row.get("user_key") or row.get("user_id") or "").strip()
    paper_id = (row.get("paper_id") or "").strip()
    vote = VOTE_WORDS.get((row.get("vote") or "").strip().lower())
    if not user or not paper_id or vote is None:
        raise InvalidInputError(f"line {line}: need user_key, paper_id and a vote of +1/-1/0")
    stamp = (row.get("timestamp") or "").strip()
    try:
        at = datetime.fromisoformat(stamp) if stamp else None
    except ValueError as exc:
        raise InvalidInputError(f"line {line}: bad timestamp {stamp!r}") from exc
    if at is not None and at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return user, paper_id, vote, at


@feedback_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def feedback_import(ctx: click.Context, path: Path) -> None:
    """Import votes; bad lines are reported with their number and skipped."""
    repos = _repos(ctx)
    now = datetime.now(UTC)
    imported, errors = 0, []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "paper_id" not in reader.fieldnames:
            raise InvalidInputError(f"{path}: expected a CSV header with user_key,paper_id,vote")
        for line, row in enumerate(reader, start=2):
            try:
                user, paper_id, vote, at = _parse_vote_row(row, line)
                repos.users.ensure(user, user.split(":")[-1], now)
                repos.feedback.record(user, paper_id, vote, "import", at or now)
                imported += 1
            except (InvalidInputError, NotFoundError) as exc:
                errors.append(f"line {line}: {exc}" if "line" not in str(exc) else str(exc))
    for message in errors:
        click.echo(message, err=True)
    click.echo(f"Imported {imported} votes; skipped {len(errors)} bad lines.")
    if errors and not imported:
        sys.exit(2)


@feedback_group.command("export")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of CSV.")
@click.pass_context
def feedback_export(ctx: click.Context, as_json: bool) -> None:
    """Print every current vote as CSV (or JSON)."""
    votes = _repos(ctx).feedback.all_current()
    rows = [
        {
            "user_key": v.user_key,
            "paper_id": v.paper_id,
            "vote": v.vote,
            "timestamp": v.at.isoformat() if v.at else "",
        }
        for v in votes
    ]
    if as_json:
        _emit(rows)
        return
    writer = csv.DictWriter(sys.stdout, fieldnames=["user_key", "paper_id", "vote", "timestamp"])
    writer.writeheader()
    writer.writerows(rows)


@click.command("stats")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def stats(ctx: click.Context, as_json: bool) -> None:
    """Counts of papers, users, votes and deliveries."""
    repos = _repos(ctx)
    data = {
        "papers": repos.papers.count(),
        "users": repos.users.count(),
        "votes": repos.feedback.count(),
        "deliveries": repos.ledger.counts(),
    }
    if as_json:
        _emit(data)
        return
    for key, value in data.items():
        click.echo(f"{key}: {value}")


def register(cli: click.Group) -> None:
    for command in (papers_group, search, users_group, feedback_group, stats):
        cli.add_command(command)
