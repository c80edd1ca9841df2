"""Pure time logic: local dates, send instants across DST, pause, weekdays, grace."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from engine import schedule
from recommender.domain import DAILY, InvalidInputError, User

GRACE = timedelta(hours=3)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def berlin(**changes: object) -> User:
    base = User("console:anna", timezone="Europe/Berlin", send_time=time(9, 0), weekdays=DAILY)
    return replace(base, **changes)  # type: ignore[arg-type]


def test_berlin_nine_stays_nine_local_across_spring_forward() -> None:
    user = berlin()
    before = schedule.scheduled_at(user, date(2025, 3, 29))  # CET, UTC+1
    after = schedule.scheduled_at(user, date(2025, 3, 31))  # CEST, UTC+2
    assert before == utc(2025, 3, 29, 8, 0)
    assert after == utc(2025, 3, 31, 7, 0)
    for instant in (before, after):
        assert schedule.local_now("Europe/Berlin", instant).time() == time(9, 0)


def test_berlin_nine_stays_nine_local_across_fall_back() -> None:
    user = berlin()
    assert schedule.scheduled_at(user, date(2025, 10, 25)) == utc(2025, 10, 25, 7, 0)
    assert schedule.scheduled_at(user, date(2025, 10, 27)) == utc(2025, 10, 27, 8, 0)


def test_send_time_in_the_spring_gap_is_sent_an_hour_later_on_the_wall_clock() -> None:
    user = berlin(send_time=time(2, 30))
    at = schedule.scheduled_at(user, date(2025, 3, 30))
    assert at == utc(2025, 3, 30, 1, 30)
    assert schedule.local_now("Europe/Berlin", at).time() == time(3, 30)


def test_auckland_user_is_a_day_ahead_of_utc() -> None:
    user = User("console:kiri", timezone="Pacific/Auckland", send_time=time(7, 30))
    now = utc(2025, 6, 1, 19, 35)  # Monday 2 June 07:35 in Auckland (NZST, UTC+12)
    slot = schedule.is_due(user, now, GRACE)
    assert slot is not None
    assert slot.local_date == date(2025, 6, 2)
    assert slot.at == utc(2025, 6, 1, 19, 30)


def test_weekdays_only_user_is_not_due_on_saturday() -> None:
    user = berlin(weekdays=(0, 1, 2, 3, 4))
    assert schedule.is_due(user, utc(2025, 6, 7, 7, 5), GRACE) is None  # Saturday
    assert schedule.is_due(user, utc(2025, 6, 9, 7, 5), GRACE) is not None  # Monday


def test_paused_until_is_the_first_day_back() -> None:
    user = berlin(paused_until=date(2025, 6, 10))
    assert schedule.is_due(user, utc(2025, 6, 9, 7, 5), GRACE) is None
    assert schedule.is_due(user, utc(2025, 6, 10, 7, 5), GRACE) is not None


def test_unsubscribed_and_undeliverable_users_are_never_due() -> None:
    now = utc(2025, 6, 9, 7, 5)
    assert schedule.is_due(berlin(subscribed=False), now, GRACE) is None
    assert schedule.is_due(berlin(undeliverable="dm closed"), now, GRACE) is None


def test_catch_up_within_grace_and_missed_after_it() -> None:
    user = berlin()
    since = utc(2025, 6, 9, 5, 0)  # the process went down before the 07:00 UTC slot
    due, missed = schedule.split_due(user, since, utc(2025, 6, 9, 9, 59), GRACE)
    assert due is not None and due.local_date == date(2025, 6, 9) and missed == []
    due, missed = schedule.split_due(user, since, utc(2025, 6, 9, 10, 1), GRACE)
    assert due is None and [s.local_date for s in missed] == [date(2025, 6, 9)]


def test_down_for_days_delivers_only_today_and_reports_the_rest_missed() -> None:
    user = berlin()
    due, missed = schedule.split_due(user, utc(2025, 6, 5, 12), utc(2025, 6, 9, 7, 30), GRACE)
    assert due is not None and due.local_date == date(2025, 6, 9)
    assert [s.local_date for s in missed] == [date(2025, 6, d) for d in (6, 7, 8)]


def test_slot_is_counted_once_across_adjacent_windows() -> None:
    user = berlin()
    edges = [utc(2025, 6, 9, 6, 0) + timedelta(minutes=m) for m in range(0, 181, 1)]
    found = [
        s
        for a, b in zip(edges, edges[1:], strict=False)
        for s in schedule.slots_between(user, a, b)
    ]
    assert [s.at for s in found] == [utc(2025, 6, 9, 7, 0)]


@pytest.mark.parametrize("text", ["25:00", "9", "09:60", "nine", "", "-1:00"])
def test_bad_times_are_rejected_with_a_hint(text: str) -> None:
    with pytest.raises(InvalidInputError, match="HH:MM"):
        schedule.parse_send_time(text)


def test_good_times_parse() -> None:
    assert schedule.parse_send_time("9:05") == time(9, 5)
    assert schedule.parse_send_time("23:59") == time(23, 59)


def test_unknown_timezone_suggests_the_iana_name() -> None:
    with pytest.raises(InvalidInputError, match="Europe/Berlin"):
        schedule.parse_timezone("Berlin")
    assert schedule.parse_timezone("America/New_York") == "America/New_York"


def test_days_words() -> None:
    assert schedule.parse_days("weekdays") == (0, 1, 2, 3, 4)
    assert schedule.parse_days("daily") == DAILY
    assert schedule.parse_days("mon,wed,fri") == (0, 2, 4)
    assert schedule.describe_days((0, 2, 4)) == "mon,wed,fri"
    with pytest.raises(InvalidInputError):
        schedule.parse_days("sometimes")


def test_next_delivery_skips_paused_days() -> None:
    user = berlin(paused_until=date(2025, 6, 12))
    assert schedule.next_delivery(user, utc(2025, 6, 9, 12)) == utc(2025, 6, 12, 7, 0)
