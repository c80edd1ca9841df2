"""`/papers ...`: every subcommand of the command layer, answered through the response_url.

The ack goes first with no body (`acknowledge`), so Slack's 3-second window is never at risk
however slow the command is; the answer follows with `respond()` from a worker thread,
ephemeral where the reply is private.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bots.slack.blocks import reply_payload
from bots.slack.ids import requester, workspace_of
from bots.slack.listeners.ack import CommandsProvider, acknowledge
from bots.slack.listeners.errors import reported

COMMAND = "/papers"


def register(app: App, commands: CommandsProvider) -> None:
    def on_papers(command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        with reported(respond):
            who = requester(workspace_of(command), command["user_id"], command.get("user_name", ""))
            who = replace(who, timezone=lambda: slack_timezone(client, command["user_id"]))
            reply = commands().handle(who, command.get("text", ""))
            respond(**reply_payload(reply))

    app.command(COMMAND)(ack=acknowledge, lazy=[on_papers])


def slack_timezone(client: WebClient, user_id: str) -> str | None:
    """The person's timezone as Slack knows it (`users.info` -> `user.tz`, needs `users:read`);
    the command layer asks only on first contact, to prefill the subscribe offer."""
    found = client.users_info(user=user_id).get("user") or {}
    return str(found.get("tz") or "") or None
