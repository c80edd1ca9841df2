"""Daily planning: who is due, what they get, and the ledger rows that promise it.

Team digests ride on the same machinery. A digest (engine/teams.py) has a users row (the
[schedule] default send time, timezone and days, set by the composition root through
`set_digests`), gets one ledger row per local date like a person (so it is posted exactly
once), and is ranked with a team profile (the members' interests and likes) instead of a
person's. It never votes and is never planned as a person.

Why a module of its own: planning is the one use case that works on every user at once (a sweep
over send times, one candidate pool per local date, ranker calls in batches), while the rest of
PaperService answers one person. It is given the repositories, the ranker source and the
settings (no service), builds profiles with engine/profiles.py like the service does, and
claims rows in the delivery ledger; sending them is the outbox's business (engine/delivery.py).
Time comes in as an argument, like everywhere in the core.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime

from engine import schedule
from engine.ports import RankerSource, RepositorySet
from engine.profiles import Votes, group_votes, profile_from, team_profile, teammate_likes, window
from engine.settings import ServiceSettings
from engine.teams import is_digest
from recommender.domain import Delivery, InvalidInputError, Paper, User, UserProfile

log = logging.getLogger(__name__)

PLAN_BATCH = 256  # users scored per ranker call: one matrix product each, bounded memory
NOTHING_NEW = "Nothing new since your last picks. See you next time!"


@dataclass(frozen=True, slots=True)
class PlanReport:
    """What one planning run did: rows claimed, users with nothing new (skipped), slots missed."""

    claimed: tuple[Delivery, ...] = ()
    nothing_new: tuple[str, ...] = ()
    missed: tuple[schedule.Slot, ...] = ()
    already: int = 0


@dataclass(frozen=True, slots=True)
class _Run:
    """What one planning run shares: its instant, every current vote (read once), and the people
    (not digests) of the platforms planned, from whom team profiles are made."""

    now: datetime
    votes: Votes
    members: Sequence[User]


class DailyPlanner:
    """Claims one ledger row per due user and local date. `repos` is read on every call (the
    composition root hands in repositories that resolve to the calling thread's connection)."""

    def __init__(
        self, repos: RepositorySet, ranker: RankerSource, settings: ServiceSettings
    ) -> None:
        self.repos = repos
        self.ranker = ranker
        self.settings = settings

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
        settings = self.settings
        users = [u for u in self.repos.users.all() if platform in (None, u.platform)]
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
        run = _Run(now, group_votes(self.repos.feedback.all_current()), members)
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
                pools[day] = window(self.repos.papers, day, self.settings.window_days)
            for first in range(0, len(users), PLAN_BATCH):
                batch = users[first : first + PLAN_BATCH]
                rows, empty = self._claim_batch(batch, pools[day], k, day, run)
                claimed += rows
                nothing_new += empty
        return claimed, nothing_new

    def _claimed(self, user_key: str, day: date) -> bool:
        return any(d.local_date == day for d in self.repos.ledger.for_user(user_key, 3))

    def _claim_batch(
        self,
        users: Sequence[User],
        pool: Sequence[Paper],
        k: int,
        day: date,
        run: _Run,
    ) -> tuple[list[Delivery], list[str]]:
        """Score one batch in a single ranker call, then claim each user's row."""
        ledger = self.repos.ledger
        among = [p.paper_id for p in pool]
        profiles = [
            self._profile(u, ledger.delivered_paper_ids(u.user_key), run, among) for u in users
        ]
        picks = self.ranker().picks(profiles, pool, k, day) if pool else {}
        claimed: list[Delivery] = []
        empty: list[str] = []
        for user in users:
            chosen = picks.get(user.user_key, [])
            ids = [p.paper.paper_id for p in chosen]
            if not ids and self.settings.empty_day == "skip":
                log.info("nothing new for %s on %s: skipped", user.user_key, day)
                empty.append(user.user_key)
                continue
            reasons = {p.paper.paper_id: p.reason for p in chosen}
            note = None if ids else NOTHING_NEW
            row = ledger.claim(user.user_key, day, ids, run.now, note=note, reasons=reasons)
            if row is not None:
                claimed.append(row)
        return claimed, empty

    def _profile(
        self, user: User, exclude: set[str], run: _Run, among: Sequence[str]
    ) -> UserProfile:
        """A person's own profile, or for a team digest the team's (see `team_profile`); the
        teammates' likes of the candidates `among` only (the ranker reads no other)."""
        if is_digest(user.user_key):
            return team_profile(user.user_key, run.members, run.votes, exclude)
        mine = run.votes.by_user.get(user.user_key, {})
        teammates = teammate_likes(user.user_key, run.votes, among)
        return profile_from(self.repos.papers, user, mine, teammates, exclude)

    def set_digests(self, platform: str, digests: Sequence[User]) -> list[User]:
        """Make `digests` the team digests of `platform` (each a pseudo user whose key comes from
        `digest_key`, carrying the schedule to post at); any other digest of that platform is
        switched off (a channel removed from config). Saved digests are subscribed and no longer
        marked undeliverable, so fixing the channel and restarting resumes them."""
        users = self.repos.users
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
