"""The `paperbot` command. Global options (`--config`, `--db`) come before the subcommand.

Each group of subcommands lives in its own module (`paperbot.cli_*`) exposing `register(cli)`;
this module only builds the root group and turns the core's named errors into one-line messages
with a non-zero exit code (no tracebacks for user mistakes).
"""

from __future__ import annotations

import errno
import importlib
import sqlite3
from pathlib import Path
from typing import Any

import click

from paperbot.config import Config, load_config
from paperbot.logs import configure_logging
from recommender.domain import PaperbotError

COMMAND_MODULES = (
    "paperbot.cli_store",
    "paperbot.cli_ingest",
    "paperbot.cli_eval",
    "paperbot.cli_simulate",
    "paperbot.cli_engine",
    "paperbot.cli_library",
    "paperbot.cli_discord",
)


class CliContext:
    """What every subcommand gets: the loaded config, and the database opened on first use."""

    def __init__(self, config: Config, json_output: bool = False) -> None:
        self.config = config
        self.json_output = json_output
        self._db: Any = None

    @property
    def db(self) -> Any:
        if self._db is None:
            from storage.db import connect

            self._db = connect(self.config.db_path, create=False)
        return self._db


class UserError(click.ClickException):
    """A mistake in what the user asked for: one line on stderr, exit code 2 (1 is kept for
    "nothing new" from `ingest`, so a pipeline can tell the two apart)."""

    exit_code = 2


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


def _register_all() -> None:
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that part of the CLI is not built yet
                continue
            raise
        module.register(cli)


_register_all()


def main() -> None:
    cli(prog_name="paperbot")
