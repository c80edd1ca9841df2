"""A local fake of the Discord REST API and gateway, so the real discord.py client can be driven
end to end on 127.0.0.1 with no internet.

It records every REST request (method, path, JSON body or multipart `payload_json`) and every
gateway frame the client sends, keeps the messages "posted" so a later interaction can carry
them back, and can be told to fail: DMs closed for a user (403, code 50007) or a one-off 429
(with a `Via` header, as Discord's edge sends it; without one discord.py assumes a Cloudflare ban).
Responses carry `Content-Type: application/json` exactly, which discord.py checks literally.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from tests.bots.discord.fake_events import APP_ID, BOT_USER, UserActions, user_payload

API = "/api/v10"
TIMESTAMP = "2025-11-04T09:00:00.000000+00:00"


@dataclass
class Recorded:
    method: str
    path: str
    body: Any
    query: dict[str, str]
    status: int
    files: list[str] = field(default_factory=list)
    authorization: str | None = None


@dataclass
class Failure:
    method: str
    pattern: str
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    after: int = 0  # matching requests to let through first


def json_response(
    data: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return web.Response(body=json.dumps(data).encode(), status=status, headers=all_headers)


class FakeDiscord(UserActions):
    """Start with `await fake.start()`; `rest_base` / `gateway_url` are what discord.py is pointed
    at. `requests` and `frames` hold what the client sent."""

    def __init__(self) -> None:
        self.requests: list[Recorded] = []
        self.frames: list[dict[str, Any]] = []
        self.messages: dict[str, dict[str, Any]] = {}
        self.dm_channels: dict[str, str] = {}  # user id -> channel id
        self.closed_dms: set[str] = set()
        self.failures: list[Failure] = []
        self.originals: dict[str, str] = {}  # interaction token -> message id of @original
        self.interaction_channels: dict[str, str] = {}
        self.ephemeral_tokens: set[str] = set()  # deferred "only you can see this" responses
        self.identified = asyncio.Event()
        self.resumed = asyncio.Event()
        self._ids = itertools.count(1_100_000_000_000_000_000)
        self._seq = itertools.count(1)
        self._ws: web.WebSocketResponse | None = None
        self._runner: web.AppRunner | None = None
        self._sockets: set[web.WebSocketResponse] = set()
        self.port = 0

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def rest_base(self) -> str:
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/gateway"

    def new_id(self) -> str:
        return str(next(self._ids))

    # ---- test controls ---------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        pattern: str,
        status: int,
        body: dict[str, Any],
        after: int = 0,
        **headers: str,
    ) -> None:
        """One request matching `method` and the path regex `pattern` gets this answer: the next
        one, or the one after `after` others went through."""
        self.failures.append(Failure(method, pattern, status, body, headers, after))

    def rate_limit_next(
        self, method: str, pattern: str, retry_after: float = 0.01, after: int = 0
    ) -> None:
        """A 429 as Discord sends it: JSON body with retry_after, and a Via header."""
        body = {"message": "Rate limited.", "retry_after": retry_after, "global": False}
        headers = {"Via": "1.1 google", "Retry-After": "1", "X-RateLimit-Scope": "user"}
        self.fail_next(method, pattern, 429, body, after, **headers)

    async def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway DISPATCH to the connected client."""
        if self._ws is None:
            raise RuntimeError("no client connected to the fake gateway")
        await self._ws.send_str(json.dumps({"op": 0, "t": event, "s": next(self._seq), "d": data}))

    async def drop_gateway(self) -> None:
        """Close the socket the way a network blip does; the client reconnects and resumes."""
        if self._ws is not None:
            self.identified.clear()
            self.resumed.clear()
            await self._ws.close(code=4000, message=b"dropped by the test")

    def posted(self, channel_id: str | None = None) -> list[Recorded]:
        """Successful channel messages (DMs), in order."""
        pattern = re.compile(rf"{API}/channels/(\d+)/messages$")
        out = []
        for r in self.requests:
            match = pattern.match(r.path)
            wanted = match is not None and channel_id in (None, match.group(1))
            if r.method == "POST" and r.status == 200 and wanted:
                out.append(r)
        return out

    def calls(self, method: str, pattern: str) -> list[Recorded]:
        regex = re.compile(pattern)
        return [r for r in self.requests if r.method == method and regex.search(r.path)]

    # ---- gateway ---------------------------------------------------------------------------

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        self._sockets.add(ws)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 45000}}))
        async for msg in ws:
            if msg.type is not WSMsgType.TEXT:
                continue
            frame = json.loads(msg.data)
            self.frames.append(frame)
            await self._answer_frame(ws, frame)
        self._sockets.discard(ws)
        return ws

    async def _answer_frame(self, ws: web.WebSocketResponse, frame: dict[str, Any]) -> None:
        op = frame.get("op")
        if op == 1:
            await ws.send_str(json.dumps({"op": 11}))
        elif op == 2:
            ready = {
                "v": 10,
                "user": BOT_USER,
                "guilds": [],
                "session_id": "fake-session",
                "resume_gateway_url": self.gateway_url,
                "application": {"id": APP_ID, "flags": 0},
            }
            await ws.send_str(json.dumps({"op": 0, "t": "READY", "s": next(self._seq), "d": ready}))
            self.identified.set()
        elif op == 6:
            resumed = {"op": 0, "t": "RESUMED", "s": next(self._seq), "d": {}}
            await ws.send_str(json.dumps(resumed))
            self.resumed.set()

    # ---- REST ------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        body, files = await self._read_body(request)
        auth = request.headers.get("Authorization")
        record = Recorded(request.method, request.path, body, dict(request.query), 0, files, auth)
        self.requests.append(record)
        response = self._planned_failure(request) or self._route(request, body)
        record.status = response.status
        return response

    async def _read_body(self, request: web.Request) -> tuple[Any, list[str]]:
        if request.content_type.startswith("multipart/"):
            form = await request.post()
            files = [v.filename for k, v in form.items() if hasattr(v, "filename")]
            raw = form.get("payload_json")
            return (json.loads(raw) if isinstance(raw, str) else None), files
        text = await request.text()
        return (json.loads(text) if text else None), []

    def _planned_failure(self, request: web.Request) -> web.Response | None:
        for failure in self.failures:
            if failure.method == request.method and re.search(failure.pattern, request.path):
                if failure.after > 0:
                    failure.after -= 1
                    continue
                self.failures.remove(failure)
                return json_response(failure.body, failure.status, failure.headers)
        return None

    def _route(self, request: web.Request, body: Any) -> web.Response:
        path, method = request.path.removeprefix(API), request.method
        if method == "GET" and path == "/users/@me":
            return json_response(BOT_USER)
        if method == "GET" and path == "/oauth2/applications/@me":
            return json_response(self._app_info())
        if method == "PUT" and re.fullmatch(r"/applications/\d+(/guilds/\d+)?/commands", path):
            return json_response([self._command(c, path) for c in body])
        if method == "POST" and path == "/users/@me/channels":
            return json_response(self._dm_channel(str(body["recipient_id"])))
        if match := re.fullmatch(r"/channels/(\d+)/messages", path):
            if method == "GET":
                return json_response(self._history(match.group(1), int(request.query["limit"])))
            return self._channel_message(match.group(1), body)
        if match := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", path):
            return self._existing_message(method, match.group(2), body)
        if re.fullmatch(r"/interactions/\d+/[^/]+/callback", path):
            return json_response(self._callback(path, body))
        if match := re.fullmatch(r"/webhooks/\d+/([^/]+)(/messages/@original)?", path):
            return self._webhook(method, match.group(1), match.group(2) is not None, body)
        return json_response({"message": "404: Not Found", "code": 0}, 404)

    def _app_info(self) -> dict[str, Any]:
        return {
            "id": APP_ID,
            "name": "paperbot",
            "icon": None,
            "description": "",
            "bot_public": True,
            "bot_require_code_grant": False,
            "owner": user_payload(1, "owner"),
            "verify_key": "00",
            "flags": 0,
        }

    def _command(self, command: dict[str, Any], path: str) -> dict[str, Any]:
        out = {**command, "id": self.new_id(), "application_id": APP_ID, "version": "1"}
        if match := re.search(r"/guilds/(\d+)/", path):
            out["guild_id"] = match.group(1)
        return out

    def _dm_channel(self, user_id: str) -> dict[str, Any]:
        channel_id = self.dm_channels.setdefault(user_id, self.new_id())
        return {
            "id": channel_id,
            "type": 1,
            "last_message_id": None,
            "recipients": [user_payload(int(user_id))],
        }

    def _channel_message(self, channel_id: str, body: Any) -> web.Response:
        recipient = next((u for u, c in self.dm_channels.items() if c == channel_id), None)
        if recipient in self.closed_dms:
            error = {"message": "Cannot send messages to this user", "code": 50007}
            return json_response(error, 403)
        return json_response(self.store_message(channel_id, body))

    def _history(self, channel_id: str, limit: int) -> list[dict[str, Any]]:
        """A channel's messages, newest first, as Discord returns them."""
        mine = [m for m in self.messages.values() if m["channel_id"] == channel_id]
        return sorted(mine, key=lambda m: int(m["id"]), reverse=True)[:limit]

    def store_message(self, channel_id: str, body: Any, message_id: str | None = None) -> dict:
        body = body or {}
        message = {
            "id": message_id or self.new_id(),
            "channel_id": channel_id,
            "type": 0,
            "content": body.get("content") or "",
            "author": BOT_USER,
            "timestamp": TIMESTAMP,
            "edited_timestamp": None,
            "tts": False,
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": [],
            "embeds": body.get("embeds") or [],
            "components": body.get("components") or [],
            "pinned": False,
            "flags": body.get("flags") or 0,
        }
        self.messages[message["id"]] = message
        return message

    def _existing_message(self, method: str, message_id: str, body: Any) -> web.Response:
        message = self.messages.get(message_id)
        if message is None:
            return json_response({"message": "Unknown Message", "code": 10008}, 404)
        if method == "DELETE":
            del self.messages[message_id]
            return web.Response(status=204)
        for key in ("content", "embeds", "components"):
            if body and key in body:
                message[key] = body[key] or ([] if key != "content" else "")
        return json_response(message)

    def _callback(self, path: str, body: Any) -> dict[str, Any]:
        interaction_id, token = path.split("/")[2:4]
        kind = body.get("type") if body else None
        flags = ((body or {}).get("data") or {}).get("flags") or 0
        if flags & 64:
            self.ephemeral_tokens.add(token)
        return {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(flags & 64),
            },
            "resource": {"type": kind},
        }

    def _webhook(self, method: str, token: str, original: bool, body: Any) -> web.Response:
        """Follow-ups (POST) are new messages; `@original` is the deferred response of a command
        or, for a button click, the message the button is on."""
        channel_id = self.interaction_channels.get(token, "0")
        if not original:
            return json_response(self.store_message(channel_id, body))
        target = self.originals.get(token)
        if method == "DELETE":
            if target is not None:
                self.messages.pop(target, None)
            return web.Response(status=204)
        if target is None or target not in self.messages:
            flags = 64 if token in self.ephemeral_tokens else 0
            target = self.store_message(channel_id, {"flags": flags})["id"]
            self.originals[token] = target
        return self._existing_message("PATCH", target, body)
