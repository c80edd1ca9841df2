"""Collaborative vectors for papers nobody has voted on yet, predicted from their text.

A ridge regression from a paper's TF-IDF row to its LightFM item vector (and bias), fitted on the
papers that have likes. Daily picks are mostly brand-new papers, which LightFM on identities knows
nothing about; the projection lets them inherit what the model learned from papers with similar
words (a post-hoc version of LightFM's text features at a fraction of the training cost).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import Ridge


@dataclass(frozen=True)
class TextProjection:
    """weights (V, d+1) float32: the last column predicts the item bias; intercept (d+1,)."""

    weights: np.ndarray
    intercept: np.ndarray

    @property
    def dim(self) -> int:
        return int(self.weights.shape[1]) - 1

    def predict(self, text: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """((n, d) vectors, (n,) biases) for TF-IDF rows (n, V)."""
        if self.weights.shape[0] == 0:
            n = text.shape[0]
            return np.zeros((n, 0), np.float32), np.zeros(n, np.float32)
        out = np.asarray(text @ self.weights, dtype=np.float32) + self.intercept[None, :]
        return np.ascontiguousarray(out[:, :-1]), np.ascontiguousarray(out[:, -1])


def empty_projection() -> TextProjection:
    return TextProjection(np.zeros((0, 1), np.float32), np.zeros(1, np.float32))


def fit_projection(
    text: sp.csr_matrix,
    vectors: np.ndarray,
    bias: np.ndarray,
    rows: np.ndarray,
    alpha: float,
) -> TextProjection:
    """Ridge fit of [vectors | bias] on text over the item rows `rows` (papers with likes)."""
    if rows.size < 2:
        return empty_projection()
    targets = np.hstack([vectors[rows], bias[rows, None]]).astype(np.float64)
    ridge = Ridge(alpha=alpha, solver="sparse_cg", fit_intercept=True, max_iter=200, tol=1e-3)
    ridge.fit(text[rows], targets)
    return TextProjection(
        weights=np.ascontiguousarray(ridge.coef_.T, dtype=np.float32),
        intercept=np.asarray(ridge.intercept_, dtype=np.float32),
    )
