"""Choosing each user's k papers from their row of scores, for a whole batch of users at once.

Why batched: choosing in per-user Python (a shortlist, MMR, the exploration slot) cost about
1.3 ms a user, several hundred times the matrix product behind the scores. Here every step is an
array operation over the batch: a shortlist of the best L candidates per user (argpartition),
MMR on it (k greedy steps over (B, L) arrays, similarities (B, L, L) from one batched product),
quotas over the user's regions (recommender.coverage) and the exploration slot.

Shapes: B users in the batch, n candidates, W shortlist width, d dimensions, k picks. Candidate
indices are int64 with -1 for "none" (a user with fewer than k rankable candidates).
"""

from __future__ import annotations

from typing import TypeAlias

import numpy as np
import scipy.sparse as sp

from recommender.coverage import Regions
from recommender.kernels import top_columns

SHORTLIST_MIN = 30  # MMR chooses among the best max(5k, 30) candidates, as it always has

# (n, d) L2-normalised rows: LightFM unit vectors, or TF-IDF rows without a model
Vectors: TypeAlias = np.ndarray | sp.csr_matrix


def shortlist(scores: np.ndarray, k: int, regions: Regions | None) -> np.ndarray:
    """(B, W) the best max(5k, 30) candidates of each row, plus the best k of each of the
    user's regions (so a region whose papers score lower still has some to fill its quota),
    best first by (score, index); -1 where a row has fewer rankable candidates."""
    n = scores.shape[1]
    width = min(n, max(5 * k, SHORTLIST_MIN))
    parts = [scores]
    if regions is not None:
        parts += [np.where(regions.of == r, scores, -np.inf) for r in range(regions.count)]
    tops = [top_columns(part, width if i == 0 else min(k, n)) for i, part in enumerate(parts)]
    idx = np.concatenate(tops, axis=1)
    values = np.concatenate(
        [np.take_along_axis(part, top, 1) for part, top in zip(parts, tops, strict=True)], axis=1
    )
    order = np.lexsort((-values, idx), axis=1)  # by candidate, its best (finite) value first
    idx, values = np.take_along_axis(idx, order, 1), np.take_along_axis(values, order, 1)
    values[:, 1:][idx[:, 1:] == idx[:, :-1]] = -np.inf  # a candidate listed twice counts once
    order = np.lexsort((idx, -values), axis=1)
    idx, values = np.take_along_axis(idx, order, 1), np.take_along_axis(values, order, 1)
    idx[~np.isfinite(values)] = -1
    return idx[:, : max(width, int(np.isfinite(values).sum(axis=1).max(initial=0)))]


def similarities(vectors: Vectors, idx: np.ndarray) -> np.ndarray:
    """(B, W, W) float32 cosines between each row's shortlisted candidates (0 for padding).
    Dense vectors: one batched product; sparse TF-IDF rows: one product over the union of the
    shortlists, then gathered."""
    safe = np.maximum(idx, 0)
    if not sp.issparse(vectors):
        block = np.asarray(vectors, dtype=np.float32)[safe]
        sims = np.matmul(block, block.transpose(0, 2, 1))
    else:
        union = np.unique(safe)
        rows = sp.csr_matrix(vectors[union])
        square = np.asarray((rows @ rows.T).toarray(), dtype=np.float32)
        pos = np.searchsorted(union, safe)
        sims = square[pos[:, :, None], pos[:, None, :]]
    sims[idx < 0] = 0.0
    return sims


def mmr(
    scores: np.ndarray,
    idx: np.ndarray,
    sims: np.ndarray,
    k: int,
    diversity: float | np.ndarray,
    regions: Regions | None = None,
) -> np.ndarray:
    """(B, k) candidate indices by maximal marginal relevance over each row's shortlist `idx`:
    greedily the candidate maximising (1 - diversity) x relevance - diversity x (max cosine to
    those already taken), relevance rescaled to [0, 1] over the shortlist. With `regions`, a
    step takes from a region still owed picks (its quota) while one has candidates left.
    `diversity` is one trade-off for every row or (B,) one per row (0: the row's best first)."""
    b, width = idx.shape
    rows = np.arange(b)
    valid = idx >= 0
    values = np.take_along_axis(scores, np.maximum(idx, 0), 1).astype(np.float64)
    values[~valid] = np.nan
    low, high = np.nanmin(values, axis=1, initial=np.inf), np.nanmax(values, 1, initial=-np.inf)
    spread = np.where(high > low, high - low, 1.0)[:, None]
    relevance = np.where(high[:, None] > low[:, None], (values - low[:, None]) / spread, 1.0)
    relevance = np.nan_to_num(relevance.astype(np.float64), nan=0.0)
    order_value = -np.arange(width, dtype=np.float64)[None, :].repeat(b, 0)
    region = regions.of_shortlist(idx) if regions is not None else None
    counts = np.zeros_like(regions.quota) if regions is not None else None
    available = valid.copy()
    closest = np.full((b, width), -np.inf)  # max cosine to the picks so far (none yet)
    chosen = np.full((b, k), -1, dtype=np.int64)
    trade = np.broadcast_to(np.asarray(diversity, dtype=np.float64), (b,))[:, None]
    plain = (trade <= 0).ravel()
    for step in range(min(k, width)):
        value = (1.0 - trade) * relevance - trade * np.maximum(closest, -1.0)
        value[plain] = order_value[plain]
        allowed = available
        if regions is not None and region is not None and counts is not None:
            owed = np.take_along_axis(counts < regions.quota, region, 1) & available
            allowed = np.where(owed.any(axis=1, keepdims=True), owed, available)
        value[~allowed] = -np.inf
        best = np.argmax(value, axis=1)
        ok = np.isfinite(value[rows, best])
        hit, at = rows[ok], best[ok]
        chosen[hit, step] = idx[hit, at]
        available[hit, at] = False
        closest[hit] = np.maximum(closest[hit], sims[hit, at])
        if region is not None and counts is not None:
            np.add.at(counts, (hit, region[hit, at]), 1)
    return chosen


def exploration(
    scores: np.ndarray, usual: np.ndarray, taken: np.ndarray, vectors: Vectors
) -> np.ndarray:
    """(B,) the "outside your usual" candidate of each row, -1 when there is none.

    Outside the usual: rankable, not taken, and at most the row's median similarity to the
    user's profile (`usual`, (B, n)). Among those, the candidate most similar to all the others
    outside (the centre of the region the user has not seen): a user's profile is a sum of the
    papers they liked, so a 👍 on it raises, and a 👎 lowers, the unseen region's papers by
    their cosine to it; the centre is the one answer that moves the most of them. Popularity
    plays no part, so it is not the week's most upvoted paper for everyone. Deterministic."""
    b = scores.shape[0]
    rankable = np.isfinite(scores)
    hit = taken >= 0
    rankable[np.repeat(np.arange(b), taken.shape[1])[hit.ravel()], taken[hit]] = False
    usual = np.where(rankable, usual, np.nan)
    has = rankable.any(axis=1)
    threshold = np.full(b, -np.inf)
    if has.any():
        threshold[has] = np.nanmedian(usual[has], axis=1)
    outside = rankable & (usual <= threshold[:, None])
    mask = outside.astype(np.float32)
    if sp.issparse(vectors):
        centre = np.asarray(vectors.T @ mask.T, dtype=np.float32).T  # (B, V)
        density = np.asarray(vectors @ centre.T, dtype=np.float32).T
    else:
        density = (mask @ vectors) @ np.asarray(vectors).T
    density = np.where(outside, density, -np.inf)
    best = np.argmax(density, axis=1)
    return np.where(outside.any(axis=1), best, -1)
