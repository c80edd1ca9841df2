"""SlackNotifier against the fake Web API: DMs, the channel cache, 429 retries, refusals."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bots.slack.app import make_web_client
from bots.slack.notifier import SlackNotifier
from bots.slack.settings import SlackSettings
from engine.chat import PaperCard, PicksMessage, TemporaryFailure, Undeliverable
from tests.bots.slack.fake_slack_api import TEAM_ID, FakeSlackApi

CARDS = (PaperCard(paper_id="p1", title="One"), PaperCard(paper_id="p2", title="Two"))


def picks(user: str = "U1") -> PicksMessage:
    return PicksMessage(f"slack:{TEAM_ID}:{user}", date(2025, 11, 24), "Your papers", CARDS)


@pytest.fixture
def notifier(fake_api: FakeSlackApi, http_settings: SlackSettings) -> SlackNotifier:
    return SlackNotifier(make_web_client(http_settings, fake_api.base_url))


def test_picks_go_to_the_dm_as_header_plus_one_message_per_paper(
    notifier: SlackNotifier, fake_api: FakeSlackApi
) -> None:
    sent = notifier.send_picks(picks())
    posts = fake_api.calls_to("chat.postMessage")
    assert [p.params["channel"] for p in posts] == ["DU1"] * 3
    assert posts[0].params["blocks"][0]["type"] == "header"
    assert [p.params["blocks"][-1]["elements"][0]["value"] for p in posts[1:]] == ["p1", "p2"]
    assert sent.channel_id == "DU1"
    assert sent.message_ids == ("DU1:1700000000.000002", "DU1:1700000000.000003")


def test_dm_channel_is_opened_once_per_user(
    notifier: SlackNotifier, fake_api: FakeSlackApi
) -> None:
    notifier.send_picks(picks())
    notifier.send_picks(picks())
    notifier.send_picks(picks("U2"))
    assert [c.params["users"] for c in fake_api.calls_to("conversations.open")] == ["U1", "U2"]


def test_a_429_is_retried_after_retry_after_and_posted_once(
    notifier: SlackNotifier, fake_api: FakeSlackApi
) -> None:
    fake_api.script("chat.postMessage", 429, {"ok": False, "error": "ratelimited"}, Retry_After="0")
    sent = notifier.send_picks(picks())
    assert len(fake_api.calls_to("chat.postMessage", status=429)) == 1
    assert len(fake_api.calls_to("chat.postMessage")) == 3
    assert len(sent.message_ids) == 2


def test_rate_limit_that_outlasts_the_retries_is_a_temporary_failure(
    notifier: SlackNotifier, fake_api: FakeSlackApi
) -> None:
    for _ in range(3):  # the first try plus http_settings' two retries
        fake_api.script(
            "conversations.open", 429, {"ok": False, "error": "ratelimited"}, Retry_After="0"
        )
    with pytest.raises(TemporaryFailure):
        notifier.send_picks(picks())
    assert fake_api.calls_to("chat.postMessage") == []


def test_a_dm_that_cannot_be_opened_is_undeliverable(
    notifier: SlackNotifier, fake_api: FakeSlackApi
) -> None:
    fake_api.closed_dms.add("U9")
    with pytest.raises(Undeliverable, match="cannot_dm_bot"):
        notifier.send_picks(picks("U9"))
    assert fake_api.calls_to("chat.postMessage") == []


def test_a_server_error_is_temporary(notifier: SlackNotifier, fake_api: FakeSlackApi) -> None:
    fake_api.script("chat.postMessage", 200, {"ok": False, "error": "internal_error"})
    with pytest.raises(TemporaryFailure, match="internal_error"):
        notifier.send_picks(picks())


def test_find_sent_recognises_picks_already_in_the_dm(
    notifier: SlackNotifier, fake_api: FakeSlackApi
) -> None:
    assert notifier.find_sent(picks()) is None
    sent = notifier.send_picks(picks())
    assert notifier.find_sent(picks()) == sent
    # A crash after the first card: not all of it arrived, so the worker must resend.
    fake_api.history["DU2"] = [m for m in fake_api.history["DU1"] if "p2" not in str(m)]
    assert notifier.find_sent(picks("U2")) is None


def test_settings_repr_never_shows_tokens() -> None:
    settings = SlackSettings(
        bot_token="xoxb-secret", signing_secret="shh", app_token="xapp-secret", mode="socket"
    )
    assert "secret" not in repr(settings) and "shh" not in repr(settings)


def test_a_retry_without_im_history_posts_the_whole_dm(
    notifier: SlackNotifier, fake_api: FakeSlackApi
) -> None:
    """Resuming needs to read the DM; a workspace that did not grant im:history gets the whole
    DM again (a possible repeat, never a lost card) instead of a delivery stuck retrying."""
    fake_api.script("conversations.history", 200, {"ok": False, "error": "missing_scope"})
    sent = notifier.send_picks(replace(picks(), attempt=1))
    assert len(fake_api.calls_to("chat.postMessage")) == 3
    assert len(sent.message_ids) == 2


def test_a_retry_that_cannot_read_the_dm_for_now_posts_nothing(
    notifier: SlackNotifier, fake_api: FakeSlackApi
) -> None:
    fake_api.script("conversations.history", 200, {"ok": False, "error": "internal_error"})
    with pytest.raises(TemporaryFailure):
        notifier.send_picks(replace(picks(), attempt=1))
    assert fake_api.calls_to("chat.postMessage") == []
