"""Reactions and the Home tab, acknowledged at once (`acknowledge`) and handled on a worker.

Slack redelivers an event it thinks we missed (sometimes while the first attempt is still
running), so the event id goes to the command layer, which records it in the database and
ignores a repeat. A reaction counts only on a message paperbot posted (the ledger knows which
paper each message showed); removing it withdraws the vote, unless the vote has changed since
(a 👍 removed after clicking 👎 leaves the 👎). On a team digest card the reactor votes for
themself, and the card is redrawn with the team's new count.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bots.slack.blocks import card_payload
from bots.slack.home import home_view
from bots.slack.ids import PLATFORM, message_id, reaction_vote, requester, workspace_of
from bots.slack.listeners.ack import CommandsProvider, acknowledge
from bots.slack.listeners.errors import reported

log = logging.getLogger(__name__)


def event_key(body: dict[str, Any]) -> str | None:
    event_id = body.get("event_id")
    return f"slack:event:{event_id}" if event_id else None


def register(app: App, commands: CommandsProvider) -> None:
    def on_reaction(
        event: dict[str, Any], body: dict[str, Any], client: WebClient, added: bool
    ) -> None:
        vote = reaction_vote(str(event.get("reaction", "")))
        item = event.get("item") or {}
        if vote is None or item.get("type") != "message":
            return
        who = requester(workspace_of(body), event["user"])
        mid = message_id(item["channel"], item["ts"])
        removed = None if added else vote
        layer = commands()
        outcome = layer.vote_on_message(
            PLATFORM, mid, who, vote if added else 0, event_key(body), removed=removed
        )
        if outcome is None:
            log.debug("reaction on a message that is not a pick; ignored")
        elif outcome.recorded and (card := layer.digest_card(PLATFORM, mid)) is not None:
            # A team digest card: show the channel the new "👍 by N teammates".
            client.chat_update(channel=item["channel"], ts=item["ts"], **card_payload(card))

    def on_reaction_added(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        with reported(None):
            on_reaction(event, body, client, added=True)

    def on_reaction_removed(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        with reported(None):
            on_reaction(event, body, client, added=False)

    def on_home_opened(event: dict[str, Any], body: dict[str, Any], client: WebClient) -> None:
        if event.get("tab", "home") != "home":
            return
        with reported(None):
            view = commands().home(requester(workspace_of(body), event["user"]))
            client.views_publish(user_id=event["user"], view=home_view(view))

    app.event("reaction_added")(ack=acknowledge, lazy=[on_reaction_added])
    app.event("reaction_removed")(ack=acknowledge, lazy=[on_reaction_removed])
    app.event("app_home_opened")(ack=acknowledge, lazy=[on_home_opened])
