"""The delivery worker over in-memory ports, and the console notifier's receipts."""

from __future__ import annotations

import errno
import os
from datetime import date
from pathlib import Path

from bots.console.notifier import ConsoleNotifier
from bots.console.render import render_picks
from engine.cards import summarize
from engine.chat import PaperCard, PicksMessage, TemporaryFailure, Undeliverable
from engine.delivery import DeliveryWorker
from engine.service import PaperService
from recommender.domain import Paper, UserProfile
from tests.conftest import World
from tests.fakes import FakeRanker, RecordingNotifier


class NoRankingAllowed(FakeRanker):
    """The ranker of a freshly started process that must not be asked for anything."""

    def why(self, profile: UserProfile, paper: Paper) -> str:
        raise AssertionError("sending a planned row must not rank or explain again")


def plan(world: World, *users: str) -> None:
    for user in users:
        world.say(user, "subscribe 09:00 Europe/Berlin daily")
    world.service.plan_deliveries(world.clock.advance(hours=1, minutes=1))


def test_drain_sends_each_pending_row_once_with_reasons_and_maps_messages(world: World) -> None:
    plan(world, "console:a", "console:b")
    notifier = RecordingNotifier()
    report = world.worker.drain(notifier)
    assert (report.sent, report.failed) == (2, 0)
    assert all(card.reason for m in notifier.sent for card in m.cards)
    assert world.worker.drain(notifier).sent == 0  # nothing left
    row = world.repos.ledger.for_user("console:a")[0]
    assert row.status == "sent" and len(row.message_ids) == 5
    assert world.repos.ledger.paper_for_message("console", row.message_ids[0]) == (
        "console:a",
        row.paper_ids[0],
    )


def test_one_users_failure_never_stops_the_run(world: World) -> None:
    plan(world, "console:a", "console:b", "console:c")
    notifier = RecordingNotifier()
    notifier.fail_for = {"console:a": Undeliverable("DMs closed"), "console:b": RuntimeError("bug")}
    report = world.worker.drain(notifier)
    assert (report.sent, report.failed, report.undeliverable) == (1, 1, 1)
    assert world.repos.users.rows["console:a"].undeliverable == "DMs closed"
    assert world.repos.ledger.for_user("console:a")[0].status == "undeliverable"
    assert world.repos.ledger.for_user("console:b")[0].status == "pending"


def test_temporary_failures_retry_then_give_up(world: World) -> None:
    plan(world, "console:a")
    notifier = RecordingNotifier()
    notifier.fail_for = {"console:a": TemporaryFailure("rate limited")}
    for attempt in range(1, world.worker.max_attempts + 1):
        world.worker.drain(notifier)
        row = world.repos.ledger.for_user("console:a")[0]
        assert row.attempts == attempt
    assert row.status == "failed"  # not `undeliverable`: nothing says the user cannot get DMs
    assert world.repos.users.rows["console:a"].undeliverable is None  # the user is not blamed
    assert world.worker.drain(notifier).failed == 0  # given up on: not retried again


def test_recover_puts_rows_left_sending_back_once(world: World) -> None:
    plan(world, "console:a")
    [(row, _message)] = world.worker.begin()  # "crash" before the send
    assert world.worker.recover() == 1
    assert world.worker.drain(RecordingNotifier()).sent == 1
    assert world.repos.ledger.for_user("console:a")[0].status == "sent"


def message(user: str = "console:a", cards: int = 2) -> PicksMessage:
    return PicksMessage(
        user_key=user,
        local_date=date(2025, 6, 9),
        header="Your picks",
        cards=tuple(PaperCard(f"p{i}", f"Paper {i}", reason="because") for i in range(cards)),
    )


def test_console_receipts_let_recovery_mark_a_landed_message_sent(tmp_path: Path) -> None:
    notifier = ConsoleNotifier(path=tmp_path / "picks.txt")
    assert notifier.find_sent(message()) is None
    sent = notifier.send_picks(message())
    assert notifier.find_sent(message()) == sent
    assert notifier.find_sent(message(user="console:b")) is None
    assert sent.message_ids == ("console:a/2025-06-09/0", "console:a/2025-06-09/1")


def test_recover_with_a_receipt_marks_sent_without_resending(world: World, tmp_path) -> None:
    plan(world, "console:a")
    notifier = ConsoleNotifier(path=tmp_path / "picks.txt")
    [(row, msg)] = world.worker.begin()
    notifier.send_picks(msg)  # landed, then the process died before `complete`
    assert world.worker.recover(notifier) == 0
    assert world.repos.ledger.for_user("console:a")[0].status == "sent"
    assert (tmp_path / "picks.txt").read_text().count("=== end console:a") == 1


def test_empty_day_note_renders_without_cards() -> None:
    text = render_picks(PicksMessage("console:a", date(2025, 6, 9), "Picks", note="Nothing new"))
    assert "Nothing new" in text and "1." not in text


def test_summaries_end_on_a_sentence_or_an_ellipsis() -> None:
    assert summarize("Short.") == "Short."
    long = "First sentence here. " * 30
    assert summarize(long).endswith(".") and len(summarize(long)) <= 280
    assert summarize("word " * 100).endswith("…")


def test_a_restarted_process_sends_the_planned_reasons_without_ranking(world: World) -> None:
    plan(world, "console:a")
    (row,) = world.repos.ledger.pending("console")
    assert row.reasons and all(reason for _, reason in row.reasons)
    restarted = PaperService(world.repos, NoRankingAllowed, world.service.settings)
    notifier = RecordingNotifier()
    assert DeliveryWorker("console", world.repos, restarted, world.clock).drain(notifier).sent == 1
    (sent,) = notifier.sent
    assert [(c.paper_id, c.reason) for c in sent.cards] == list(row.reasons)


def test_a_row_claimed_without_reasons_gets_them_recomputed(world: World) -> None:
    world.say("console:a", "interests add retrieval")
    ids = ["2506.00001", "2506.00005"]
    world.repos.ledger.claim("console:a", world.clock().date(), ids, world.clock())
    notifier = RecordingNotifier()
    world.worker.drain(notifier)
    reasons = {c.paper_id: c.reason for c in notifier.sent[0].cards}
    assert reasons == {
        "2506.00001": "matches your interest “retrieval”",
        "2506.00005": "trending",
    }


def test_reactions_map_to_the_cards_sent_when_a_planned_paper_was_deleted(world: World) -> None:
    """Regression: `complete` paired message ids with `delivery.paper_ids`; with a paper gone
    from the store between planning and sending there is one card fewer than ids, so every
    message after the gap pointed at the paper before it and a 👍 hit the wrong paper."""
    plan(world, "console:a")
    (row,) = world.repos.ledger.pending("console")
    gone = row.paper_ids[1]
    del world.repos.papers.rows[gone]
    notifier = RecordingNotifier()
    world.worker.drain(notifier)
    (sent,) = notifier.sent
    assert gone not in [c.paper_id for c in sent.cards]
    message_ids = world.repos.ledger.for_user("console:a")[0].message_ids
    shown = [world.repos.ledger.paper_for_message("console", m) for m in message_ids]
    assert shown == [("console:a", c.paper_id) for c in sent.cards]


class ShortWrites:
    """os.write for the picks file that writes at most `step` bytes a call and then, once
    `room` bytes are used, fails as a full disk does (ENOSPC); other fds write normally."""

    def __init__(self, real, step: int, room: int | None = None) -> None:
        self.real, self.step, self.room = real, step, room

    def __call__(self, fd: int, data) -> int:
        if fd <= 2:
            return self.real(fd, data)
        if self.room is not None and self.room <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        n = min(len(data), self.step, self.room if self.room is not None else len(data))
        self.room = None if self.room is None else self.room - n
        return self.real(fd, bytes(data[:n]))


def test_console_short_writes_are_continued_until_the_whole_card_is_written(
    tmp_path: Path, monkeypatch
) -> None:
    """Issue 11.7: a short os.write used to be ignored, so a truncated card was booked sent."""
    monkeypatch.setattr(os, "write", ShortWrites(os.write, step=7))
    notifier = ConsoleNotifier(path=tmp_path / "picks.txt")
    notifier.send_picks(message())
    monkeypatch.undo()
    expected = ConsoleNotifier(path=tmp_path / "whole.txt")
    expected.send_picks(message())
    assert (tmp_path / "picks.txt").read_text() == (tmp_path / "whole.txt").read_text()
    assert notifier.find_sent(message()) is not None


def test_a_full_disk_leaves_the_row_pending_not_sent(world: World, tmp_path, monkeypatch) -> None:
    plan(world, "console:a")
    notifier = ConsoleNotifier(path=tmp_path / "picks.txt")
    monkeypatch.setattr(os, "write", ShortWrites(os.write, step=50, room=120))
    report = world.worker.drain(notifier)
    monkeypatch.undo()
    assert (report.sent, report.failed) == (0, 1)
    row = world.repos.ledger.for_user("console:a")[0]
    assert row.status == "pending" and "No space left" in (row.error or "")
    assert notifier.find_sent(world.worker.message_for(row)) is None  # a torn block is no receipt
    assert world.worker.drain(notifier).sent == 1  # space again: sent once, in full
    assert (tmp_path / "picks.txt").read_text().count("=== end console:a") == 1
