"""👍/👎 button clicks. The button carries the paper id, so no state is kept between clicks.

A click records the vote (the trigger id is the dedup key, so a replayed request changes
nothing) and then redraws the message the button sat on: chat.update for a normal message,
the response_url for an ephemeral one, a fresh views.publish for the Home tab. A team digest
card is shared by the channel, so it is redrawn with the team's count, and the voter is told
their vote privately.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bots.commands import CommandLayer
from bots.messages import VoteOutcome
from bots.slack.blocks import RUN_COMMAND, VOTE_UP, card_payload, mark_vote, reply_payload
from bots.slack.home import home_view
from bots.slack.ids import PLATFORM, message_id, requester, team_of
from bots.slack.listeners import CommandsProvider
from bots.slack.listeners.errors import reported

# Bolt matches with `search`, so anchor both ends with \A / \Z: `$` also matches before a final
# newline, which let `vote_up\n` in (and counted it as 👎).
VOTE_ACTIONS = re.compile(r"\Avote_(?:up|down)\Z")


def action_event_id(body: dict[str, Any], action: dict[str, Any]) -> str:
    """One id per click: Slack gives each interaction its own trigger id."""
    token = body.get("trigger_id") or f"{action.get('action_ts', '')}:{body['user']['id']}"
    return f"slack:action:{token}"


def register(app: App, commands: CommandsProvider) -> None:
    @app.action(RUN_COMMAND)
    def on_confirm(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        """A confirmation button: run the follow-up command it carries, as if typed."""
        ack()
        with reported(respond):
            who = requester(team_of(body), body["user"]["id"], body["user"].get("username", ""))
            reply = commands().handle(who, str(action.get("value", "")))
            respond(replace_original=True, **reply_payload(reply))

    @app.action(VOTE_ACTIONS)
    def on_vote(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        answer = respond if body.get("response_url") else None
        with reported(answer):
            record_click(commands(), body, action, client, answer)


def record_click(
    layer: CommandLayer,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    respond: Respond | None,
) -> None:
    who = requester(team_of(body), body["user"]["id"], body["user"].get("username", ""))
    vote = 1 if action["action_id"] == VOTE_UP else -1
    outcome = layer.vote(who, action["value"], vote, "button", action_event_id(body, action))
    if outcome.recorded and redraw_digest(layer, body, client):
        if respond is not None:  # the channel sees the count; the voter sees their vote
            respond(text=outcome.text, response_type="ephemeral", replace_original=False)
    elif outcome.recorded:
        redraw(body, outcome, client, respond, lambda: home_view(layer.home(who)))
    elif outcome.text and respond is not None:
        # Not a replay but a refusal (e.g. a paper since deleted): say so, privately.
        respond(text=f"⚠️ {outcome.text}", response_type="ephemeral", replace_original=False)


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
