"""The `paperbot` command. Global options (`--config`, `--db`) come before the subcommand.

Each group of subcommands lives in its own module (`paperbot.cli_*`) exposing `register(cli)`;
this module only builds the root group and turns the core's named errors into one-line messages
with a non-zero exit code (no tracebacks for user mistakes).

Importing the command modules must stay cheap: `paperbot --help` (and every command's) loads
them all. So they import at their top only click, the standard library, paperbot's config and
light modules of the other packages; numpy, scikit-learn, LightFM, implicit, the search index,
SQLite helpers and the chat SDKs are imported inside the command that uses them
(tests/paperbot/test_help.py checks it, bench/bench_help.py times it).
"""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path
from typing import Any

import click

from paperbot import (
    cli_discord,
    cli_engine,
    cli_eval,
    cli_ingest,
    cli_library,
    cli_simulate,
    cli_store,
)
from paperbot.config import load_config
from paperbot.context import CliContext, UserError
from paperbot.logs import configure_logging
from recommender.domain import PaperbotError


class PaperbotGroup(click.Group):
    """Turns PaperbotError (bad input, unknown ids), a failing database and a full disk into
    `Error: ...` and exit code 2, never 1, which means "nothing new" (`ingest && train`)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except PaperbotError as exc:
            raise UserError(str(exc)) from exc
        except sqlite3.Error as exc:
            from storage.db import describe_error

            path = ctx.obj.config.db_path if isinstance(ctx.obj, CliContext) else "?"
            raise UserError(describe_error(exc, path)) from exc
        except OSError as exc:
            if exc.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES):
                raise
            where = f" ({exc.filename})" if exc.filename else ""
            raise UserError(f"cannot write{where}: {exc.strerror}") from exc


@click.group(cls=PaperbotGroup)
@click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="config.toml to use (default: ./config.toml if present).",
)
@click.option(
    "--db",
    "db_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="SQLite database file (overrides [database] path).",
)
@click.option("-v", "--verbose", is_flag=True, help="Log debug details to stderr.")
@click.pass_context
def cli(ctx: click.Context, config_path: Path | None, db_path: Path | None, verbose: bool) -> None:
    """paperbot: research-paper picks for your team, in Slack, Discord or the terminal."""
    configure_logging(verbose)  # redacts response URLs, interaction tokens, tickets
    try:
        config = load_config(config_path, db_path)
    except PaperbotError as exc:
        raise UserError(str(exc)) from exc
    ctx.obj = CliContext(config)


for module in (cli_store, cli_ingest, cli_eval, cli_simulate, cli_engine, cli_library, cli_discord):
    module.register(cli)


def main() -> None:
    cli(prog_name="paperbot")
