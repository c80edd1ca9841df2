"""Translating Slack identities into paperbot's: user keys, message ids, reaction names.

A Slack message is identified by its channel and timestamp together (`ts` alone repeats across
channels), so the id paperbot stores in the delivery ledger is `<channel>:<ts>`; a reaction
event carries both, which is how a 👍 on a DM maps back to the paper it showed.
"""

from __future__ import annotations

from typing import Any

from engine.chat import Requester
from recommender.domain import InvalidInputError

PLATFORM = "slack"
UP_REACTIONS = frozenset({"+1", "thumbsup"})
DOWN_REACTIONS = frozenset({"-1", "thumbsdown"})


def user_key(team_id: str, user_id: str) -> str:
    return f"{PLATFORM}:{team_id}:{user_id}"


def split_user_key(key: str) -> tuple[str, str]:
    """`slack:T1:U2` -> ("T1", "U2"); anything else is a programming error upstream."""
    parts = key.split(":")
    if len(parts) != 3 or parts[0] != PLATFORM or not parts[1] or not parts[2]:
        raise InvalidInputError(f"not a Slack user key: {key!r}")
    return parts[1], parts[2]


def message_id(channel_id: str, ts: str) -> str:
    return f"{channel_id}:{ts}"


def split_message_id(value: str) -> tuple[str, str]:
    channel, _, ts = value.partition(":")
    if not channel or not ts:
        raise InvalidInputError(f"not a Slack message id: {value!r}")
    return channel, ts


def reaction_vote(reaction: str) -> int | None:
    """+1 / -1 for the thumbs (any skin tone), None for every other emoji."""
    name = reaction.split("::", 1)[0]
    if name in UP_REACTIONS:
        return 1
    if name in DOWN_REACTIONS:
        return -1
    return None


def requester(team_id: str, user_id: str, display_name: str = "") -> Requester:
    return Requester(user_key=user_key(team_id, user_id), display_name=display_name)


def workspace_of(body: dict[str, Any]) -> str:
    """The workspace id, wherever this kind of payload keeps it (commands, actions, events)."""
    team = body.get("team_id") or (body.get("team") or {}).get("id")
    if not team:
        team = (body.get("user") or {}).get("team_id", "")
    return str(team or "")
