"""The matrix-level model interface shared by paperbot's hybrid and every baseline, so one
evaluation runner, one simulation loop and one contract test serve them all.

External ids never appear here: users and items are rows and columns of the vote matrix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import scipy.sparse as sp

from recommender.domain import Paper
from recommender.features import TextSpace


@dataclass(frozen=True)
class Content:
    """Item content for all n items: text (n, V) L2-normalised TF-IDF rows in `space`, and the
    papers themselves (for models that take papers, as the product's ranker does)."""

    text: sp.csr_matrix
    papers: Sequence[Paper] = ()
    space: TextSpace | None = None


class Estimator(Protocol):
    """fit() resets and trains on `train` (m, n) +1/-1 votes, with optional declared interests
    (m, V) in the TF-IDF space; score() returns (len(users), len(items)) float32 scores, higher
    = better. Items may have no votes at all (cold papers)."""

    name: str

    def fit(
        self, train: sp.csr_matrix, content: Content, interests: sp.csr_matrix | None = None
    ) -> None: ...

    def score(self, users: np.ndarray, items: np.ndarray) -> np.ndarray: ...
