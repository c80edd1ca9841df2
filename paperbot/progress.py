"""Progress of the long commands (eval, simulate, train, ingest of a big file, dataset
import-ctr): a bar on a terminal, one line per stage otherwise (a log file, CI), nothing with
`--quiet`. Everything goes to stderr, so `--json` on stdout stays clean.

Why one helper: each command used to be silent for minutes or to print in its own way.
"""

from __future__ import annotations

import time
from types import TracebackType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


class Progress:
    """Stages of one command. `stage(text)` starts the next stage (the previous one is done);
    `stage(text, total=n)` starts one counted in n steps that `advance(k)` moves on. The bar
    counts stages (or the steps of a counted stage) out of `stages`. rich is imported when one
    is made, not with this module: the commands that use it import it, and their --help must
    not wait for it."""

    def __init__(
        self, stages: int | None = None, quiet: bool = False, console: Console | None = None
    ) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar

        self.console = console or Console(stderr=True)
        self.mode = "off" if quiet else "bar" if self.console.is_terminal else "lines"
        self.bar = Bar(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=self.console,
            transient=True,
            disable=self.mode != "bar",
        )
        self.stages = stages
        self.task = self.bar.add_task("", total=stages)
        self.done = 0
        self.started = time.perf_counter()

    def __enter__(self) -> Progress:
        return self  # the bar starts with the first stage: a quick command shows none

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.bar.stop()
        if self.mode == "lines" and kind is None and self.done:
            self.console.print(
                f"[{self._elapsed()}] done", highlight=False, markup=False, soft_wrap=True
            )

    def stage(self, text: str, total: int | None = None) -> None:
        if self.mode == "lines":
            self.console.print(
                f"[{self._elapsed()}] {text}", highlight=False, markup=False, soft_wrap=True
            )
        self.bar.start()
        self.done += 1
        if total is not None:
            self.bar.reset(self.task, total=total, description=text)
            return
        self.bar.update(self.task, total=self.stages, completed=self.done - 1, description=text)

    def advance(self, steps: int = 1) -> None:
        self.bar.advance(self.task, steps)

    def _elapsed(self) -> str:
        return f"{time.perf_counter() - self.started:7.1f}s"
