"""The Slack adapter's settings: the non-secret [slack] config section plus the tokens.

Tokens arrive from the environment through the composition root (paperbot/slack_runner.py) and
are kept out of `repr`, so logging a settings object can never leak them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from recommender.domain import InvalidInputError

MODES = ("socket", "http")
DEFAULT_API_BASE_URL = "https://slack.com/api/"
KNOWN_KEYS = frozenset(
    {
        "mode",
        "http_port",
        "http_host",
        "api_base_url",
        "digest_channel",
        "rate_limit_retries",
        "drain_seconds",
    }
)


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str = field(repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    mode: str = "socket"
    http_port: int = 3000
    http_host: str = "0.0.0.0"
    api_base_url: str = DEFAULT_API_BASE_URL
    digest_channel: str = ""
    rate_limit_retries: int = 3
    drain_seconds: float = 15.0  # how often the delivery worker looks for due Slack rows

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise InvalidInputError(f"[slack] mode must be one of {MODES}, not {self.mode!r}")
        if not self.bot_token:
            raise InvalidInputError("SLACK_BOT_TOKEN is not set in the environment")
        if self.mode == "http" and not self.signing_secret:
            raise InvalidInputError("[slack] mode = 'http' needs SLACK_SIGNING_SECRET")
        if self.mode == "socket" and not self.app_token:
            raise InvalidInputError("[slack] mode = 'socket' needs SLACK_APP_TOKEN (xapp-...)")

    @classmethod
    def from_sources(cls, section: Mapping[str, Any], environ: Mapping[str, str]) -> SlackSettings:
        """Build from the [slack] section and an environment mapping; unknown keys are refused
        so a typo in config.toml is an error, not a silently ignored setting."""
        unknown = set(section) - KNOWN_KEYS
        if unknown:
            raise InvalidInputError(f"unknown [slack] settings: {', '.join(sorted(unknown))}")
        base_url = str(section.get("api_base_url") or DEFAULT_API_BASE_URL)
        return cls(
            bot_token=environ.get("SLACK_BOT_TOKEN", ""),
            signing_secret=environ.get("SLACK_SIGNING_SECRET", ""),
            app_token=environ.get("SLACK_APP_TOKEN", ""),
            mode=str(section.get("mode", "socket")),
            http_port=int(section.get("http_port", 3000)),
            http_host=str(section.get("http_host", "0.0.0.0")),
            api_base_url=base_url if base_url.endswith("/") else base_url + "/",
            digest_channel=str(section.get("digest_channel") or ""),
            rate_limit_retries=int(section.get("rate_limit_retries", 3)),
            drain_seconds=float(section.get("drain_seconds", 15.0)),
        )
