"""Ranking metrics over held-out items, accumulated batch by batch.

Definitions (per user, then averaged over users with at least one held-out item):
- recall@M: held-out items in the top M / number of held-out items (the CTR/CDL papers' recall);
- precision@10: held-out items in the top 10 / 10;
- ndcg@10: binary-relevance DCG of the top 10 over the ideal DCG;
- auc: probability that a held-out item outranks a candidate that is not held out (ties count
  half), over the user's candidate set.
Items a user cannot be recommended (their training items, non-candidates) carry a score of -inf
and are not candidates.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

CUTOFFS = (10, 50, 100, 300)
METRICS = (*(f"recall@{m}" for m in CUTOFFS), "precision@10", "ndcg@10", "auc")
_DISCOUNT = 1.0 / np.log2(np.arange(2, 12))


class MetricAccumulator:
    """Add (scores, held-out) batches; `result()` gives the mean of each metric."""

    def __init__(self) -> None:
        self._sums = dict.fromkeys(METRICS, 0.0)
        self.users = 0

    def add(self, scores: np.ndarray, held_out: sp.csr_matrix) -> None:
        """`scores` (b, n) float with -inf for non-candidates; `held_out` (b, n) 0/1."""
        held_out = sp.csr_matrix(held_out)
        if scores.shape[0] == 0:
            return
        top = _top(scores, max(CUTOFFS))
        for r in range(scores.shape[0]):
            positives = held_out.indices[held_out.indptr[r] : held_out.indptr[r + 1]]
            positives = positives[np.isfinite(scores[r, positives])]
            if positives.size == 0:
                continue
            self.users += 1
            hits = np.isin(top[r], positives)
            for m in CUTOFFS:
                self._sums[f"recall@{m}"] += float(hits[:m].sum()) / positives.size
            self._sums["precision@10"] += float(hits[:10].sum()) / 10.0
            ideal = _DISCOUNT[: min(positives.size, 10)].sum()
            gains = hits[:10]
            self._sums["ndcg@10"] += float((_DISCOUNT[: gains.size] * gains).sum() / ideal)
            self._sums["auc"] += _auc(scores[r], positives)

    def result(self) -> dict[str, float]:
        n = max(self.users, 1)
        return {name: round(total / n, 5) for name, total in self._sums.items()}


def _top(scores: np.ndarray, k: int) -> np.ndarray:
    """(b, k) indices of the highest scores per row, best first (ties by lower index)."""
    k = min(k, scores.shape[1])
    part = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    rows = np.arange(scores.shape[0])[:, None]
    order = np.lexsort((part, -scores[rows, part]), axis=1)
    return part[rows, order]


def _auc(row: np.ndarray, positives: np.ndarray) -> float:
    candidates = np.isfinite(row)
    n_neg = int(candidates.sum()) - positives.size
    if n_neg <= 0:
        return 1.0
    values = row[candidates]
    pos = row[positives]
    above = (values[None, :] > pos[:, None]).sum(axis=1)
    ties = (values[None, :] == pos[:, None]).sum(axis=1) - 1
    # negatives above each positive = all above minus positives above
    pos_above = (pos[None, :] > pos[:, None]).sum(axis=1)
    pos_ties = (pos[None, :] == pos[:, None]).sum(axis=1) - 1
    neg_above = (above - pos_above) + 0.5 * (ties - pos_ties)
    return float(1.0 - neg_above.sum() / (positives.size * n_neg))
