"""`paperbot import-library --user KEY FILE`: a BibTeX, RIS, Zotero CSV export or a plain list of
arXiv ids / DOIs becomes that user's 👍 (the chat's `/papers like ...` reads the same lists).

The whole file is parsed before anything is written, and the import is one transaction: a
malformed file is one line naming where it breaks (exit code 2), with nothing stored."""

from __future__ import annotations

from pathlib import Path

import click

from paperbot.cli_engine import _wiring, user_key_for
from recommender.domain import InvalidInputError


@click.command("import-library")
@click.option("--user", "user", required=True, help="user_key (slack:T1:U2) or a console name.")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.pass_context
def import_library(ctx: click.Context, user: str, file: Path) -> None:
    """Like every paper in FILE for USER: matched by arXiv id, DOI or title; papers not yet
    stored are added when the entry has a title."""
    from sources.library import parse_library

    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"{file}: not UTF-8 text ({exc.reason})") from None
    try:
        kind, entries = parse_library(text, file.name)
    except InvalidInputError as exc:
        raise InvalidInputError(f"{file}: {exc}; nothing was imported") from None
    wiring = _wiring(ctx)
    user_key = user_key_for(user)
    now = wiring.clock()
    wiring.service.accounts.ensure(user_key, "", now)
    report = wiring.service.import_library(user_key, entries, now)
    click.echo(f"{file.name}: {len(entries)} entries ({kind}) for {user_key}")
    click.echo(report.summary())


def register(cli: click.Group) -> None:
    cli.add_command(import_library)
