"""Line editing and history for `paperbot chat` on a terminal, as a shell has them.

Why: retyping `/papers search "retrieval augmented" since:2025-06` to change one word, or to run
it again tomorrow, is what makes a terminal tool feel unfinished. Python's `input()` gets
cursor keys, Up/Down and Ctrl-R once the `readline` module is loaded; this module loads it, and
keeps the history in a file between sessions. It is used only when stdin is a terminal: a piped
script is read as plain lines and leaves no history behind.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

HISTORY_LENGTH = 1000
PROMPT = "papers> "

log = logging.getLogger(__name__)


def history_path(environ: dict[str, str] | None = None) -> Path:
    """`$XDG_DATA_HOME/paperbot/chat_history` when the user has a data dir set, else
    `~/.paperbot_history`."""
    env = os.environ if environ is None else environ
    data_home = env.get("XDG_DATA_HOME")
    if data_home:
        return Path(data_home) / "paperbot" / "chat_history"
    return Path(env.get("HOME") or Path.home()) / ".paperbot_history"


def edited_lines(history: Path, prompt: str = PROMPT) -> Iterator[str]:
    """Lines typed at `prompt` with editing and history, until end of input (Ctrl-D).

    The history is saved after each line (the last HISTORY_LENGTH lines), so a session that
    is killed keeps what was typed. Without readline (some builds lack it) input still works,
    plainly; a history file that cannot be read or written is logged and otherwise ignored."""
    try:
        import readline
    except ImportError:  # pragma: no cover - CPython on Linux and macOS has it
        readline = None  # type: ignore[assignment]
    if readline is not None:
        readline.set_history_length(HISTORY_LENGTH)
        try:
            readline.read_history_file(history)
        except FileNotFoundError:
            pass
        except OSError as exc:
            log.warning("cannot read the chat history %s: %s", history, exc)
    while True:
        try:
            line = input(prompt)
        except EOFError:
            return
        if readline is not None and line.strip():
            _remember(readline, history)
        yield line


def _remember(readline: object, history: Path) -> None:
    try:
        history.parent.mkdir(parents=True, exist_ok=True)
        if not history.exists():
            history.touch(mode=0o600)
        readline.write_history_file(history)  # type: ignore[attr-defined]
    except OSError as exc:
        log.warning("cannot write the chat history %s: %s", history, exc)
