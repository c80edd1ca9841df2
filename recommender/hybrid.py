"""paperbot's hybrid as an `Estimator`, for the evaluation and the simulation: the same blend the
product ranker uses (recommender.blend), over rows and columns instead of ids."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from recommender.blend import (
    ItemSide,
    UserSide,
    add_interest_vectors,
    blend,
    content_profiles,
    fold_in,
    knowledge,
    standardise,
    vote_sums,
)
from recommender.estimator import Content
from recommender.model import CollaborativeModel
from recommender.projection import empty_projection, fit_projection
from recommender.settings import ModelSettings


class PaperbotEstimator:
    """`fit` trains LightFM (the expensive part) and builds every user's profile; `refresh`
    rebuilds profiles from new votes with the trained factors, as the product does between
    nightly fits (fold-in for users the model had not seen)."""

    name = "paperbot"

    def __init__(
        self,
        settings: ModelSettings,
        seed: int,
        popularity_weight: float = 0.0,
        name: str = "paperbot",
    ) -> None:
        self.name = name
        self.settings = settings
        self.seed = seed
        self.popularity_weight = popularity_weight

    def fit(
        self, train: sp.csr_matrix, content: Content, interests: sp.csr_matrix | None = None
    ) -> None:
        s = self.settings
        m, n = train.shape
        self.content = content
        self.interests = (
            sp.csr_matrix((m, content.text.shape[1]), dtype=np.float32)
            if interests is None
            else sp.csr_matrix(normalize(interests), dtype=np.float32)
        )
        likes = sp.csr_matrix(train > 0, dtype=np.float32)
        self.trained_users = np.diff(likes.indptr) > 0
        self.item_cf = np.zeros((n, 0), np.float32)
        self.item_bias = np.zeros(n, np.float32)
        self.user_cf = np.zeros((m, 0), np.float32)
        self.projected = np.zeros(n, dtype=bool)
        self.projection = empty_projection()
        if s.cf_weight > 0 and likes.nnz:
            factors = CollaborativeModel(s, self.seed).fit(train)
            self.user_cf = factors.user_vectors
            self.item_cf, self.item_bias = factors.item_vectors, factors.item_bias
            self._project(likes, content)
        self.refresh(train)

    def _project(self, likes: sp.csr_matrix, content: Content) -> None:
        """Papers without likes get collaborative vectors predicted from their text."""
        s = self.settings
        counts = np.asarray(likes.sum(axis=0)).ravel()
        cold = np.flatnonzero(counts == 0)
        if s.projection_alpha <= 0 or cold.size == 0:
            return
        warm = np.flatnonzero(counts > 0)
        projection = fit_projection(
            content.text, self.item_cf, self.item_bias, warm, s.projection_alpha
        )
        self.projection = projection
        if projection.dim:
            self.item_cf, self.item_bias = self.item_cf.copy(), self.item_bias.copy()
            self.item_cf[cold], self.item_bias[cold] = projection.predict(content.text[cold])
            self.projected[cold] = True

    def refresh(self, train: sp.csr_matrix) -> None:
        """Profiles, collaborative user vectors and item knowledge from the current votes."""
        s, content = self.settings, self.content
        likes = sp.csr_matrix(train > 0, dtype=np.float32)
        dislikes = sp.csr_matrix(train < 0, dtype=np.float32)
        self.item_likes = np.asarray(likes.sum(axis=0), dtype=np.float32).ravel()
        self.confidence = knowledge(self.item_likes, s.cf_item_half_likes)
        self.confidence[self.projected] = np.maximum(
            self.confidence[self.projected], s.projection_confidence
        )
        known = np.ones(train.shape[1], dtype=np.float32)
        liked = vote_sums(likes, content.text, content.lsa, self.item_cf, known)
        disliked = vote_sums(dislikes, content.text, content.lsa, self.item_cf, known)
        interests_lsa = _project_lsa(self.interests, content)
        text, lsa = content_profiles(liked, disliked, self.interests, interests_lsa, s)
        cf = fold_in(liked, disliked, s)
        weight = knowledge(liked.cf_count, s.cf_half_likes)
        add_interest_vectors(cf, weight, self.interests, liked.count, self.projection, s)
        if self.user_cf.shape[1]:
            cf[self.trained_users] = self.user_cf[self.trained_users]
        self.users = UserSide(text, lsa, cf, weight)

    def score(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        u = self.users
        batch = UserSide(u.text[users], u.lsa[users], u.cf[users], u.cf_weight[users])
        popularity = np.log1p(self.item_likes[items])[None, :]
        prior = self.popularity_weight * standardise(popularity)[0]
        side = ItemSide(
            self.content.text[items],
            self.content.lsa[items],
            self.item_cf[items],
            self.item_bias[items],
            self.confidence[items],
            prior,
        )
        return blend(batch, side, self.settings)


def _project_lsa(interests: sp.csr_matrix, content: Content) -> np.ndarray:
    m, k = interests.shape[0], content.lsa.shape[1]
    if k == 0 or interests.nnz == 0 or content.basis.shape[0] != k:
        return np.zeros((m, k), dtype=np.float32)
    coords = np.asarray(interests @ content.basis.T, dtype=np.float32)
    return normalize(coords).astype(np.float32)
