"""The Bolt app in HTTP mode behind waitress, over the real command layer and in-memory
repositories (tests/conftest.py's chat_world): signatures, the listeners' wiring and the message
updates, with real HTTP both ways. Votes are asserted on the stored state."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from slack_bolt import App

from bots.slack.app import build_app
from bots.slack.blocks import VOTE_DOWN, VOTE_UP, card_payload
from bots.slack.ids import message_id
from bots.slack.listeners.errors import FRIENDLY_ERROR
from bots.slack.settings import SlackSettings
from recommender.domain import PaperbotError
from tests.bots.slack.conftest import TrackingExecutor
from tests.bots.slack.fake_slack_api import TEAM_ID, FakeSlackApi
from tests.bots.slack.slack_sim import SlackSim
from tests.conftest import World, chat_world
from tests.fakes import RecordingCommands

USER_KEY = f"slack:{TEAM_ID}:U1"
ACK_DEADLINE = 3.0  # seconds: Slack shows the user an error when the ack comes later
PID = "2509.00001"


@pytest.fixture
def chat() -> World:
    return chat_world()


@pytest.fixture
def layer(chat: World) -> RecordingCommands:
    return chat.commands


@pytest.fixture
def sim(
    layer: RecordingCommands,
    fake_api: FakeSlackApi,
    http_settings: SlackSettings,
    serve: Callable[[App], str],
    sim_for: Callable[[str], SlackSim],
    executor: TrackingExecutor,
) -> SlackSim:
    app = build_app(layer, http_settings, base_url=fake_api.base_url, executor=executor)
    return sim_for(serve(app))


def test_construction_checks_the_token_against_the_api(
    layer: RecordingCommands, fake_api: FakeSlackApi, http_settings: SlackSettings
) -> None:
    build_app(layer, http_settings, base_url=fake_api.base_url)
    (call,) = fake_api.calls_to("auth.test")
    assert call.headers["Authorization"] == "Bearer xoxb-fake"


def test_slash_command_search_is_answered_ephemerally(
    sim: SlackSim, fake_api: FakeSlackApi, layer: RecordingCommands, executor: TrackingExecutor
) -> None:
    status, body = sim.slash("search retrieval")
    assert (status, body) == (200, "")
    executor.wait_idle()
    (answer,) = fake_api.calls_to("respond/r1")
    assert answer.params["response_type"] == "ephemeral"
    assert "Retrieval-augmented generation at scale" in json.dumps(answer.params["blocks"])
    assert layer.texts == [(USER_KEY, "search retrieval")]


def test_a_command_can_ask_slack_for_the_users_timezone(
    sim: SlackSim, fake_api: FakeSlackApi, executor: TrackingExecutor, chat: World
) -> None:
    """The first command offers to subscribe in the person's Slack timezone."""
    fake_api.script("users.info", 200, {"ok": True, "user": {"id": "U1", "tz": "Asia/Tokyo"}})
    sim.slash("help")
    executor.wait_idle()
    (answer,) = fake_api.calls_to("respond/r1")
    assert "Asia/Tokyo" in json.dumps(answer.params)
    (asked,) = fake_api.calls_to("users.info")
    assert asked.params["user"] == "U1"
    user = chat.repos.users.get(USER_KEY)
    assert user is not None and not user.subscribed  # offered, not done


def test_bad_signature_and_stale_timestamp_are_rejected_with_401(
    sim: SlackSim, layer: RecordingCommands
) -> None:
    assert sim.slash("search x", signature="v0=" + "0" * 64)[0] == 401
    assert sim.slash("search x", age_seconds=600)[0] == 401
    assert layer.texts == []


def test_button_click_records_the_vote_and_updates_that_message(
    sim: SlackSim, fake_api: FakeSlackApi, chat: World, executor: TrackingExecutor
) -> None:
    message = {"ts": "1700000000.000001", "text": "x", **card_payload(chat.card(PID))}
    chat.posted(USER_KEY, (message_id("DU1", message["ts"]), PID))  # U1's own picks
    assert sim.click(VOTE_UP, PID, message, channel="DU1")[0] == 200
    executor.wait_idle()
    update = fake_api.calls_to("chat.update")[0].params
    assert (update["channel"], update["ts"]) == ("DU1", "1700000000.000001")
    assert update["blocks"][-1]["elements"][0]["style"] == "primary"
    assert chat.votes(USER_KEY) == {PID: 1}

    message["blocks"] = update["blocks"]
    sim.click(VOTE_DOWN, PID, message, channel="DU1")
    executor.wait_idle()
    assert chat.votes(USER_KEY) == {PID: -1}
    second = fake_api.calls_to("chat.update")[1].params["blocks"]
    assert "Your vote: 👎" in json.dumps(second, ensure_ascii=False)


def test_click_on_an_ephemeral_message_is_redrawn_through_the_response_url(
    sim: SlackSim, fake_api: FakeSlackApi, chat: World, executor: TrackingExecutor
) -> None:
    message = {"ts": "1700000000.000002", **card_payload(chat.card(PID))}
    sim.click(VOTE_DOWN, PID, message, channel="C1", ephemeral=True)
    executor.wait_idle()
    redraw = fake_api.calls_to("respond/r1")[0].params
    assert redraw["replace_original"] is True
    assert chat.votes(USER_KEY) == {PID: -1}
    assert fake_api.calls_to("chat.update") == []


def test_reaction_votes_and_its_removal_withdraws(
    sim: SlackSim, chat: World, executor: TrackingExecutor
) -> None:
    chat.posted(USER_KEY, (message_id("DU1", "1700000000.000009"), PID))
    sim.reaction("+1::skin-tone-3", "DU1", "1700000000.000009")
    executor.wait_idle()
    assert chat.votes(USER_KEY) == {PID: 1}
    sim.reaction("+1", "DU1", "1700000000.000009", added=False)
    executor.wait_idle()
    assert chat.votes(USER_KEY) == {}
    # Other emoji, and reactions on messages that are not picks, change nothing.
    sim.reaction("tada", "DU1", "1700000000.000009")
    sim.reaction("thumbsdown", "DU1", "1700000000.999999")
    executor.wait_idle()
    assert chat.votes(USER_KEY) == {}
    assert sim.reaction("-1", "DU1", "1700000000.000009")[0] == 200
    executor.wait_idle()
    assert chat.votes(USER_KEY) == {PID: -1}


def test_the_same_event_delivered_twice_is_recorded_once(
    sim: SlackSim, chat: World, executor: TrackingExecutor
) -> None:
    chat.posted(USER_KEY, (message_id("DU1", "1700000000.000010"), PID))
    for attempt in ("0", "1"):
        status, _ = sim.reaction(
            "thumbsup",
            "DU1",
            "1700000000.000010",
            event_id="Ev0DUPLICATE",
            headers={"X-Slack-Retry-Num": attempt, "X-Slack-Retry-Reason": "http_timeout"},
        )
        assert status == 200
    executor.wait_idle()
    assert chat.votes(USER_KEY) == {PID: 1}
    assert len(chat.repos.feedback.history_for(USER_KEY)) == 1
    events = chat.repos.feedback.events_for(USER_KEY)
    assert [e["event_id"] for e in events] == ["slack:event:Ev0DUPLICATE"]


def test_app_home_opened_publishes_the_home_view(
    sim: SlackSim, fake_api: FakeSlackApi, executor: TrackingExecutor, chat: World
) -> None:
    chat.user(USER_KEY)
    chat.posted(USER_KEY, ("DU1:1.0", "2509.00001"), ("DU1:2.0", "2509.00002"))
    sim.event({"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"})
    executor.wait_idle()
    call = fake_api.calls_to("views.publish")[0].params
    assert call["user_id"] == "U1"
    assert call["view"]["type"] == "home"
    assert "Retrieval for video diffusion" in json.dumps(call["view"])  # the last picks


def test_a_crashing_command_gives_the_user_a_short_friendly_message(
    sim: SlackSim, fake_api: FakeSlackApi, executor: TrackingExecutor, layer: RecordingCommands
) -> None:
    """Regression: a listener raising right after ack() used to let Bolt's thread runner reset
    the pending ack, so Slack sometimes got a 404 instead of 200 (seen 1 run in ~10)."""
    layer.crash = True
    assert sim.slash("help")[0] == 200
    executor.wait_idle()
    assert fake_api.calls_to("respond/r1")[0].params["text"] == FRIENDLY_ERROR


@pytest.mark.parametrize("error", ["invalid_auth", "account_inactive"])
def test_a_refused_bot_token_is_a_clear_error(
    layer: RecordingCommands, fake_api: FakeSlackApi, http_settings: SlackSettings, error: str
) -> None:
    fake_api.script("auth.test", 200, {"ok": False, "error": error})
    with pytest.raises(PaperbotError, match=f"SLACK_BOT_TOKEN: {error}") as caught:
        build_app(layer, http_settings, base_url=fake_api.base_url)
    assert "xoxb-fake" not in str(caught.value)


@pytest.mark.parametrize("timestamp", ["abc", "1700000000.5", "9" * 5000, "", "-0"])
def test_a_malformed_timestamp_is_a_401_and_nothing_is_posted_anywhere(
    sim: SlackSim,
    fake_api: FakeSlackApi,
    layer: RecordingCommands,
    executor: TrackingExecutor,
    timestamp: str,
) -> None:
    """Regression (issue 11.1): slack_sdk's verifier raised on `int(timestamp)`, Bolt handed the
    unverified body to the global error hook, and the hook POSTed to its `response_url`: any
    unsigned request could make paperbot POST to a URL of the sender's choosing."""
    status, _ = sim.slash("search x", timestamp=timestamp, signature="v0=" + "0" * 64)
    executor.wait_idle()
    assert fake_api.calls_to("respond/r1", status=None) == []
    assert status == 401
    assert layer.texts == []


def test_an_action_id_with_a_trailing_newline_matches_no_listener(
    sim: SlackSim, fake_api: FakeSlackApi, chat: World, executor: TrackingExecutor
) -> None:
    """Regression (issue 11.4): `^vote_(up|down)$` matched `vote_up\\n` (`$` allows a final
    newline) and the click was then counted as 👎 because it was not exactly `vote_up`."""
    message = {"ts": "1700000000.000003", "text": "x", **card_payload(chat.card(PID))}
    sim.click(VOTE_UP + "\n", PID, message, channel="DU1")
    executor.wait_idle()
    assert chat.votes(USER_KEY) == {}
    assert fake_api.calls_to("chat.update", status=None) == []


def test_a_burst_of_clicks_is_acked_in_full_and_each_vote_stored_once(
    sim: SlackSim, fake_api: FakeSlackApi, chat: World, executor: TrackingExecutor
) -> None:
    """Regression (issue 11.9): ack() ran on Bolt's listener threads (4 here), each then held for
    a slow chat.update, so in a burst a request waited for a free thread past Slack's 3 s and got
    a 404 instead of its ack. Now every ack is sent on the request's thread; the work queues."""
    fake_api.slow["chat.update"] = (1.2, 1.2)  # 15 clicks on 4 threads: the last wait 3.6 s
    users = [f"U{i}" for i in range(15)]
    ts = "1700000000.000100"
    message = {"ts": ts, "text": "x", **card_payload(chat.card(PID))}
    keys = {user: f"slack:{TEAM_ID}:{user}" for user in users}
    for user in users:
        chat.posted(keys[user], (message_id(f"D{user}", ts), PID))  # each user's own DM

    def click(user: str) -> tuple[int, float]:
        started = time.monotonic()
        status, _ = sim.click(VOTE_UP, PID, message, channel=f"D{user}", user=user)
        return status, time.monotonic() - started

    with ThreadPoolExecutor(max_workers=len(users)) as clients:
        answers = list(clients.map(click, users))
    assert [status for status, _ in answers] == [200] * len(users)
    late = [round(seconds, 1) for _, seconds in answers if seconds >= ACK_DEADLINE]
    assert late == [], "acked after Slack's deadline"
    executor.wait_idle()
    assert {user: chat.votes(keys[user]) for user in users} == {user: {PID: 1} for user in users}
    history = [h for user in users for h in chat.repos.feedback.history_for(keys[user])]
    assert len(history) == len(users)  # each stored once
    assert len(fake_api.calls_to("chat.update")) == len(users)
