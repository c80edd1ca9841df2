"""👍/👎 button clicks. The button carries the paper id, so no state is kept between clicks.

A click records the vote (the trigger id is the dedup key, so a replayed request changes
nothing) and then redraws the message the button sat on when it is the voter's own:
chat.update for their picks, the response_url for an ephemeral reply, a fresh views.publish
for the Home tab. A team digest card is shared by the channel, so it is redrawn with the
team's count; on it, and on any message that is not the voter's, the voter is told their vote
privately.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bots.commands import CommandLayer
from bots.slack.blocks import RUN_COMMAND, VOTE_UP, card_payload, mark_vote, reply_payload
from bots.slack.home import home_view
from bots.slack.ids import PLATFORM, message_id, requester, workspace_of
from bots.slack.listeners.ack import CommandsProvider, acknowledge
from bots.slack.listeners.errors import reported
from engine.chat import VoteOutcome

# Bolt matches with `search`, so anchor both ends with \A / \Z: `$` also matches before a final
# newline, which let `vote_up\n` in (and counted it as 👎).
VOTE_ACTIONS = re.compile(r"\Avote_(?:up|down)\Z")


def action_event_id(body: dict[str, Any], action: dict[str, Any]) -> str:
    """One id per click: Slack gives each interaction its own trigger id."""
    token = body.get("trigger_id") or f"{action.get('action_ts', '')}:{body['user']['id']}"
    return f"slack:action:{token}"


def register(app: App, commands: CommandsProvider) -> None:
    def on_confirm(body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        """A confirmation button: run the follow-up command it carries, as if typed."""
        with reported(respond):
            who = requester(
                workspace_of(body), body["user"]["id"], body["user"].get("username", "")
            )
            reply = commands().handle(who, str(action.get("value", "")))
            respond(replace_original=True, **reply_payload(reply))

    def on_vote(
        body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        answer = respond if body.get("response_url") else None
        with reported(answer):
            record_click(commands(), body, action, client, answer)

    app.action(RUN_COMMAND)(ack=acknowledge, lazy=[on_confirm])
    app.action(VOTE_ACTIONS)(ack=acknowledge, lazy=[on_vote])


def record_click(
    layer: CommandLayer,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond | None,
) -> None:
    who = requester(workspace_of(body), body["user"]["id"], body["user"].get("username", ""))
    vote = 1 if action["action_id"] == VOTE_UP else -1
    outcome = layer.vote(who, action["value"], vote, "button", action_event_id(body, action))
    if not outcome.recorded:
        if outcome.text and respond is not None:
            # Not a replay but a refusal (e.g. a paper since deleted): say so, privately.
            respond(text=f"⚠️ {outcome.text}", response_type="ephemeral", replace_original=False)
    elif not redraw_digest(layer, body, client) and shows_votes_of(layer, body, who.user_key):
        redraw(body, outcome, client, respond, lambda: home_view(layer.home(who)))
    elif respond is not None:  # the message is shared, or someone else's: tell the voter alone
        respond(text=outcome.text, response_type="ephemeral", replace_original=False)


def shows_votes_of(layer: CommandLayer, body: dict[str, Any], user_key: str) -> bool:
    """Whether the clicked message may be redrawn with the clicker's vote: their Home tab, an
    ephemeral reply only they see, or their own picks. Someone else's DM card (a forged click)
    or a message in a channel keeps showing what its owner sees."""
    container = body.get("container") or {}
    if container.get("type") == "view" or container.get("is_ephemeral"):
        return True
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if not channel or not ts:
        return False
    return layer.message_owner(PLATFORM, message_id(channel, ts)) == user_key


def redraw_digest(layer: CommandLayer, body: dict[str, Any], client: WebClient) -> bool:
    """A vote on a team digest card: redraw the card as the whole channel sees it (new
    "👍 by N teammates", nobody's own vote highlighted). False when it is not a digest card."""
    container = body.get("container") or {}
    channel, ts = container.get("channel_id"), container.get("message_ts")
    if container.get("type") != "message" or not channel or not ts:
        return False
    card = layer.digest_card(PLATFORM, message_id(channel, ts))
    if card is None:
        return False
    client.chat_update(channel=channel, ts=ts, **card_payload(card))
    return True


def redraw(
    body: dict[str, Any],
    outcome: VoteOutcome,
    client: WebClient,
    respond: Respond | None,
    home: Callable[[], dict[str, Any]],
) -> None:
    """Show the new vote where the button was clicked (`home` renders a fresh Home tab)."""
    container = body.get("container") or {}
    if container.get("type") == "view":
        client.views_publish(user_id=body["user"]["id"], view=home())
        return
    message = body.get("message") or {}
    blocks = mark_vote(message.get("blocks") or [], outcome.paper_id, outcome.vote)
    text = message.get("text") or outcome.text or "paperbot"
    if container.get("is_ephemeral") and respond is not None:
        respond(replace_original=True, text=text, blocks=blocks)
        return
    client.chat_update(
        channel=container["channel_id"], ts=container["message_ts"], text=text, blocks=blocks
    )
