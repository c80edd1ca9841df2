"""`paperbot --help` and every command's: each command says what it does, and answering --help
loads none of the heavy libraries (issue 12: every call, --help included, waited 2-4 s for
scikit-learn and the rest to import; the old --help test passed for a command with no help text
at all, since click prints a usage line either way).

No timing here (bench/bench_help.py times it); what is checked is the cause: which modules the
CLI imports before a command runs.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from paperbot.cli import cli

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "sklearn",
    "scipy",
    "numpy",
    "lightfm",
    "implicit",
    "tantivy",
    "slack_bolt",
    "slack_sdk",
    "discord",
    "apscheduler",
    "sqlite_utils",
    "matplotlib",
    "rich",  # not heavy, but 30 ms of the ~0.1 s an import of paperbot.cli takes now
)


def walk(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """The words naming every command and subcommand under `group`, parents first."""
    ctx = click.Context(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        assert command is not None
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from walk(command, (*prefix, name))


def command_at(path: tuple[str, ...]) -> click.Command:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        found = command.get_command(click.Context(command), name)
        assert found is not None
        command = found
    return command


PATHS = [(), *walk(cli)]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(("paperbot", *p)))
def test_every_command_has_help_text(path: tuple[str, ...]) -> None:
    command = command_at(path)
    text = (command.help or "").strip()
    assert text, f"`paperbot {' '.join(path)}` has no help text (give it a docstring)"
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output
    # shown by --help, not only an attribute; click rewraps it (even at hyphens): compare the
    # characters without the spaces
    first_line = "".join(text.splitlines()[0].split())
    assert first_line in "".join(result.output.split())


def test_the_command_tree_is_all_there() -> None:
    """Every paperbot.cli_* module is registered (a module skipped on import would be a hole)."""
    assert {p[0] for p in PATHS if p} >= {
        "chat", "dataset", "demo", "discord", "eval", "feedback", "import-library", "ingest",
        "init", "papers", "picks", "search", "serve", "simulate", "stats", "train", "users",
    }  # fmt: skip


HELP_IN_A_FRESH_INTERPRETER = """
import json, sys
import paperbot.cli
heavy = {heavy!r}
loaded = {{}}
for path in {paths!r}:
    try:
        paperbot.cli.cli.main([*path, "--help"], prog_name="paperbot")
    except SystemExit as stop:
        assert stop.code == 0, (path, stop.code)
    loaded[" ".join(path)] = sorted(name for name in heavy if name in sys.modules)
print(json.dumps(loaded))
"""


def test_help_imports_no_heavy_library(tmp_path: Path) -> None:
    """`import paperbot.cli`, then `--help` of the root and of every command, in a fresh
    interpreter (this one has imported everything already): none of HEAVY is loaded. Run in an
    empty folder, so no config.toml is read but the default one."""
    code = HELP_IN_A_FRESH_INTERPRETER.format(heavy=HEAVY, paths=[list(p) for p in PATHS])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(loaded) == {" ".join(p) for p in PATHS}
    assert {path: names for path, names in loaded.items() if names} == {}
