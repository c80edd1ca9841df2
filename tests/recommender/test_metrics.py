"""Metrics against hand-computed values."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.evaluation.metrics import MetricAccumulator


def _held(rows: list[list[int]], n: int) -> sp.csr_matrix:
    data = [(r, c) for r, cols in enumerate(rows) for c in cols]
    r, c = zip(*data, strict=True)
    return sp.csr_matrix((np.ones(len(r)), (r, c)), shape=(len(rows), n))


def test_a_perfect_ranking_scores_one_everywhere_it_can() -> None:
    scores = -np.arange(400, dtype=np.float32)[None, :]  # item 0 best
    acc = MetricAccumulator()
    acc.add(scores, _held([[0, 1]], 400))
    result = acc.result()
    assert result["recall@10"] == 1.0
    assert result["precision@10"] == pytest.approx(0.2, abs=1e-4)
    assert result["ndcg@10"] == pytest.approx(1.0, abs=1e-4)
    assert result["auc"] == pytest.approx(1.0, abs=1e-4)


def test_recall_counts_hits_within_each_cutoff() -> None:
    n = 400
    scores = -np.arange(n, dtype=np.float32)[None, :]
    acc = MetricAccumulator()
    acc.add(scores, _held([[5, 60, 350]], n))  # ranks 6, 61, 351
    result = acc.result()
    assert result["recall@10"] == pytest.approx(1 / 3, abs=1e-4)
    assert result["recall@50"] == pytest.approx(1 / 3, abs=1e-4)
    assert result["recall@100"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["recall@300"] == pytest.approx(2 / 3, abs=1e-4)
    assert result["ndcg@10"] == pytest.approx(
        (1 / np.log2(7)) / (1 + 1 / np.log2(3) + 0.5), abs=1e-4
    )


def test_auc_ignores_non_candidates_and_counts_ties_half() -> None:
    scores = np.array([[3.0, 1.0, 1.0, -np.inf, 0.0]], dtype=np.float32)
    acc = MetricAccumulator()
    acc.add(scores, _held([[1]], 5))  # beats item 4, ties item 2, loses to item 0
    assert acc.result()["auc"] == pytest.approx((1 + 0.5) / 3, abs=1e-4)


def test_users_without_held_out_candidates_are_not_counted() -> None:
    scores = np.zeros((2, 5), dtype=np.float32)
    scores[1, 2] = -np.inf
    acc = MetricAccumulator()
    acc.add(scores, sp.csr_matrix(([1.0], ([1], [2])), shape=(2, 5)))
    assert acc.users == 0
