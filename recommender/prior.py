"""Top-k of a row of scores, and the prior every user's scores share (popularity, recency).

The day's picks (shortlist, MMR, coverage, exploration) are chosen for a batch of users at once
in recommender.selection.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np

from recommender.domain import Paper
from recommender.scoring import standardise
from recommender.settings import PickSettings

PRIOR_CAP = 3.0  # standard deviations: the most a paper's popularity or recency can add


def top_indices(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k highest finite scores, best first (fewer when fewer are finite)."""
    finite = np.flatnonzero(np.isfinite(scores))
    if finite.size == 0 or k <= 0:
        return np.zeros(0, dtype=np.int64)
    k = min(k, finite.size)
    part = finite[np.argpartition(-scores[finite], k - 1)[:k]]
    return part[np.lexsort((part, -scores[part]))]


def candidate_prior(
    papers: Sequence[Paper], today: date, weights: PickSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Over the candidates: (the weighted popularity + recency prior added to every user's
    scores, the "trending" flags). Popularity is log upvotes; papers without a date count as
    the window's median age.

    Bounded: a date after `today` counts as today (a 2099 paper is not 75 years newer than
    today's), and each standardised part is clipped to +-PRIOR_CAP, so no single paper's
    upvotes or date can outweigh every user's taste."""
    upvotes = np.log1p(np.array([max(p.upvotes, 0) for p in papers], dtype=np.float32))
    ages = np.array([(today - p.day).days if p.day else np.nan for p in papers], dtype=np.float32)
    known = np.isfinite(ages)
    ages[~known] = float(np.median(ages[known])) if known.any() else 0.0
    ages = np.maximum(ages, 0.0)
    popularity = np.clip(standardise(upvotes[None, :])[0], -PRIOR_CAP, PRIOR_CAP)
    recency = np.clip(standardise(-ages[None, :])[0], -PRIOR_CAP, PRIOR_CAP)
    prior = weights.popularity_weight * popularity + weights.recency_weight * recency
    trending = (upvotes > 0) & (upvotes >= np.quantile(upvotes, 0.75))
    return prior.astype(np.float32), trending
