"""The scoring rule: a user's (recommender.users) signals against candidate papers
(recommender.tables), at the matrix level.

Six signals, each standardised per user over the candidates, then weighted and summed:
- taste: cosine in LightFM's space between the user's liked papers (and interests) and each
  paper. A cosine, not LightFM's dot product, because the dot product is dominated by the norm
  of popular papers' vectors; offline, the cosine matched far better for new papers;
- fit: LightFM's own dot product of the mean liked vector with each paper;
- text: the user's TF-IDF profile times each paper's TF-IDF row, the profile's terms weighed
  down where the whole corpus carries them (recommender.whitening);
- topics: the space of a second LightFM trained on the papers' terms alone (no identities):
  there every paper's place comes from its words, read or not, while in the hybrid's space a
  read paper's place is mostly its identity and a new one's rests on term embeddings trained to
  complement identities (new papers are the daily case). The user's liked direction there is
  whitened (recommender.whitening), a least-squares fit rather than a cosine, so what
  every paper shares counts for little; it added to every protocol measured, most in cold
  (docs/evaluation.md);
- readers: co-readership, the sum over the user's liked papers of the cosine between their
  readers and each paper's ("people who saved what you liked saved this");
- als: the score of the user's ALS vector, solved from their 👍 and 👎 against the ALS paper
  factors (recommender.als), on papers with readers only: the strongest single signal on papers
  people have saved;
and two that are the same for everyone, on papers with readers only: LightFM's learned bias and
the log number of readers (popularity), which are all there is for a newcomer's first day. For a
user who has liked nothing (no 👍, no interest) the score is the popularity alone: with nothing
else known, LightFM's bias ranked worse than the number of readers (docs/evaluation.md).
Each signal's dislike part (the same similarity to what the user 👎) is subtracted, weighted by
`dislike_weight`. Why a blend: each signal alone loses somewhere (docs/evaluation.md measures
each); their sum wins on every protocol measured.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recommender.settings import ModelSettings
from recommender.tables import ItemRows
from recommender.users import Side, UserSide


def standardise(scores: np.ndarray, columns: np.ndarray | None = None) -> np.ndarray:
    """Per-row z-scores, with statistics over `columns` (a boolean mask) when given; the other
    columns get 0 (the mean). Rows with no spread (a signal we know nothing about for that
    user) become all zeros, so that signal drops out. The standard deviation is numpy's own
    (the same sums in the same order) from the centred scores the z-scores are made of, so
    the centring is done once, not twice."""
    basis = scores if columns is None else scores[:, columns]
    if basis.shape[1] == 0:
        return np.zeros_like(scores, dtype=np.float32)
    mean = basis.mean(axis=1, keepdims=True)
    centred = basis - mean
    std = np.sqrt(np.square(centred).sum(axis=1, keepdims=True) / basis.shape[1])
    z = centred if columns is None else scores - mean
    z /= np.where(std > 1e-9, std, 1.0)
    z[(std <= 1e-9).ravel()] = 0.0
    if columns is not None:
        z[:, ~columns] = 0.0
    return z.astype(np.float32, copy=False)


def text_scores(users: sp.csr_matrix, items: sp.csr_matrix) -> np.ndarray:
    """(m, n) products of user profiles (m, V) with item rows (n, V), both CSR float32.

    Computed as the sparse product items @ usersᵀ: for each item it walks only the item's own
    terms and, per term, only the users who have it, which skips the zeros of profiles
    (thousands of terms each, yet a small share of V; 👎 profiles far fewer). A dense block of
    profiles times the sparse items did ~3x the work on the like side and ~7x on the dislike
    side. Each product still sums its item's terms in the item row's stored order, the order the
    dense product used, so the float32 results are the same bit for bit."""
    product = items @ sp.csr_matrix(users.T)  # (n, m) sparse
    return np.ascontiguousarray(product.toarray().T, dtype=np.float32)


def reader_scores(users: sp.csr_matrix, items: ItemRows) -> np.ndarray:
    """(m, n) co-readership: users' summed reader rows (m, R) times the papers' (n, R)."""
    if users.nnz == 0 or items.readers.nnz == 0:
        return np.zeros((users.shape[0], items.size), dtype=np.float32)
    return np.asarray((users @ items.readers.T).toarray(), dtype=np.float32)


def _signals(side: Side, items: ItemRows) -> dict[str, np.ndarray]:
    """Raw (m, n) similarities of one side of the users to the candidates."""
    out = {"text": text_scores(side.text, items.text)}
    if items.topics.shape[1]:
        out["topics"] = side.topics @ items.topics.T
    if items.vectors.shape[1]:
        out["taste"] = side.unit @ items.unit.T
        out["readers"] = reader_scores(side.readers, items)
    return out


def score(users: UserSide, items: ItemRows, settings: ModelSettings) -> np.ndarray:
    """(m, n) float32 scores, higher is better; memory is m x n floats, so callers batch."""
    return scored(users, items, settings)[0]


def scored(
    users: UserSide, items: ItemRows, settings: ModelSettings
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The scores and the raw like-side similarities behind them (for reasons and exploration)."""
    weights = {
        "taste": settings.taste_weight,
        "text": settings.text_weight,
        "readers": settings.readers_weight,
        "topics": settings.topics_weight,
    }
    liked = _signals(users.liked, items)
    total = np.zeros((users.liked.count.size, items.size), dtype=np.float32)
    for name, raw in liked.items():
        total += weights[name] * standardise(raw)
    if users.disliked.count.any() and settings.dislike_weight:
        for name, raw in _signals(users.disliked, items).items():
            total -= settings.dislike_weight * weights[name] * standardise(raw)
    known = items.known
    if items.vectors.shape[1] and known.any():
        fit = standardise(users.liked.mean @ items.vectors.T, known)
        total += settings.fit_weight * fit
        liking = users.liking[:, None]  # nothing liked: popularity, not the bias
        total += settings.bias_weight * standardise(items.bias[None, :], known) * liking
        readers = np.log1p(np.diff(items.readers.indptr).astype(np.float32))
        total += settings.popular_weight * standardise(readers[None, :], known)
    if items.als.shape[1] and known.any() and settings.als_weight:
        total += settings.als_weight * standardise(users.als @ items.als.T, known)
    return total, liked
