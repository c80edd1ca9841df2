"""paperbot/logs.py: what the redacting handler blanks, including inside a traceback."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

from paperbot.logs import REDACTED, redact
from tests.logs import debug_log, leaks

HOOK = "https://hooks.slack.com/commands/T0/1234/abcdEFGH"


def test_a_response_url_is_blanked_in_json_in_a_form_and_percent_encoded_in_a_payload() -> None:
    as_json = json.dumps({"response_url": HOOK, "text": "hi"})
    as_form = urlencode({"response_url": HOOK, "text": "hi"})
    in_payload = urlencode({"payload": json.dumps({"response_url": "http://x/y", "a": 1})})
    for text in (as_json, as_form, in_payload, f"posting to {HOOK} now"):
        assert leaks(redact(text), HOOK, "http://x/y") == [], text
    assert '"text": "hi"' in redact(as_json)  # only the secret goes


def test_discord_tokens_and_a_socket_mode_ticket_are_blanked_but_the_route_stays() -> None:
    route = "POST http://127.0.0.1/api/v10/interactions/123/aW50ZXJh/callback has returned 204"
    assert (
        redact(route)
        == f"POST http://127.0.0.1/api/v10/interactions/123/{REDACTED}/callback has returned 204"
    )
    assert "tok-1" not in redact("PATCH /webhooks/99/tok-1/messages/@original")
    assert "tok-2" not in redact(str({"id": "1", "token": "tok-2"}))
    assert redact("wss://wss.slack.com/link/?ticket=abc-123&app_id=A1") == (
        f"wss://wss.slack.com/link/?ticket={REDACTED}&app_id=A1"
    )


def test_a_traceback_is_redacted_too() -> None:
    with debug_log() as log:
        try:
            raise RuntimeError(f"cannot reach {HOOK}")
        except RuntimeError:
            logging.getLogger("paperbot.test").exception("failed")
    logged = log.getvalue()
    assert "RuntimeError: cannot reach https://hooks.slack.com/" in logged
    assert leaks(logged, HOOK) == []
