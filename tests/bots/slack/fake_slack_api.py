"""A local fake of the Slack Web API (and of response_url) on 127.0.0.1, recording every call.

Why: the end-to-end tests run the real Bolt app and the real slack_sdk WebClient, so they need
something that speaks HTTP like slack.com: form or JSON bodies in, `{"ok": ...}` JSON out, 429s
with Retry-After when told to. Tests assert on `calls` (what Slack would have received).
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

TEAM_ID = "T0TEAM"
BOT_USER_ID = "U0BOT"


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    status: int = 200


@dataclass
class Scripted:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class FakeSlackApi:
    """Start with `start()`; `base_url` goes to WebClient(base_url=...)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.closed_dms: set[str] = set()
        self.history: dict[str, list[dict[str, Any]]] = defaultdict(list)  # newest first
        self._scripted: dict[str, deque[Scripted | None]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._ts = 0
        self.socket_url = ""  # what apps.connections.open hands out (Socket Mode tests)
        self.slow: dict[str, tuple[float, float]] = {}  # method -> seconds (min, max) it takes
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/"

    def response_url(self, name: str = "r1") -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/respond/{name}"

    def start(self) -> FakeSlackApi:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def script(
        self, method: str, status: int, body: dict[str, Any], after: int = 0, **headers: str
    ) -> None:
        """The next call of `method` (once `after` more have had the default answer) gets this
        answer instead; status 0 drops the connection without answering."""
        queue = self._scripted[method]
        queue.extend([None] * after)
        queue.append(Scripted(status, body, dict(headers)))

    def calls_to(self, method: str, status: int | None = 200) -> list[Call]:
        with self._lock:
            return [
                c
                for c in self.calls
                if c.method == method and (status is None or c.status == status)
            ]

    def _next_ts(self) -> str:
        with self._lock:
            self._ts += 1
            return f"1700000000.{self._ts:06d}"

    def answer(self, method: str, params: dict[str, Any]) -> tuple[int, dict[str, Any], dict]:
        with self._lock:
            queue = self._scripted.get(method)
            scripted = queue.popleft() if queue else None
        if scripted is not None:
            return scripted.status, scripted.body, scripted.headers
        return 200, self._default(method, params), {}

    def _default(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {"ok": True, "team_id": TEAM_ID, "user_id": BOT_USER_ID, "bot_id": "B0BOT"}
        if method == "conversations.open":
            user = str(params.get("users", ""))
            if user in self.closed_dms:
                return {"ok": False, "error": "cannot_dm_bot"}
            return {"ok": True, "channel": {"id": f"D{user}"}}
        if method == "chat.postMessage":
            ts = self._next_ts()
            posted = {"type": "message", "bot_id": "B0BOT", "ts": ts, **params}
            with self._lock:
                self.history[str(params.get("channel"))].insert(0, posted)
            return {"ok": True, "channel": params.get("channel"), "ts": ts}
        if method == "chat.update":
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method == "conversations.history":
            with self._lock:
                messages = list(self.history[str(params.get("channel"))])
            return {"ok": True, "messages": messages[: int(params.get("limit", 100))]}
        if method == "apps.connections.open":
            return {"ok": True, "url": self.socket_url}
        if method.startswith("respond/"):
            return {"ok": True}
        return {"ok": True}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                params = _parse(raw, self.headers.get("Content-Type", ""))
                method = self.path.removeprefix("/api/").lstrip("/")
                if method in fake.slow:
                    time.sleep(random.uniform(*fake.slow[method]))
                status, body, headers = fake.answer(method, params)
                with fake._lock:
                    fake.calls.append(Call(method, params, dict(self.headers), status))
                if status == 0:
                    self.close_connection = True
                    return
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                for name, value in headers.items():
                    self.send_header(name.replace("_", "-"), value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
                return

        return Handler


def _parse(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        return json.loads(raw) if raw else {}
    parsed = {k: v[0] for k, v in parse_qs(raw).items()}
    for key in ("blocks", "view"):
        if isinstance(parsed.get(key), str):
            parsed[key] = json.loads(parsed[key])
    return parsed
