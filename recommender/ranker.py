"""The product ranker: the hybrid blend behind the `Ranker` protocol, in external ids.

One instance serves every user. `picks` scores a batch of users against the day's candidates with
one matrix product per signal (recommender.blend), then chooses each user's k papers with MMR and an
optional exploration slot (recommender.ranking) and explains them (recommender.reasons).
Without a trained collaborative part (`content_ranker`) the same code ranks by content and trend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from recommender.blend import (
    ItemSide,
    UserSide,
    VoteSums,
    add_interest_vectors,
    blend,
    content_profiles,
    fold_in,
    knowledge,
    standardise,
    text_scores,
    vote_sums,
)
from recommender.domain import UP, Paper, Pick, UserProfile
from recommender.features import TextSpace, project
from recommender.ranking import candidate_prior, daily_selection, top_indices
from recommender.reasons import explain_each, short_title
from recommender.settings import ModelSettings, PickSettings
from recommender.tables import ItemRows, ItemTable, UserTable, votes_digest

BATCH_USERS = 512  # users per matrix product: memory is BATCH_USERS x candidates floats
TRENDING_UPVOTES = 20  # `why` without a candidate pool: what counts as trending on its own


class HybridRanker:
    """Ranks papers for users; see the module docstring. Thread-safe for reads; `fold_in` only
    replaces one dictionary entry."""

    def __init__(
        self,
        *,
        settings: ModelSettings,
        picks: PickSettings,
        space: TextSpace,
        basis: np.ndarray,
        items: ItemTable,
        users: UserTable,
        version: str = "unsaved",
    ) -> None:
        self.settings = settings
        self.pick_settings = picks
        self.space = space
        self.basis = basis  # (k, V) LSA basis, k may be 0
        self.items = items
        self.users = users
        self.version = version
        self._folded: dict[str, tuple[int, np.ndarray]] = {}

    @property
    def kind(self) -> str:
        """ "hybrid" with a trained collaborative part, "content" without (the fallback)."""
        return "hybrid" if self.items.dim and len(self.users.user_keys) else "content"

    # -- the Ranker protocol -------------------------------------------------------------------

    def picks(
        self, profiles: Sequence[UserProfile], candidates: Sequence[Paper], k: int, today: date
    ) -> dict[str, list[Pick]]:
        result: dict[str, list[Pick]] = {p.user_key: [] for p in profiles}
        cands = list(candidates)
        if not cands or k <= 0:
            return result
        rows = self._rows(cands)
        prior, popularity, trending = candidate_prior(cands, today, self.pick_settings)
        items = ItemSide(rows.text, rows.lsa, rows.cf, rows.cf_bias, rows.confidence, prior)
        column = {p.paper_id: i for i, p in enumerate(cands)}
        vectors = rows.lsa if rows.lsa.shape[1] else np.zeros((len(cands), 0), np.float32)
        for start in range(0, len(profiles), BATCH_USERS):
            chunk = list(profiles[start : start + BATCH_USERS])
            users, liked = self._user_side(chunk)
            text = text_scores(users.text, rows.text)
            scores = blend(users, items, self.settings, text)
            self._adjust(scores, chunk, column)
            for r, profile in enumerate(chunk):
                has_signal = bool(liked.count[r] > 0 or profile.interests)
                usual = text[r] if self.pick_settings.exploration and has_signal else None
                chosen, explored = daily_selection(
                    scores[r], vectors, k, self.pick_settings.diversity, usual, popularity
                )
                facts = (cands, rows, trending, explored)
                reasons = self._reasons(profile, float(users.cf_weight[r]), chosen, *facts)
                result[profile.user_key] = [
                    Pick(cands[i], float(scores[r, i]), reason)
                    for i, reason in zip(chosen, reasons, strict=True)
                ]
        return result

    def score_matrix(
        self, profiles: Sequence[UserProfile], candidates: Sequence[Paper], today: date
    ) -> np.ndarray:
        """(users, candidates) float32 blended scores, excluded/rated papers at -inf: what
        `picks` chooses from, without the per-user selection and reasons (for benchmarks and
        diagnostics)."""
        cands = list(candidates)
        rows = self._rows(cands)
        prior, _, _ = candidate_prior(cands, today, self.pick_settings)
        items = ItemSide(rows.text, rows.lsa, rows.cf, rows.cf_bias, rows.confidence, prior)
        column = {p.paper_id: i for i, p in enumerate(cands)}
        out = np.empty((len(profiles), len(cands)), dtype=np.float32)
        for start in range(0, len(profiles), BATCH_USERS):
            chunk = list(profiles[start : start + BATCH_USERS])
            users, _ = self._user_side(chunk)
            out[start : start + len(chunk)] = blend(users, items, self.settings)
            self._adjust(out[start : start + len(chunk)], chunk, column)
        return out

    def similar(self, paper: Paper, candidates: Sequence[Paper], k: int) -> list[Pick]:
        """Papers closest to `paper` in content and (when both are known) in taste space."""
        cands = [c for c in candidates if c.paper_id != paper.paper_id]
        if not cands or k <= 0:
            return []
        rows, ref = self._rows(cands), self._rows([paper])
        users = UserSide(ref.text, ref.lsa, ref.cf, ref.confidence)
        items = ItemSide(
            rows.text, rows.lsa, rows.cf, rows.cf_bias, rows.confidence, np.zeros(len(cands))
        )
        scores = blend(users, items, self.settings)[0]
        reason = f"similar to “{short_title(paper.title)}”"
        return [Pick(cands[i], float(scores[i]), reason) for i in top_indices(scores, k)]

    def rerank(self, profile: UserProfile, papers: Sequence[Paper]) -> list[Paper]:
        """Search results in the user's order: their taste blended with the search engine's own
        ranking (position), so a personal favourite rises without burying the exact match."""
        papers = list(papers)
        if len(papers) < 2 or not (any(profile.votes.values()) or profile.interests):
            return papers
        rows = self._rows(papers)
        position = -np.arange(len(papers), dtype=np.float32)
        prior = standardise(position[None, :])[0]
        items = ItemSide(rows.text, rows.lsa, rows.cf, rows.cf_bias, rows.confidence, prior)
        users, _ = self._user_side([profile])
        scores = blend(users, items, self.settings)[0]
        order = np.lexsort((np.arange(len(papers)), -scores))
        return [papers[i] for i in order]

    def why(self, profile: UserProfile, paper: Paper) -> str:
        rows = self._rows([paper])
        users, _ = self._user_side([profile])
        trending = np.array([paper.upvotes >= TRENDING_UPVOTES])
        cf_weight = float(users.cf_weight[0])
        return self._reasons(profile, cf_weight, np.array([0]), [paper], rows, trending, None)[0]

    def fold_in(self, profile: UserProfile) -> None:
        """Recompute this user's collaborative vector from their current votes (milliseconds)."""
        users, _ = self._user_side([profile])
        self._folded[profile.user_key] = (votes_digest(profile.votes), users.cf[0].copy())

    def to_state(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """(arrays, meta) for storage; see recommender.state."""
        from recommender.state import to_state

        return to_state(self)

    @classmethod
    def from_state(cls, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> HybridRanker:
        from recommender.state import from_state

        return from_state(arrays, meta)

    # -- internals -----------------------------------------------------------------------------

    def _rows(self, papers: Sequence[Paper]) -> ItemRows:
        return self.items.rows(papers, self.space, self.basis, self.settings)

    def _user_side(self, profiles: Sequence[UserProfile]) -> tuple[UserSide, VoteSums]:
        """Profiles and collaborative vectors for a batch of users, from their current votes."""
        liked, disliked = self._vote_sums(profiles)
        interest_rows = [self._interest_vector(p) for p in profiles]
        interests = sp.csr_matrix(sp.vstack(interest_rows, format="csr"), dtype=np.float32)
        interests_lsa = project(interests, self.basis)
        text, lsa = content_profiles(liked, disliked, interests, interests_lsa, self.settings)
        cf = fold_in(liked, disliked, self.settings)
        weight = knowledge(liked.cf_count, self.settings.cf_half_likes)
        add_interest_vectors(
            cf, weight, interests, liked.count, self.items.projection, self.settings
        )
        for r, profile in enumerate(profiles):
            digest = votes_digest(profile.votes)
            trained = self.users.current_vector(profile.user_key, digest)
            folded = self._folded.get(profile.user_key)
            if trained is not None:
                cf[r] = trained
            elif folded is not None and folded[0] == digest:
                cf[r] = folded[1]
        return UserSide(text, lsa, cf, weight.astype(np.float32)), liked

    def _vote_sums(self, profiles: Sequence[UserProfile]) -> tuple[VoteSums, VoteSums]:
        """Sums over liked and disliked papers: known papers from the table, others (rated
        after training) featurised from `profile.rated_papers`."""
        extra: dict[str, int] = {}
        extra_papers: list[Paper] = []
        cells: dict[int, tuple[list[int], list[int]]] = {UP: ([], []), -UP: ([], [])}
        extra_cells: dict[int, tuple[list[int], list[int]]] = {UP: ([], []), -UP: ([], [])}
        for r, profile in enumerate(profiles):
            rated = {p.paper_id: p for p in profile.rated_papers}
            for paper_id, vote in profile.votes.items():
                if vote not in (UP, -UP):
                    continue
                col = self.items.index.get(paper_id)
                target = cells
                if col is None:
                    if paper_id not in rated:
                        continue
                    if paper_id not in extra:
                        extra[paper_id] = len(extra_papers)
                        extra_papers.append(rated[paper_id])
                    col, target = extra[paper_id], extra_cells
                target[vote][0].append(r)
                target[vote][1].append(col)
        m, n = len(profiles), len(self.items.paper_ids)
        ones = np.ones(n, dtype=np.float32) if self.items.dim else np.zeros(n, dtype=np.float32)
        rows = self._rows(extra_papers)
        result = []
        for vote in (UP, -UP):
            known = _indicator(cells[vote], m, n)
            fresh = _indicator(extra_cells[vote], m, len(extra_papers))
            total = vote_sums(known, self.items.text, self.items.lsa, self.items.cf, ones)
            total = total + vote_sums(fresh, rows.text, rows.lsa, rows.cf, rows.cf_known)
            result.append(total)
        return result[0], result[1]

    def _reasons(
        self,
        profile: UserProfile,
        cf_weight: float,
        chosen: np.ndarray,
        papers: Sequence[Paper],
        rows: ItemRows,
        trending: np.ndarray,
        explored: int | None,
    ) -> list[str]:
        """One sentence per chosen candidate (indices into `rows`); every cosine the reasons
        need comes from two small products per user, not one per pick."""
        block = np.asarray(rows.text[chosen].toarray(), dtype=np.float32).T  # (V, k)
        liked = [p for p in profile.rated_papers if profile.votes.get(p.paper_id) == UP]
        liked_sim = np.zeros((0, len(chosen)), dtype=np.float32)
        if liked:
            liked_sim = np.asarray(self.items.text_rows(liked, self.space) @ block)
        interest_sim = np.zeros((0, len(chosen)), dtype=np.float32)
        if profile.interests:
            interest_sim = np.asarray(self.space.transform_texts(profile.interests) @ block)
        return explain_each(
            liked_sim,
            [p.title for p in liked],
            interest_sim,
            profile.interests,
            [int(profile.teammate_likes.get(papers[int(i)].paper_id, 0)) for i in chosen],
            [bool(trending[i]) for i in chosen],
            [explored is not None and int(i) == explored for i in chosen],
            [cf_weight >= 0.3 and float(rows.confidence[i]) > 0 for i in chosen],
        )

    def _interest_vector(self, profile: UserProfile) -> sp.csr_matrix:
        if not profile.interests:
            return sp.csr_matrix((1, self.space.size), dtype=np.float32)
        rows = self.space.transform_texts(profile.interests)
        return sp.csr_matrix(normalize(np.asarray(rows.sum(axis=0))), dtype=np.float32)

    def _adjust(
        self, scores: np.ndarray, profiles: Sequence[UserProfile], column: dict[str, int]
    ) -> None:
        """Teammates' likes lift a paper; excluded and already-rated papers can never be picked."""
        weight = self.pick_settings.teammate_weight
        for r, profile in enumerate(profiles):
            for paper_id, count in profile.teammate_likes.items():
                c = column.get(paper_id)
                if c is not None and count > 0:
                    scores[r, c] += weight * np.log1p(count)
            banned = [column[p] for p in (*profile.exclude, *profile.votes) if p in column]
            banned += [column[p.paper_id] for p in profile.rated_papers if p.paper_id in column]
            scores[r, banned] = -np.inf


def _indicator(cells: tuple[list[int], list[int]], m: int, n: int) -> sp.csr_matrix:
    rows, cols = cells
    data = np.ones(len(rows), dtype=np.float32)
    matrix = sp.csr_matrix((data, (rows, cols)), shape=(m, n), dtype=np.float32)
    matrix.data[:] = 1.0  # a paper counted twice is still one vote
    return matrix
