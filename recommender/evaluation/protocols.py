"""Seeded train/test splits of a (users x papers) vote matrix.

- random20: per user with >= 5 liked papers, 20% of them (at least one) held out;
- P1, P10: P liked papers per user kept for training, the rest held out (the sparse and dense
  settings of the CTR/CDL papers); users with <= P likes train but are not evaluated;
- cold: 20% of the papers held out entirely (all their votes removed from training) and ranked
  among themselves, like a day's new papers.
👎 (-1 entries) always stay in training for the papers that remain; only 👍 are held out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recommender.domain import InvalidInputError
from recommender.evaluation.choices import PROTOCOLS


@dataclass(frozen=True)
class Split:
    protocol: str
    train: sp.csr_matrix  # (m, n) float32 +1/-1 votes available for training
    held_out: sp.csr_matrix  # (m, n) float32 1 = a held-out like
    users: np.ndarray  # (u,) users evaluated: those with at least one held-out like
    candidates: np.ndarray | None  # item indices ranked; None = every item not in training


def split(interactions: sp.csr_matrix, protocol: str, seed: int) -> Split:
    """Split `interactions` (+1/-1, (m, n)) by `protocol` with `numpy.random.default_rng(seed)`."""
    rng = np.random.default_rng(seed)
    votes = sp.csr_matrix(interactions, dtype=np.float32)
    votes.eliminate_zeros()
    if protocol == "cold":
        return _cold(votes, rng)
    if protocol == "random20":
        return _per_user(votes, rng, protocol, keep=lambda n: n - max(1, round(0.2 * n)), min_n=5)
    if protocol in ("P1", "P10"):
        p = int(protocol[1:])
        return _per_user(votes, rng, protocol, keep=lambda n: p, min_n=p + 1)
    raise InvalidInputError(f"unknown protocol {protocol!r}; use one of {', '.join(PROTOCOLS)}")


def _per_user(
    votes: sp.csr_matrix,
    rng: np.random.Generator,
    protocol: str,
    keep: Callable[[int], int],
    min_n: int,
) -> Split:
    m, n = votes.shape
    test_rows: list[np.ndarray] = []
    test_cols: list[np.ndarray] = []
    for u in range(m):
        cols = votes.indices[votes.indptr[u] : votes.indptr[u + 1]]
        likes = cols[votes.data[votes.indptr[u] : votes.indptr[u + 1]] > 0]
        if likes.size < min_n:
            continue
        n_keep = keep(likes.size)
        held = rng.permutation(likes)[n_keep:]
        test_rows.append(np.full(held.size, u))
        test_cols.append(held)
    rows = np.concatenate(test_rows) if test_rows else np.zeros(0, dtype=np.int64)
    cols = np.concatenate(test_cols) if test_cols else np.zeros(0, dtype=np.int64)
    held_out = sp.csr_matrix((np.ones(rows.size, np.float32), (rows, cols)), shape=(m, n))
    train = votes - votes.multiply(held_out)
    train = sp.csr_matrix(train, dtype=np.float32)
    train.eliminate_zeros()
    users = np.flatnonzero(np.diff(held_out.indptr) > 0)
    return Split(protocol, train, held_out, users, None)


def _cold(votes: sp.csr_matrix, rng: np.random.Generator) -> Split:
    m, n = votes.shape
    cold = np.sort(rng.permutation(n)[: max(1, round(0.2 * n))])
    is_cold = np.zeros(n, dtype=bool)
    is_cold[cold] = True
    mask = sp.diags(is_cold.astype(np.float32))
    cold_votes = sp.csr_matrix(votes @ mask)
    train = sp.csr_matrix(votes - cold_votes, dtype=np.float32)
    train.eliminate_zeros()
    held_out = sp.csr_matrix(cold_votes > 0, dtype=np.float32)
    users = np.flatnonzero(np.diff(held_out.indptr) > 0)
    return Split("cold", train, held_out, users, cold)


def with_simulated_dislikes(split: Split, text: sp.csr_matrix, per_user: int) -> Split:
    """CiteULike has no 👎, so make the realistic kind: for every evaluated user, the `per_user`
    papers a plain TF-IDF profile of their training likes ranks highest that are in neither
    their training nor their held-out set (shown, and not wanted) become 👎 in training.
    Candidates (cold papers) are never chosen, so the ranking task itself is unchanged."""
    if per_user <= 0 or split.users.size == 0:
        return split
    likes = sp.csr_matrix(split.train > 0, dtype=np.float32)
    profiles = likes[split.users] @ text
    scores = np.asarray((profiles @ text.T).todense(), dtype=np.float32)
    blocked = split.train[split.users] + split.held_out[split.users]
    scores[blocked.nonzero()] = -np.inf
    if split.candidates is not None:
        scores[:, split.candidates] = -np.inf
    rows, cols = [], []
    for r, user in enumerate(split.users):
        top = np.argpartition(-scores[r], per_user)[:per_user]
        top = top[np.isfinite(scores[r, top])]
        rows.extend([int(user)] * top.size)
        cols.extend(top.tolist())
    dislikes = sp.csr_matrix(
        (-np.ones(len(rows), np.float32), (rows, cols)), shape=split.train.shape
    )
    train = sp.csr_matrix(split.train + dislikes, dtype=np.float32)
    return Split(split.protocol, train, split.held_out, split.users, split.candidates)
