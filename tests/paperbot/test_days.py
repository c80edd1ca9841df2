"""Walking the delivery scheduler through simulated days with a fake clock, over real SQLite."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.paperbot.sim import Sim

BERLIN, AUCKLAND = ZoneInfo("Europe/Berlin"), ZoneInfo("Pacific/Auckland")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_berlin_nine_oclock_across_dst_and_auckland_on_its_own_calendar(tmp_path) -> None:
    sim = Sim(tmp_path, utc(2025, 3, 27, 0, 0))
    sim.add_papers(date(2025, 3, 27))
    sim.say("console:anna", "subscribe 09:00 Europe/Berlin daily")
    sim.say("console:kiri", "subscribe 07:30 Pacific/Auckland daily")
    sim.run_until(utc(2025, 4, 1, 12, 0))  # Berlin springs forward on Sunday 30 March

    anna = sim.sent_to("console:anna")
    expected = [date(2025, 3, 27) + timedelta(days=n) for n in range(6)]  # to Tuesday 1 April
    assert [s.message.local_date for s in anna] == expected
    for sent in anna:
        local = sent.at.astimezone(BERLIN)
        assert local.date() == sent.message.local_date
        assert time(9, 0) <= local.time() < time(9, 10)  # one 10-minute tick after 09:00
    assert anna[2].at.utcoffset() == timedelta(0)
    assert anna[2].at.hour == 8 and anna[4].at.hour == 7  # CET before, CEST after

    kiri = sim.sent_to("console:kiri")
    for sent in kiri:
        local = sent.at.astimezone(AUCKLAND)
        assert local.date() == sent.message.local_date
        assert time(7, 30) <= local.time() < time(7, 40)
    assert kiri[0].message.local_date == date(2025, 3, 28)  # already Friday there at 18:30 UTC
    assert len({s.message.local_date for s in kiri}) == len(kiri)


def test_paused_user_gets_nothing_until_the_first_day_back(tmp_path) -> None:
    sim = Sim(tmp_path, utc(2025, 6, 9, 0, 0))  # Monday
    sim.add_papers(date(2025, 6, 9))
    sim.say("console:anna", "subscribe 09:00 Europe/Berlin daily")
    sim.say("console:anna", "pause 2")  # Monday and Tuesday off, back on Wednesday
    sim.run_until(utc(2025, 6, 12, 12, 0))
    days = [s.message.local_date for s in sim.sent_to("console:anna")]
    assert days == [date(2025, 6, 11), date(2025, 6, 12)]


def test_weekday_subscriber_skips_the_weekend(tmp_path) -> None:
    sim = Sim(tmp_path, utc(2025, 6, 6, 0, 0))  # Friday
    sim.add_papers(date(2025, 6, 6))
    sim.say("console:anna", "subscribe 09:00 Europe/Berlin weekdays")
    sim.run_until(utc(2025, 6, 9, 12, 0))
    days = [s.message.local_date for s in sim.sent_to("console:anna")]
    assert days == [date(2025, 6, 6), date(2025, 6, 9)]


@pytest.mark.parametrize("empty_day", ["skip", "note"])
def test_days_without_new_papers_never_resend_old_picks(tmp_path, empty_day: str) -> None:
    sim = Sim(tmp_path, utc(2025, 6, 9, 0, 0), empty_day=empty_day)
    sim.add_papers(date(2025, 6, 9), n=5)  # enough for one day and a bit (k = 3)
    sim.say("console:anna", "subscribe 09:00 Europe/Berlin daily")
    sim.run_until(utc(2025, 6, 12, 12, 0), new_papers=False)
    sent = sim.sent_to("console:anna")
    ids = [c.paper_id for s in sent for c in s.message.cards]
    assert len(ids) == len(set(ids)) == 5  # every paper once, none twice
    assert [len(s.message.cards) for s in sent[:2]] == [3, 2]
    if empty_day == "skip":
        assert len(sent) == 2
    else:
        notes = sent[2:]
        assert [s.message.local_date for s in notes] == [date(2025, 6, 11), date(2025, 6, 12)]
        assert all(not s.message.cards and s.message.note for s in notes)


def test_catch_up_within_grace_after_downtime(tmp_path) -> None:
    sim = Sim(tmp_path, utc(2025, 6, 9, 5, 0))
    sim.add_papers(date(2025, 6, 9))
    sim.say("console:anna", "subscribe 09:00 Europe/Berlin daily")  # 07:00 UTC in summer
    sim.jobs.deliver()  # the last tick before the process went down, at 05:00 UTC
    sim.clock.now = utc(2025, 6, 9, 9, 50)  # back up 2 h 50 min late: within the 3 h grace
    sim.restart()
    sim.jobs.deliver()
    assert [s.message.local_date for s in sim.sent_to("console:anna")] == [date(2025, 6, 9)]


def test_missed_beyond_grace_is_skipped_with_a_log_line(tmp_path, caplog) -> None:
    sim = Sim(tmp_path, utc(2025, 6, 9, 5, 0))
    sim.add_papers(date(2025, 6, 9))
    sim.say("console:anna", "subscribe 09:00 Europe/Berlin daily")
    sim.jobs.deliver()
    sim.clock.now = utc(2025, 6, 9, 10, 30)  # 3 h 30 min late
    sim.restart()
    with caplog.at_level(logging.WARNING):
        plans, _ = sim.jobs.deliver()
    assert sim.sent_to("console:anna") == []
    assert [s.local_date for s in plans["console"].missed] == [date(2025, 6, 9)]
    assert "skipped the 2025-06-09 picks of console:anna" in caplog.text
    sim.run_until(utc(2025, 6, 10, 12, 0))  # the next day is delivered as usual
    assert [s.message.local_date for s in sim.sent_to("console:anna")] == [date(2025, 6, 10)]


class Crash(BaseException):
    """Stands in for kill -9: nothing after it runs, not even `except Exception`."""


@pytest.mark.parametrize("landed", [True, False], ids=["after-send", "before-send"])
def test_restart_in_the_middle_of_a_delivery_run_sends_each_user_once(tmp_path, landed) -> None:
    sim = Sim(tmp_path, utc(2025, 6, 9, 6, 0))
    sim.add_papers(date(2025, 6, 9))
    users = [f"console:u{i}" for i in range(5)]
    for user in users:
        sim.say(user, "subscribe 09:00 Europe/Berlin daily")
    inner = sim.notifier.send_picks

    def crashing(message):  # the third send dies, after or before it reached the file
        if len(sim.sent) == 2:
            if landed:
                inner(message)
            raise Crash
        return inner(message)

    sim.notifier.send_picks = crashing  # type: ignore[method-assign]
    sim.clock.now = utc(2025, 6, 9, 7, 5)
    with pytest.raises(Crash):
        sim.jobs.deliver()
    ledger = sim.wiring.repos.ledger
    assert len(ledger.in_flight("console")) == 1 and len(ledger.pending("console")) == 2

    sim.restart()
    sim.clock.advance(minutes=1)
    sim.jobs.deliver()
    for user in users:
        assert len(sim.file_blocks(user)) == 1, user
    assert ledger.in_flight("console") == [] and ledger.pending("console") == []
    sim.run_until(utc(2025, 6, 9, 12, 0))  # later ticks the same day send nothing more
    assert all(len(sim.file_blocks(u)) == 1 for u in users)
