"""Daily planning: who is due, what they get, and the ledger rows that promise it.

Why a module of its own: planning is the one use case that works on every user at once (a sweep
over send times, one candidate pool per local date, ranker calls in batches), while the rest of
PaperService answers one person. It reads the service's repositories, ranker and settings and
claims rows in the delivery ledger; sending them is the adapters' business (bots/delivery.py).
Time comes in as an argument, like everywhere in the core.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING

from recommender import schedule
from recommender.domain import Delivery, Paper, User, Vote

if TYPE_CHECKING:
    from recommender.service import PaperService

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


@dataclass(slots=True)
class Votes:
    """All current votes, grouped once per planning run instead of one query per user."""

    by_user: dict[str, dict[str, int]] = field(default_factory=dict)
    likes_by_team: dict[str, dict[str, int]] = field(default_factory=dict)


def team_of(user_key: str) -> str:
    """`slack:T1:U2` -> `slack:T1`; Discord and console users form one team per platform."""
    parts = user_key.split(":")
    return ":".join(parts[:2]) if parts[0] == "slack" and len(parts) > 2 else parts[0]


def group_votes(rows: Iterable[Vote]) -> Votes:
    grouped = Votes()
    for row in rows:
        grouped.by_user.setdefault(row.user_key, {})[row.paper_id] = row.vote
        if row.vote > 0:
            team = grouped.likes_by_team.setdefault(team_of(row.user_key), defaultdict(int))
            team[row.paper_id] += 1
    return grouped


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
        claimed, nothing_new = self._claim_groups(groups, now)
        already = len(due) - len(claimed) - len(nothing_new)
        return PlanReport(tuple(claimed), tuple(nothing_new), tuple(missed), already)

    def _claim_groups(
        self, groups: dict[tuple[date, int], list[User]], now: datetime
    ) -> tuple[list[Delivery], list[str]]:
        """Users grouped by (local date, k): one candidate pool per date, batched ranker calls."""
        votes = group_votes(self.service.repos.feedback.all_current())
        claimed: list[Delivery] = []
        nothing_new: list[str] = []
        pools: dict[date, list[Paper]] = {}
        for (day, k), users in sorted(groups.items()):
            if day not in pools:
                pools[day] = self.service.candidates(day, strict=True)[0]
            for first in range(0, len(users), PLAN_BATCH):
                batch = users[first : first + PLAN_BATCH]
                rows, empty = self._claim_batch(batch, pools[day], k, day, votes, now)
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
        votes: Votes,
        now: datetime,
    ) -> tuple[list[Delivery], list[str]]:
        """Score one batch in a single ranker call, then claim each user's row."""
        service, ledger = self.service, self.service.repos.ledger
        profiles = [
            service.profile(u, ledger.delivered_paper_ids(u.user_key), votes) for u in users
        ]
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
            row = ledger.claim(user.user_key, day, ids, now, note=note, reasons=reasons)
            if row is not None:
                claimed.append(row)
        return claimed, empty
