"""Turning a row of scores into a day's picks: top-k, diversity (MMR) and one exploration slot.

Pure numpy on one user's row; the batched scoring happens before (recommender.blend).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import scipy.sparse as sp

from recommender.blend import standardise
from recommender.domain import Paper
from recommender.settings import PickSettings


def top_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest finite scores, best first (fewer when fewer are finite)."""
    finite = np.flatnonzero(np.isfinite(scores))
    if finite.size == 0 or k <= 0:
        return np.zeros(0, dtype=np.int64)
    k = min(k, finite.size)
    part = finite[np.argpartition(-scores[finite], k - 1)[:k]]
    return part[np.lexsort((part, -scores[part]))]


def mmr(
    scores: np.ndarray, vectors: np.ndarray | sp.csr_matrix, k: int, diversity: float
) -> np.ndarray:
    """Maximal marginal relevance: greedily take the item maximising
    (1 - diversity) x relevance - diversity x (max cosine to the items already taken),
    so five near-duplicates never fill the day. `vectors` (n, k') are L2-normalised item rows
    (dense LightFM vectors, or sparse TF-IDF rows without a model); relevance is rescaled to
    [0, 1] over a pool of the best 5k items. Returns indices, best first.
    """
    pool = top_indices(scores, max(5 * k, 30))
    if diversity <= 0 or pool.size <= 1 or vectors.shape[1] == 0:
        return pool[:k]
    rel = scores[pool].astype(np.float64)
    spread = rel.max() - rel.min()
    rel = (rel - rel.min()) / spread if spread > 0 else np.ones_like(rel)
    block = vectors[pool]
    sims = block @ block.T
    sims = np.asarray(sims.toarray() if sp.issparse(sims) else sims, dtype=np.float64)
    chosen: list[int] = [0]
    closest = sims[0].copy()
    available = np.ones(pool.size, dtype=bool)
    available[0] = False
    while len(chosen) < min(k, pool.size):
        value = (1.0 - diversity) * rel - diversity * closest
        value[~available] = -np.inf
        best = int(np.argmax(value))
        chosen.append(best)
        available[best] = False
        closest = np.maximum(closest, sims[best])
    return pool[np.asarray(chosen)]


def exploration_pick(
    scores: np.ndarray, usual: np.ndarray, prior: np.ndarray, taken: np.ndarray
) -> int | None:
    """The "outside your usual" slot: among rankable items not already taken whose similarity to
    the user's profile (`usual`) is below the median, the one with the best popularity prior.
    Deterministic, so a day's picks are reproducible. None when there is no such item."""
    rankable = np.isfinite(scores)
    rankable[taken] = False
    if not rankable.any():
        return None
    threshold = np.median(usual[rankable])
    outside = rankable & (usual <= threshold)
    if not outside.any():
        return None
    candidates = np.flatnonzero(outside)
    order = np.lexsort((candidates, -scores[candidates], -prior[candidates]))
    return int(candidates[order[0]])


def daily_selection(
    scores: np.ndarray,
    vectors: np.ndarray | sp.csr_matrix,
    k: int,
    diversity: float,
    usual: np.ndarray | None = None,
    prior: np.ndarray | None = None,
) -> tuple[np.ndarray, int | None]:
    """k indices for one user: MMR picks, with the last slot given to exploration when `usual`
    and `prior` are passed and k >= 3. Returns (indices, index of the exploration pick or None)."""
    explore = usual is not None and prior is not None and k >= 3
    picked = mmr(scores, vectors, k - 1 if explore else k, diversity)
    if not explore or usual is None or prior is None:
        return picked, None
    extra = exploration_pick(scores, usual, prior, picked)
    if extra is None:
        return mmr(scores, vectors, k, diversity), None
    return np.append(picked, extra), extra


def candidate_prior(
    papers: Sequence[Paper], today: date, weights: PickSettings
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Over the candidates: (the weighted popularity + recency prior added to every user's
    scores, the unweighted popularity the exploration slot ranks by, the "trending" flags).
    Popularity is log upvotes; papers without a date count as the window's median age."""
    upvotes = np.log1p(np.array([max(p.upvotes, 0) for p in papers], dtype=np.float32))
    ages = np.array([(today - p.day).days if p.day else np.nan for p in papers], dtype=np.float32)
    known = np.isfinite(ages)
    ages[~known] = float(np.median(ages[known])) if known.any() else 0.0
    popularity = standardise(upvotes[None, :])[0]
    recency = standardise(-ages[None, :])[0]
    prior = weights.popularity_weight * popularity + weights.recency_weight * recency
    trending = (upvotes > 0) & (upvotes >= np.quantile(upvotes, 0.75))
    return prior.astype(np.float32), popularity + 0.5 * recency, trending
