"""Co-reading factors: implicit's ALS on BM25-weighted 👍, and the closed-form user update.

This is the only module that imports implicit. Why a second factorisation next to LightFM: on
papers people have saved, ALS's least-squares factors are the strongest single signal measured
(docs/evaluation.md), and its user step has a closed form, so a user is solved exactly against the
fixed paper factors from their current votes at ranking time: a 👍 or 👎 moves them at once, with
no per-user state, the same way the LightFM side does (recommender.users). A 👎 is a paper with
confidence and preference 0 (implicit's convention for negative feedback), so it pulls the user's
vector away from that paper before the first 👍 arrives. Papers nobody saved have no factors here;
LightFM's term embeddings cover them.

Shapes: n papers; f factors; m users; k papers one user voted.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
from implicit.nearest_neighbours import bm25_weight, tfidf_weight
from threadpoolctl import ThreadpoolController

DIRECT_SOLVE_VOTES = 192  # above this many votes a plain f x f solve is cheaper than Woodbury's
WOODBURY_CHUNK = 64  # users solved together, sorted by vote count so padding stays small

Weighting = Literal["none", "tfidf", "bm25"]
_BLAS: list[ThreadpoolController] = []  # made on first use: inspecting the libraries takes ~1 ms


def one_blas_thread():  # type: ignore[no-untyped-def]
    """A context holding BLAS to one thread. The user solves are many tiny products: threaded
    BLAS spends far more time waking and syncing threads than computing (a 150-vote solve took
    77 ms of CPU with two threads on a busy machine, 0.7 ms with one), and implicit's fit asks
    for it too."""
    if not _BLAS:
        _BLAS.append(ThreadpoolController())
    return _BLAS[0].limit(limits=1, user_api="blas")


@dataclass(frozen=True)
class AlsSettings:
    factors: int
    regularization: float
    alpha: float
    iterations: int
    bm25_k1: float
    bm25_b: float
    num_threads: int
    seed: int


def weigh_likes(likes: sp.csr_matrix, weighting: Weighting, k1: float, b: float) -> sp.csr_matrix:
    """(m, n) float32 confidences from (m, n) 0/1 likes. "bm25" and "tfidf" are implicit's
    weightings applied the way its last.fm example does, to the papers x users matrix: a like from
    a user with a huge library counts less (idf over users), and BM25 also normalises by the
    paper's number of likes. "none" leaves every like at 1."""
    if weighting == "none":
        return sp.csr_matrix(likes, dtype=np.float32)
    by_paper = sp.csr_matrix(likes).T.tocsr()
    weighted = bm25_weight(by_paper, K1=k1, B=b) if weighting == "bm25" else tfidf_weight(by_paper)
    return sp.csr_matrix(weighted.T, dtype=np.float32)


def paper_weights(likes: sp.csr_matrix, k1: float, b: float) -> np.ndarray:
    """(n,) float32 the BM25 factor of each paper in `weigh_likes` (everything but the user's
    idf), so a user outside training is weighed exactly as one inside; 0 for a paper nobody
    saved, which has no factors to vote on."""
    readers = np.asarray(sp.csr_matrix(likes).sum(axis=0), dtype=np.float64).ravel()
    length_norm = (1.0 - b) + b * readers / max(readers.mean(), 1e-12)
    weights = (k1 + 1.0) / (k1 * length_norm + 1.0)
    return np.where(readers > 0, weights, 0.0).astype(np.float32)


def user_idf(library_sizes: np.ndarray, n_papers: int) -> np.ndarray:
    """(m,) the BM25 idf of users with these numbers of 👍 among `n_papers` papers."""
    idf = np.log(float(max(n_papers, 1))) - np.log1p(library_sizes.astype(np.float64))
    return np.maximum(idf, 1e-3).astype(np.float32)


def fit(confidences: sp.csr_matrix, settings: AlsSettings) -> tuple[np.ndarray, np.ndarray]:
    """((m, f), (n, f)) float32 user and paper factors of (m, n) confidences (`weigh_likes`);
    papers without likes get zero rows. BLAS is held to one thread while implicit fits, as it
    asks: its own threads already run per user, and nested BLAS threads make it slow."""
    from implicit.als import AlternatingLeastSquares

    with one_blas_thread():
        model = AlternatingLeastSquares(
            factors=settings.factors,
            regularization=settings.regularization,
            alpha=settings.alpha,
            iterations=settings.iterations,
            random_state=settings.seed,
            num_threads=settings.num_threads,
            calculate_training_loss=False,
        )
        model.fit(confidences, show_progress=False)
    return (
        np.ascontiguousarray(model.user_factors, dtype=np.float32),
        np.ascontiguousarray(model.item_factors, dtype=np.float32),
    )


def gram_inverse(factors: np.ndarray, regularization: float) -> np.ndarray:
    """(f, f) float64 (YᵀY + reg·I)⁻¹ of the paper factors Y: the part of every user's normal
    equations that is the same for all users (each paper at confidence 1, preference 0)."""
    f = factors.shape[1]
    gram = factors.astype(np.float64).T @ factors.astype(np.float64)
    return np.linalg.inv(gram + regularization * np.eye(f))


def solved(factors: np.ndarray, inverse: np.ndarray) -> np.ndarray:
    """(N, f) float32 Z = Y A⁻¹ for the paper factors Y (N, f) and A⁻¹ = `inverse`: the part of
    a user solve that depends on the paper alone (see `solve_users`), so it is computed once per
    paper, not once per user who voted it. Computed in float64, kept in float32 like Y: the
    Woodbury solves work in float32 (their products are most of a batch's solve time, and
    float64 doubled it for differences of 1e-7 in the users' vectors)."""
    with one_blas_thread():
        return (factors.astype(np.float64) @ inverse).astype(np.float32)


def solve_users(
    inverse: np.ndarray,
    factors: np.ndarray,
    solved: np.ndarray,
    voted: np.ndarray,
    confidence: np.ndarray,
    preference: np.ndarray,
    counts: np.ndarray,
) -> np.ndarray:
    """(m, f) float32 ALS user vectors: user r voted `counts[r]` rows of the paper factors
    Y = `factors` (N, f), the next ones in `voted` (flat (v,) int64, user by user), with
    confidences c > 0 (alpha x BM25 weight) and preferences p (1 for 👍, 0 for 👎), flat (v,)
    float64 alike, and Z = `solved` (N, f), `solved(factors, inverse)`:
        x = (YᵀY + reg·I + Yᵤᵀ diag(c) Yᵤ)⁻¹ Yᵤᵀ ((1 + c) ⊙ p).
    With A⁻¹ = `inverse`, Z = Y A⁻¹ (once per paper, shared by every user who voted it) and
    G = Yᵤ Zᵤᵀ, Woodbury gives
        x = Zᵤᵀ (q − (diag(1/c) + G)⁻¹ G q),  q = (1 + c) ⊙ p,
    a (k, k) solve instead of (f, f): users vote far fewer papers than there are factors. Users
    with many votes take the direct solve. Flat arrays, not one array per user: a batch holds
    hundreds of users, and making and joining their arrays held the GIL for longer than the
    solves' own numpy calls."""
    f = inverse.shape[0]
    out = np.zeros((counts.size, f), dtype=np.float32)
    starts = np.cumsum(counts) - counts
    with one_blas_thread():
        for r in np.flatnonzero(counts > DIRECT_SOLVE_VOTES).tolist():
            span = slice(starts[r], starts[r] + counts[r])
            y = factors[voted[span]].astype(np.float64)
            out[r] = _direct(inverse, y, confidence[span], preference[span])
        small = np.flatnonzero((counts > 0) & (counts <= DIRECT_SOLVE_VOTES))
        small = small[np.argsort(counts[small], kind="stable")]  # by vote count, then user
        for first in range(0, small.size, WOODBURY_CHUNK):
            chunk = small[first : first + WOODBURY_CHUNK]
            out[chunk] = _woodbury(
                factors, solved, voted, confidence, preference, starts[chunk], counts[chunk]
            )
    return out


def _direct(inverse: np.ndarray, y: np.ndarray, c: np.ndarray, p: np.ndarray) -> np.ndarray:
    """One user's normal equations solved as they stand: (f, f), for users with many votes."""
    c, p = c.astype(np.float64), p.astype(np.float64)
    normal = np.linalg.inv(inverse) + (y.T * c) @ y
    return np.linalg.solve(normal, y.T @ ((1.0 + c) * p))


def _woodbury(
    y: np.ndarray,
    z: np.ndarray,
    voted: np.ndarray,
    confidence: np.ndarray,
    preference: np.ndarray,
    starts: np.ndarray,
    counts: np.ndarray,
) -> np.ndarray:
    """(s, f) the vectors of s users (their votes at `starts`, `counts` of them, in the flat
    arrays of `solve_users`) by Woodbury, all at once, in float32: each padded to the most
    votes k among them with zero rows of Y and Z (q = 0 and 1/c = 1 there, so a padded vote
    changes nothing). Callers pass users of similar vote counts together, so little is
    padding."""
    k = int(counts.max())
    padding = np.arange(k)[None, :] >= counts[:, None]  # (s, k)
    at = np.where(padding, 0, starts[:, None] + np.arange(k))  # into the flat arrays
    c = confidence[at]
    index = np.where(padding, 0, voted[at])
    q = np.where(padding, 0.0, (1.0 + c) * preference[at]).astype(np.float32)
    inv_c = np.where(padding, 1.0, 1.0 / c).astype(np.float32)
    yu = y[index]  # (s, k, f) float32, copies
    zu = z[index]
    yu[padding] = 0.0
    zu[padding] = 0.0
    g = yu @ np.swapaxes(zu, 1, 2)  # (s, k, k)
    system = g + inv_c[:, :, None] * np.eye(k, dtype=np.float32)[None]
    gq = np.einsum("skj,sj->sk", g, q)
    correction = np.linalg.solve(system, gq[:, :, None])[:, :, 0]
    return np.einsum("skf,sk->sf", zu, q - correction).astype(np.float32, copy=False)
