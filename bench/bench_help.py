"""Benchmark (not a test): how long `paperbot --help` and every command's `--help` take.

    .venv/bin/python bench/bench_help.py              # 5 runs of each, median
    .venv/bin/python bench/bench_help.py --repeat 9

Each `--help` runs in a fresh interpreter (`python -c "from paperbot.cli import main; main()"`,
the console script's body) with the repository this file lives in first on the path, so the
figures are for this tree's code. Prints the median wall seconds of each as a ratio to the
0.5 s bound (issue 12: a `--help` must not wait for scikit-learn, LightFM, the chat SDKs or the
search index to load), and, measured in the same run, the bare interpreter start-up
(`python -c pass`) and `import click`, the floor under any of them, so a slower machine does not
read as a regression.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import click

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BOUND_SECONDS = 0.5
RUN_CLI = "import sys; sys.argv[0] = 'paperbot'; from paperbot.cli import main; main()"


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and subcommand under `group`, as the words that name it, parents first."""
    paths: list[tuple[str, ...]] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        paths.append((*prefix, name))
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, (*prefix, name)))
    return paths


def median_seconds(argv: list[str], repeat: int) -> float:
    """Median wall seconds of `argv` run `repeat` times; fails loudly if it exits non-zero."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each command (median)")
    args = parser.parse_args()
    from paperbot.cli import cli

    python = sys.executable
    floor = median_seconds([python, "-c", "pass"], args.repeat)
    with_click = median_seconds([python, "-c", "import click"], args.repeat)
    print(f"same-run floor: python -c pass {floor:.3f} s, import click {with_click:.3f} s")
    print(f"median of {args.repeat} runs; ratio to the {BOUND_SECONDS} s bound")
    worst = 0.0
    for words in [(), *command_paths(cli)]:
        seconds = median_seconds([python, "-c", RUN_CLI, *words, "--help"], args.repeat)
        worst = max(worst, seconds)
        label = " ".join(("paperbot", *words, "--help"))
        print(f"  {label:<40} {seconds:.3f} s  {seconds / BOUND_SECONDS:.2f} x")
    print(
        f"slowest: {worst:.3f} s = {worst / BOUND_SECONDS:.2f} x the bound "
        f"({worst / with_click:.1f} x `import click` in this run)"
    )


if __name__ == "__main__":
    main()
