"""The baselines paperbot must beat, on the same split, through the same `Estimator` interface.

- random: seeded noise (the floor);
- popularity: training likes per paper (cold papers all tie at zero);
- tfidf-profile: cosine between the mean TF-IDF vector of a user's liked papers and each paper;
- svm: a linear SVM per user on TF-IDF, liked papers against the rest (what arxiv-sanity-lite
  does: class_weight="balanced", small C); negatives are a seeded sample to keep it tractable;
- lightfm: LightFM (WARP) on identities only, no features;
- lightfm-hybrid: LightFM (WARP) with item features, identity plus the paper's terms, the
  strongest plain hybrid a reader would try; newcomers get the mean of their liked papers' item
  representations (the usual LightFM cold-start recipe);
- als: implicit's alternating least squares on BM25-weighted likes, the standard strong
  collaborative baseline for implicit feedback (Hu, Koren and Volinsky 2008), tuned on one seed;
- item-knn: item-item cosine over co-likes; a user's score for a paper is the sum of its
  similarities to the papers they like.

ALS and item-kNN learn nothing about a paper nobody has liked: in the cold protocol every
candidate scores zero for them and the ranking is arbitrary. That is what collaborative filtering
is, not a bug to paper over.

implicit is imported only here, the one module of the core that needs it.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize
from sklearn.svm import LinearSVC

from recommender import als
from recommender.als import AlsSettings, Weighting, weigh_likes
from recommender.evaluation.estimator import Content
from recommender.features import feature_columns, item_features, term_rows
from recommender.lightfm_hybrid import CollaborativeModel, Factors
from recommender.scoring import text_scores
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
    (their identity embedding is untrained noise), as LightFM's documentation does for new items;
    with `terms_for_new=False` (`lightfm-hybrid-plain`) every paper keeps LightFM's own
    representation, identity included, which measured better where most held-out papers have
    few likes (P10) and worse for brand-new ones (cold): both are reported, so the stronger
    one is the baseline.

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
        terms_for_new: bool = True,
    ) -> None:
        self.terms_for_new = terms_for_new
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
        self.user_vectors = factors.user_vectors
        if self.terms_for_new:
            self.item_vectors, self.item_bias = factors.by_terms_where_unliked(train, self.terms)
        else:
            self.item_vectors, self.item_bias = factors.item_vectors, factors.item_bias
        self.term_vectors = factors.term_part()[0]

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


class ImplicitALS:
    """implicit's AlternatingLeastSquares (conjugate gradient) on BM25-weighted likes; the score
    of (u, i) is user_factors[u] . item_factors[i]. BLAS is held to one thread while the model is
    built and fitted, as implicit asks: its own threads already run per user, and nested BLAS
    threads make it slow.

    The defaults are the best recall@100 of a search on CiteULike-t, protocol random20, split
    seed 1 only (seeds 2 and 3 are kept for the final evaluation), 5,219 users, 15 iterations
    unless said (r@100 / r@10 / ndcg@10):
      128 factors, unweighted, reg 0.01: alpha 1 .233, 10 .383, 40 .419 (reg 1: within .002);
        alpha 40 reg 100 .403, reg 200 .338; alpha 80 reg 50 .425 / .166 / .129; 160 reg 50 .423
      128, tfidf: alpha 1 .376, 5 .420, 10 .418, 40 .400; bm25 on users x papers (idf over
        papers) alpha 10 B .3 .423
      128, bm25 (papers x users, implicit's last.fm recipe) K1 100: B .8 alpha 10 .400, 40 .408;
        B .3 alpha 20 reg 50 .423 / .176 / .137 (B 0 .411; K1 1.2 or 10 within .001);
        30 or 50 iterations .422, .422; reg 300 .425
      64 factors .410 (bm25) / .402 (unweighted); 256 bm25 B .3 alpha 20: reg 50 .413, reg 150
        .428 / .176 / .139, reg 300 .436 / .168 / .132 (chosen), reg 400 .421; alpha 10 reg
        150 .433, alpha 10 reg 300 .359, alpha 40 reg 150 .422, alpha 40 reg 600 .432.
    Fit: ~15 s at 256 factors on 2 cores (~7 s at 128)."""

    name = "als"

    def __init__(
        self,
        seed: int,
        factors: int = 256,
        regularization: float = 300.0,
        alpha: float = 20.0,
        iterations: int = 15,
        weighting: Weighting = "bm25",
        bm25_k1: float = 100.0,
        bm25_b: float = 0.3,
        num_threads: int = 0,
        name: str = "als",
    ) -> None:
        self.seed = seed
        self.factors = factors
        self.regularization = regularization
        self.alpha = alpha
        self.iterations = iterations
        self.weighting: Weighting = weighting
        self.bm25_k1 = bm25_k1
        self.bm25_b = bm25_b
        self.num_threads = num_threads
        self.name = name

    def fit(
        self, train: sp.csr_matrix, content: Content, interests: sp.csr_matrix | None = None
    ) -> None:
        confidences = weigh_likes(_likes(train), self.weighting, self.bm25_k1, self.bm25_b)
        settings = AlsSettings(
            factors=self.factors,
            regularization=self.regularization,
            alpha=self.alpha,
            iterations=self.iterations,
            bm25_k1=self.bm25_k1,
            bm25_b=self.bm25_b,
            num_threads=self.num_threads,
            seed=self.seed,
        )
        self.user_factors, self.item_factors = als.fit(confidences, settings)

    def score(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        return self.user_factors[users] @ self.item_factors[items].T


class ItemKNN:
    """Item-item cosine over the papers x users like matrix; score = sum over the user's liked
    papers of their cosine with the candidate. No neighbour pruning: on CiteULike-t random20
    seed 1, keeping each paper's K nearest gave recall@100 0.229 / 0.237 / 0.245 / 0.253 / 0.272
    for K = 20 / 100 / 200 / 500 / 2000 and all of them 0.276, and the full (n, n) matrix has
    only ~11.5M non-zeros there."""

    name = "item-knn"

    def fit(
        self, train: sp.csr_matrix, content: Content, interests: sp.csr_matrix | None = None
    ) -> None:
        self.likes = _likes(train)
        by_paper = normalize(self.likes.T.tocsr())  # (n, m) unit rows
        similarity = sp.csr_matrix(by_paper @ by_paper.T, dtype=np.float32)  # (n, n)
        similarity.setdiag(0.0)
        similarity.eliminate_zeros()
        self.similarity = similarity.tocsc()  # score slices columns

    def score(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        return np.asarray((self.likes[users] @ self.similarity[:, items]).todense())
