"""One person's account: who they are, their schedule and picks settings, interests, their data.

Why a module of its own: these use cases read and write one users row (plus, for `export`, that
user's votes and deliveries) and never touch the model: the ranker reads a user's interests
from their profile on every call, so a changed interest counts at once. Keeping them apart
from PaperService (search, picks, votes, planning) keeps both small, and the service composes
an `Accounts` as `service.accounts`. Like the rest of the core: no SQL, no clock reads (`now`
is an argument), named exceptions for a person's mistakes."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, time, timedelta
from typing import Any

from engine import schedule
from engine.ports import RepositorySet
from engine.settings import ServiceSettings
from recommender.domain import InvalidInputError, NotFoundError, User

MAX_INTERESTS = 20
MAX_INTEREST_CHARS = 100
MAX_UNDELIVERABLE_CHARS = 200


class Accounts:
    """The per-user settings use cases. `repos` is read on every call (never cached): the
    composition root hands in repositories that resolve to the calling thread's connection."""

    def __init__(
        self,
        repos: RepositorySet,
        settings: ServiceSettings,
        on_forget: Callable[[str], None] | None = None,
    ) -> None:
        """`on_forget(user_key)`: runs after `forget` deleted the user's rows, to erase what is
        stored outside the repositories (the model files)."""
        self._repos = repos
        self.settings = settings
        self.on_forget = on_forget

    # -- who ----------------------------------------------------------------------------------

    def ensure(self, user_key: str, display_name: str, now: datetime) -> tuple[User, bool]:
        """The user, created with the configured defaults on first contact (then True)."""
        return self._repos.users.ensure(user_key, display_name, now)

    def user(self, user_key: str) -> User:
        found = self._repos.users.get(user_key)
        if found is None:
            raise NotFoundError(f"no such user: {user_key}")
        return found

    def describe(self, user: User, now: datetime) -> dict[str, str]:
        """The settings in words (send time, timezone, days, status, k) and, when there is one,
        when the next picks arrive in the user's local time."""
        words = schedule.describe(user)
        nxt = schedule.next_delivery(user, now)
        if nxt is not None:
            words["next picks"] = f"{schedule.local_now(user.timezone, nxt):%a %d %b %H:%M}"
        return words

    def _change(self, user_key: str, **changes: Any) -> User:
        user = replace(self.user(user_key), **changes)
        self._repos.users.save(user)
        return user

    # -- schedule -----------------------------------------------------------------------------

    def subscribe(
        self,
        user_key: str,
        send_time: time | None = None,
        timezone: str | None = None,
        weekdays: tuple[int, ...] | None = None,
    ) -> User:
        """Daily picks on; what is not given keeps its current value. Ends a pause."""
        user = self.user(user_key)
        if timezone is not None:
            timezone = schedule.parse_timezone(timezone)
        return self._change(
            user_key,
            subscribed=True,
            paused_until=None,
            send_time=send_time or user.send_time,
            timezone=timezone or user.timezone,
            weekdays=weekdays or user.weekdays,
        )

    def subscribe_offer(self, user_key: str, timezone: str | None = None) -> str:
        """The `subscribe ...` command a new user is offered: their send time and days, in
        `timezone` (e.g. the one Slack knows for them) when it is a real zone, else theirs."""
        user = self.user(user_key)
        zone = user.timezone
        if timezone:
            with contextlib.suppress(InvalidInputError):  # not a real zone: keep the user's
                zone = schedule.parse_timezone(timezone)
        days = schedule.describe_days(user.weekdays)
        return f"subscribe {user.send_time:%H:%M} {zone} {days}"

    def unsubscribe(self, user_key: str) -> User:
        return self._change(user_key, subscribed=False)

    def pause(self, user_key: str, now: datetime, days: int | None = None) -> User:
        """No picks for `days` local days starting today; `paused_until` is the first day back."""
        days = self.settings.default_pause_days if days is None else days
        if not 1 <= days <= 365:
            raise InvalidInputError("pause for 1 to 365 days, e.g. `pause 7`")
        today = schedule.local_date(self.user(user_key).timezone, now)
        return self._change(user_key, paused_until=today + timedelta(days=days))

    def resume(self, user_key: str) -> User:
        return self._change(user_key, paused_until=None, subscribed=True)

    def set_k(self, user_key: str, k: int) -> User:
        if not 1 <= k <= self.settings.max_k:
            raise InvalidInputError(f"picks per day must be between 1 and {self.settings.max_k}")
        return self._change(user_key, picks_per_day=k)

    # -- interests ----------------------------------------------------------------------------

    def add_interest(self, user_key: str, text: str) -> User:
        """Add a topic (whitespace normalised; a case-insensitive repeat changes nothing)."""
        interest = " ".join(text.split())
        if not interest:
            raise InvalidInputError(
                "add which interest? e.g. `interests add graph neural networks`"
            )
        if len(interest) > MAX_INTEREST_CHARS:
            raise InvalidInputError(f"keep an interest under {MAX_INTEREST_CHARS} characters")
        user = self.user(user_key)
        if interest.lower() in (i.lower() for i in user.interests):
            return user
        if len(user.interests) >= MAX_INTERESTS:
            raise InvalidInputError(f"at most {MAX_INTERESTS} interests; remove one first")
        return self._change(user_key, interests=(*user.interests, interest))

    def remove_interest(self, user_key: str, text: str) -> User:
        user = self.user(user_key)
        wanted = " ".join(text.split()).lower()
        kept = tuple(i for i in user.interests if i.lower() != wanted)
        if len(kept) == len(user.interests):
            listed = ", ".join(user.interests) or "none yet"
            raise InvalidInputError(f"{text.strip()!r} is not one of your interests ({listed})")
        return self._change(user_key, interests=kept)

    # -- reachability -------------------------------------------------------------------------

    def clear_undeliverable(self, user_key: str) -> User:
        return self._change(user_key, undeliverable=None)

    def mark_undeliverable(self, user_key: str, reason: str) -> None:
        """Remember why the picks could not be sent (told on the next command); a user deleted
        in the meantime is left deleted."""
        if self._repos.users.get(user_key) is not None:
            reason = reason[:MAX_UNDELIVERABLE_CHARS] or "undeliverable"
            self._change(user_key, undeliverable=reason)

    # -- your data ----------------------------------------------------------------------------

    def export(self, user_key: str) -> dict[str, Any]:
        """Everything stored about one user, as JSON-able data (the `export` command)."""
        user = self.user(user_key)
        deliveries = self._repos.ledger.for_user(user_key, limit=100_000)
        return {
            "user": settings_record(user),
            "interests": list(user.interests),
            "votes": self._repos.feedback.votes_for(user_key),
            "vote_history": [dict(row) for row in self._repos.feedback.history_for(user_key)],
            "events": [dict(row) for row in self._repos.feedback.events_for(user_key)],
            "deliveries": [
                {
                    "local_date": d.local_date.isoformat(),
                    "paper_ids": list(d.paper_ids),
                    "status": d.status,
                    "note": d.note,
                }
                for d in deliveries
            ],  # fmt: skip
        }

    def forget(self, user_key: str) -> None:
        """Delete the user and everything stored about them (`forget-me confirm`)."""
        self._repos.users.delete(user_key)
        if self.on_forget is not None:
            self.on_forget(user_key)


def settings_record(user: User) -> dict[str, Any]:
    """A user's row for `export`: stable machine keys and plain values (`picks_per_day: 3`, a
    number), not the display labels `settings` shows, so a script can read it back."""
    return {
        "user_key": user.user_key,
        "name": user.display_name,
        "subscribed": user.subscribed,
        "paused_until": user.paused_until.isoformat() if user.paused_until else None,
        "send_time": user.send_time.strftime("%H:%M"),
        "timezone": user.timezone,
        "weekdays": list(user.weekdays),
        "picks_per_day": user.picks_per_day,
        "undeliverable": user.undeliverable,
        "created_at": user.created_at.isoformat() if user.created_at else None,
    }
