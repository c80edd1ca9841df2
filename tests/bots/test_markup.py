"""Neutral markup (engine/chat.py) on the console, and the command layer keeping to it."""

from __future__ import annotations

import re
from datetime import date

from bots.console.render import plain_text, render_picks, render_reply
from bots.texts import HELP
from engine.chat import PicksMessage, Reply
from tests.conftest import World


def test_console_strips_bold_markers_and_keeps_code_spans() -> None:
    assert (
        plain_text("**paperbot** picks; try `/papers help`") == "paperbot picks; try `/papers help`"
    )
    assert plain_text("2 ** 3 and a ** b") == "2 ** 3 and a ** b"  # not bold: spaces inside
    assert render_reply(Reply(text="**Done**.")) == "Done."
    note = PicksMessage("console:a", date(2025, 6, 9), "Picks", note="Nothing **new**")
    assert "Nothing new" in render_picks(note) and "**" not in render_picks(note)


def test_the_command_layer_writes_markdown_bold_never_slack_style(world: World) -> None:
    assert HELP.startswith("**paperbot**")
    text = world.say("console:anna", "help")
    single_star_bold = re.compile(r"(?<!\*)\*[^*\s][^*\n]*[^*\s]\*(?!\*)")
    assert not single_star_bold.search(text)
    assert render_reply(Reply(text=text)).count("**") == 0
