"""Teams and team digests, by key alone.

A person's team is read off their user_key: `slack:T1:U2` is in Slack workspace `slack:T1`;
Discord and console users form one team per platform. A team digest is a pseudo user whose key
names a channel (`slack:<team>:#<channel>`, `discord:#<channel>`): it is planned and delivered
like a person (engine/planning.py) but ranked with the team's profile (engine/profiles.py).
"""

from __future__ import annotations

from recommender.domain import InvalidInputError

DIGEST_PLATFORMS = ("slack", "discord")


def team_of(user_key: str) -> str:
    """`slack:T1:U2` -> `slack:T1`; Discord and console users form one team per platform."""
    parts = user_key.split(":")
    return ":".join(parts[:2]) if parts[0] == "slack" and len(parts) > 2 else parts[0]


def digest_key(platform: str, channel: str, team: str | None = None) -> str:
    """The pseudo user of a team digest: `slack:T1:#C2` (Slack needs the workspace) or
    `discord:#123`. A leading '#' on `channel` is dropped."""
    channel = channel.strip().lstrip("#")
    if platform not in DIGEST_PLATFORMS or not channel:
        raise InvalidInputError(f"a team digest needs a Slack or Discord channel, not {channel!r}")
    if platform == "slack":
        if not team:
            raise InvalidInputError("a Slack team digest needs the workspace (team) id")
        return f"slack:{team}:#{channel}"
    return f"{platform}:#{channel}"


def is_digest(user_key: str) -> bool:
    """True for a team digest's pseudo user (a key whose last part is `#<channel>`)."""
    platform, _, rest = user_key.partition(":")
    return platform in DIGEST_PLATFORMS and rest.rsplit(":", 1)[-1].startswith("#")


def digest_channel(user_key: str) -> str:
    """`slack:T1:#C2` -> `C2`: where the digest is posted."""
    if not is_digest(user_key):
        raise InvalidInputError(f"{user_key!r} is not a team digest")
    return user_key.rsplit("#", 1)[-1]
