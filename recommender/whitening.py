"""Least-squares profiles: a user's liked papers, summed, then decorrelated against the corpus.

A profile made by summing what a user liked is pulled towards whatever every paper has. The
exact least-squares user step against fixed paper vectors Y (liked papers 1, every other paper 0,
ALS's step with a small confidence) is that sum times (YᵀY + ridge·I)⁻¹: a direction every paper
shares then counts for little and one that sets the user's papers apart for much, as IDF does for
words. Measured (docs/evaluation.md, seed 1 and tuning seeds 8-10): in the terms-only space it
added 3% to recall@100 in cold and 1% in P10; in the TF-IDF space, where only the diagonal of the
inverse is in reach, about 1% to every offline protocol; the closed loop even on those seeds.
On the untouched seeds (2 offline; 2-7 in the loop) the offline gain held (2-3% in every
protocol) and the one-like loop's first three days lost about 2%, within one standard error.
In the hybrid's space (the taste signal) it cost the one-like loop 6%, so only these two spaces
are whitened.

From one liked paper the fit is as much prior as data: whitening its single vector chases
whatever is rare in that one paper, which cost the one-like loop 2% of its days 1-3 hit rate. So
the ridge is per user, `shrink` / (papers behind the profile) on top of the base: with one paper
the step stays close to the plain cosine, with many it becomes the full fit.

Shapes: t dimensions of the terms-only space; V terms; m users.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

TOPIC_RIDGE = 0.01  # x the mean eigenvalue; seed 1: 0.003-0.03 scored alike, 0.1 lost cold
TOPIC_SHRINK = 1.0  # x the mean eigenvalue / papers behind the profile; 0.3-3 alike offline
TEXT_RIDGE = 10.0  # x the mean term's sum of squares; 3 and 30 alike, 0.1 lost P1


@dataclass(frozen=True)
class Whitening:
    """YᵀY of the papers' vectors (n, t), kept as its eigenvectors `axes` (t, t) and eigenvalues
    `spread` (t,), so that each user's own ridge costs O(t²) rather than a (t, t) inverse."""

    axes: np.ndarray
    spread: np.ndarray
    scale: float  # the mean eigenvalue, trace(YᵀY) / t: what the ridges are shares of

    @classmethod
    def of(cls, vectors: np.ndarray) -> Whitening:
        t = vectors.shape[1]
        if t == 0:
            return cls(np.zeros((0, 0)), np.zeros(0), 1.0)
        gram = vectors.T.astype(np.float64) @ vectors.astype(np.float64)
        spread, axes = np.linalg.eigh(gram)
        return cls(axes, spread, max(float(np.trace(gram)) / t, 1e-12))

    def apply(self, directions: np.ndarray, papers: np.ndarray) -> np.ndarray:
        """(m, t) float32 `directions` (m, t) times (YᵀY + ridge·I)⁻¹, each row with its own
        ridge: scale x (TOPIC_RIDGE + TOPIC_SHRINK / papers), `papers` (m,) the number of
        papers (or their worth in interests) behind each direction."""
        if directions.shape[1] == 0:
            return directions.astype(np.float32, copy=False)
        behind = np.maximum(papers.astype(np.float64), 1e-3)
        ridge = self.scale * (TOPIC_RIDGE + TOPIC_SHRINK / behind)
        along = directions.astype(np.float64) @ self.axes
        return ((along / (self.spread[None, :] + ridge[:, None])) @ self.axes.T).astype(np.float32)


def term_weights(text: sp.csr_matrix) -> np.ndarray:
    """(V,) float32 ridge / (Σ x² + ridge) per term of the papers' TF-IDF rows (n, V), ridge
    `TEXT_RIDGE` x the mean Σ x² of the terms in use; 1 for every term of an empty corpus.

    The diagonal of the whitening above, in the TF-IDF space where the (V, V) inverse is out of
    reach: a term carried by many papers, and heavily, counts for less in a user's profile, on
    top of what its IDF already takes off. Scaled so that a rare term keeps a weight near 1; a
    term in every paper loses about a sixth."""
    squares = np.asarray(text.multiply(text).sum(axis=0), dtype=np.float64).ravel()
    if not (squares > 0).any():
        return np.ones(text.shape[1], dtype=np.float32)
    ridge = TEXT_RIDGE * squares[squares > 0].mean()
    return (ridge / (squares + ridge)).astype(np.float32)
