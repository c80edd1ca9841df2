"""Posting a user's daily picks as Slack DMs, for the delivery worker.

The worker (engine/delivery.py) calls `send_picks` from its own thread and reads the outcome from
what it returns or raises: `SentMessage` with one `<channel>:<ts>` per card, `Undeliverable` when
Slack refuses for good (no DM possible), `TemporaryFailure` when trying again later may work.
429s are retried inside the WebClient by slack_sdk's RateLimitErrorRetryHandler, which honours
Retry-After; only when those retries run out does a rate limit become a TemporaryFailure.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bots.slack.blocks import picks_payloads
from bots.slack.ids import PLATFORM, message_id, split_user_key
from engine.chat import PicksMessage, SentMessage, TemporaryFailure, Undeliverable
from engine.teams import digest_channel, is_digest

log = logging.getLogger(__name__)

HISTORY_LOOKBACK = 50  # messages of the DM searched after a crash (a day's picks are ~6)
NO_HISTORY = frozenset({"missing_scope", "not_allowed_token_type"})  # no im:history granted

# Errors after which another attempt tomorrow would fail the same way.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "user_disabled",
        "users_not_found",
        "cannot_dm_bot",
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "messages_tab_disabled",
        "user_not_visible",
        "account_inactive",
        "restricted_action",
    }
)


def _posted_cards(messages: list[dict[str, Any]]) -> dict[str, str]:
    """paper id -> ts of each message in `messages` that shows that paper's vote buttons."""
    found: dict[str, str] = {}
    for msg in messages:
        for block in msg.get("blocks") or []:
            block_id = str(block.get("block_id", ""))
            if block.get("type") == "actions" and block_id.startswith("vote:"):
                found.setdefault(block_id.removeprefix("vote:"), str(msg.get("ts")))
    return found


def _error_code(exc: SlackApiError) -> str:
    data: Any = exc.response.data if exc.response is not None else {}
    return str(data.get("error", "")) if isinstance(data, dict) else ""


class SlackNotifier:
    """Implements engine.chat.Notifier for Slack. DM channel ids are cached per user: they never
    change, and it halves the API calls of a daily run."""

    platform = PLATFORM

    def __init__(self, client: WebClient) -> None:
        self.client = client
        self._dm_channels: dict[str, str] = {}
        self._lock = threading.Lock()

    def send_picks(self, message: PicksMessage) -> SentMessage:
        """A person's picks go to their DM; a team digest to its channel (the bot must be a
        member, or have chat:write.public for a public channel: else `not_in_channel`, which
        is Undeliverable).

        The header and each card are separate messages, so a failure on card 2 leaves the
        header and card 1 posted. The ledger counts that attempt (`message.attempt`), and the
        next one resumes: the parts already in the channel are reused, only the rest posted."""
        channel = self.channel_for(message.user_key)
        payloads = picks_payloads(message)
        done = self._posted_parts(channel, message) if message.attempt else {}
        ids = [done.get(i) or self._post(channel, payload) for i, payload in enumerate(payloads)]
        # The header message shows no paper; the ledger wants one id per card, in card order.
        return SentMessage(channel_id=channel, message_ids=tuple(ids[1:]))

    def find_sent(self, message: PicksMessage) -> SentMessage | None:
        """After a crash mid-send: did these picks reach the DM already? (ReceiptChecker.)

        A paper is never picked twice for one user, so a recent bot message carrying the vote
        buttons of each card proves the send. Anything missing is None: the worker puts the row
        back with one more attempt, and that send resumes where this one stopped. (For a team
        digest that needs channels:history, which the manifest does not ask for: a digest
        interrupted mid-send is posted again.)"""
        try:
            channel = self.channel_for(message.user_key)
            done = self._posted_parts(channel, message)
        except (Undeliverable, TemporaryFailure) as exc:
            log.info("cannot check earlier sends (%s); will resend", exc)
            return None
        parts = range(1, len(message.cards) + 1) if message.cards else range(1)
        if any(i not in done for i in parts):
            return None
        return SentMessage(channel, tuple(done[i] for i in parts) if message.cards else ())

    def _posted_parts(self, channel: str, message: PicksMessage) -> dict[int, str]:
        """Which parts of `message` (0 = header, i = card i) are among the channel's recent
        messages, with their ids. Without `im:history` nothing can be seen, so nothing is
        found (and the send posts everything, as before the ledger counted attempts)."""
        try:
            history = self._call("conversations_history", channel=channel, limit=HISTORY_LOOKBACK)
        except TemporaryFailure as exc:
            if str(exc) not in NO_HISTORY:
                raise
            log.warning("cannot read the DM to resume a send (%s); posting it whole", exc)
            return {}
        messages = history.get("messages") or []
        ts_by_paper = _posted_cards(messages)
        found = {
            i: message_id(channel, ts_by_paper[card.paper_id])
            for i, card in enumerate(message.cards, start=1)
            if card.paper_id in ts_by_paper
        }
        header_text = picks_payloads(message)[0]["text"]
        header = next((m for m in messages if m.get("text") == header_text), None)
        if header is not None:
            found[0] = message_id(channel, str(header.get("ts")))
        return found

    def channel_for(self, user_key: str) -> str:
        """Where a user's picks go: the team digest's channel, or the person's DM."""
        if is_digest(user_key):
            return digest_channel(user_key)
        _team, user_id = split_user_key(user_key)
        return self.dm_channel(user_id)

    def dm_channel(self, user_id: str) -> str:
        with self._lock:
            cached = self._dm_channels.get(user_id)
        if cached:
            return cached
        response = self._call("conversations_open", users=user_id)
        channel = str(response["channel"]["id"])
        with self._lock:
            self._dm_channels[user_id] = channel
        return channel

    def _post(self, channel: str, payload: dict[str, Any]) -> str:
        response = self._call("chat_postMessage", channel=channel, unfurl_links=False, **payload)
        return message_id(str(response["channel"]), str(response["ts"]))

    def _call(self, method: str, **kwargs: Any) -> Any:
        """One Web API call with Slack's errors sorted into the engine's two kinds."""
        try:
            return getattr(self.client, method)(**kwargs)
        except SlackApiError as exc:
            code = _error_code(exc)
            if code in PERMANENT_ERRORS:
                raise Undeliverable(code) from exc
            status = exc.response.status_code if exc.response is not None else None
            log.warning("slack %s failed (%s, status %s); will retry later", method, code, status)
            raise TemporaryFailure(code or f"http {status}") from exc
        except (SlackClientError, OSError) as exc:
            log.warning("slack %s failed: %s; will retry later", method, type(exc).__name__)
            raise TemporaryFailure(type(exc).__name__) from exc
