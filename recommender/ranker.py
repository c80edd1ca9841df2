"""The product ranker: the LightFM hybrid behind the `Ranker` protocol, in external ids.

One instance serves every user and holds no per-user state: a user is represented from their
current votes at every call (recommender.users), so a reaction counts in the very next picks and
concurrent readers need no lock. `picks` scores a batch of users against the day's candidates
with a few matrix products (recommender.blend), then chooses each user's k papers with MMR in the
model's space and an optional exploration slot (recommender.ranking), and explains them
(recommender.reasons). Without a trained model (`content_ranker`) the same code ranks by text
and trend.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.blend import scored, standardise
from recommender.domain import UP, Paper, Pick, UserProfile
from recommender.features import TextSpace
from recommender.ranking import candidate_prior, daily_selection, top_indices
from recommender.reasons import explain_each, short_title
from recommender.settings import ModelSettings, PickSettings
from recommender.tables import ItemRows, ItemTable
from recommender.users import represent

BATCH_USERS = 512  # users per matrix product: memory is BATCH_USERS x candidates floats
POSITION_WEIGHT = 0.5  # search results: the search engine's order against the user's taste
TRENDING_UPVOTES = 20  # `why` without a candidate pool: what counts as trending on its own


class HybridRanker:
    """Ranks papers for users; see the module docstring. Immutable after construction."""

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
        rows = self._rows(cands)
        prior, popularity, trending = candidate_prior(cands, today, self.pick_settings)
        column = {p.paper_id: i for i, p in enumerate(cands)}
        vectors: np.ndarray | sp.csr_matrix = rows.unit if self.items.dim else rows.text
        for start in range(0, len(profiles), BATCH_USERS):
            chunk = list(profiles[start : start + BATCH_USERS])
            scores, liked = self._scores(chunk, rows, prior, column)
            for r, profile in enumerate(chunk):
                has_signal = bool(profile.votes or profile.interests)
                usual = liked["text"][r] if self.pick_settings.exploration and has_signal else None
                chosen, explored = daily_selection(
                    scores[r], vectors, k, self.pick_settings.diversity, usual, popularity
                )
                readers = liked["readers"][r] if "readers" in liked else None
                facts = (cands, rows, trending, explored, readers)
                reasons = self._reasons(profile, chosen, *facts)
                result[profile.user_key] = [
                    Pick(cands[i], float(scores[r, i]), reason)
                    for i, reason in zip(chosen, reasons, strict=True)
                ]
        return result

    def score_matrix(
        self, profiles: Sequence[UserProfile], candidates: Sequence[Paper], today: date
    ) -> np.ndarray:
        """(users, candidates) float32 scores, excluded/rated papers at -inf: what `picks`
        chooses from, without the per-user selection and reasons (the evaluation scores this)."""
        cands = list(candidates)
        rows = self._rows(cands)
        prior, _, _ = candidate_prior(cands, today, self.pick_settings)
        column = {p.paper_id: i for i, p in enumerate(cands)}
        out = np.empty((len(profiles), len(cands)), dtype=np.float32)
        for start in range(0, len(profiles), BATCH_USERS):
            chunk = list(profiles[start : start + BATCH_USERS])
            out[start : start + len(chunk)] = self._scores(chunk, rows, prior, column)[0]
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
        scores = scored(users, self._rows(cands), plain)[0][0]
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
        taste = standardise(scored(users, self._rows(papers), self.settings)[0])[0]
        scores = taste + POSITION_WEIGHT * prior
        order = np.lexsort((np.arange(len(papers)), -scores))
        return [papers[i] for i in order]

    def why(self, profile: UserProfile, paper: Paper) -> str:
        rows = self._rows([paper])
        users = represent([profile], self.items, self.space, self.settings)
        liked = scored(users, rows, self.settings)[1]
        trending = np.array([paper.upvotes >= TRENDING_UPVOTES])
        readers = liked["readers"][0] if "readers" in liked else None
        return self._reasons(profile, np.array([0]), [paper], rows, trending, None, readers)[0]

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
        return self.items.rows(papers, self.space)

    def _scores(
        self,
        profiles: Sequence[UserProfile],
        rows: ItemRows,
        prior: np.ndarray,
        column: dict[str, int],
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        users = represent(profiles, self.items, self.space, self.settings)
        scores, liked = scored(users, rows, self.settings)
        scores += prior[None, :]
        self._adjust(scores, profiles, column)
        return scores, liked

    def _reasons(
        self,
        profile: UserProfile,
        chosen: np.ndarray,
        papers: Sequence[Paper],
        rows: ItemRows,
        trending: np.ndarray,
        explored: int | None,
        readers: np.ndarray | None,
    ) -> list[str]:
        """One sentence per chosen candidate (indices into `rows`); every cosine the reasons
        need comes from two small products per user, not one per pick. "Readers with tastes
        like yours" is said only where co-readership with the user's likes is real."""
        block = np.asarray(rows.text[chosen].toarray(), dtype=np.float32).T  # (V, k)
        liked = [p for p in profile.rated_papers if profile.votes.get(p.paper_id) == UP]
        liked_sim = np.zeros((0, len(chosen)), dtype=np.float32)
        if liked:
            liked_sim = np.asarray(self.items.rows(liked, self.space).text @ block)
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
            [readers is not None and float(readers[int(i)]) > 0 for i in chosen],
        )

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
