"""The ALS side: the user step solved at ranking time is the one ALS itself takes."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recommender import als
from recommender.settings import ModelSettings


def _likes(seed: int, m: int = 60, n: int = 40) -> sp.csr_matrix:
    rng = np.random.default_rng(seed)
    dense = (rng.random((m, n)) < 0.15).astype(np.float32)
    dense[np.arange(m), rng.integers(0, n, m)] = 1.0  # nobody without a like
    return sp.csr_matrix(dense)


def _solve(inverse, factors, voted, conf, pref):
    """solve_users on one array per user, flattened as the ranker passes them."""
    counts = np.array([len(v) for v in voted])
    flat = (np.concatenate(a) if a else np.zeros(0) for a in (voted, conf, pref))
    rows, c, p = flat
    solved = als.solved(factors, inverse)
    return als.solve_users(inverse, factors, solved, rows.astype(np.int64), c, p, counts)


def _direct(inverse, y, c, p):
    normal = np.linalg.inv(inverse) + (y.T * c) @ y
    return np.linalg.solve(normal, y.T @ ((1.0 + c) * p))


def test_woodbury_solve_equals_the_direct_normal_equations():
    rng = np.random.default_rng(3)
    factors = rng.normal(size=(30, 8))
    inverse = als.gram_inverse(factors, 2.0)
    voted, conf, pref = [], [], []
    for k in (1, 3, 7, 0):
        rows = rng.choice(30, size=k, replace=False)
        voted.append(rows)
        conf.append(rng.uniform(0.5, 30.0, size=k))
        pref.append((rng.random(k) < 0.6).astype(np.float64))
    solved = _solve(inverse, factors, voted, conf, pref)
    for r in range(3):
        np.testing.assert_allclose(
            solved[r], _direct(inverse, factors[voted[r]], conf[r], pref[r]), rtol=1e-4, atol=1e-5
        )
    assert not solved[3].any()  # no votes: the zero vector, no score


def test_many_votes_take_the_direct_solve_with_the_same_answer(monkeypatch):
    rng = np.random.default_rng(4)
    factors = rng.normal(size=(50, 6))
    inverse = als.gram_inverse(factors, 1.0)
    y, c, p = np.arange(20), rng.uniform(1, 5, 20), np.ones(20)
    woodbury = _solve(inverse, factors, [y], [c], [p])
    monkeypatch.setattr(als, "DIRECT_SOLVE_VOTES", 5)
    direct = _solve(inverse, factors, [y], [c], [p])
    np.testing.assert_allclose(woodbury, direct, rtol=1e-4, atol=1e-5)


def test_a_training_user_is_weighed_and_solved_as_in_training():
    """The confidences rebuilt from `paper_weights` x `user_idf` are the BM25 matrix ALS was
    fitted on, and the solved vector is ALS's own user step against the final paper factors."""
    likes = _likes(0)
    s = ModelSettings(als_factors=6, als_iterations=5).als_settings(seed=1, regularization=3.0)
    confidences = als.weigh_likes(likes, "bm25", s.bm25_k1, s.bm25_b)
    weights = als.paper_weights(likes, s.bm25_k1, s.bm25_b)
    idf = als.user_idf(np.diff(likes.indptr), likes.shape[1])
    rebuilt = sp.diags(idf) @ likes @ sp.diags(weights)
    np.testing.assert_allclose(rebuilt.toarray(), confidences.toarray(), rtol=1e-5, atol=1e-6)

    _, papers = als.fit(confidences, s)
    inverse = als.gram_inverse(papers, s.regularization)
    user = 5
    cols = likes[user].indices
    conf = s.alpha * confidences[user].toarray().ravel()[cols]
    solved = _solve(inverse, papers, [cols], [conf], [np.ones(cols.size)])[0]
    np.testing.assert_allclose(
        solved, _direct(inverse, papers[cols], conf, np.ones(cols.size)), rtol=1e-4, atol=1e-5
    )
    # and it ranks the user's own papers above the rest, as a fitted ALS user does
    scores = papers @ solved
    others = np.setdiff1d(np.arange(likes.shape[1]), cols)
    assert scores[cols].mean() > scores[others].mean()


def test_a_dislike_pulls_the_user_away_from_that_paper():
    likes = _likes(1)
    s = ModelSettings(als_factors=6, als_iterations=5).als_settings(seed=1, regularization=3.0)
    _, papers = als.fit(als.weigh_likes(likes, "bm25", s.bm25_k1, s.bm25_b), s)
    inverse = als.gram_inverse(papers, s.regularization)
    liked, disliked = np.array([0, 1]), np.array([2])
    only_likes = _solve(inverse, papers, [liked], [np.full(2, 20.0)], [np.ones(2)])[0]
    both = _solve(
        inverse,
        papers,
        [np.concatenate([liked, disliked])],
        [np.full(3, 20.0)],
        [np.array([1.0, 1.0, 0.0])],
    )[0]
    assert papers[2] @ both < papers[2] @ only_likes
