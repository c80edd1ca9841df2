"""The closed loop: how fast is a newcomer's taste learned from their reactions?

An offline split scores a frozen history; a newcomer's first weeks are a loop instead (picks,
reactions, better picks), and what matters is how soon the picks get good. So we replay it on a
(users x papers) matrix of libraries, seeded by `cfg.seed`:

- the stream is `days` x `pool` papers drawn at random; day d brings its own fresh pool;
- half of the users are teammates: their whole libraries, stream papers included, are known before
  day 1 (that is how a team's bot knows what the team reads before a newcomer joins);
- of every other user, the library minus the stream papers is known (the history);
- newcomers are a sample of `users` non-teammates with >= `min_library` stream papers and >= 1
  older paper; nothing of them is known, except, by `newcomers` mode, one of their older papers
  as a first 👍 ("one-like"), or a few declared interest words ("interests"), or nothing ("none");
- each day every newcomer gets k picks from the last `window` days' papers they have not been
  shown, reacts 👍 if the paper is in their library and 👎 otherwise, and the policy learns.

The world for a seed is the same in every mode (the draws are independent streams of one seed),
so modes are compared on the same newcomers and the same papers.

The report is the hit rate (👍 / picks) per day, and per newcomer over days 1-3 and over all days,
averaged over newcomers with its standard error over users. Timing is the caller's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from recommender.domain import InvalidInputError, Paper, PaperbotError
from recommender.evaluation.choices import MODES
from recommender.evaluation.estimator import Content
from recommender.features import TextSpace
from recommender.prior import top_indices


class PolicyError(PaperbotError):
    """A policy broke the loop's rules: a pick outside the pool, a repeat, or one already shown."""


@dataclass(frozen=True)
class SimulationConfig:
    days: int = 14
    pool: int = 300
    k: int = 5
    users: int = 500
    window: int = 1
    min_library: int = 5
    newcomers: str = "one-like"
    interest_terms: int = 3
    early_days: int = 3
    seed: int = 0

    def validate(self) -> None:
        if self.newcomers not in MODES:
            raise InvalidInputError(f"newcomers must be one of {', '.join(MODES)}")
        for name in ("days", "pool", "k", "users", "window", "min_library", "early_days"):
            if getattr(self, name) < 1:
                raise InvalidInputError(f"simulation {name} must be >= 1")
        if self.interest_terms < 0:
            raise InvalidInputError("simulation interest_terms must be >= 0")


@dataclass(frozen=True)
class World:
    """Everything a policy may know before day 1, and the truth the loop checks picks against."""

    history: sp.csr_matrix  # (m, n) float32 +1/-1 votes known before day 1 (first 👍 included)
    library: sp.csr_matrix  # (m, n) float32, 1 where the paper is in the user's library
    arrivals: list[np.ndarray]  # per day, int64 item columns of that day's papers, random order
    teammates: np.ndarray  # int64 sorted user rows whose whole libraries are known
    newcomers: np.ndarray  # int64 sorted user rows the loop serves
    interest_rows: sp.csr_matrix  # (m, V) float32 TF-IDF rows of declared interests, else zero
    interest_words: dict[int, tuple[str, ...]]  # user row -> the declared words
    first_likes: dict[int, int]  # user row -> item column of the first 👍 ("one-like")
    content: Content
    papers: list[Paper]
    mode: str
    notes: list[str] = field(default_factory=list)


class Policy(Protocol):
    """A recommender in the loop. `start` trains on what is known before day 1; `choose` gives,
    for each user (row r of `users`), up to k item columns from `pool`, none in `shown[r]`;
    `react` gets the day's reactions as (user row, item column, +1/-1)."""

    name: str

    def start(self, world: World) -> None: ...

    def choose(
        self, day: int, users: np.ndarray, pool: np.ndarray, k: int, shown: list[set[int]]
    ) -> list[np.ndarray]: ...

    def react(self, reactions: Sequence[tuple[int, int, int]]) -> None: ...


def build_world(
    interactions: sp.csr_matrix,
    content: Content,
    space: TextSpace,
    papers: list[Paper],
    cfg: SimulationConfig,
) -> World:
    """The seeded world over `interactions` (m, n) (+1 = in the library). `space` is the term
    space of `content.text`, for the interest words. Raises InvalidInputError when there is no
    room for a stream or no user qualifies as a newcomer."""
    cfg.validate()
    m, n = interactions.shape
    if space.size != content.text.shape[1]:
        raise InvalidInputError("the term space does not match content.text")
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(cfg.seed).spawn(4)]
    library = sp.csr_matrix(interactions > 0, dtype=np.float32)
    pool, notes = _pool_size(n, cfg)
    stream = streams[0].permutation(n)[: cfg.days * pool].astype(np.int64)
    in_stream = np.zeros(n, dtype=bool)
    in_stream[stream] = True
    teammates = np.sort(streams[1].permutation(m)[: m // 2]).astype(np.int64)
    newcomers = _newcomers(library, in_stream, teammates, cfg, streams[2])
    if newcomers.size < cfg.users:
        notes.append(f"only {newcomers.size} users qualify as newcomers ({cfg.users} asked)")
    older = sp.csr_matrix(library[newcomers] @ sp.diags((~in_stream).astype(np.float32)))
    first_likes: dict[int, int] = {}
    if cfg.newcomers == "one-like":
        first_likes = _first_likes(older, newcomers, streams[3])
    words: dict[int, tuple[str, ...]] = {}
    if cfg.newcomers == "interests":
        words = _interest_words(older, newcomers, content.text, space, cfg.interest_terms)
    return World(
        history=_history(sp.csr_matrix(interactions), in_stream, teammates, newcomers, first_likes),
        library=library,
        arrivals=list(stream.reshape(cfg.days, pool)),
        teammates=teammates,
        newcomers=newcomers,
        interest_rows=_interest_rows(space, words, m),
        interest_words=words,
        first_likes=first_likes,
        content=content,
        papers=papers,
        mode=cfg.newcomers,
        notes=notes,
    )


def _pool_size(n: int, cfg: SimulationConfig) -> tuple[int, list[str]]:
    """The stream may take at most half the corpus: the rest is the history models learn from."""
    pool = min(cfg.pool, n // (2 * cfg.days))
    if pool < 1:
        raise InvalidInputError(f"{n} papers are too few for a {cfg.days}-day stream")
    if pool < cfg.pool:
        return pool, [f"pool shrunk from {cfg.pool} to {pool} papers a day: {n} papers in all"]
    return pool, []


def _newcomers(
    library: sp.csr_matrix,
    in_stream: np.ndarray,
    teammates: np.ndarray,
    cfg: SimulationConfig,
    rng: np.random.Generator,
) -> np.ndarray:
    stream_count = np.asarray(library[:, in_stream].sum(axis=1)).ravel()
    old_count = np.asarray(library[:, ~in_stream].sum(axis=1)).ravel()
    eligible = (stream_count >= cfg.min_library) & (old_count >= 1)
    eligible[teammates] = False
    candidates = np.flatnonzero(eligible)
    if candidates.size == 0:
        raise InvalidInputError(
            f"no non-teammate has >= {cfg.min_library} stream papers and an older one"
        )
    size = min(cfg.users, candidates.size)
    return np.sort(rng.choice(candidates, size=size, replace=False)).astype(np.int64)


def _first_likes(
    older: sp.csr_matrix, newcomers: np.ndarray, rng: np.random.Generator
) -> dict[int, int]:
    """One older library paper per newcomer (row r of `older`), uniformly at random."""
    return {
        int(user): int(rng.choice(older.indices[older.indptr[r] : older.indptr[r + 1]]))
        for r, user in enumerate(newcomers)
    }


def _interest_words(
    older: sp.csr_matrix,
    newcomers: np.ndarray,
    text: sp.csr_matrix,
    space: TextSpace,
    terms: int,
) -> dict[int, tuple[str, ...]]:
    """The `terms` strongest TF-IDF terms over each newcomer's older papers, plain words only:
    nobody declares an interest as `au:` author or `kw:` tag tokens."""
    plain = np.array([":" not in t for t in space.vocabulary.tolist()], dtype=bool)
    profile = sp.csr_matrix(older @ text)
    words: dict[int, tuple[str, ...]] = {}
    for r, user in enumerate(newcomers):
        start, end = profile.indptr[r], profile.indptr[r + 1]
        cols, weights = profile.indices[start:end], profile.data[start:end]
        keep = plain[cols]
        best = cols[keep][top_indices(weights[keep], terms)]
        if best.size:
            words[int(user)] = tuple(str(space.vocabulary[j]) for j in best)
    return words


def _interest_rows(space: TextSpace, words: dict[int, tuple[str, ...]], m: int) -> sp.csr_matrix:
    """(m, V) the declared words as the product reads free text: TF-IDF, L2-normalised rows."""
    users = sorted(words)
    if not users:
        return sp.csr_matrix((m, space.size), dtype=np.float32)
    rows = space.transform([list(words[u]) for u in users])
    spread = sp.csr_matrix(
        (np.ones(len(users), np.float32), (users, np.arange(len(users)))), shape=(m, len(users))
    )
    return sp.csr_matrix(spread @ rows, dtype=np.float32)


def _history(
    interactions: sp.csr_matrix,
    in_stream: np.ndarray,
    teammates: np.ndarray,
    newcomers: np.ndarray,
    first_likes: dict[int, int],
) -> sp.csr_matrix:
    """Teammates' votes on everything, the others' on older papers only, newcomers' on nothing
    but their first 👍."""
    m, n = interactions.shape
    team = np.zeros(m, dtype=bool)
    team[teammates] = True
    new = np.zeros(m, dtype=bool)
    new[newcomers] = True
    coo = interactions.tocoo()
    keep = (team[coo.row] | ~in_stream[coo.col]) & ~new[coo.row]
    rows = np.concatenate([coo.row[keep], np.fromiter(first_likes, np.int64, len(first_likes))])
    cols = np.concatenate([coo.col[keep], np.fromiter(first_likes.values(), np.int64)])
    data = np.concatenate([coo.data[keep], np.ones(len(first_likes))]).astype(np.float32)
    return sp.csr_matrix((data, (rows, cols)), shape=(m, n), dtype=np.float32)


@dataclass(frozen=True)
class Summary:
    """Mean over users of their hit rate, its standard error (sample std / sqrt(users))."""

    mean: float
    se: float
    users: int


@dataclass(frozen=True)
class PolicyRun:
    """One policy in one world: likes and picks, (newcomers, days) int arrays."""

    name: str
    likes: np.ndarray
    picks: np.ndarray

    def hit_rate(self) -> list[float]:
        """Per day: all newcomers' 👍 over all their picks."""
        picks = np.maximum(self.picks.sum(axis=0), 1)
        return [float(h) for h in self.likes.sum(axis=0) / picks]

    def summary(self, days: int) -> Summary:
        """Per newcomer, 👍 / picks over days 1..days; mean and SE over the newcomers who got a
        pick (a user, not a pick, is the unit: heavy and light users count the same)."""
        likes = self.likes[:, :days].sum(axis=1)
        picks = self.picks[:, :days].sum(axis=1)
        rates = likes[picks > 0] / picks[picks > 0]
        if rates.size == 0:
            return Summary(0.0, 0.0, 0)
        se = float(rates.std(ddof=1) / np.sqrt(rates.size)) if rates.size > 1 else 0.0
        return Summary(float(rates.mean()), se, int(rates.size))


def day_pool(world: World, day: int, window: int) -> np.ndarray:
    """The item columns on offer on `day` (1-based): the papers of the last `window` days."""
    return np.concatenate(world.arrivals[max(0, day - window) : day])


def run_policy(world: World, policy: Policy, cfg: SimulationConfig) -> PolicyRun:
    """Start the policy on the world, then play `cfg.days` days of picks and reactions."""
    users = world.newcomers
    lib = world.library
    owned = [set(lib.indices[lib.indptr[u] : lib.indptr[u + 1]].tolist()) for u in users]
    shown: list[set[int]] = [set() for _ in users]
    likes = np.zeros((users.size, cfg.days), dtype=np.int64)
    picks = np.zeros_like(likes)
    policy.start(world)
    for day in range(1, cfg.days + 1):
        pool = day_pool(world, day, cfg.window)
        chosen = policy.choose(day, users, pool, cfg.k, [set(s) for s in shown])
        _check(policy.name, chosen, users.size, set(pool.tolist()), shown, cfg.k)
        reactions: list[tuple[int, int, int]] = []
        for r, items in enumerate(chosen):
            for item in (int(i) for i in items):
                liked = item in owned[r]
                reactions.append((int(users[r]), item, 1 if liked else -1))
                shown[r].add(item)
                likes[r, day - 1] += liked
            picks[r, day - 1] = len(items)
        policy.react(reactions)
    return PolicyRun(policy.name, likes, picks)


def _check(
    name: str, chosen: list[np.ndarray], users: int, pool: set[int], shown: list[set[int]], k: int
) -> None:
    if len(chosen) != users:
        raise PolicyError(f"{name} chose for {len(chosen)} users, not {users}")
    for r, items in enumerate(chosen):
        picked = [int(i) for i in items]
        if len(picked) > k or len(set(picked)) != len(picked):
            raise PolicyError(f"{name} gave user row {r} {len(picked)} picks (k = {k}) or repeats")
        if not pool.issuperset(picked) or shown[r].intersection(picked):
            raise PolicyError(f"{name} picked outside the pool or a paper already shown")


@dataclass(frozen=True)
class PolicySummary:
    """A policy over several seeds: per-day hit rates averaged over seeds; early (days
    1..early_days) and overall means averaged over seeds, with se = sqrt(sum of se^2) / seeds
    (the SE of a mean of independent estimates) and the std of the seed means."""

    name: str
    hit_rate: list[float]
    early: Summary
    overall: Summary
    early_seed_std: float
    overall_seed_std: float
    seeds: int


def combine(runs: Sequence[PolicyRun], early_days: int) -> PolicySummary:
    """One policy's runs, one per seed, into a PolicySummary."""
    days = runs[0].likes.shape[1]
    early = [r.summary(min(early_days, days)) for r in runs]
    overall = [r.summary(days) for r in runs]
    return PolicySummary(
        name=runs[0].name,
        hit_rate=np.mean([r.hit_rate() for r in runs], axis=0).tolist(),
        early=_mean(early),
        overall=_mean(overall),
        early_seed_std=_std([s.mean for s in early]),
        overall_seed_std=_std([s.mean for s in overall]),
        seeds=len(runs),
    )


def _mean(summaries: Sequence[Summary]) -> Summary:
    se = float(np.sqrt(sum(s.se**2 for s in summaries)) / len(summaries))
    users = round(sum(s.users for s in summaries) / len(summaries))
    return Summary(float(np.mean([s.mean for s in summaries])), se, users)


def _std(values: Sequence[float]) -> float:
    return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0
