"""Daily planning: who is due, what they get, and the ledger rows that promise it.

Team digests ride on the same machinery. A digest is a pseudo user whose key names a channel
(`slack:<team>:#<channel>`, `discord:#<channel>`): it has a users row (the [schedule] default
send time, timezone and days, set by the composition root through `set_digests`), gets one
ledger row per local date like a person (so it is posted exactly once), and is ranked with a
team profile (the members' interests and likes) instead of a person's. It never votes and is
never planned as a person.

Why a module of its own: planning is the one use case that works on every user at once (a sweep
over send times, one candidate pool per local date, ranker calls in batches), while the rest of
PaperService answers one person. It reads the service's repositories, ranker and settings and
claims rows in the delivery ledger; sending them is the adapters' business (bots/delivery.py).
Time comes in as an argument, like everywhere in the core.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import TYPE_CHECKING

from recommender import schedule
from recommender.domain import Delivery, InvalidInputError, Paper, User, UserProfile, Vote

if TYPE_CHECKING:
    from recommender.service import PaperService

log = logging.getLogger(__name__)

PLAN_BATCH = 256  # users scored per ranker call: one matrix product each, bounded memory
NOTHING_NEW = "Nothing new since your last picks. See you next time!"
DIGEST_PLATFORMS = ("slack", "discord")
MAX_TEAM_INTERESTS = 20  # the team profile's interests: the members' most common ones


@dataclass(frozen=True, slots=True)
class PlanReport:
    """What one planning run did: rows claimed, users with nothing new (skipped), slots missed."""

    claimed: tuple[Delivery, ...] = ()
    nothing_new: tuple[str, ...] = ()
    missed: tuple[schedule.Slot, ...] = ()
    already: int = 0


@dataclass(slots=True)
class Votes:
    """All current votes, grouped once per planning run instead of one query per user."""

    by_user: dict[str, dict[str, int]] = field(default_factory=dict)
    likes_by_team: dict[str, dict[str, int]] = field(default_factory=dict)


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


def group_votes(rows: Iterable[Vote]) -> Votes:
    """Every current vote by user, and the 👍 of each team per paper (one pass)."""
    grouped = Votes()
    for row in rows:
        grouped.by_user.setdefault(row.user_key, {})[row.paper_id] = row.vote
        if row.vote > 0:
            team = grouped.likes_by_team.setdefault(team_of(row.user_key), defaultdict(int))
            team[row.paper_id] += 1
    return grouped


def teammate_likes(user_key: str, votes: Votes) -> dict[str, int]:
    """Per paper, how many of `user_key`'s teammates 👍 it, their own like not counted: what
    FeedbackRepository.likes_by_paper answers for a few papers, here for every paper from votes
    the planning run read once."""
    mine = votes.by_user.get(user_key, {})
    team = votes.likes_by_team.get(team_of(user_key), {})
    return {p: n - (1 if mine.get(p) == 1 else 0) for p, n in team.items()}


@dataclass(frozen=True, slots=True)
class _Run:
    """What one planning run shares: its instant, every current vote (read once), and the people
    (not digests) of the platforms planned, from whom team profiles are made."""

    now: datetime
    votes: Votes
    members: Sequence[User]


class DailyPlanner:
    """Claims one ledger row per due user and local date. Used through
    `PaperService.plan_deliveries`; it shares the service's repositories, ranker and settings."""

    def __init__(self, service: PaperService) -> None:
        self.service = service

    def plan(
        self, now: datetime, since: datetime | None = None, platform: str | None = None
    ) -> PlanReport:
        """Claim a ledger row for every user (of `platform`, or all) whose send time fell in
        `(since, now]`.

        `since` is when the previous run looked (None on a first run: catch up within grace).
        Slots older than the grace window are logged and skipped, never sent late; a user never
        gets two days at once. Claiming is idempotent (one row per user and local date), so a
        run repeated after a crash claims nothing twice.
        """
        settings = self.service.settings
        users = [u for u in self.service.repos.users.all() if platform in (None, u.platform)]
        due, late = schedule.sweep(users, since, now, settings.grace)
        missed = [slot for slot in late if not self._claimed(slot.user_key, slot.local_date)]
        for slot in missed:
            log.warning(
                "skipped the %s picks of %s: %s late, beyond the %s grace window",
                slot.local_date, slot.user_key, slot.late_by(now), settings.grace,
            )  # fmt: skip
        groups: dict[tuple[date, int], list[User]] = defaultdict(list)
        for user, slot in due:
            if not self._claimed(user.user_key, slot.local_date):
                groups[(slot.local_date, user.picks_per_day)].append(user)
        members = [u for u in users if not is_digest(u.user_key)]
        run = _Run(now, group_votes(self.service.repos.feedback.all_current()), members)
        claimed, nothing_new = self._claim_groups(groups, run)
        already = len(due) - len(claimed) - len(nothing_new)
        return PlanReport(tuple(claimed), tuple(nothing_new), tuple(missed), already)

    def _claim_groups(
        self, groups: dict[tuple[date, int], list[User]], run: _Run
    ) -> tuple[list[Delivery], list[str]]:
        """Users grouped by (local date, k): one candidate pool per date, batched ranker calls."""
        claimed: list[Delivery] = []
        nothing_new: list[str] = []
        pools: dict[date, list[Paper]] = {}
        for (day, k), users in sorted(groups.items()):
            if day not in pools:
                pools[day] = self.service.candidates(day, strict=True)[0]
            for first in range(0, len(users), PLAN_BATCH):
                batch = users[first : first + PLAN_BATCH]
                rows, empty = self._claim_batch(batch, pools[day], k, day, run)
                claimed += rows
                nothing_new += empty
        return claimed, nothing_new

    def _claimed(self, user_key: str, day: date) -> bool:
        return any(d.local_date == day for d in self.service.repos.ledger.for_user(user_key, 3))

    def _claim_batch(
        self,
        users: Sequence[User],
        pool: Sequence[Paper],
        k: int,
        day: date,
        run: _Run,
    ) -> tuple[list[Delivery], list[str]]:
        """Score one batch in a single ranker call, then claim each user's row."""
        service, ledger = self.service, self.service.repos.ledger
        profiles = [self._profile(u, ledger.delivered_paper_ids(u.user_key), run) for u in users]
        picks = service.ranker().picks(profiles, pool, k, day) if pool else {}
        claimed: list[Delivery] = []
        empty: list[str] = []
        for user in users:
            chosen = picks.get(user.user_key, [])
            ids = [p.paper.paper_id for p in chosen]
            if not ids and service.settings.empty_day == "skip":
                log.info("nothing new for %s on %s: skipped", user.user_key, day)
                empty.append(user.user_key)
                continue
            reasons = {p.paper.paper_id: p.reason for p in chosen}
            note = None if ids else NOTHING_NEW
            row = ledger.claim(user.user_key, day, ids, run.now, note=note, reasons=reasons)
            if row is not None:
                claimed.append(row)
        return claimed, empty

    def _profile(self, user: User, exclude: set[str], run: _Run) -> UserProfile:
        """A person's own profile, or for a team digest the team's (see `team_profile`)."""
        if is_digest(user.user_key):
            return team_profile(user.user_key, run.members, run.votes, exclude)
        mine = run.votes.by_user.get(user.user_key, {})
        teammates = teammate_likes(user.user_key, run.votes)
        return self.service.profile_from(user, mine, teammates, exclude)

    def set_digests(self, platform: str, digests: Sequence[User]) -> list[User]:
        """Make `digests` the team digests of `platform` (each a pseudo user whose key comes from
        `digest_key`, carrying the schedule to post at); any other digest of that platform is
        switched off (a channel removed from config). Saved digests are subscribed and no longer
        marked undeliverable, so fixing the channel and restarting resumes them."""
        users = self.service.repos.users
        wanted = {d.user_key for d in digests}
        for digest in digests:
            if not is_digest(digest.user_key) or digest.platform != platform:
                raise InvalidInputError(f"{digest.user_key!r} is not a {platform} team digest")
        saved: list[User] = []
        for digest in digests:
            known = users.get(digest.user_key)
            since = digest.created_at or (known.created_at if known else None)
            kept = replace(
                digest, subscribed=True, undeliverable=None, interests=(), created_at=since
            )
            users.save(kept)
            saved.append(kept)
        for old in users.all():
            stale = old.platform == platform and is_digest(old.user_key)
            if stale and old.user_key not in wanted and old.subscribed:
                log.info("team digest %s switched off", old.user_key)
                users.save(replace(old, subscribed=False))
        return saved


def team_profile(
    digest: str, everyone: Sequence[User], votes: Votes, exclude: Iterable[str] = ()
) -> UserProfile:
    """What the ranker knows about a team: its members' most common interests and the papers
    they liked (as teammate likes, so liked papers are not treated as already rated). `everyone`
    may hold other teams' people; only `digest`'s team counts."""
    team = team_of(digest)
    members = [u for u in everyone if team_of(u.user_key) == team and not is_digest(u.user_key)]
    counts: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    for member in members:
        for interest in dict.fromkeys(i.lower() for i in member.interests):
            counts[interest] += 1
        for interest in member.interests:
            spelling.setdefault(interest.lower(), interest)
    common = sorted(counts, key=lambda i: (-counts[i], i))[:MAX_TEAM_INTERESTS]
    return UserProfile(
        user_key=digest,
        interests=tuple(spelling[i] for i in common),
        exclude=frozenset(exclude),
        teammate_likes=dict(votes.likes_by_team.get(team, {})),
    )
