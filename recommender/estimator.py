"""The matrix-level model interface shared by paperbot's hybrid and every baseline, so one
evaluation runner, one simulation loop and one contract test serve them all.

External ids never appear here: users and items are rows and columns of the vote matrix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class Content:
    """Item content for all n items: text (n, V) L2-normalised TF-IDF, lsa (n, k) unit rows,
    and the LSA basis (k, V) that maps any TF-IDF row (e.g. declared interests) to lsa."""

    text: sp.csr_matrix
    lsa: np.ndarray
    basis: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), np.float32))


class Estimator(Protocol):
    """fit() resets and trains on `train` (m, n) +1/-1 votes, with optional declared interests
    (m, V) in the TF-IDF space; score() returns (len(users), len(items)) float32 scores, higher
    = better. Items may have no votes at all (cold papers)."""

    name: str

    def fit(
        self, train: sp.csr_matrix, content: Content, interests: sp.csr_matrix | None = None
    ) -> None: ...

    def score(self, users: np.ndarray, items: np.ndarray) -> np.ndarray: ...
