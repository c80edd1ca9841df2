"""The closed loop: newcomers get daily picks from each day's new papers and react to them.

Set-up (seeded): 20% of the papers form the stream, arriving in equal batches over `days` days;
the other 80% and every vote on them by the rest of the users are the history the model is
trained on once, before day 1. A sample of users who have at least `min_library` stream papers in
their library become newcomers (enough that a good model can score more than a hit every few days,
so learning can show): the model has none of their votes, only (optionally) a declared
interest of a few words, taken from the top TF-IDF terms of their *older* papers. Each day every
newcomer gets k picks from the papers of the last `window` days they have not seen, reacts 👍 when
the paper is in their library and 👎 otherwise, and every model updates from those reactions
(profiles and fold-in: no refit). The report is the hit rate (👍 / picks) per day, per model.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.estimator import Content, Estimator
from recommender.ranking import mmr, top_indices


@dataclass(frozen=True)
class SimulationConfig:
    days: int = 8
    k: int = 5
    users: int = 500
    window: int = 3
    interest_terms: int = 3
    min_library: int = 10
    seed: int = 0


@dataclass(frozen=True)
class SimulationResult:
    model: str
    hit_rate: list[float]  # per day: 👍 / picks shown
    likes: list[int]  # per day

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.model, "hit_rate": self.hit_rate, "likes": self.likes}


@dataclass(frozen=True)
class Policy:
    """A model in the loop: its estimator and how it turns a row of scores into k picks."""

    estimator: Estimator
    diversity: float = 0.0
    learns: bool = True  # False: never updated after the first fit (shows what feedback adds)


@dataclass(frozen=True)
class World:
    """The simulated world: history to train on, the stream by day, the newcomers' libraries."""

    history: sp.csr_matrix  # (m, n) votes the model may train on before day 1
    arrivals: list[np.ndarray]  # per day, the stream papers arriving that day
    newcomers: np.ndarray  # user rows
    library: sp.csr_matrix  # (m, n) 1 where the paper is in the user's library
    interests: sp.csr_matrix  # (m, V) declared interests (zero rows for everyone else)


def build_world(interactions: sp.csr_matrix, content: Content, cfg: SimulationConfig) -> World:
    rng = np.random.default_rng(cfg.seed)
    m, n = interactions.shape
    library = sp.csr_matrix(interactions > 0, dtype=np.float32)
    stream = rng.permutation(n)[: max(cfg.days, round(0.2 * n))]
    in_stream = np.zeros(n, dtype=bool)
    in_stream[stream] = True
    stream_count = np.asarray(library[:, in_stream].sum(axis=1)).ravel()
    old_count = np.asarray(library[:, ~in_stream].sum(axis=1)).ravel()
    eligible = np.flatnonzero((stream_count >= cfg.min_library) & (old_count >= 1))
    size = min(cfg.users, eligible.size)
    newcomers = np.sort(rng.choice(eligible, size=size, replace=False))
    keep_users = np.ones(m, dtype=np.float32)
    keep_users[newcomers] = 0.0
    history = (
        sp.diags(keep_users)
        @ sp.csr_matrix(interactions)
        @ sp.diags((~in_stream).astype(np.float32))
    )
    history = sp.csr_matrix(history, dtype=np.float32)
    history.eliminate_zeros()
    interests = _interests(library, ~in_stream, newcomers, content, cfg.interest_terms)
    return World(history, np.array_split(stream, cfg.days), newcomers, library, interests)


def _interests(
    library: sp.csr_matrix,
    old: np.ndarray,
    newcomers: np.ndarray,
    content: Content,
    terms: int,
) -> sp.csr_matrix:
    """Each newcomer's `terms` strongest TF-IDF terms over their older papers, as a unit row."""
    m, v = library.shape[0], content.text.shape[1]
    rows, cols = [], []
    if terms > 0:
        older = library[newcomers] @ sp.diags(old.astype(np.float32))
        profile = np.asarray((older @ content.text).todense())
        for r, user in enumerate(newcomers):
            top = top_indices(profile[r], terms)
            rows.extend([int(user)] * top.size)
            cols.extend(top.tolist())
    data = np.ones(len(rows), dtype=np.float32)
    return sp.csr_matrix((data, (rows, cols)), shape=(m, v))


def simulate(
    world: World,
    content: Content,
    policies: Sequence[Policy],
    cfg: SimulationConfig,
    progress: Callable[[str, int], None] | None = None,
) -> list[SimulationResult]:
    return [_run_policy(world, content, p, cfg, progress) for p in policies]


def _run_policy(
    world: World,
    content: Content,
    policy: Policy,
    cfg: SimulationConfig,
    progress: Callable[[str, int], None] | None,
) -> SimulationResult:
    model = policy.estimator
    model.fit(world.history, content, world.interests)
    votes = sp.lil_matrix(world.history.shape, dtype=np.float32)
    seen: set[tuple[int, int]] = set()
    hit_rate, likes = [], []
    for day in range(cfg.days):
        pool = np.concatenate(world.arrivals[max(0, day - cfg.window + 1) : day + 1])
        scores = np.asarray(model.score(world.newcomers, pool), dtype=np.float32)
        day_likes = shown = 0
        for r, user in enumerate(world.newcomers):
            row = scores[r].copy()
            row[[i for i, item in enumerate(pool) if (int(user), int(item)) in seen]] = -np.inf
            chosen = mmr(row, content.lsa[pool], cfg.k, policy.diversity)
            for i in chosen:
                item = int(pool[i])
                seen.add((int(user), item))
                liked = world.library[user, item] > 0
                votes[user, item] = 1.0 if liked else -1.0
                day_likes += int(liked)
                shown += 1
        hit_rate.append(round(day_likes / max(shown, 1), 4))
        likes.append(day_likes)
        if policy.learns:
            _update(model, world.history + sp.csr_matrix(votes), content, world.interests)
        if progress is not None:
            progress(model.name, day + 1)
    return SimulationResult(model.name, hit_rate, likes)


def _update(
    model: Estimator, train: sp.csr_matrix, content: Content, interests: sp.csr_matrix
) -> None:
    """Fold the day's reactions in: `refresh` where the model has one (no refit), else refit
    (the baselines here are cheap: profiles and counts)."""
    refresh = getattr(model, "refresh", None)
    if callable(refresh):
        refresh(sp.csr_matrix(train))
    else:
        model.fit(sp.csr_matrix(train), content, interests)
