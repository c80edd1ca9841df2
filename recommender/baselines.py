"""The baselines paperbot must beat, on the same split, through the same `Estimator` interface.

- random: seeded noise (the floor);
- popularity: training likes per paper (cold papers all tie at zero);
- tfidf-profile: cosine between the mean TF-IDF vector of a user's liked papers and each paper;
- svm: a linear SVM per user on TF-IDF, liked papers against the rest (what arxiv-sanity-lite
  does: class_weight="balanced", small C); negatives are a seeded sample to keep it tractable;
- lightfm: LightFM (WARP) on identities only, no features;
- lightfm-hybrid: LightFM (WARP) with item features, identity plus the paper's terms, the
  strongest plain hybrid a reader would try; newcomers get the mean of their liked papers' item
  representations (the usual LightFM cold-start recipe).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from recommender.blend import text_scores
from recommender.estimator import Content
from recommender.features import feature_columns, item_features, term_rows
from recommender.model import CollaborativeModel, Factors
from recommender.settings import ModelSettings


def _likes(train: sp.csr_matrix) -> sp.csr_matrix:
    return sp.csr_matrix(train > 0, dtype=np.float32)


class RandomScores:
    """Seeded noise: the floor every model must clear."""

    name = "random"

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def fit(
        self, train: sp.csr_matrix, content: Content, interests: sp.csr_matrix | None = None
    ) -> None:
        self.rng = np.random.default_rng(self.seed)

    def score(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        return self.rng.random((len(users), len(items)), dtype=np.float32)


class Popularity:
    name = "popularity"

    def fit(
        self, train: sp.csr_matrix, content: Content, interests: sp.csr_matrix | None = None
    ) -> None:
        self.counts = np.asarray(_likes(train).sum(axis=0), dtype=np.float32).ravel()

    def score(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        return np.tile(self.counts[items], (len(users), 1))


class TfidfProfile:
    name = "tfidf-profile"

    def fit(
        self, train: sp.csr_matrix, content: Content, interests: sp.csr_matrix | None = None
    ) -> None:
        self.text = content.text
        profiles = normalize(_likes(train) @ content.text)
        if interests is not None:  # the simulation's newcomers declare interests; use them too
            profiles = profiles + normalize(interests)
        self.profiles = sp.csr_matrix(profiles, dtype=np.float32)

    def score(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        return text_scores(self.profiles[users], self.text[items])


class PerUserSVM:
    """One LinearSVC per scored user, trained lazily in `score` (only users being evaluated pay).

    `negatives` caps the sampled non-liked papers per user (seeded); with all ~26k papers as
    negatives each fit takes ~0.3 s, which makes a full CiteULike run last most of an hour."""

    name = "svm"

    def __init__(self, c: float = 0.1, negatives: int = 5000, seed: int = 0) -> None:
        self.c = c
        self.negatives = negatives
        self.seed = seed

    def fit(
        self, train: sp.csr_matrix, content: Content, interests: sp.csr_matrix | None = None
    ) -> None:
        self.train = _likes(train)
        self.text = content.text

    def _weights(self, user: int) -> tuple[np.ndarray, float]:
        liked = self.train.indices[self.train.indptr[user] : self.train.indptr[user + 1]]
        n = self.text.shape[0]
        if liked.size == 0:
            return np.zeros(self.text.shape[1], dtype=np.float32), 0.0
        rng = np.random.default_rng([self.seed, user])
        pool = np.setdiff1d(rng.choice(n, size=min(n, self.negatives), replace=False), liked)
        rows = np.concatenate([liked, pool])
        labels = np.concatenate([np.ones(liked.size), np.zeros(pool.size)])
        clf = LinearSVC(class_weight="balanced", C=self.c, max_iter=10000, tol=1e-6)
        clf.fit(self.text[rows], labels)
        return clf.coef_.ravel().astype(np.float32), float(clf.intercept_[0])

    def score(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        weights = np.zeros((len(users), self.text.shape[1]), dtype=np.float32)
        for r, user in enumerate(users):
            weights[r], _ = self._weights(int(user))
        return np.asarray((self.text[items] @ weights.T).T, dtype=np.float32)


class PureLightFM:
    """LightFM without features: each paper is only its identity."""

    name = "lightfm"

    def __init__(self, settings: ModelSettings, seed: int) -> None:
        self.settings = settings
        self.seed = seed

    def fit(
        self, train: sp.csr_matrix, content: Content, interests: sp.csr_matrix | None = None
    ) -> None:
        self.factors: Factors = CollaborativeModel(self.settings, self.seed).fit(train)

    def score(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        f = self.factors
        return f.user_vectors[users] @ f.item_vectors[items].T + f.item_bias[items][None, :]


class LightFMHybrid:
    """LightFM with item features: identity (half the weight) plus the paper's `feature_terms`
    most common terms. Papers without training likes are represented by their terms alone
    (their identity embedding is untrained noise), as LightFM's documentation does for new items.

    `score` uses the trained user vectors; `fold_in_scores` the mean of the liked papers' item
    representations, plus declared interests as one more "paper" made of their words."""

    name = "lightfm-hybrid"

    def __init__(
        self,
        settings: ModelSettings,
        seed: int,
        feature_terms: int = 5000,
        identity_weight: float = 0.5,
        name: str = "lightfm-hybrid",
    ) -> None:
        self.settings = settings
        self.seed = seed
        self.feature_terms = feature_terms
        self.identity_weight = identity_weight
        self.name = name

    def fit(
        self, train: sp.csr_matrix, content: Content, interests: sp.csr_matrix | None = None
    ) -> None:
        self.columns = feature_columns(content.text, self.feature_terms)
        self.terms = term_rows(content.text, self.columns)
        features = item_features(content.text, self.columns, self.identity_weight)
        self.model = CollaborativeModel(self.settings, self.seed)
        self._use(self.model.fit(train, features), train)

    def fit_more(self, train: sp.csr_matrix, epochs: int) -> None:
        """Continue training for `epochs` more passes (the evaluation's epoch search)."""
        self._use(self.model.fit_partial(train, epochs), train)

    def _use(self, factors: Factors, train: sp.csr_matrix) -> None:
        n = train.shape[1]
        term_vectors, term_bias = factors.feature_vectors[n:], factors.feature_bias[n:]
        warm = np.asarray((train > 0).sum(axis=0)).ravel() > 0
        self.user_vectors = factors.user_vectors
        self.item_vectors = factors.item_vectors.copy()
        self.item_bias = factors.item_bias.copy()
        cold = np.flatnonzero(~warm)
        self.item_vectors[cold] = np.asarray(self.terms[cold] @ term_vectors)
        self.item_bias[cold] = np.asarray(self.terms[cold] @ term_bias).ravel()
        self.term_vectors = term_vectors

    def score(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        vectors = self.user_vectors[users]
        return np.asarray(vectors @ self.item_vectors[items].T + self.item_bias[items][None, :])

    def fold_in_scores(
        self, likes: sp.csr_matrix, items: np.ndarray, interests: sp.csr_matrix | None = None
    ) -> np.ndarray:
        """(b, len(items)) scores for users described only by `likes` (b, n) 0/1 and optional
        `interests` (b, V) TF-IDF rows: the user vector is the mean over the liked papers' item
        representations and the interests' term representations; no likes and no interests
        is the zero vector, i.e. the ranking by learned item bias."""
        likes = sp.csr_matrix(likes > 0, dtype=np.float32)
        total = np.asarray(likes @ self.item_vectors, dtype=np.float32)
        count = np.asarray(likes.sum(axis=1), dtype=np.float32).ravel()
        if interests is not None:
            rows = term_rows(sp.csr_matrix(interests), self.columns)
            stated = (np.diff(rows.indptr) > 0).astype(np.float32)
            total += np.asarray(rows @ self.term_vectors, dtype=np.float32)
            count += stated
        vectors = total / np.maximum(count, 1.0)[:, None]
        return np.asarray(vectors @ self.item_vectors[items].T + self.item_bias[items][None, :])
