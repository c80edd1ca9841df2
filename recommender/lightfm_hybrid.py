"""The LightFM hybrid: paper identities plus paper features (terms, authors, organisation,
keywords), trained on 👍.

This is the only module that imports lightfm. It takes and returns plain arrays in internal
indices; the ranker maps external ids (`user_key`, `paper_id`) to rows, so internal indices never
leave the core. Why item features: a paper's representation is the sum of its identity's and its
features' embeddings, so a paper nobody has read yet (every new paper) and a newcomer's declared
interests land in the same learned space as everything else, without a second model.
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

    Shapes, float32: user_vectors (n_users, d); item_vectors (n_items, d) and item_bias (n_items,)
    for the trained items (identity + features); feature_vectors (F, d) and feature_bias (F,) for
    every column of the item feature matrix, so `rows @ feature_vectors` represents any paper
    described in the same columns. (The user bias is dropped: it never changes a ranking.)
    """

    user_vectors: np.ndarray
    item_vectors: np.ndarray
    item_bias: np.ndarray
    feature_vectors: np.ndarray
    feature_bias: np.ndarray

    @property
    def dim(self) -> int:
        return int(self.item_vectors.shape[1])

    def term_part(self) -> tuple[np.ndarray, np.ndarray]:
        """((T, d), (T,)): the embeddings and biases of the feature columns after the identities."""
        n = self.item_vectors.shape[0]
        return self.feature_vectors[n:], self.feature_bias[n:]

    def by_terms_where_unliked(
        self, likes: sp.spmatrix, terms: sp.csr_matrix
    ) -> tuple[np.ndarray, np.ndarray]:
        """((n, d), (n,)) item representations where every paper without a like in `likes`
        (users, n) is represented by its `terms` rows (n, T) alone: its identity embedding is
        untrained noise, its terms are not."""
        vectors, bias = self.item_vectors.copy(), self.item_bias.copy()
        cold = np.flatnonzero(np.diff(sp.csc_matrix(positives(likes)).indptr) == 0)
        term_vectors, term_bias = self.term_part()
        vectors[cold] = np.asarray(terms[cold] @ term_vectors)
        bias[cold] = np.asarray(terms[cold] @ term_bias).ravel()
        return vectors, bias


def positives(interactions: sp.spmatrix) -> sp.coo_matrix:
    """WARP learns from positives only; 👎 act on the user side (recommender.users)."""
    coo = sp.coo_matrix(interactions)
    keep = coo.data > 0
    return sp.coo_matrix(
        (np.ones(int(keep.sum()), dtype=np.float32), (coo.row[keep], coo.col[keep])),
        shape=coo.shape,
    )


class CollaborativeModel:
    """LightFM estimator with `fit` (reset and train) and `fit_partial` (continue training).

    `item_features` (n_items, F) csr, rows summing to 1 (see recommender.features.item_features);
    None means identities only (the plain-LightFM baseline)."""

    def __init__(self, settings: ModelSettings, seed: int) -> None:
        self.settings = settings
        self.seed = seed
        self._model: LightFM | None = None
        self._features: sp.csr_matrix | None = None

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

    def fit(
        self,
        interactions: sp.spmatrix,
        item_features: sp.csr_matrix | None = None,
        epochs: int | None = None,
    ) -> Factors:
        """Train from scratch on the (n_users, n_items) matrix; positive entries are likes."""
        self._model = self._new_model()
        self._features = item_features
        return self.fit_partial(interactions, epochs)

    def fit_partial(self, interactions: sp.spmatrix, epochs: int | None = None) -> Factors:
        """Continue training (same shapes as before) for `epochs` more passes."""
        if self._model is None:
            self._model = self._new_model()
        n_epochs = self.settings.epochs if epochs is None else epochs
        likes = positives(interactions)
        self._model.fit_partial(
            likes,
            item_features=self._features,
            epochs=n_epochs if likes.nnz else 0,
            num_threads=self.settings.num_threads,
        )
        return self.factors()

    def factors(self) -> Factors:
        model = self._model
        if model is None or model.item_embeddings is None:
            raise RuntimeError("CollaborativeModel.factors() called before fit()")
        item_bias, item_vectors = model.get_item_representations(self._features)
        _, user_vectors = model.get_user_representations()
        return Factors(
            user_vectors=np.ascontiguousarray(user_vectors, dtype=np.float32),
            item_vectors=np.ascontiguousarray(item_vectors, dtype=np.float32),
            item_bias=np.ascontiguousarray(item_bias, dtype=np.float32),
            feature_vectors=np.ascontiguousarray(model.item_embeddings, dtype=np.float32),
            feature_bias=np.ascontiguousarray(model.item_biases, dtype=np.float32),
        )
