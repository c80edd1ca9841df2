from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.domain import InvalidInputError
from recommender.evaluation.protocols import split


def _votes(seed: int = 0, m: int = 40, n: int = 60) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    dense = (rng.random((m, n)) < 0.25).astype(np.float32)
    dense[rng.random((m, n)) < 0.03] = -1.0
    return sp.csr_matrix(dense)


def test_random20_holds_out_a_fifth_of_each_library_of_five_or_more() -> None:
    votes = _votes()
    result = split(votes, "random20", seed=1)
    likes = np.asarray((votes > 0).sum(axis=1)).ravel()
    held = np.asarray(result.held_out.sum(axis=1)).ravel()
    for u in range(votes.shape[0]):
        expected = max(1, round(0.2 * likes[u])) if likes[u] >= 5 else 0
        assert held[u] == expected
    assert result.train.multiply(result.held_out).nnz == 0
    assert (result.train + result.held_out != votes).nnz == 0


@pytest.mark.parametrize("p", [1, 10])
def test_p_protocols_keep_exactly_p_likes_per_evaluated_user(p: int) -> None:
    votes = _votes()
    result = split(votes, f"P{p}", seed=2)
    kept = np.asarray((result.train > 0).sum(axis=1)).ravel()
    assert set(kept[result.users].tolist()) == {p}
    negatives = (votes < 0).nnz
    assert (result.train < 0).nnz == negatives


def test_cold_holds_papers_out_entirely() -> None:
    votes = _votes()
    result = split(votes, "cold", seed=3)
    assert result.candidates is not None
    assert len(result.candidates) == round(0.2 * votes.shape[1])
    assert result.train[:, result.candidates].nnz == 0
    outside = np.setdiff1d(np.arange(votes.shape[1]), result.candidates)
    assert result.held_out[:, outside].nnz == 0


def test_splits_are_reproducible_from_the_seed() -> None:
    votes = _votes()
    a, b, c = (split(votes, "random20", seed=s) for s in (5, 5, 6))
    assert (a.held_out != b.held_out).nnz == 0
    assert (a.held_out != c.held_out).nnz > 0


def test_an_unknown_protocol_is_a_named_error() -> None:
    with pytest.raises(InvalidInputError, match="unknown protocol"):
        split(_votes(), "P5", seed=0)
