"""The collaborative part of the hybrid: LightFM on user and item identities.

This is the only module that imports lightfm. It takes and returns plain arrays in internal
indices; the ranker maps external ids (`user_key`, `paper_id`) to rows, so internal indices never
leave the core.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from lightfm import LightFM

from recommender.settings import ModelSettings


@dataclass(frozen=True)
class Factors:
    """A trained factorisation. Score of (u, i) = user_vectors[u] . item_vectors[i] + item_bias[i].

    Shapes: user_vectors (n_users, d), item_vectors (n_items, d), item_bias (n_items,), float32.
    (The user bias is dropped: it never changes a user's ranking.)
    """

    user_vectors: np.ndarray
    item_vectors: np.ndarray
    item_bias: np.ndarray

    @property
    def dim(self) -> int:
        return int(self.item_vectors.shape[1])


def _positives(interactions: sp.spmatrix) -> sp.coo_matrix:
    """WARP and BPR learn from positives only; 👎 are handled by the blend, not by the loss."""
    coo = sp.coo_matrix(interactions)
    keep = coo.data > 0
    return sp.coo_matrix(
        (np.ones(int(keep.sum()), dtype=np.float32), (coo.row[keep], coo.col[keep])),
        shape=coo.shape,
    )


class CollaborativeModel:
    """LightFM estimator with `fit` (reset and train) and `fit_partial` (continue training)."""

    def __init__(self, settings: ModelSettings, seed: int) -> None:
        self.settings = settings
        self.seed = seed
        self._model: LightFM | None = None

    def _new_model(self) -> LightFM:
        s = self.settings
        return LightFM(
            no_components=s.no_components,
            loss=s.loss,
            learning_rate=s.learning_rate,
            item_alpha=s.item_alpha,
            user_alpha=s.user_alpha,
            max_sampled=s.max_sampled,
            random_state=np.random.RandomState(self.seed),
        )

    def fit(self, interactions: sp.spmatrix, epochs: int | None = None) -> Factors:
        """Train from scratch on the (n_users, n_items) matrix; positive entries are likes."""
        self._model = self._new_model()
        return self.fit_partial(interactions, epochs)

    def fit_partial(self, interactions: sp.spmatrix, epochs: int | None = None) -> Factors:
        """Continue training (same shape as before) for `epochs` more passes."""
        if self._model is None:
            self._model = self._new_model()
        n_epochs = self.settings.epochs if epochs is None else epochs
        positives = _positives(interactions)
        if positives.nnz and n_epochs:
            self._model.fit_partial(
                positives, epochs=n_epochs, num_threads=self.settings.num_threads
            )
        elif self._model.item_embeddings is None:
            self._model.fit_partial(positives, epochs=0)
        return self.factors()

    def factors(self) -> Factors:
        if self._model is None or self._model.item_embeddings is None:
            raise RuntimeError("CollaborativeModel.factors() called before fit()")
        item_bias, item_vectors = self._model.get_item_representations()
        _, user_vectors = self._model.get_user_representations()
        return Factors(
            user_vectors=np.ascontiguousarray(user_vectors, dtype=np.float32),
            item_vectors=np.ascontiguousarray(item_vectors, dtype=np.float32),
            item_bias=np.ascontiguousarray(item_bias, dtype=np.float32),
        )
