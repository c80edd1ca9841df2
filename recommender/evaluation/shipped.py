"""The product's own ranker in the evaluation and the simulation, through the functions the
service calls: `train_ranker` for the nightly fit, `score_matrix` for what picks choose from,
`picks` for the daily selection, and new votes in a `UserProfile` for the reaction update.

Why an adapter and not a second implementation: a figure about paperbot must be a figure about
the code users get. The evaluation's rows and columns become user keys and paper ids here, and
nothing else differs from serving.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import scipy.sparse as sp

from recommender.domain import InvalidInputError, Paper, UserProfile, Vote
from recommender.evaluation.estimator import Content
from recommender.evaluation.simulate import World
from recommender.ranker import HybridRanker
from recommender.settings import ModelSettings, PickSettings
from recommender.training import train_ranker

TODAY = date(2000, 1, 1)  # evaluation papers carry no dates or upvotes: the prior is flat


def user_key(row: int) -> str:
    return f"eval:u{row}"


def matrix_votes(matrix: sp.csr_matrix, papers: Sequence[Paper]) -> list[Vote]:
    """The +1/-1 entries of a (users, papers) matrix as the product's votes."""
    coo = sp.coo_matrix(matrix)
    return [
        Vote(user_key(int(r)), papers[int(c)].paper_id, 1 if v > 0 else -1)
        for r, c, v in zip(coo.row, coo.col, coo.data, strict=True)
        if v != 0
    ]


def row_votes(matrix: sp.csr_matrix, row: int) -> dict[int, int]:
    """{paper column: +1/-1} of one row of a (users, papers) vote matrix."""
    start, end = matrix.indptr[row], matrix.indptr[row + 1]
    cols, values = matrix.indices[start:end], matrix.data[start:end]
    return {int(c): (1 if v > 0 else -1) for c, v in zip(cols, values, strict=True) if v}


def interest_words(rows: sp.csr_matrix | None, content: Content, row: int) -> tuple[str, ...]:
    """A declared-interest row of the TF-IDF space as the words a user would have typed."""
    if rows is None or content.space is None or rows[row].nnz == 0:
        return ()
    vocabulary = content.space.vocabulary
    return tuple(str(vocabulary[j]) for j in rows[row].indices)


def profile_of(
    row: int, votes: dict[int, int], papers: Sequence[Paper], **extra: object
) -> UserProfile:
    """The product's profile of evaluation user `row` from their votes by paper column."""
    return UserProfile(
        user_key=user_key(row),
        votes={papers[c].paper_id: v for c, v in votes.items()},
        rated_papers=tuple(papers[c] for c in votes),
        **extra,  # type: ignore[arg-type]
    )


class ShippedEstimator:
    """`paperbot eval`'s "paperbot": the Estimator protocol over the shipped HybridRanker."""

    def __init__(
        self, settings: ModelSettings, picks: PickSettings, seed: int, name: str = "paperbot"
    ) -> None:
        self.settings = settings
        self.picks = picks
        self.seed = seed
        self.name = name

    def fit(
        self, train: sp.csr_matrix, content: Content, interests: sp.csr_matrix | None = None
    ) -> None:
        if len(content.papers) != train.shape[1]:
            raise InvalidInputError("the shipped ranker needs the papers (Content.papers)")
        self.papers = list(content.papers)
        self.train = sp.csr_matrix(train)
        self.content = content
        self.interests = interests
        votes = matrix_votes(self.train, self.papers)
        self.ranker: HybridRanker = train_ranker(
            self.papers, votes, {}, self.settings, self.picks, self.seed
        )

    def profile(self, row: int) -> UserProfile:
        return profile_of(
            row,
            row_votes(self.train, row),
            self.papers,
            interests=interest_words(self.interests, self.content, row),
        )

    def score(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        profiles = [self.profile(int(u)) for u in users]
        candidates = [self.papers[int(i)] for i in items]
        return self.ranker.score_matrix(profiles, candidates, TODAY)


class ShippedPolicy:
    """`paperbot simulate`'s "paperbot": trained once before day 1 like the nightly fit, then
    each day the product's `picks` (MMR, exploration slot, teammates' likes) for every newcomer,
    and each reaction recorded as a vote in the user's profile, as the service does. With
    `learns=False` the reactions are not recorded (what the feedback loop adds)."""

    def __init__(
        self,
        settings: ModelSettings,
        picks: PickSettings,
        seed: int,
        learns: bool = True,
        name: str = "paperbot",
    ) -> None:
        self.settings = settings
        self.pick_settings = picks
        self.seed = seed
        self.learns = learns
        self.name = name

    def start(self, world: World) -> None:
        self.papers = world.papers
        self.column = {p.paper_id: i for i, p in enumerate(self.papers)}
        votes = matrix_votes(world.history, self.papers)
        self.ranker = train_ranker(
            self.papers, votes, {}, self.settings, self.pick_settings, self.seed
        )
        team = sp.csr_matrix(world.history[world.teammates] > 0, dtype=np.float32)
        self.team_likes = np.asarray(team.sum(axis=0)).ravel()
        self.votes: dict[int, dict[int, int]] = {}
        for user in world.newcomers.tolist():
            self.votes[user] = row_votes(world.history, user)
        self.interests = {u: world.interest_words.get(u, ()) for u in world.newcomers.tolist()}

    def _profile(self, user: int, pool: np.ndarray, shown: set[int]) -> UserProfile:
        team = {
            self.papers[int(i)].paper_id: int(self.team_likes[int(i)])
            for i in pool
            if self.team_likes[int(i)] > 0
        }
        return profile_of(
            user,
            self.votes.get(user, {}),
            self.papers,
            interests=self.interests.get(user, ()),
            exclude=frozenset(self.papers[i].paper_id for i in shown),
            teammate_likes=team,
        )

    def choose(
        self, day: int, users: np.ndarray, pool: np.ndarray, k: int, shown: list[set[int]]
    ) -> list[np.ndarray]:
        profiles = [self._profile(int(u), pool, shown[r]) for r, u in enumerate(users)]
        candidates = [self.papers[int(i)] for i in pool]
        picked = self.ranker.picks(profiles, candidates, k, TODAY)
        return [
            np.array([self.column[p.paper.paper_id] for p in picked[profile.user_key]], np.int64)
            for profile in profiles
        ]

    def react(self, reactions: Sequence[tuple[int, int, int]]) -> None:
        if not self.learns:
            return
        for user, item, vote in reactions:
            self.votes.setdefault(int(user), {})[int(item)] = int(vote)
