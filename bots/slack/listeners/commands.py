"""`/papers ...`: every subcommand of the command layer, answered through the response_url.

The ack goes first with no body (`acknowledge`), so Slack's 3-second window is never at risk
however slow the command is; the answer follows with `respond()` from a worker thread,
ephemeral where the reply is private.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, Respond

from bots.slack.blocks import reply_payload
from bots.slack.ids import requester, team_of
from bots.slack.listeners import CommandsProvider, acknowledge
from bots.slack.listeners.errors import reported

COMMAND = "/papers"


def register(app: App, commands: CommandsProvider) -> None:
    def on_papers(command: dict[str, Any], respond: Respond) -> None:
        with reported(respond):
            who = requester(team_of(command), command["user_id"], command.get("user_name", ""))
            reply = commands().handle(who, command.get("text", ""))
            respond(**reply_payload(reply))

    app.command(COMMAND)(ack=acknowledge, lazy=[on_papers])
