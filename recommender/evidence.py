"""The facts behind the reasons, for B users x k picks at once, from batched products.

A reason may only state a fact the data holds, with a real strength behind it:
- "similar to X, which you liked": X is one of the user's 👍 (never the paper itself), the one
  closest to the pick in the ranker's space, and their TF-IDF cosine is at least SIMILAR_MIN
  and stays at least SUPPORT_MIN without its strongest shared term: a resemblance that rests on
  one shared word ("graph", "retrieval") is not one;
- "matches your interest Y": the cosine is at least INTEREST_MIN and the paper holds at least
  INTEREST_COVER of the interest's weight (all of a one-word interest, most of a phrase, not
  just its most common word);
- "liked by readers with tastes like yours": at least CO_READERS_MIN people saved both the pick
  and one of the user's 👍 (so someone besides the user; 👎 and vote strengths never count);
- "liked by N readers": N >= READERS_MIN people besides the user 👍 it (as of the last fit): what
  a pick chosen for its popularity has behind it when nothing about the user explains it.

Shapes: B users, k picks, n candidates, Lmax the most 👍 of a user in the batch, V terms, R
readers. `chosen` (B, k) int64 candidate indices, -1 for none.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from recommender.domain import TITLE, Paper
from recommender.tables import ItemRows

SIMILAR_MIN = 0.12  # TF-IDF cosine above which two papers visibly share a topic
SUPPORT_MIN = 0.06  # ... and what must remain of it without the single strongest shared term
INTEREST_MIN = 0.04  # interests are a few words, so their cosines run lower
INTEREST_COVER = 0.5  # share of an interest's (squared) TF-IDF weight the paper must contain
CO_READERS_MIN = 2  # co-readers who prove "readers like you", the user themself possibly one
READERS_MIN = 2  # people besides the user who liked a pick, for "liked by N readers"


def resemblance(
    chosen: np.ndarray,
    candidates: ItemRows,
    liked_of: np.ndarray,
    liked: ItemRows,
    liked_twin: np.ndarray,
) -> np.ndarray:
    """(B, k) index into `liked_of`'s columns of the liked paper each pick resembles, -1 none.
    `liked_of` (B, Lmax) rows of `liked` per user, -1 padded; `liked_twin` (rows of `liked`,)
    the candidate each liked paper is (`Twins`), so a paper never resembles itself."""
    b, k = chosen.shape
    if liked_of.shape[1] == 0 or liked.size == 0:
        return np.full((b, k), -1, dtype=np.int64)
    pick, like = np.maximum(chosen, 0), np.maximum(liked_of, 0)
    if candidates.unit.shape[1]:
        sims = np.matmul(liked.unit[like], candidates.unit[pick].transpose(0, 2, 1))
    else:
        sims = np.stack([_pair_dot(liked.text, like, candidates.text, pick[:, [j]])
                         for j in range(k)], axis=2)  # fmt: skip
    twin = liked_twin[like][:, :, None]  # (B, Lmax, 1)
    same = (twin == pick[:, None, :]) & (twin >= 0)
    sims[(liked_of < 0)[:, :, None] | same | (chosen < 0)[:, None, :]] = -np.inf
    best = np.argmax(sims, axis=1)  # (B, k)
    found = np.isfinite(np.take_along_axis(sims, best[:, None, :], 1)[:, 0, :])
    left = sp.csr_matrix(liked.text[np.take_along_axis(like, best, 1).ravel()])
    products = left.multiply(candidates.text[pick.ravel()]).tocsr()
    cosine = np.asarray(products.sum(axis=1)).ravel()
    strongest = products.max(axis=1).toarray().ravel()
    strong = (cosine >= SIMILAR_MIN) & (cosine - strongest >= SUPPORT_MIN)
    return np.where(found & strong.reshape(b, k), best, -1)


class Twins:
    """The candidate each liked paper is, by id or by title (the same paper under another id),
    for `resemblance`. Titles compare folded for case and spacing only: ingest already merges
    papers whose normalised titles agree. Built once per call over its candidates; papers are
    told apart by their row in the model's table (`codes`, -1 for a paper newer than the
    model), so most of the matching is array lookups, and the answer for a table row is kept:
    the same liked papers come back batch after batch, and reading and folding their titles
    again each time was most of the cost. The match by id is the caller's (`by_id`): the ranker
    has it already, for the bans."""

    def __init__(self, candidates: Sequence[Paper], table_size: int) -> None:
        self._by_title = {_folded(p.title): i for i, p in enumerate(candidates)}
        self._row_title = np.full(table_size, -2, dtype=np.int64)  # -2: not looked at yet
        self._seen: dict[str, int] = {}  # raw title of a paper newer than the model

    def of(
        self, papers: Sequence[Paper], codes: np.ndarray, liked: np.ndarray, by_id: np.ndarray
    ) -> np.ndarray:
        """(len(papers),) int64 the candidate (the last of equal ids or titles) each `liked`
        paper is (indices into `papers`, whose table rows are `codes` and whose candidates by
        id are `by_id`, -1 none): by id, else by title; -1 for none and for the papers not
        asked about."""
        found = np.full(len(papers), -1, dtype=np.int64)
        found[liked] = by_id[liked]
        code = codes[liked]
        table, fresh = liked[code >= 0], liked[code < 0].tolist()
        missed = table[found[table] < 0]  # by title where the id missed, once per table row
        new = missed[self._row_title[codes[missed]] == -2]
        for i in new.tolist():
            self._row_title[codes[i]] = self._by_title.get(_folded(papers[i].title), -1)
        found[missed] = self._row_title[codes[missed]]
        missed_fresh = [i for i in fresh if found[i] < 0]
        titles = list(map(TITLE, map(papers.__getitem__, missed_fresh)))
        for title in set(titles).difference(self._seen):
            self._seen[title] = self._by_title.get(_folded(title), -1)
        found[missed_fresh] = list(map(self._seen.__getitem__, titles))
        return found


def _folded(title: str) -> str:
    return " ".join(title.lower().split())


def _pair_dot(
    left: sp.csr_matrix, left_idx: np.ndarray, right: sp.csr_matrix, right_idx: np.ndarray
) -> np.ndarray:
    """Row-wise dot products of left[left_idx] with right[right_idx], broadcast to one shape."""
    a, c = np.broadcast_arrays(left_idx, right_idx)
    dots = sp.csr_matrix(left[a.ravel()]).multiply(right[c.ravel()]).sum(axis=1)
    return np.asarray(dots, dtype=np.float32).reshape(a.shape)


def interest_match(
    chosen: np.ndarray, candidates: ItemRows, interests: sp.csr_matrix, owner: np.ndarray
) -> np.ndarray:
    """(B, k) the position, among its user's interests, of the interest each pick matches best
    with real strength, -1 none. `interests` (I, V) TF-IDF rows, `owner` (I,) their user rows,
    grouped by user in order."""
    b, k = chosen.shape
    if interests.shape[0] == 0:
        return np.full((b, k), -1, dtype=np.int64)
    pick = np.maximum(chosen, 0)
    rows = pick[owner]  # (I, k)
    cosine = _pair_dot(interests, np.arange(len(owner))[:, None], candidates.text, rows)
    present = sp.csr_matrix(candidates.text, copy=True)
    present.data[:] = 1.0
    squared = sp.csr_matrix(interests.multiply(interests))
    cover = _pair_dot(squared, np.arange(len(owner))[:, None], present, rows)
    real = (cosine >= INTEREST_MIN) & (cover >= INTEREST_COVER - 1e-6)
    position = np.arange(len(owner)) - np.searchsorted(owner, owner)
    width = int(position.max()) + 1
    padded = np.full((b, width, k), -np.inf, dtype=np.float32)
    padded[owner, position] = np.where(real, cosine, -np.inf)
    best = np.argmax(padded, axis=1)
    found = np.isfinite(np.take_along_axis(padded, best[:, None, :], 1)[:, 0, :])
    return np.where(found & (chosen >= 0), best, -1)


def read_alike(
    chosen: np.ndarray, candidates: ItemRows, liked_readers: sp.csr_matrix
) -> np.ndarray:
    """(B, k) bool: at least CO_READERS_MIN people saved both the pick and one of the user's 👍;
    `liked_readers` (B, R) is nonzero where a reader saved one of their 👍 (users.Side.readers)."""
    b, k = chosen.shape
    if liked_readers.nnz == 0 or candidates.readers.nnz == 0:
        return np.zeros((b, k), dtype=bool)
    mine = sp.csr_matrix(liked_readers, copy=True)
    mine.data[:] = 1.0
    theirs = sp.csr_matrix(candidates.readers[np.maximum(chosen, 0).ravel()], copy=True)
    theirs.data[:] = 1.0
    both = mine[np.repeat(np.arange(b), k)].multiply(theirs).sum(axis=1)
    counts = np.asarray(both).reshape(b, k)
    return (counts >= CO_READERS_MIN - 1e-6) & (chosen >= 0)


def liked_by(chosen: np.ndarray, candidates: ItemRows, reader: np.ndarray) -> np.ndarray:
    """(B, k) int64 how many people besides the user 👍 each pick as of the last fit (its reader
    row's entries), 0 below READERS_MIN; `reader` (B,) each user's own readers column, -1 none
    (a vote of theirs they have since cleared is not someone else's)."""
    b, k = chosen.shape
    pick = np.maximum(chosen, 0)
    counts = np.diff(candidates.readers.indptr).astype(np.int64)[pick]
    mine = np.repeat(reader[:, None], k, axis=1)
    own = mine >= 0
    if own.any():
        counts[own] -= np.asarray(candidates.readers[pick[own], mine[own]]).ravel() != 0
    return np.where((chosen >= 0) & (counts >= READERS_MIN), counts, 0)
