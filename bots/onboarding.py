"""First contact: what paperbot does, and the offer to subscribe, which only the person accepts.

Why a module of its own: nobody gets daily DMs for asking for help once (new users start
unsubscribed, storage/users.py), so the first answer has to explain and offer, on every
platform alike: the offer is a `Reply.confirm` (a button on Slack and Discord) carrying the
`subscribe HH:MM Area/City days` command with the time and timezone to confirm.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from bots.texts import WELCOME, offer_text, welcome_for
from engine.accounts import Accounts
from engine.chat import Reply

log = logging.getLogger(__name__)

TimezoneHint = Callable[[], str | None] | None


def subscribe_offer(accounts: Accounts, user_key: str, timezone: TimezoneHint) -> str:
    """The `subscribe ...` command offered, in the platform's timezone for the person when it
    knows one (a failed lookup never fails the command: the default zone is offered)."""
    hint = None
    if timezone is not None:
        try:
            hint = timezone()
        except Exception:  # a nicety, e.g. Slack's users.info being down
            log.warning("timezone lookup for %s failed", user_key, exc_info=True)
    return accounts.subscribe_offer(user_key, hint)


def welcome_reply(
    accounts: Accounts, user_key: str, timezone: TimezoneHint, name: str, rest: str, reply: Reply
) -> Reply:
    """The first answer: the welcome and the offer (unless the first words subscribed, or the
    reply already asks to confirm something else), then the answer itself."""
    text = welcome_for(name, rest, reply)
    if accounts.user(user_key).subscribed or reply.confirm:
        return replace(reply, text=f"{text}\n\n{reply.text}")
    offer = subscribe_offer(accounts, user_key, timezone)
    return replace(
        reply,
        text=f"{text} {offer_text(offer)}\n\n{reply.text}",
        confirm=offer,
        confirm_label=f"Subscribe: {offer.removeprefix('subscribe ')}",
        confirm_danger=False,
    )


def home_welcome(accounts: Accounts, user_key: str, timezone: TimezoneHint) -> str:
    """The Home tab's welcome: with the offer (as words) while the person is not subscribed."""
    if accounts.user(user_key).subscribed:
        return WELCOME
    return f"{WELCOME} {offer_text(subscribe_offer(accounts, user_key, timezone))}"
