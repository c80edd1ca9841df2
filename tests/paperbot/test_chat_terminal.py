"""`paperbot chat` on a real terminal (a pseudo-terminal): Up recalls the last line, Ctrl-R
finds an older one, and the history survives into the next session. Piped input keeps none.

Issue 13: the chat had no line editing or history at all (a bare `input()`)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

from tests.paperbot.test_chat_cli import chat
from tests.paperbot.test_chat_cli import config as config  # noqa: F401 (the fixture)

PROMPT = b"papers> "
UP, CTRL_R, CTRL_D = b"\x1b[A", b"\x12", b"\x04"


def run_in_terminal(config: Path, home: Path, keys: list[bytes]) -> str:
    """Start `paperbot chat` on a pty, send each chunk of keys after the next prompt, return
    everything the terminal showed."""
    env = {k: v for k, v in os.environ.items() if k != "XDG_DATA_HOME"}
    env.update(HOME=str(home), TERM="xterm", COLUMNS="200")
    main, child = pty.openpty()
    code = "import sys; from paperbot.cli import main; sys.argv[0] = 'paperbot'; main()"
    process = subprocess.Popen(
        [sys.executable, "-c", code, "--config", str(config), "chat", "--user", "tty"],
        stdin=child, stdout=child, stderr=child, env=env, close_fds=True,
    )  # fmt: skip
    os.close(child)
    shown = b""
    try:
        for chunk in [*keys, CTRL_D]:
            shown = _read_until_prompt(main, shown, shown.count(PROMPT) + 1)
            os.write(main, chunk)
        process.wait(timeout=60)
        shown += _drain(main)
    finally:
        process.kill()
        os.close(main)
    return shown.decode(errors="replace")


def _read_until_prompt(fd: int, shown: bytes, prompts: int) -> bytes:
    deadline = time.monotonic() + 60
    while shown.count(PROMPT) < prompts:
        assert time.monotonic() < deadline, shown.decode(errors="replace")
        ready, _, _ = select.select([fd], [], [], 1)
        if ready:
            shown += os.read(fd, 65536)
    return shown


def _drain(fd: int) -> bytes:
    out = b""
    while select.select([fd], [], [], 0.2)[0]:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    return out


def test_up_and_ctrl_r_recall_lines_and_history_is_kept(config: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    shown = run_in_terminal(
        config, home, [b"/papers settings\r", b"/papers k 4\r", UP + UP + b"\r", CTRL_R + b"k 4\r"]
    )
    assert shown.count("send time: ") == 2  # typed once, recalled with Up Up
    assert shown.count("You will get 4 picks a day.") == 2  # typed once, found with Ctrl-R
    history = (home / ".paperbot_history").read_text().splitlines()
    assert history[:2] == ["/papers settings", "/papers k 4"]
    again = run_in_terminal(config, home, [UP + b"\r"])  # a new session remembers
    assert again.count("You will get 4 picks a day.") == 1


def test_piped_input_leaves_no_history(config: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert "You will get 4 picks a day." in chat(config, "anna", "/papers k 4\n")
    assert not (tmp_path / ".paperbot_history").exists()
