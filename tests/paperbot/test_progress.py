"""Long commands show progress: a bar on a terminal, a line per stage otherwise, nothing with
--quiet; always on stderr, so --json output stays clean."""

from __future__ import annotations

import io
from pathlib import Path

from click.testing import CliRunner
from rich.console import Console

from paperbot.cli import cli
from paperbot.progress import Progress


def _run(terminal: bool, quiet: bool = False) -> str:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=terminal, width=100)
    with Progress(2, quiet, console) as progress:
        progress.stage("reading the dataset")
        progress.stage("fitting the model")
    return screen.getvalue()


def test_a_line_per_stage_when_not_a_terminal() -> None:
    lines = _run(terminal=False).splitlines()
    assert [line.split("] ", 1)[1] for line in lines] == [
        "reading the dataset",
        "fitting the model",
        "done",
    ]


def test_a_bar_on_a_terminal_and_nothing_when_quiet() -> None:
    screen = _run(terminal=True)
    assert "fitting the model" in screen and "1/2" in screen and "\x1b[" in screen
    assert _run(terminal=True, quiet=True) == ""
    assert _run(terminal=False, quiet=True) == ""


def test_train_and_import_ctr_report_their_stages_and_can_be_quiet(tmp_path: Path) -> None:
    db = ["--db", str(tmp_path / "p.db")]
    assert CliRunner().invoke(cli, [*db, "init", "--sample"]).exit_code == 0
    loud = CliRunner().invoke(cli, [*db, "train"])
    assert loud.exit_code == 0, loud.output
    assert "fitting on 409 papers and 0 votes" in loud.stderr
    assert loud.stdout.startswith("Trained model")
    quiet = CliRunner().invoke(cli, [*db, "train", "--quiet"])
    assert quiet.exit_code == 0 and quiet.stderr == ""
    ctr = tmp_path / "ctr"
    ctr.mkdir()
    (ctr / "vocabulary.dat").write_text("graph\nneural\n")
    (ctr / "mult.dat").write_text("2 0:1 1:2\n1 1:1\n")
    (ctr / "users.dat").write_text("2 0 1\n1 1\n")
    out = tmp_path / "ds"
    done = CliRunner().invoke(cli, ["dataset", "import-ctr", str(ctr), str(out)])
    assert done.exit_code == 0, done.output
    assert f"reading {ctr}" in done.stderr and f"writing {out}" in done.stderr
    hushed = CliRunner().invoke(cli, ["dataset", "import-ctr", "--quiet", str(ctr), str(out)])
    assert hushed.stderr == ""
