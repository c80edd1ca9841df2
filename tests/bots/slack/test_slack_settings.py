"""Settings from [slack] + environment, and the manifest agreeing with what the code listens to."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bots.slack.listeners.commands import COMMAND
from bots.slack.settings import SlackSettings
from recommender.domain import InvalidInputError

MANIFEST = Path(__file__).resolve().parents[3] / "deploy" / "slack-manifest.yml"
ENV = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1", "SLACK_SIGNING_SECRET": "s"}


def test_tokens_come_from_the_environment_and_settings_from_the_section() -> None:
    settings = SlackSettings.from_sources(
        {"mode": "http", "http_port": 8080, "api_base_url": "http://127.0.0.1:9/api"}, ENV
    )
    assert (settings.bot_token, settings.signing_secret) == ("xoxb-1", "s")
    assert settings.http_port == 8080
    assert settings.api_base_url == "http://127.0.0.1:9/api/"


@pytest.mark.parametrize(
    ("section", "env", "message"),
    [
        ({"mode": "socket", "typo": 1}, ENV, "unknown \\[slack\\] settings: typo"),
        ({"mode": "carrier-pigeon"}, ENV, "mode must be one of"),
        ({}, {"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN is not set"),
        ({"mode": "socket"}, {"SLACK_BOT_TOKEN": "xoxb-1"}, "needs SLACK_APP_TOKEN"),
        ({"mode": "http"}, {"SLACK_BOT_TOKEN": "xoxb-1"}, "needs SLACK_SIGNING_SECRET"),
    ],
)
def test_misconfiguration_is_a_clear_error(
    section: dict[str, object], env: dict[str, str], message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        SlackSettings.from_sources(section, env)


def _list_under(text: str, key: str) -> set[str]:
    """The `- item` lines right under `key:` in the manifest (no YAML parser needed)."""
    block = re.search(rf"^\s*{key}:\n((?:\s+- .*\n)+)", text, re.MULTILINE)
    assert block, f"{key} missing from the manifest"
    return {line.split("#")[0].strip()[2:].strip() for line in block.group(1).splitlines()}


def test_manifest_declares_the_command_events_and_scopes_the_code_uses() -> None:
    text = MANIFEST.read_text(encoding="utf-8")
    assert f"- command: {COMMAND}" in text
    assert _list_under(text, "bot_events") == {
        "app_home_opened",
        "reaction_added",
        "reaction_removed",
    }
    scopes = _list_under(text, "bot")
    assert {"commands", "chat:write", "im:write", "reactions:read"} <= scopes
    assert "socket_mode_enabled: true" in text and "is_enabled: true" in text
