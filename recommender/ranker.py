"""The product ranker: the LightFM hybrid behind the `Ranker` protocol, in external ids.

One instance serves every user and holds no per-user state: a user is represented from their
current votes at every call (recommender.users), so a reaction counts in the very next picks and
concurrent readers need no lock. `picks` scores a batch of users against the day's candidates
with a few matrix products (recommender.scoring), then chooses every user's k papers at once with
array operations over the batch: MMR in the model's space, each interest's share
(recommender.coverage) and an optional exploration slot (recommender.selection); and explains
them from batched products (recommender.evidence, recommender.reasons). Without a trained model
(`content_ranker`) the same code ranks by text and trend.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from itertools import chain, pairwise, repeat
from typing import TypeVar

import numpy as np
import scipy.sparse as sp

from recommender.als import one_blas_thread
from recommender.coverage import regions
from recommender.domain import DOWN, UP, Paper, Pick, UserProfile
from recommender.evidence import Twins, interest_match, liked_by, read_alike, resemblance
from recommender.features import TextSpace
from recommender.prior import candidate_prior, top_indices
from recommender.reasons import Facts, rated, sentences, short_title
from recommender.scoring import Candidates, scored, standardise
from recommender.selection import exploration, mmr, shortlist, similarities
from recommender.settings import ModelSettings, PickSettings
from recommender.tables import ItemRows, ItemTable
from recommender.users import UserSide, Voted, represent, voted

BATCH_USERS = 512  # users per matrix product: memory is BATCH_USERS x candidates floats
SPLIT_USERS = 64  # the smallest batch worth a thread of its own (128 cost as much a user as 512)
POSITION_WEIGHT = 0.5  # search results: the search engine's order against the user's taste
TRENDING_UPVOTES = 20  # `why` without a candidate pool: what counts as trending on its own
T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class _Pool:
    """The candidates and what about them is the same for every user, built once per call."""

    papers: Sequence[Paper]
    basis: Candidates  # their side of the scoring rule, with their rows
    column: dict[str, int]  # paper_id -> index into `papers`
    by_row: np.ndarray  # (table size,) int64 the candidate each row of the model's table is, -1
    twins: Twins  # which candidate a liked paper is, by title

    @property
    def rows(self) -> ItemRows:
        return self.basis.rows

    def by_id(self, votes: Voted) -> np.ndarray:
        """(len(votes.papers),) int64 the candidate each voted paper is by id, -1 none: papers of
        the model's table by their row, as arrays; newer ones by id (a newer paper's id is in
        no table row, so it can only be a newer candidate)."""
        found = np.full(len(votes.papers), -1, dtype=np.int64)
        table = votes.codes >= 0
        found[table] = self.by_row[votes.codes[table]]
        newer = np.flatnonzero(~table).tolist()
        found[newer] = [self.column.get(votes.papers[i].paper_id, -1) for i in newer]
        return found


class HybridRanker:
    """Ranks papers for users; see the module docstring. Immutable after construction, but for
    a memo of the last candidate pool (`_window`), which changes no result."""

    def __init__(
        self,
        *,
        settings: ModelSettings,
        picks: PickSettings,
        space: TextSpace,
        items: ItemTable,
        version: str = "unsaved",
    ) -> None:
        self.settings = settings
        self.pick_settings = picks
        self.space = space
        self.items = items
        self.version = version
        self._last: tuple[tuple[int, ...], _Pool] | None = None  # see `_window`

    @property
    def kind(self) -> str:
        """ "hybrid" with a trained LightFM space, "content" without (the fallback)."""
        return "hybrid" if self.items.dim else "content"

    # -- the Ranker protocol -------------------------------------------------------------------

    def picks(
        self, profiles: Sequence[UserProfile], candidates: Sequence[Paper], k: int, today: date
    ) -> dict[str, list[Pick]]:
        result: dict[str, list[Pick]] = {p.user_key: [] for p in profiles}
        cands = list(candidates)
        if not cands or k <= 0:
            return result
        pool = self._window(cands)
        prior, trending = candidate_prior(cands, today, self.pick_settings)

        def batch(chunk: Sequence[UserProfile]) -> list[list[Pick]]:
            users, scores, usual, votes = self._scores(chunk, pool, prior)
            chosen, explored = self._select(chunk, scores, usual, pool.rows, k, users.liking)
            hot = trending[np.maximum(chosen, 0)]
            reasons = self._explain(chunk, chosen, explored, pool, votes, users.liked.readers, hot)
            user, slot = np.nonzero(chosen >= 0)  # the valid picks, user by user, in order
            at = chosen[user, slot]
            papers = map(cands.__getitem__, at.tolist())
            flat = list(map(Pick, papers, scores[user, at].tolist(), reasons))
            ends = np.cumsum(np.bincount(user, minlength=len(chunk))).tolist()
            return [flat[start:end] for start, end in pairwise([0, *ends])]

        for chunk, picked in self._batches(profiles, batch):
            result.update(zip((p.user_key for p in chunk), picked, strict=True))
        return result

    def score_matrix(
        self, profiles: Sequence[UserProfile], candidates: Sequence[Paper], today: date
    ) -> np.ndarray:
        """(users, candidates) float32 scores, excluded/rated papers at -inf: what `picks`
        chooses from, without the per-user selection and reasons (the evaluation scores this)."""
        cands = list(candidates)
        pool = self._window(cands)
        prior, _ = candidate_prior(cands, today, self.pick_settings)
        out = np.empty((len(profiles), len(cands)), dtype=np.float32)
        start = 0
        for chunk, scores in self._batches(
            profiles, lambda chunk: self._scores(chunk, pool, prior)[1]
        ):
            out[start : start + len(chunk)] = scores
            start += len(chunk)
        return out

    def similar(self, paper: Paper, candidates: Sequence[Paper], k: int) -> list[Pick]:
        """Papers closest to `paper`: the ranking of a reader who liked only it, without the
        popularity part (LightFM's bias), so that "similar" means similar."""
        cands = [c for c in candidates if c.paper_id != paper.paper_id]
        if not cands or k <= 0:
            return []
        reader = UserProfile("similar", votes={paper.paper_id: UP}, rated_papers=(paper,))
        users = represent([reader], self.items, self.space, self.settings)
        plain = dataclasses.replace(self.settings, fit_weight=0.0)
        scores = scored(users, Candidates.of(self._rows(cands)), plain)[0][0]
        reason = f"similar to “{short_title(paper.title)}”"
        return [Pick(cands[i], float(scores[i]), reason) for i in top_indices(scores, k)]

    def rerank(self, profile: UserProfile, papers: Sequence[Paper]) -> list[Paper]:
        """Search results in the user's order: their taste blended with the search engine's own
        ranking (position), so a personal favourite rises without burying the exact match."""
        papers = list(papers)
        if len(papers) < 2 or not (any(profile.votes.values()) or profile.interests):
            return papers
        position = -np.arange(len(papers), dtype=np.float32)
        prior = standardise(position[None, :])[0]
        users = represent([profile], self.items, self.space, self.settings)
        basis = Candidates.of(self._rows(papers))
        taste = standardise(scored(users, basis, self.settings)[0])[0]
        scores = taste + POSITION_WEIGHT * prior
        order = np.lexsort((np.arange(len(papers)), -scores))
        return [papers[i] for i in order]

    def why(self, profile: UserProfile, paper: Paper) -> str:
        vote = profile.votes.get(paper.paper_id, 0)
        if vote in (UP, DOWN):
            return rated(vote)
        votes = voted([profile], self.items, self.space)
        users = represent([profile], self.items, self.space, self.settings, votes)
        chosen, explored = np.zeros((1, 1), dtype=np.int64), np.zeros((1, 1), dtype=bool)
        trending = np.array([[paper.upvotes >= TRENDING_UPVOTES]])
        pool = self._pool([paper])
        facts = (chosen, explored, pool, votes, users.liked.readers)
        return self._explain([profile], *facts, trending)[0]

    # -- internals -----------------------------------------------------------------------------

    def _batches(
        self, profiles: Sequence[UserProfile], work: Callable[[Sequence[UserProfile]], T]
    ) -> Iterator[tuple[list[UserProfile], T]]:
        """`work` on each batch of profiles, in order, on `num_threads` threads with BLAS held to
        one thread. The batches are independent, and most of a batch's time is in numpy and
        scipy, which release the GIL; BLAS's own threads only spun on products this small (as
        much CPU again for no gain in time). A call with fewer than BATCH_USERS x `num_threads`
        profiles (the daily planner sends 256 at a time) is split evenly over the threads, down
        to SPLIT_USERS a batch; one batch runs where it is called (a reaction's picks)."""
        threads = max(1, self.settings.num_threads)
        size = min(BATCH_USERS, max(SPLIT_USERS, -(-len(profiles) // threads)))
        chunks = [list(profiles[s : s + size]) for s in range(0, len(profiles), size)]
        threads = min(threads, len(chunks))
        with one_blas_thread():
            if threads <= 1:
                yield from ((chunk, work(chunk)) for chunk in chunks)
                return
            with ThreadPoolExecutor(threads, thread_name_prefix="picks") as pool:
                yield from zip(chunks, pool.map(work, chunks), strict=True)

    def _rows(self, papers: Sequence[Paper]) -> ItemRows:
        return self.items.rows(papers, self.space)

    def _window(self, cands: list[Paper]) -> _Pool:
        """`_pool` of the day's candidates, kept for the next call with the very same Paper
        objects: the daily planner calls once per batch of users with one list for the whole
        day, and building the pool (rows, covariances, folded titles) cost as much as scoring
        a small batch. The objects are held by the pool, so their ids stay theirs."""
        key = tuple(map(id, cands))
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        pool = self._pool(cands)
        self._last = (key, pool)
        return pool

    def _pool(self, cands: Sequence[Paper]) -> _Pool:
        codes = self.items.codes([p.paper_id for p in cands])
        by_row = np.full(self.items.size, -1, dtype=np.int64)
        by_row[codes[codes >= 0]] = np.flatnonzero(codes >= 0)
        basis = Candidates.of(self.items.rows(cands, self.space, codes))
        column = {p.paper_id: i for i, p in enumerate(cands)}
        return _Pool(cands, basis, column, by_row, Twins(cands, self.items.size))

    def _scores(
        self, profiles: Sequence[UserProfile], pool: _Pool, prior: np.ndarray
    ) -> tuple[UserSide, np.ndarray, np.ndarray, Voted]:
        votes = voted(profiles, self.items, self.space)
        users = represent(profiles, self.items, self.space, self.settings, votes)
        scores, usual = scored(users, pool.basis, self.settings)
        scores += prior[None, :]
        self._adjust(scores, profiles, pool, votes)
        return users, scores, usual, votes

    def _select(
        self,
        profiles: Sequence[UserProfile],
        scores: np.ndarray,
        usual: np.ndarray,
        rows: ItemRows,
        k: int,
        liking: np.ndarray,
    ) -> tuple[np.ndarray, np.ndarray]:
        """(B, k) candidate indices (-1 none) and where the exploration slot is (bool):
        MMR in the model's space over each user's shortlist, with each interest's share
        (recommender.coverage), and with exploration on the last of k >= 3 slots for users we
        know something of (recommender.selection). Users who like nothing yet (`liking` (B,)
        False) get the best of their scores, the popularity order, without MMR: spreading them
        over the space cost hit rate on their first days and bought no faster learning
        (docs/evaluation.md)."""
        vectors: np.ndarray | sp.csr_matrix = rows.unit if self.items.dim else rows.text
        shares = None
        if self.pick_settings.coverage:
            shares = regions(profiles, rows.text, self.space, self.items, k)
        idx = shortlist(scores, k, shares)
        diversity = np.where(liking, self.pick_settings.diversity, 0.0)
        chosen = mmr(scores, idx, similarities(vectors, idx), k, diversity, shares)
        explored = np.zeros(chosen.shape, dtype=bool)
        if self.pick_settings.exploration and k >= 3:
            known = np.array([bool(p.votes or p.interests) for p in profiles])
            extra = exploration(scores, usual, chosen[:, : k - 1], vectors)
            use = known & (extra >= 0)
            chosen[use, k - 1] = extra[use]
            explored[use, k - 1] = True
        return chosen, explored

    def _explain(
        self,
        profiles: Sequence[UserProfile],
        chosen: np.ndarray,
        explored: np.ndarray,
        pool: _Pool,
        votes: Voted,
        liked_readers: sp.csr_matrix,
        trending: np.ndarray,
    ) -> list[str]:
        """One sentence per chosen candidate ((B, k) indices into `pool`, -1 none), in one flat
        list user by user (`reasons.sentences`), from a few batched products over the whole
        batch (recommender.evidence). The liked papers and their rows are the batch's `votes`,
        as `represent` used them."""
        liked_of = votes.liked_of(len(profiles))
        keys = [profile.user_key for profile in profiles]
        liked = np.unique(votes.column[votes.up])
        twin = pool.twins.of(votes.papers, votes.codes, liked, pool.by_id(votes))
        resembles = resemblance(chosen, pool.rows, liked_of, votes.rows, twin)
        interest = interest_match(chosen, pool.rows, votes.interests, votes.interest_owner)
        teammates = np.zeros(chosen.shape, dtype=np.int64)
        for r in (r for r, q in enumerate(profiles) if q.teammate_likes):
            for j, i in enumerate(chosen[r].tolist()):
                if i >= 0:
                    teammates[r, j] = profiles[r].teammate_likes.get(pool.papers[i].paper_id, 0)
        resembled = np.full(resembles.shape, -1, dtype=np.int64)  # into votes.papers
        hit = resembles >= 0
        resembled[hit] = liked_of[np.nonzero(hit)[0], resembles[hit]]
        facts = Facts(
            resembles=resembled,
            interest=interest,
            teammates=teammates,
            read_alike=read_alike(chosen, pool.rows, liked_readers),
            readers=liked_by(chosen, pool.rows, self.items.reader_columns(keys)),
            trending=trending & (chosen >= 0),
            explored=explored,
        )
        liking = np.asarray((liked_of >= 0).any(axis=1))
        shown = np.unique(resembled[resembled >= 0]).tolist()  # only the titles a reason quotes
        titles = {i: short_title(votes.papers[i].title) for i in shown}
        return sentences(facts, chosen >= 0, titles, liking, [q.interests for q in profiles])

    def _adjust(
        self, scores: np.ndarray, profiles: Sequence[UserProfile], pool: _Pool, votes: Voted
    ) -> None:
        """Teammates' likes lift a paper; excluded papers and any with a vote of the user's (a
        cleared one too) can never be picked. Flat arrays over the batch (a user's teammates may
        have liked hundreds of papers, most outside the window), then one scatter each. The
        votes the batch holds already (`votes`) are matched by table row, as arrays; only
        exclusions, and the votes of a profile `votes` does not hold all of, go by id."""
        column = pool.column
        likes = [profile.teammate_likes for profile in profiles]  # every paper a teammate liked
        owner = np.repeat(np.arange(len(profiles)), [len(mine) for mine in likes])
        ids = list(chain.from_iterable(likes))
        count = np.fromiter(chain.from_iterable(m.values() for m in likes), np.float64, len(ids))
        at = np.fromiter(map(column.get, ids, repeat(-1)), dtype=np.int64, count=len(ids))
        lift = (at >= 0) & (count > 0)
        if lift.any():
            weight = self.pick_settings.teammate_weight * np.log1p(count[lift])
            scores[owner[lift], at[lift]] += weight
        at = pool.by_id(votes)[votes.column]
        scores[votes.owner[at >= 0], at[at >= 0]] = -np.inf
        held = np.bincount(votes.owner, minlength=len(profiles))
        rest = [
            (r, [*p.exclude, *p.votes])
            for r, p in enumerate(profiles)
            if p.exclude or len(p.votes) != held[r]
        ]
        if rest:
            owner = np.repeat([r for r, _ in rest], [len(ids) for _, ids in rest])
            flat = list(chain.from_iterable(ids for _, ids in rest))
            at = np.fromiter(map(column.get, flat, repeat(-1)), dtype=np.int64, count=len(flat))
            scores[owner[at >= 0], at[at >= 0]] = -np.inf
