"""The one error policy for Slack listeners: the traceback goes to the log, the user gets a short
sentence (privately, when there is a response_url to answer on).

Listeners catch their own errors with `reported(...)` instead of letting them reach Bolt: the
work runs as a lazy function after the ack, where Bolt would only log the error and the user
would never hear of it. Bolt's global error hook logs through the same policy but never answers
(see bots/slack/app.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt import Respond

from recommender.domain import PaperbotError

log = logging.getLogger(__name__)

FRIENDLY_ERROR = "Sorry, something went wrong on paperbot's side. It has been logged."


def tell_user(error: Exception, respond: Respond | None) -> None:
    if isinstance(error, PaperbotError):
        text = f"⚠️ {error}"
        log.info("slack request refused: %s", error)
    else:
        text = FRIENDLY_ERROR
        log.error("slack listener failed", exc_info=error)
    if respond is None:
        return
    try:
        respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception:  # noqa: BLE001 - telling the user is best effort; the log has the error
        log.warning("could not tell the user about the error")


@contextmanager
def reported(respond: Respond | None) -> Iterator[None]:
    """Run a listener's work; any exception is logged and told to the user, never re-raised."""
    try:
        yield
    except Exception as exc:  # noqa: BLE001 - the whole point: one policy for every error
        tell_user(exc, respond)
