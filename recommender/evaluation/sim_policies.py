"""The baselines of the closed loop (recommender/evaluation/simulate.py), as Policies.

- EstimatorPolicy: any cheap Estimator (popularity, tfidf-profile, random), refitted after each day
  on the history plus every reaction so far: the most a cheap model can do with the feedback.
- HybridFoldInPolicy: LightFM with item features trained once before day 1; a newcomer is the mean
  of their liked papers' item representations (and of their declared interests' terms), the usual
  LightFM cold-start recipe. It ignores 👎, as that recipe does.
- HindsightPolicy: not a baseline but a ceiling. Every newcomer gets the same k papers a day, the
  pool's papers found in the most newcomers' libraries: the best any order that knows nothing of
  the user could do, and it knows it only in hindsight. Over days 1-3 of "none" newcomers it says
  how much room a policy has at all before their reactions tell it something.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from recommender.evaluation.baselines import LightFMHybrid
from recommender.evaluation.choices import HYBRID_SETTINGS
from recommender.evaluation.estimator import Estimator
from recommender.evaluation.simulate import World
from recommender.prior import top_indices
from recommender.settings import ModelSettings


def top_unshown(
    scores: np.ndarray, pool: np.ndarray, shown: list[set[int]], k: int
) -> list[np.ndarray]:
    """Per row r of `scores` (len(users), len(pool)): the k best-scored columns of `pool` not in
    shown[r], best first. Ties go to the earlier pool position (pools come in random order)."""
    position = {int(item): i for i, item in enumerate(pool)}
    chosen = []
    for r in range(scores.shape[0]):
        row = np.array(scores[r], dtype=np.float64)
        row[[position[i] for i in shown[r] if i in position]] = -np.inf
        chosen.append(pool[top_indices(row, k)])
    return chosen


def with_reactions(
    history: sp.csr_matrix, reactions: Sequence[tuple[int, int, int]]
) -> sp.csr_matrix:
    """(m, n) history plus the reactions. The loop never shows a paper twice and history holds no
    stream paper of a newcomer, so the cells are disjoint and a sum is exact."""
    if not reactions:
        return history
    rows, cols, votes = (np.asarray(v) for v in zip(*reactions, strict=True))
    added = sp.csr_matrix((votes.astype(np.float32), (rows, cols)), shape=history.shape)
    return sp.csr_matrix(history + added, dtype=np.float32)


class EstimatorPolicy:
    """An Estimator in the loop: top k of `score`, refitted on history + reactions each day
    (`refits=False` fits once: for random, whose refit would only replay the same noise)."""

    def __init__(self, estimator: Estimator, refits: bool = True) -> None:
        self.estimator = estimator
        self.name = estimator.name
        self.refits = refits

    def start(self, world: World) -> None:
        self.world = world
        self.reactions: list[tuple[int, int, int]] = []
        self.estimator.fit(world.history, world.content, world.interest_rows)

    def choose(
        self, day: int, users: np.ndarray, pool: np.ndarray, k: int, shown: list[set[int]]
    ) -> list[np.ndarray]:
        return top_unshown(self.estimator.score(users, pool), pool, shown, k)

    def react(self, reactions: Sequence[tuple[int, int, int]]) -> None:
        self.reactions.extend(reactions)
        if self.refits:
            train = with_reactions(self.world.history, self.reactions)
            self.estimator.fit(train, self.world.content, self.world.interest_rows)


class HybridFoldInPolicy:
    """evaluation.baselines.LightFMHybrid trained once on the history; each day a newcomer's
    vector is the mean of the item representations of their 👍 so far (first 👍 included) and, in
    "interests" mode, of their interest words' term representations. 👎 are ignored."""

    def __init__(
        self,
        seed: int,
        settings: ModelSettings = HYBRID_SETTINGS,
        feature_terms: int = 5000,
        name: str = "lightfm-hybrid",
    ) -> None:
        self.seed = seed
        self.settings = settings
        self.feature_terms = feature_terms
        self.name = name

    def start(self, world: World) -> None:
        self.model = LightFMHybrid(self.settings, self.seed, self.feature_terms)
        self.model.fit(world.history, world.content)
        self.history = world.history
        self.interests = world.interest_rows if world.mode == "interests" else None
        self.liked: dict[int, set[int]] = {}

    def _likes(self, user: int) -> set[int]:
        if user not in self.liked:
            row = self.history[user]
            self.liked[user] = set(row.indices[row.data > 0].tolist())
        return self.liked[user]

    def choose(
        self, day: int, users: np.ndarray, pool: np.ndarray, k: int, shown: list[set[int]]
    ) -> list[np.ndarray]:
        liked = [sorted(self._likes(int(u))) for u in users]
        rows = np.repeat(np.arange(len(users)), [len(items) for items in liked])
        cols = np.fromiter((i for items in liked for i in items), np.int64, rows.size)
        shape = (len(users), self.history.shape[1])
        likes = sp.csr_matrix((np.ones(rows.size, np.float32), (rows, cols)), shape=shape)
        interests = None if self.interests is None else self.interests[users]
        return top_unshown(self.model.fold_in_scores(likes, pool, interests), pool, shown, k)

    def react(self, reactions: Sequence[tuple[int, int, int]]) -> None:
        for user, item, vote in reactions:
            if vote > 0:
                self._likes(user).add(item)


class HindsightPolicy:
    """The hindsight ceiling of the module docstring: each pool paper's count of newcomers who
    have it in their library (the loop's truth), the same order for everyone, ties to the
    earlier pool position. Reactions change nothing: there is no user to learn."""

    name = "hindsight-popular"

    def start(self, world: World) -> None:
        self.owners = np.asarray(world.library[world.newcomers].sum(axis=0)).ravel()

    def choose(
        self, day: int, users: np.ndarray, pool: np.ndarray, k: int, shown: list[set[int]]
    ) -> list[np.ndarray]:
        scores = np.broadcast_to(self.owners[pool], (users.size, pool.size))
        return top_unshown(scores, pool, shown, k)

    def react(self, reactions: Sequence[tuple[int, int, int]]) -> None:
        del reactions
