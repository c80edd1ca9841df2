"""What one ranker call is given: the users' profiles and the candidate papers.

Why a module of its own: the service (one person, on request) and the daily planner (everyone,
in batches) build the same profiles from the same repositories; here they do it with the same
functions, and neither needs the other. The daily run reads every vote once (`group_votes`)
where a request reads one user's (`PaperService.profile`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from engine.ports import PaperRepository
from engine.teams import is_digest, team_of
from recommender.domain import Paper, User, UserProfile, Vote

MAX_TEAM_INTERESTS = 20  # the team profile's interests: the members' most common ones


def profile_from(
    papers: PaperRepository,
    user: User,
    votes: dict[str, int],
    teammate_likes: dict[str, int],
    exclude: Iterable[str] = (),
) -> UserProfile:
    """A profile from votes already read: `votes` the user's own, `teammate_likes` paper_id
    -> how many teammates (not the user) 👍 it; the rated papers are read from `papers`."""
    return UserProfile(
        user_key=user.user_key,
        interests=user.interests,
        votes=dict(votes),
        rated_papers=tuple(papers.get_many(votes)),
        exclude=frozenset(exclude),
        teammate_likes={p: n for p, n in teammate_likes.items() if n > 0},
    )


def window(papers: PaperRepository, today: date, window_days: int) -> list[Paper]:
    """The candidates of `today`: papers published or ingested within the last `window_days`."""
    return papers.recent(today - timedelta(days=window_days))


@dataclass(slots=True)
class Votes:
    """All current votes, grouped once per planning run instead of one query per user."""

    by_user: dict[str, dict[str, int]] = field(default_factory=dict)
    likes_by_team: dict[str, dict[str, int]] = field(default_factory=dict)


def group_votes(rows: Iterable[Vote]) -> Votes:
    """Every current vote by user, and the 👍 of each team per paper (one pass)."""
    grouped = Votes()
    for row in rows:
        grouped.by_user.setdefault(row.user_key, {})[row.paper_id] = row.vote
        if row.vote > 0:
            team = grouped.likes_by_team.setdefault(team_of(row.user_key), defaultdict(int))
            team[row.paper_id] += 1
    return grouped


def teammate_likes(user_key: str, votes: Votes, among: Collection[str]) -> dict[str, int]:
    """Per paper `among` (the day's candidates: the ranker reads no other), how many of
    `user_key`'s teammates 👍 it, their own like not counted: what FeedbackRepository.likes_by_paper
    answers for a few papers, here from votes the planning run read once. Asked of the candidates
    only, so a big team does not cost each member a pass over everything it ever liked."""
    mine = votes.by_user.get(user_key, {})
    team = votes.likes_by_team.get(team_of(user_key), {})
    return {p: team[p] - (1 if mine.get(p) == 1 else 0) for p in among if p in team}


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
