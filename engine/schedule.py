"""When is a user's daily delivery due? Pure time logic, no clock reads.

Why a module of its own: "09:00 Europe/Berlin" must stay 09:00 on the wall clock on both sides
of a daylight-saving change, Pacific/Auckland is a calendar day ahead of UTC, and a process that
was down must catch up missed deliveries within a grace window but never days later. All of that
is easy to get subtly wrong, so it lives here, in functions that take `now` as an argument and are
tested with a fake clock.

A *slot* is one scheduled delivery: a user's local date and the instant (UTC) of their send time
on that date. The planner looks at the slots that fell in `(since, now]` (since = the previous
planning run): a slot at most `grace` old is due; an older one was missed and is skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from recommender.domain import DAILY, WEEKDAYS, InvalidInputError, User

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MAX_LOOKBACK_DAYS = 14  # a process down for longer than this only logs the last two weeks
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


@dataclass(frozen=True, slots=True)
class Slot:
    """One scheduled delivery: `at` is the aware UTC instant of the user's local send time."""

    user_key: str
    local_date: date
    at: datetime

    def late_by(self, now: datetime) -> timedelta:
        return now - self.at


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    """The tz database entry for `name`; InvalidInputError (with suggestions) when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        hint = suggest_timezones(name)
        extra = f" Did you mean {', '.join(hint)}?" if hint else ""
        raise InvalidInputError(
            f"unknown timezone {name!r}: use an IANA name such as Europe/Berlin.{extra}"
        ) from exc


def suggest_timezones(text: str, limit: int = 3) -> list[str]:
    """`berlin` -> `Europe/Berlin`: names whose last part matches, for a friendlier error."""
    needle = text.strip().lower().replace(" ", "_")
    if not needle:
        return []
    names = sorted(available_timezones())
    exact = [n for n in names if n.lower().rsplit("/", 1)[-1] == needle]
    partial = [n for n in names if needle in n.lower() and n not in exact]
    return (exact + partial)[:limit]


def parse_send_time(text: str) -> time:
    """`9:00` / `09:00` -> time(9, 0). 24-hour clock; anything else is an InvalidInputError."""
    match = _TIME.match(text.strip())
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise InvalidInputError(f"{text!r} is not a time: use HH:MM on a 24-hour clock, e.g. 08:30")


def parse_timezone(text: str) -> str:
    """Validate an IANA timezone name and return it as the tz database spells it."""
    name = text.strip()
    zone(name)
    return name


def parse_days(text: str) -> tuple[int, ...]:
    """`weekdays`, `daily`, or a comma list of day names (`mon,wed,fri`) -> weekday numbers."""
    word = text.strip().lower()
    if word in ("weekdays", "workdays"):
        return WEEKDAYS
    if word in ("daily", "everyday", "every-day"):
        return DAILY
    days: set[int] = set()
    for part in word.split(","):
        name = part.strip()[:3]
        if name not in DAY_NAMES:
            raise InvalidInputError(
                f"{text!r} is not a set of days: use `weekdays`, `daily` or e.g. `mon,wed,fri`"
            )
        days.add(DAY_NAMES.index(name))
    return tuple(sorted(days))


def looks_like_days(text: str) -> bool:
    """True when `text` reads as days, so `subscribe` takes its arguments in any order."""
    try:
        parse_days(text)
    except InvalidInputError:
        return False
    return True


def describe_days(weekdays: tuple[int, ...]) -> str:
    if tuple(sorted(weekdays)) == WEEKDAYS:
        return "weekdays"
    if tuple(sorted(weekdays)) == DAILY:
        return "daily"
    return ",".join(DAY_NAMES[d] for d in sorted(weekdays)) or "never"


def describe(user: User) -> dict[str, str]:
    """A user's delivery settings in words, for `settings`, the home tab and `export`."""
    if not user.subscribed:
        status = "unsubscribed"
    elif user.paused_until is not None:
        status = f"paused (back on {user.paused_until.isoformat()})"
    else:
        status = "subscribed"
    return {
        "status": status,
        "send time": user.send_time.strftime("%H:%M"),
        "timezone": user.timezone,
        "days": describe_days(user.weekdays),
        "picks per day": str(user.picks_per_day),
    }


def local_now(timezone: str, now: datetime) -> datetime:
    """`now` (aware) on the wall clock of `timezone`."""
    return now.astimezone(zone(timezone))


def local_date(timezone: str, now: datetime) -> date:
    """The calendar date a person in `timezone` sees at `now`."""
    return local_now(timezone, now).date()


def scheduled_at(user: User, day: date) -> datetime:
    """The UTC instant of the user's send time on local date `day`.

    zoneinfo applies the offset in force on that date, so 09:00 Europe/Berlin is 08:00 UTC in
    winter and 07:00 UTC in summer. A send time that does not exist (the spring-forward gap) is
    read with the offset before the change (PEP 495, fold=0), i.e. one hour later on the wall
    clock; an ambiguous one (autumn) is the first occurrence.
    """
    wall = datetime.combine(day, user.send_time, tzinfo=zone(user.timezone))
    return wall.astimezone(UTC)


def receives_on(user: User, day: date) -> bool:
    """Subscribed, a chosen weekday, and not paused. `paused_until` is the first day back."""
    if not user.subscribed or user.undeliverable:
        return False
    if user.paused_until is not None and day < user.paused_until:
        return False
    return day.weekday() in user.weekdays


def slots_between(user: User, since: datetime, now: datetime) -> list[Slot]:
    """The user's scheduled deliveries whose instant falls in `(since, now]`, oldest first."""
    if now <= since:
        return []
    first = local_date(user.timezone, max(since, now - timedelta(days=MAX_LOOKBACK_DAYS)))
    last = local_date(user.timezone, now)
    slots: list[Slot] = []
    day = first - timedelta(days=1)
    while day <= last:
        at = scheduled_at(user, day)
        if since < at <= now and receives_on(user, day):
            slots.append(Slot(user.user_key, day, at))
        day += timedelta(days=1)
    return slots


def split_due(
    user: User, since: datetime, now: datetime, grace: timedelta
) -> tuple[Slot | None, list[Slot]]:
    """(the slot to deliver now, the slots missed beyond the grace window).

    Only the most recent slot can be due: a user never gets two days of picks in one go.
    """
    slots = slots_between(user, since, now)
    if not slots:
        return None, []
    latest = slots[-1]
    if latest.late_by(now) <= grace:
        return latest, slots[:-1]
    return None, slots


def sweep(
    users: Iterable[User], since: datetime | None, now: datetime, grace: timedelta
) -> tuple[list[tuple[User, Slot]], list[Slot]]:
    """One planning run's view of time: each user's due slot, and every slot missed beyond
    grace, among the slots in `(since, now]`. `since` None (a first run) looks back `grace`."""
    start = since if since is not None else now - grace - timedelta(microseconds=1)
    due: list[tuple[User, Slot]] = []
    missed: list[Slot] = []
    for user in users:
        slot, late = split_due(user, start, now, grace)
        missed += late
        if slot is not None:
            due.append((user, slot))
    return due, missed


def is_due(user: User, now: datetime, grace: timedelta) -> Slot | None:
    """The slot due at `now` when nothing was planned before (first run, or a fresh process)."""
    due, _ = sweep([user], None, now, grace)
    return due[0][1] if due else None


def next_delivery(user: User, now: datetime) -> datetime | None:
    """When the user's next picks arrive (UTC), for `settings`; None when never."""
    start = local_date(user.timezone, now)
    for offset in range(0, 400):
        day = start + timedelta(days=offset)
        if receives_on(user, day):
            at = scheduled_at(user, day)
            if at > now:
                return at
    return None
