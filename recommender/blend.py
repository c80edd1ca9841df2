"""The hybrid's scoring rule, at the matrix level: used by the product ranker and the evaluation.

Three signals are standardised per user and summed:
- content: cosine between the user's TF-IDF profile (mean of liked papers, plus declared interests,
  minus disliked papers) and each paper;
- LSA: the same in the latent semantic space, which matches papers sharing no word;
- collaborative: the LightFM score, weighted by how much the model knows about the user
  (l / (l + cf_half_likes) for l likes) and about the item (cold papers have no collaborative
  signal and rely on content alone).
Why a knowledge-weighted blend: offline, LightFM wins for users with many likes and loses to the
plain TF-IDF profile for sparse users and new papers; a fixed 50/50 blend hurt in the closed loop.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from recommender.projection import TextProjection
from recommender.settings import ModelSettings

DENSE_PROFILE_CELLS = 40_000_000  # 160 MB of float32 profiles at most


@dataclass(frozen=True)
class ItemSide:
    """Everything the blend needs about n candidate items (rows aligned with the candidates)."""

    text: sp.csr_matrix  # (n, V) float32, rows L2-normalised TF-IDF
    lsa: np.ndarray  # (n, k) float32, rows L2-normalised (k may be 0)
    cf: np.ndarray  # (n, d) float32 LightFM item vectors, zeros for unknown items
    cf_bias: np.ndarray  # (n,) float32
    cf_confidence: np.ndarray  # (n,) float32 in [0, 1]; 0 = no collaborative signal
    prior: np.ndarray  # (n,) float32 popularity/recency prior, already weighted


@dataclass(frozen=True)
class UserSide:
    """Everything the blend needs about m users (rows aligned with the users)."""

    text: sp.csr_matrix  # (m, V) float32 content profiles
    lsa: np.ndarray  # (m, k) float32
    cf: np.ndarray  # (m, d) float32 collaborative vectors (zeros = unknown)
    cf_weight: np.ndarray  # (m,) float32 in [0, 1]


def row_mean(indicator: sp.csr_matrix) -> sp.csr_matrix:
    """Rows scaled to sum to 1 (empty rows stay empty): `row_mean(L) @ X` averages X over L."""
    sums = np.asarray(indicator.sum(axis=1)).ravel()
    scale = np.divide(1.0, sums, out=np.zeros_like(sums, dtype=np.float64), where=sums > 0)
    return sp.csr_matrix(sp.diags(scale.astype(np.float32)) @ indicator)


def knowledge(likes: np.ndarray, half: float) -> np.ndarray:
    """How far to trust a collaborative signal backed by `likes` likes: l / (l + half)."""
    counts = np.asarray(likes, dtype=np.float32)
    return counts / (counts + np.float32(half))


@dataclass(frozen=True)
class VoteSums:
    """Per-user sums over the items they liked (or disliked); rows aligned with users.

    Sums rather than means so that blocks of items (the model's known papers and papers it has
    never seen) combine by addition; profiles are L2-normalised afterwards anyway."""

    count: np.ndarray  # (m,) float32 items summed
    text: sp.csr_matrix  # (m, V)
    lsa: np.ndarray  # (m, k)
    cf: np.ndarray  # (m, d) sum of the LightFM vectors of items the model knows
    cf_count: np.ndarray  # (m,) how many of the items the model knows

    def __add__(self, other: VoteSums) -> VoteSums:
        return VoteSums(
            count=self.count + other.count,
            text=sp.csr_matrix(self.text + other.text),
            lsa=self.lsa + other.lsa,
            cf=self.cf + other.cf,
            cf_count=self.cf_count + other.cf_count,
        )


def vote_sums(
    indicator: sp.csr_matrix,
    item_text: sp.csr_matrix,
    item_lsa: np.ndarray,
    item_cf: np.ndarray,
    cf_known: np.ndarray,
) -> VoteSums:
    """Sum item rows over each user's votes. `indicator` (m, n) 0/1; items: text (n, V),
    lsa (n, k), cf (n, d), cf_known (n,) 1.0 where the model has a vector for the item."""
    indicator = sp.csr_matrix(indicator, dtype=np.float32)
    return VoteSums(
        count=np.asarray(indicator.sum(axis=1), dtype=np.float32).ravel(),
        text=sp.csr_matrix(indicator @ item_text, dtype=np.float32),
        lsa=np.asarray(indicator @ item_lsa, dtype=np.float32),
        cf=np.asarray(indicator @ item_cf, dtype=np.float32),
        cf_count=np.asarray(indicator @ cf_known, dtype=np.float32).ravel(),
    )


def content_profiles(
    liked: VoteSums,
    disliked: VoteSums,
    interests: sp.csr_matrix,
    interests_lsa: np.ndarray,
    settings: ModelSettings,
) -> tuple[sp.csr_matrix, np.ndarray]:
    """(m, V) TF-IDF and (m, k) LSA profiles: liked papers, plus declared interests (m, V) and
    their LSA projection (m, k) (zero rows = none), minus disliked papers. Interests weigh less
    as likes accumulate: what people do outranks what they said."""
    interest_scale = (settings.interest_weight * 2.0 / (2.0 + liked.count)).astype(np.float32)
    text = (
        normalize(liked.text, copy=True)
        + sp.diags(interest_scale) @ interests
        - settings.dislike_weight * normalize(disliked.text, copy=True)
    )
    lsa = (
        normalize(liked.lsa)
        + interest_scale[:, None] * interests_lsa
        - settings.dislike_weight * normalize(disliked.lsa)
    )
    return sp.csr_matrix(text, dtype=np.float32), lsa.astype(np.float32)


def fold_in(liked: VoteSums, disliked: VoteSums, settings: ModelSettings) -> np.ndarray:
    """(m, d) collaborative user vectors from votes alone, in milliseconds: the mean of the liked
    items' LightFM vectors minus (dislike_weight x) the mean of the disliked ones. Measured here to
    match a nightly fit_partial refit for newcomers at a small fraction of the cost."""
    liked_mean = liked.cf / np.maximum(liked.cf_count, 1.0)[:, None]
    disliked_mean = disliked.cf / np.maximum(disliked.cf_count, 1.0)[:, None]
    return (liked_mean - settings.dislike_weight * disliked_mean).astype(np.float32)


def add_interest_vectors(
    cf: np.ndarray,
    weight: np.ndarray,
    interests: sp.csr_matrix,
    likes: np.ndarray,
    projection: TextProjection,
    settings: ModelSettings,
) -> None:
    """Declared interests (m, V) enter the collaborative space through the text projection, in
    place on `cf` (m, d) and `weight` (m,): a newcomer gets "readers of this also read" signal
    before their first vote, fading as likes accumulate, like interests in the content profile."""
    share = settings.interest_cf_weight
    stated = np.flatnonzero(interests.getnnz(axis=1) > 0)
    if not share or stated.size == 0 or not cf.shape[1] or projection.dim != cf.shape[1]:
        return
    guess, _ = projection.predict(interests[stated])
    scale = (2.0 / (2.0 + likes[stated])).astype(np.float32)
    cf[stated] += scale[:, None] * guess
    weight[stated] = np.maximum(weight[stated], share * scale)


def standardise(scores: np.ndarray, columns: np.ndarray | None = None) -> np.ndarray:
    """Per-row z-scores; statistics over `columns` (a boolean mask) when given. Rows with no
    spread (a user we know nothing about) become all zeros, so that signal drops out."""
    basis = scores if columns is None else scores[:, columns]
    if basis.shape[1] == 0:
        return np.zeros_like(scores)
    mean = basis.mean(axis=1, keepdims=True)
    std = basis.std(axis=1, keepdims=True)
    safe = np.where(std > 1e-9, std, 1.0)
    z = (scores - mean) / safe
    z[(std <= 1e-9).ravel()] = 0.0
    return z.astype(np.float32, copy=False)


def text_scores(users: sp.csr_matrix, items: sp.csr_matrix) -> np.ndarray:
    """(m, n) cosines of user profiles with item rows. Profiles are dense-ish (thousands of terms
    each), so sparse x sparse would build an (m, n) sparse result slowly; a dense block of
    profiles times the sparse items is several times faster while it fits in memory."""
    if users.shape[0] * users.shape[1] <= DENSE_PROFILE_CELLS:
        dense = np.asarray(users.toarray(), dtype=np.float32)
        return np.ascontiguousarray(np.asarray(items @ dense.T, dtype=np.float32).T)
    return np.asarray((users @ items.T).toarray(), dtype=np.float32)


def blend(
    users: UserSide, items: ItemSide, settings: ModelSettings, text: np.ndarray | None = None
) -> np.ndarray:
    """(m, n) float32 scores; higher is better. Memory is m x n floats: callers batch users.
    `text` may pass the (m, n) profile-item cosines when the caller needs them too."""
    if text is None:
        text = text_scores(users.text, items.text)
    scores = settings.content_weight * standardise(text)
    if users.lsa.shape[1] and settings.lsa_weight:
        scores += settings.lsa_weight * standardise(users.lsa @ items.lsa.T)
    warm = items.cf_confidence > 0
    if settings.cf_weight and warm.any() and users.cf_weight.any():
        cf = users.cf @ items.cf.T + items.cf_bias[None, :]
        cf = standardise(cf, warm) * items.cf_confidence[None, :]
        scores += settings.cf_weight * users.cf_weight[:, None] * cf
    if settings.bias_weight and warm.any():
        bias = standardise(items.cf_bias[None, :], warm)[0] * items.cf_confidence
        scores += settings.bias_weight * bias[None, :]
    scores += items.prior[None, :]
    return scores
