"""Plays Slack's side of HTTP mode: builds the payloads Slack sends for slash commands, button
clicks and events, signs them like Slack does (v0 HMAC-SHA256 over `v0:<ts>:<body>`), and POSTs
them to the running Bolt app over real HTTP.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from itertools import count
from typing import Any
from urllib.parse import urlencode

from tests.bots.slack.fake_slack_api import TEAM_ID

SIGNING_SECRET = "test-signing-secret"
_ids = count(1)


def sign(secret: str, timestamp: int | str, body: str) -> str:
    digest = hmac.new(secret.encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256)
    return "v0=" + digest.hexdigest()


class SlackSim:
    def __init__(self, url: str, response_url: str, secret: str = SIGNING_SECRET) -> None:
        self.url = url
        self.response_url = response_url
        self.secret = secret

    def post(
        self,
        body: str,
        content_type: str,
        *,
        age_seconds: int = 0,
        signature: str | None = None,
        timestamp: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        """POST a signed body; `age_seconds` back-dates the timestamp, `signature` forges one,
        `timestamp` sends that header verbatim (signed over its text)."""
        stamp = timestamp if timestamp is not None else str(int(time.time()) - age_seconds)
        request = urllib.request.Request(self.url, data=body.encode(), method="POST")
        request.add_header("Content-Type", content_type)
        request.add_header("X-Slack-Request-Timestamp", stamp)
        request.add_header("X-Slack-Signature", signature or sign(self.secret, stamp, body))
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def slash(self, text: str, user: str = "U1", **kw: Any) -> tuple[int, str]:
        form = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "team_domain": "lab",
            "channel_id": "C1",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/papers",
            "text": text,
            "response_url": self.response_url,
            "trigger_id": f"trig-{next(_ids)}",
            "api_app_id": "A1",
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded", **kw)

    def click(
        self,
        action_id: str,
        paper_id: str,
        message: dict[str, Any],
        channel: str,
        user: str = "U1",
        ephemeral: bool = False,
        block_id: str | None = None,
    ) -> tuple[int, str]:
        payload = {
            "type": "block_actions",
            "team": {"id": TEAM_ID, "domain": "lab"},
            "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
            "api_app_id": "A1",
            "trigger_id": f"trig-{next(_ids)}",
            "container": {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": channel,
                "is_ephemeral": ephemeral,
            },
            "channel": {"id": channel},
            "message": message,
            "response_url": self.response_url,
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": block_id or f"vote:{paper_id}",
                    "value": paper_id,
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded")

    def event(
        self, event: dict[str, Any], event_id: str | None = None, **kw: Any
    ) -> tuple[int, str]:
        envelope = {
            "token": "legacy",
            "team_id": TEAM_ID,
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM_ID, "user_id": "U0BOT", "is_bot": True}],
        }
        return self.post(json.dumps(envelope), "application/json", **kw)

    def reaction(
        self, name: str, channel: str, ts: str, added: bool = True, user: str = "U1", **kw: Any
    ) -> tuple[int, str]:
        event = {
            "type": "reaction_added" if added else "reaction_removed",
            "user": user,
            "reaction": name,
            "item": {"type": "message", "channel": channel, "ts": ts},
            "item_user": "U0BOT",
            "event_ts": f"{time.time():.6f}",
        }
        return self.event(event, **kw)
