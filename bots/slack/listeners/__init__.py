"""Bolt listeners, one module per group (commands, actions, events), each with `register(app, ...)`.

Every listener is thin: `ack()` first (Slack gives us 3 seconds), then one command-layer call and
a render. Bolt runs listeners on its worker threads, so the command layer is fetched through a
provider (`commands()`), which lets the composition root hand each thread its own database
connection.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import App

from bots.commands import CommandLayer

CommandsProvider = Callable[[], CommandLayer]


def register_all(app: App, commands: CommandsProvider) -> None:
    from bots.slack.listeners import actions, events
    from bots.slack.listeners import commands as slash_commands

    slash_commands.register(app, commands)
    actions.register(app, commands)
    events.register(app, commands)
