"""End to end: `start_slack` over the real wiring (SQLite file, command layer, delivery worker),
the Bolt app in HTTP mode behind waitress on 127.0.0.1, a fake Slack Web API, signed requests.
Real HTTP both ways, no internet. Asserts on the database and on what "Slack" received.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bots.slack.blocks import VOTE_DOWN, VOTE_UP
from engine.delivery import DrainReport
from paperbot.config import load_config
from paperbot.slack_runner import SlackHandle, start_slack
from paperbot.wiring import Wiring
from recommender.domain import Delivery
from tests.bots.slack.conftest import TrackingExecutor, wait_for
from tests.bots.slack.corpus import HTTP_CONFIG, corpus_wiring
from tests.bots.slack.fake_slack_api import TEAM_ID, FakeSlackApi
from tests.bots.slack.slack_sim import SIGNING_SECRET, SlackSim
from tests.logs import debug_log, leaks

NOW = datetime(2025, 11, 24, 9, 5, tzinfo=UTC)  # a Monday, just after the default 09:00


def key(user: str) -> str:
    return f"slack:{TEAM_ID}:{user}"


@dataclass
class Stack:
    wiring: Wiring
    handle: SlackHandle
    sim: SlackSim
    api: FakeSlackApi
    executor: TrackingExecutor

    def plan(self, *users: str) -> list[Delivery]:
        for user in users:
            self.wiring.service.accounts.ensure(key(user), user.lower(), NOW)
            self.wiring.service.accounts.subscribe(key(user))
        return list(self.wiring.service.plan_deliveries(NOW, None, "slack").claimed)

    def card_messages(self, channel: str) -> list[dict]:
        """Messages posted to `channel` that carry vote buttons, oldest first."""
        posted = reversed(self.api.history[channel])
        return [m for m in posted if m["blocks"][-1]["type"] == "actions"]

    def delivered_card(self, index: int, user: str = "U1") -> tuple[dict, str]:
        """Plan and send `user`'s picks (their DM is `D<user>`); card message `index` and the
        paper id its buttons carry."""
        self.plan(user)
        assert self.handle.drain_once().sent == 1
        message = self.card_messages(f"D{user}")[index]
        return message, message["blocks"][-1]["elements"][0]["value"]


@pytest.fixture
def start(
    tmp_path: Path, fake_api: FakeSlackApi, executor: TrackingExecutor
) -> Iterator[Callable[..., Stack]]:
    config_path = tmp_path / "config.toml"
    handles: list[SlackHandle] = []

    def run(worker: bool = False, digest: str = "") -> Stack:
        extra = f'digest_channel = "{digest}"\n' if digest else ""
        text = HTTP_CONFIG.format(k=3, api=fake_api.base_url) + extra
        config_path.write_text(text, encoding="utf-8")
        config = load_config(config_path)
        wiring = corpus_wiring(config, NOW)
        env = {"SLACK_BOT_TOKEN": "xoxb-e2e", "SLACK_SIGNING_SECRET": SIGNING_SECRET}
        handle = start_slack(wiring, config, env, worker=worker, executor=executor)
        handles.append(handle)
        url = f"http://127.0.0.1:{handle.port}/slack/events"
        return Stack(wiring, handle, SlackSim(url, fake_api.response_url()), fake_api, executor)

    yield run
    for handle in handles:
        handle.stop()


def test_slash_command_search_is_answered_from_the_database(start: Callable[..., Stack]) -> None:
    stack = start()
    assert stack.sim.slash("search diffusion video")[0] == 200
    stack.executor.wait_idle()
    (answer,) = stack.api.calls_to("respond/r1")
    assert answer.params["response_type"] == "ephemeral"
    assert "Diffusion models for video synthesis" in str(answer.params["blocks"])
    assert stack.wiring.repos.users.get(key("U1")) is not None


def test_bad_signature_and_ten_minute_old_timestamp_get_401(start: Callable[..., Stack]) -> None:
    stack = start()
    assert stack.sim.slash("search diffusion", signature="v0=" + "1" * 64)[0] == 401
    assert stack.sim.slash("search diffusion", age_seconds=600)[0] == 401
    assert stack.sim.reaction("+1", "DU1", "1.1", age_seconds=600)[0] == 401
    stack.executor.wait_idle()
    assert stack.api.calls_to("respond/r1") == []
    assert stack.wiring.repos.users.get(key("U1")) is None


def test_daily_delivery_posts_a_dm_with_buttons(start: Callable[..., Stack]) -> None:
    stack = start(worker=True)
    (row,) = stack.plan("U1")
    stack.handle.wake()
    ledger = stack.wiring.repos.ledger
    wait_for(lambda: ledger.for_user(key("U1"))[0].status == "sent", "the delivery")
    (sent,) = ledger.for_user(key("U1"))
    assert [c.params["users"] for c in stack.api.calls_to("conversations.open")] == ["U1"]
    cards = stack.card_messages("DU1")
    assert len(stack.api.calls_to("chat.postMessage")) == 1 + len(row.paper_ids)
    buttons = [[e["action_id"] for e in m["blocks"][-1]["elements"]] for m in cards]
    assert buttons == [[VOTE_UP, VOTE_DOWN]] * len(row.paper_ids)
    assert [m["blocks"][-1]["elements"][0]["value"] for m in cards] == list(row.paper_ids)
    assert sent.channel_id == "DU1"
    assert sent.message_ids == tuple(f"DU1:{m['ts']}" for m in cards)
    assert ledger.paper_for_message("slack", sent.message_ids[0]) == (key("U1"), row.paper_ids[0])


def test_button_click_records_the_vote_and_updates_the_message(
    start: Callable[..., Stack],
) -> None:
    stack = start()
    message, paper_id = stack.delivered_card(0)
    feedback = stack.wiring.repos.feedback

    stack.sim.click(VOTE_UP, paper_id, message, channel="DU1")
    stack.executor.wait_idle()
    assert feedback.votes_for(key("U1")) == {paper_id: 1}
    (update,) = stack.api.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("DU1", message["ts"])
    assert update.params["blocks"][-1]["elements"][0]["style"] == "primary"

    stack.sim.click(VOTE_DOWN, paper_id, {**message, "blocks": update.params["blocks"]}, "DU1")
    stack.executor.wait_idle()
    assert feedback.votes_for(key("U1")) == {paper_id: -1}
    assert "Your vote: 👎" in str(stack.api.calls_to("chat.update")[1].params["blocks"])
    sources = [(h["vote"], h["source"]) for h in feedback.history_for(key("U1"))]
    assert sources == [(1, "button"), (-1, "button")]


def test_a_click_on_someone_elses_dm_card_counts_for_the_clicker_and_leaves_it_alone(
    start: Callable[..., Stack],
) -> None:
    """Regression (issue 11.3): a (forged) click by U2 on U1's DM card was counted for U2,
    rightly, but then chat.update redrew U1's message with U2's vote. Now U1's card is left
    alone and U2 gets their vote back privately."""
    stack = start()
    message, paper_id = stack.delivered_card(0)
    feedback = stack.wiring.repos.feedback

    assert stack.sim.click(VOTE_DOWN, paper_id, message, channel="DU1", user="U2")[0] == 200
    stack.executor.wait_idle()
    assert feedback.votes_for(key("U2")) == {paper_id: -1}
    assert feedback.votes_for(key("U1")) == {}
    assert stack.api.calls_to("chat.update", status=None) == []
    (told,) = stack.api.calls_to("respond/r1")
    assert told.params["response_type"] == "ephemeral" and "👎" in told.params["text"]
    assert told.params["replace_original"] is False


def test_a_reaction_votes_and_removing_it_withdraws(start: Callable[..., Stack]) -> None:
    stack = start()
    message, paper_id = stack.delivered_card(1)
    feedback = stack.wiring.repos.feedback

    stack.sim.reaction("thumbsup", "DU1", message["ts"])
    stack.executor.wait_idle()
    assert feedback.votes_for(key("U1")) == {paper_id: 1}
    stack.sim.reaction("thumbsup", "DU1", message["ts"], added=False)
    stack.executor.wait_idle()
    assert feedback.votes_for(key("U1")) == {}
    history = [(h["paper_id"], h["vote"], h["source"]) for h in feedback.history_for(key("U1"))]
    assert history == [(paper_id, 1, "reaction"), (paper_id, 0, "reaction")]


def test_removing_an_old_reaction_keeps_a_vote_changed_since(start: Callable[..., Stack]) -> None:
    """Regression: removing a 👍 reaction cleared the vote even after the user had clicked 👎."""
    stack = start()
    message, paper_id = stack.delivered_card(0)
    feedback = stack.wiring.repos.feedback

    stack.sim.reaction("thumbsup", "DU1", message["ts"])
    stack.executor.wait_idle()
    stack.sim.click(VOTE_DOWN, paper_id, message, channel="DU1")
    stack.executor.wait_idle()
    assert feedback.votes_for(key("U1")) == {paper_id: -1}
    stack.sim.reaction("thumbsup::skin-tone-3", "DU1", message["ts"], added=False)
    stack.executor.wait_idle()
    assert feedback.votes_for(key("U1")) == {paper_id: -1}
    stack.sim.reaction("-1", "DU1", message["ts"], added=False)  # the vote it still is: withdrawn
    stack.executor.wait_idle()
    assert feedback.votes_for(key("U1")) == {}
    history = [(h["vote"], h["source"]) for h in feedback.history_for(key("U1"))]
    assert history == [(1, "reaction"), (-1, "button"), (0, "reaction")]


def test_the_same_event_delivered_twice_is_recorded_once(start: Callable[..., Stack]) -> None:
    stack = start()
    message, _ = stack.delivered_card(0)
    for retry in ("0", "1"):
        status, _ = stack.sim.reaction(
            "-1",
            "DU1",
            message["ts"],
            event_id="Ev0SAMEEVENT",
            headers={"X-Slack-Retry-Num": retry},
        )
        assert status == 200
    stack.executor.wait_idle()
    db = stack.wiring.repos.current().db
    assert [r["event_id"] for r in db.query("SELECT event_id FROM events")] == [
        "slack:event:Ev0SAMEEVENT"
    ]
    assert len(stack.wiring.repos.feedback.history_for(key("U1"))) == 1
    assert list(stack.wiring.repos.feedback.votes_for(key("U1")).values()) == [-1]


def test_a_429_from_chat_post_message_is_retried_and_delivered_once(
    start: Callable[..., Stack],
) -> None:
    stack = start()
    (row,) = stack.plan("U1")
    stack.api.script(
        "chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, Retry_After="0"
    )
    assert stack.handle.drain_once() == DrainReport(sent=1)
    assert len(stack.api.calls_to("chat.postMessage", status=429)) == 1
    assert len(stack.api.calls_to("chat.postMessage")) == 1 + len(row.paper_ids)
    assert stack.wiring.repos.ledger.for_user(key("U1"))[0].status == "sent"


def test_a_user_whose_dm_cannot_be_opened_is_marked_and_the_run_goes_on(
    start: Callable[..., Stack],
) -> None:
    stack = start()
    stack.api.closed_dms.add("U1")
    stack.plan("U1", "U2")
    assert stack.handle.drain_once() == DrainReport(sent=1, undeliverable=1)
    repos = stack.wiring.repos
    assert repos.ledger.for_user(key("U1"))[0].status == "undeliverable"
    assert repos.users.get(key("U1")).undeliverable  # type: ignore[union-attr]
    assert repos.ledger.for_user(key("U2"))[0].status == "sent"
    assert stack.card_messages("DU2") and not stack.api.history["DU1"]
    # The person is told why the next time they use /papers.
    stack.sim.slash("settings", user="U1")
    stack.executor.wait_idle()
    assert "could not send you your daily picks" in str(stack.api.calls_to("respond/r1"))


def test_forget_me_is_confirmed_with_a_button(start: Callable[..., Stack]) -> None:
    stack = start()
    stack.plan("U1")
    stack.sim.slash("forget-me")
    stack.executor.wait_idle()
    assert stack.wiring.repos.users.get(key("U1")) is not None
    asked = stack.api.calls_to("respond/r1")[-1].params
    (button,) = asked["blocks"][-1]["elements"]
    message = {"ts": "1700000000.999999", "blocks": asked["blocks"]}
    stack.sim.click(
        button["action_id"], button["value"], message, "C1", ephemeral=True, block_id="confirm"
    )
    stack.executor.wait_idle()
    assert stack.wiring.repos.users.get(key("U1")) is None
    assert stack.wiring.repos.ledger.for_user(key("U1")) == []
    assert stack.api.calls_to("respond/r1")[-1].params["replace_original"] is True


def test_a_first_command_offers_subscribe_in_the_users_slack_timezone(
    start: Callable[..., Stack],
) -> None:
    stack = start()
    stack.api.script("users.info", 200, {"ok": True, "user": {"id": "U7", "tz": "Europe/Lisbon"}})
    stack.sim.slash("search retrieval", user="U7")
    stack.executor.wait_idle()
    assert stack.wiring.repos.users.get(key("U7")).subscribed is False  # type: ignore[union-attr]
    offered = stack.api.calls_to("respond/r1")[-1].params
    (button,) = next(b for b in offered["blocks"] if b.get("block_id") == "confirm")["elements"]
    assert button["value"] == "subscribe 09:00 Europe/Lisbon daily"  # the test config: daily
    message = {"ts": "1700000000.999998", "blocks": offered["blocks"]}
    stack.sim.click(
        button["action_id"], button["value"], message, "C1", user="U7", ephemeral=True,
        block_id="confirm",
    )  # fmt: skip
    stack.executor.wait_idle()
    user = stack.wiring.repos.users.get(key("U7"))
    assert user is not None and (user.subscribed, user.timezone) == (True, "Europe/Lisbon")
    assert "Subscribed" in str(stack.api.calls_to("respond/r1")[-1].params)


def _crash_mid_send(stack: Stack, delivery_id: int) -> None:
    """What a crash between the API calls and `mark_sent` leaves behind: a `sending` row."""
    db = stack.wiring.repos.current().db
    db.execute("UPDATE deliveries SET status = 'sending' WHERE delivery_id = ?", [delivery_id])


def test_after_a_crash_picks_already_in_the_dm_are_not_posted_again(
    start: Callable[..., Stack],
) -> None:
    stack = start()
    (row,) = stack.plan("U1")
    stack.handle.drain_once()
    posts = len(stack.api.calls_to("chat.postMessage"))
    _crash_mid_send(stack, row.delivery_id)
    assert stack.handle.worker.recover(stack.handle.notifier) == 0
    assert stack.wiring.repos.ledger.for_user(key("U1"))[0].status == "sent"
    assert len(stack.api.calls_to("chat.postMessage")) == posts


def test_after_a_crash_after_the_first_card_only_the_rest_is_posted(
    start: Callable[..., Stack],
) -> None:
    """A crash after the header and card 1: recovery cannot find the whole DM, puts the row back
    with one more attempt, and that attempt posts cards 2 and 3 only (issue 11.5)."""
    stack = start()
    (row,) = stack.plan("U1")
    stack.handle.drain_once()
    header, first = list(reversed(stack.api.history["DU1"]))[:2]
    stack.api.history["DU1"] = [first, header]  # what had arrived when the process died
    _crash_mid_send(stack, row.delivery_id)
    posts = len(stack.api.calls_to("chat.postMessage"))
    assert stack.handle.worker.recover(stack.handle.notifier) == 1
    assert stack.handle.drain_once() == DrainReport(sent=1)
    assert len(stack.api.calls_to("chat.postMessage")) == posts + len(row.paper_ids) - 1
    cards = stack.card_messages("DU1")
    assert [m["blocks"][-1]["elements"][0]["value"] for m in cards] == list(row.paper_ids)
    (sent,) = stack.wiring.repos.ledger.for_user(key("U1"))
    assert sent.message_ids == tuple(f"DU1:{m['ts']}" for m in cards)


def test_after_a_crash_before_posting_the_picks_are_sent_once(
    start: Callable[..., Stack],
) -> None:
    stack = start()
    (row,) = stack.plan("U1")
    _crash_mid_send(stack, row.delivery_id)
    assert stack.handle.worker.recover(stack.handle.notifier) == 1
    assert stack.handle.drain_once() == DrainReport(sent=1)
    assert len(stack.api.calls_to("chat.postMessage")) == 1 + len(row.paper_ids)


FAILURES = {
    "429 beyond the retries": [(429, {"ok": False, "error": "ratelimited"})] * 3,
    "5xx": [(503, {"ok": False, "error": "service_unavailable"})],
    "network error": [(0, {})] * 2,  # the client retries a dropped connection once
}


@pytest.mark.parametrize("failure", FAILURES)
def test_a_dm_that_failed_on_its_second_card_is_resumed_not_resent(
    start: Callable[..., Stack], failure: str
) -> None:
    """Regression (issue 11.5): when card 2 of a DM failed (429 past the retries, 5xx, network),
    the next round posted the whole DM again: the header and card 1 twice. Now the retry finds
    what the earlier attempt posted and sends only the rest."""
    stack = start()
    (row,) = stack.plan("U1")
    for n, (status, body) in enumerate(FAILURES[failure]):
        stack.api.script(
            "chat.postMessage", status, body, after=2 if n == 0 else 0, Retry_After="0"
        )
    assert stack.handle.drain_once() == DrainReport(failed=1)
    assert stack.handle.drain_once() == DrainReport(sent=1)

    posted = list(reversed(stack.api.history["DU1"]))
    assert [m["text"] for m in posted].count(posted[0]["text"]) == 1  # one header
    cards = stack.card_messages("DU1")
    assert [m["blocks"][-1]["elements"][0]["value"] for m in cards] == list(row.paper_ids)
    (sent,) = stack.wiring.repos.ledger.for_user(key("U1"))
    assert sent.status == "sent"
    assert sent.message_ids == tuple(f"DU1:{m['ts']}" for m in cards)


def test_tokens_never_reach_the_logs(
    start: Callable[..., Stack], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    stack = start()
    stack.plan("U1")
    stack.handle.drain_once()
    stack.sim.slash("search diffusion")
    stack.executor.wait_idle()
    assert any("chat.postMessage" in r.getMessage() for r in caplog.records), "DEBUG was on"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "xoxb-e2e" not in logged and SIGNING_SECRET not in logged


def test_no_response_url_or_unverified_body_reaches_the_logs_even_at_debug(
    start: Callable[..., Stack],
) -> None:
    """Regression (issue 11.2): at DEBUG the SDKs logged every response_url (a credential for
    posting into that chat), and at INFO Bolt logged the whole body of a request whose
    signature failed. Both now go through paperbot's redacting handler."""
    with debug_log() as log:
        stack = start()
        message, paper_id = stack.delivered_card(0)
        stack.sim.slash("search diffusion")
        stack.sim.click(VOTE_UP, paper_id, message, channel="DU1")
        stack.sim.slash("unsigned-words", signature="v0=" + "1" * 64)
        stack.sim.slash("unsigned-words", timestamp="abc")
        stack.executor.wait_idle()
    logged = log.getvalue()
    assert " DEBUG " in logged and "respond/r1" in str(stack.api.calls)  # both flows ran
    assert "Invalid request signature" in logged
    assert leaks(logged, stack.api.response_url(), "unsigned-words", "xoxb-e2e") == []


def test_team_digest_is_posted_once_and_votes_there_count_for_each_member(
    start: Callable[..., Stack],
) -> None:
    stack = start(digest="CTEAM")
    digest = f"slack:{TEAM_ID}:#CTEAM"
    claimed = {row.user_key for row in stack.plan("U1", "U2")}
    assert claimed == {key("U1"), key("U2"), digest}
    assert stack.handle.drain_once() == DrainReport(sent=3)
    header = stack.api.history["CTEAM"][-1]
    assert header["text"].startswith("📚 Team paper picks for")
    first, second = stack.card_messages("CTEAM")[:2]
    paper_of = {m["ts"]: m["blocks"][-1]["elements"][0]["value"] for m in (first, second)}
    feedback = stack.wiring.repos.feedback

    stack.sim.click(VOTE_UP, paper_of[first["ts"]], first, channel="CTEAM", user="U2")
    stack.executor.wait_idle()
    assert feedback.votes_for(key("U2")) == {paper_of[first["ts"]]: 1}
    (update,) = stack.api.calls_to("chat.update")
    assert (update.params["channel"], update.params["ts"]) == ("CTEAM", first["ts"])
    shown = str(update.params["blocks"])
    assert "👍 by 1 teammate" in shown and "Your vote" not in shown
    assert "style" not in str(update.params["blocks"][-1])  # nobody's vote highlighted
    (told,) = stack.api.calls_to("respond/r1")
    assert told.params["response_type"] == "ephemeral" and "👍" in told.params["text"]

    stack.sim.reaction("thumbsup", "CTEAM", second["ts"], user="U1")
    stack.executor.wait_idle()
    assert feedback.votes_for(key("U1")) == {paper_of[second["ts"]]: 1}
    assert feedback.votes_for(digest) == {}
    redrawn = stack.api.calls_to("chat.update")[-1].params
    assert redrawn["ts"] == second["ts"] and "👍 by 1 teammate" in str(redrawn["blocks"])

    assert stack.plan("U1", "U2") == []  # once a day: the ledger row is the promise
    assert stack.handle.drain_once() == DrainReport()
