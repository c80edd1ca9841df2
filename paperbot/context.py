"""What every `paperbot` subcommand gets (`CliContext`: the config, the database on first use) and
the error for a user's mistake. A module of its own so that paperbot/cli.py can import the command
modules (`paperbot.cli_*`, which need these) with plain imports at its top, without a cycle.
"""

from __future__ import annotations

from typing import Any

import click

from paperbot.config import Config


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
