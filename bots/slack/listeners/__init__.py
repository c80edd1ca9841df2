"""Bolt listeners, one module per group (commands, actions, events), each with `register(app, ...)`.

Every listener is split in two: `acknowledge` answers Slack on the request's own thread at once
(Slack gives us 3 seconds), and the work (one command-layer call, a render, Web API calls) is a
Bolt "lazy" function queued on the listener pool. The app runs with process_before_response, so
an ack never waits for a free worker: under a burst, slow chat.update calls used to hold all of
Bolt's workers while new requests waited past the deadline for one to call their ack() (issue
11.9). The command layer is fetched through a provider (`commands()`), which lets the
composition root hand each worker thread its own database connection.
"""

from __future__ import annotations

from slack_bolt import App

from bots.slack.listeners import actions, events
from bots.slack.listeners import commands as slash_commands
from bots.slack.listeners.ack import CommandsProvider

__all__ = ["CommandsProvider", "register_all"]


def register_all(app: App, commands: CommandsProvider) -> None:
    slash_commands.register(app, commands)
    actions.register(app, commands)
    events.register(app, commands)
