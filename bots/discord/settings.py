"""The non-secret `[discord]` settings. The token never appears here: it comes only from the
DISCORD_TOKEN environment variable, read by the runner."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from recommender.domain import InvalidInputError


@dataclass(frozen=True, slots=True)
class DiscordSettings:
    """`[discord]` in config.toml, key for key.

    `api_base_url` / `gateway_url` point the client somewhere other than discord.com (a local fake
    in tests, a proxy in odd deployments); empty means Discord itself.
    `max_ratelimit_timeout`: a 429 asking to wait longer than this fails the send (the row stays
    pending for the next drain) instead of stalling the whole delivery run.
    """

    digest_channel: int = 0
    api_base_url: str = ""
    gateway_url: str = ""
    delivery_seconds: float = 30.0
    max_ratelimit_timeout: float = 60.0
    guild_ready_timeout: float = 2.0

    @classmethod
    def from_section(cls, section: dict[str, Any]) -> DiscordSettings:
        """Build from a config section; unknown keys are an error, not silently ignored."""
        known = {f.name: f for f in fields(cls)}
        unknown = sorted(set(section) - set(known))
        if unknown:
            raise InvalidInputError(
                f"unknown [discord] setting(s): {', '.join(unknown)}; known: {', '.join(known)}"
            )
        values: dict[str, Any] = {}
        for name, value in section.items():
            default = known[name].default
            try:
                values[name] = type(default)(value)  # type: ignore[misc]
            except (TypeError, ValueError) as exc:
                raise InvalidInputError(f"[discord] {name} = {value!r} is not valid") from exc
        if values.get("delivery_seconds", 1.0) <= 0:
            raise InvalidInputError("[discord] delivery_seconds must be positive")
        return cls(**values)
