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
the log number of readers (popularity), which are all there is for a newcomer's first day;
popularity weighs more, and co-readership less, while a user's 👍 are few (`few_likes`). For a
user who has liked nothing (no 👍, no interest) the score is the popularity alone: with nothing
else known, LightFM's bias ranked worse than the number of readers (docs/evaluation.md).
Each signal's dislike part (the same similarity to what the user 👎) is subtracted, weighted by
`dislike_weight`. Why a blend: each signal alone loses somewhere (docs/evaluation.md measures
each); their sum wins on every protocol measured.

How it is computed: a signal that is a dot product with a dense paper vector is standardised
without computing it first. For user vector u against centred paper vectors C̃ (C minus the
candidates' mean μ), the z-score is u·C̃ / sqrt(uᵀΣu), Σ the candidates' covariance, so every
such signal, like and dislike part, folds into one coefficient row per user and all of them into
one matrix product against the candidates' centred blocks side by side (`Candidates`). Only the
sparse signals (text, readers) are computed, each standardised and summed in a user's row at a
time as it is made (recommender.kernels.add_standardised), to the bit as `standardise` does it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recommender.kernels import add_standardised, dense_product
from recommender.settings import ModelSettings
from recommender.tables import ItemRows
from recommender.users import UserSide, fading

NO_SPREAD = 1e-9  # a standard deviation below this is a signal the user has none of


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
    z /= np.where(std > NO_SPREAD, std, 1.0)
    z[(std <= NO_SPREAD).ravel()] = 0.0
    if columns is not None:
        z[:, ~columns] = 0.0
    return z.astype(np.float32, copy=False)


def text_scores(users: sp.csr_matrix, items: sp.csr_matrix) -> np.ndarray:
    """(m, n) float32 products of user profiles (m, V) with item rows (n, V), both CSR."""
    return dense_product(users, sp.csr_matrix(items.T))


@dataclass(frozen=True)
class Block:
    """One dense signal's columns in `Candidates.dense` and the candidates' covariance there."""

    name: str  # "taste", "topics", "fit" or "als"
    columns: slice
    covariance: np.ndarray  # (d, d) float64 over the columns the signal is standardised on


@dataclass(frozen=True)
class Candidates:
    """The candidates' side of the scoring rule, built once per set of candidates and shared
    by every batch of users scored against it."""

    rows: ItemRows
    text: sp.csr_matrix  # (V, n) float32 the TF-IDF rows transposed: each term's candidates
    readers: sp.csr_matrix  # (R, n) float32 the reader rows transposed
    dense: np.ndarray  # (n, D) float32 the dense signals' paper vectors, centred, side by side
    blocks: tuple[Block, ...]
    bias: np.ndarray  # (n,) float32 LightFM's bias, standardised over papers with readers
    popular: np.ndarray  # (n,) float32 log readers, the same

    @classmethod
    def of(cls, rows: ItemRows) -> Candidates:
        """Centre each dense signal's paper vectors on the candidates' mean and take their
        covariance; a signal standardised over papers with readers only (`known`) is centred
        on theirs and is 0 elsewhere, as `standardise(..., known)` leaves it."""
        known = rows.known
        everyone = np.ones(rows.size, dtype=bool)
        parts: list[tuple[str, np.ndarray, np.ndarray]] = []
        if rows.vectors.shape[1]:
            parts.append(("taste", rows.unit, everyone))
        if rows.topics.shape[1]:
            parts.append(("topics", rows.topics, everyone))
        if rows.vectors.shape[1] and known.any():
            parts.append(("fit", rows.vectors, known))
        if rows.als.shape[1] and known.any():
            parts.append(("als", rows.als, known))
        blocks, centred, start = [], [], 0
        for name, vectors, mask in parts:
            values = vectors.astype(np.float64)
            block = np.where(mask[:, None], values - values[mask].mean(axis=0), 0.0)
            blocks.append(Block(name, slice(start, start + values.shape[1]),
                                block.T @ block / max(int(mask.sum()), 1)))  # fmt: skip
            centred.append(block.astype(np.float32))
            start += values.shape[1]
        dense = np.hstack(centred) if centred else np.zeros((rows.size, 0), dtype=np.float32)
        zero = np.zeros(rows.size, dtype=np.float32)
        bias, popular = zero, zero
        if rows.vectors.shape[1] and known.any():
            bias = standardise(rows.bias[None, :], known)[0]
            readers = np.log1p(np.diff(rows.readers.indptr).astype(np.float32))
            popular = standardise(readers[None, :], known)[0]
        return cls(
            rows=rows,
            text=sp.csr_matrix(rows.text.T, dtype=np.float32),
            readers=sp.csr_matrix(rows.readers.T, dtype=np.float32),
            dense=np.ascontiguousarray(dense),
            blocks=tuple(blocks),
            bias=bias,
            popular=popular,
        )


def _z(vectors: np.ndarray, covariance: np.ndarray) -> np.ndarray:
    """(m, 1) float64 1 / the standard deviation of each user's scores u·c over the candidates
    (sqrt(uᵀΣu)), 0 where there is no spread (the signal drops out, as in `standardise`)."""
    u = vectors.astype(np.float64)
    std = np.sqrt(np.maximum(np.einsum("md,md->m", u @ covariance, u), 0.0))
    return np.divide(1.0, std, out=np.zeros_like(std), where=std > NO_SPREAD)[:, None]


def scored(
    users: UserSide, cands: Candidates, settings: ModelSettings
) -> tuple[np.ndarray, np.ndarray]:
    """(m, n) float32 scores, higher is better, and the raw like-side text similarities behind
    them (for exploration); memory is m x n floats, so callers batch."""
    # the dislike part's weight; 0 when nobody in the batch has a 👎
    against = settings.dislike_weight if users.disliked.count.any() else 0.0
    shape = (users.liked.text.shape[0], cands.text.shape[1])
    total = np.zeros(shape, dtype=np.float32)  # every signal is summed into it in place
    liked_text = np.zeros(shape, dtype=np.float32)
    add_standardised(total, users.liked.text, cands.text, settings.text_weight, NO_SPREAD,
                     liked_text)  # fmt: skip
    if against:
        weight = -against * settings.text_weight  # subtracted
        add_standardised(total, users.disliked.text, cands.text, weight, NO_SPREAD)
    few = few_likes(users.liked.votes)
    if cands.rows.vectors.shape[1]:
        co_reading = (settings.readers_weight * (1.0 - few)).astype(np.float32)  # per user
        add_standardised(total, users.liked.readers, cands.readers, co_reading, NO_SPREAD)
        if against:
            away = -against * co_reading
            add_standardised(total, users.disliked.readers, cands.readers, away, NO_SPREAD)
    sides = {
        "taste": (settings.taste_weight, users.liked.unit, users.disliked.unit),
        "topics": (settings.topics_weight, users.liked.topics, users.disliked.topics),
        "fit": (settings.fit_weight, users.liked.mean, None),
        "als": (settings.als_weight, users.als, None),
    }
    if cands.blocks:
        coefficients = np.empty((total.shape[0], cands.dense.shape[1]), dtype=np.float64)
        for block in cands.blocks:
            weight, liked, disliked = sides[block.name]
            part = weight * _z(liked, block.covariance) * liked
            if against and disliked is not None:
                part -= against * weight * _z(disliked, block.covariance) * disliked
            coefficients[:, block.columns] = part
        total += coefficients.astype(np.float32) @ cands.dense.T
    liking = users.liking[:, None]  # nothing liked: popularity, not the bias
    total += settings.bias_weight * cands.bias[None, :] * liking
    crowd = settings.popular_weight * (1.0 + settings.popular_boost * few)
    total += crowd.astype(np.float32)[:, None] * cands.popular[None, :]
    return total, liked_text


def few_likes(likes: np.ndarray) -> np.ndarray:
    """(m,) float64 `fading` for a user with a 👍, 0 without: how little their 👍 say yet.
    The first 👍s say which region a user reads but little about which of its papers are in
    their library: there the crowd's choice is the better bet (popularity weighs 1 +
    `popular_boost` x this), and the few people who saved the same papers are noise
    (co-readership weighs 1 - this). Declared words alone get no boost: in the closed loop with
    interests it cost hit rate (docs/evaluation.md)."""
    return np.where(likes > 0, fading(likes), 0.0).astype(np.float64)
