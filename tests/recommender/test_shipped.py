"""The evaluation scores the product: `paperbot eval`'s "paperbot" is the HybridRanker users
get, trained and scored through the same functions the service calls (regression: the first
build evaluated a second implementation of the blend)."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from recommender.domain import DOWN, Paper, UserProfile, Vote
from recommender.evaluation.estimator import Content
from recommender.evaluation.shipped import TODAY, ShippedEstimator, matrix_votes, user_key
from recommender.features import fit_corpus
from recommender.settings import PickSettings
from recommender.training import train_ranker
from tests.recommender.conftest import TOY_MODEL
from tests.recommender.toy import toy_matrix


def test_evaluated_scores_are_the_products_scores(papers: list[Paper], votes: list[Vote]) -> None:
    with_down = [*votes, Vote("uA0", "B3", DOWN)]
    train, _ = toy_matrix(with_down, papers)
    space, text = fit_corpus(papers, TOY_MODEL)
    estimator = ShippedEstimator(TOY_MODEL, PickSettings(), seed=3)
    estimator.fit(train, Content(text, papers, space))
    users, items = np.arange(train.shape[0]), np.arange(len(papers))
    evaluated = estimator.score(users, items)

    product = train_ranker(
        papers, matrix_votes(train, papers), {}, TOY_MODEL, PickSettings(), seed=3
    )
    by_id = {p.paper_id: p for p in papers}
    profiles = []
    for row in users:
        mine = {v.paper_id: v.vote for v in matrix_votes(train[row], papers)}
        rated = tuple(by_id[p] for p in mine)
        profiles.append(UserProfile(user_key(int(row)), votes=mine, rated_papers=rated))
    expected = product.score_matrix(profiles, papers, TODAY)
    assert np.array_equal(np.isneginf(evaluated), np.isneginf(expected))
    finite = np.isfinite(expected)
    assert np.allclose(evaluated[finite], expected[finite], atol=1e-5)
    # and the 👎 in the matrix reached the product's user side
    assert np.isneginf(evaluated[0, [p.paper_id for p in papers].index("B3")])


def test_matrix_votes_round_trip(papers: list[Paper]) -> None:
    matrix = sp.csr_matrix(([1.0, -1.0], ([0, 1], [2, 5])), shape=(2, len(papers)))
    votes = matrix_votes(matrix, papers)
    assert [(v.user_key, v.paper_id, v.vote) for v in votes] == [
        (user_key(0), papers[2].paper_id, 1),
        (user_key(1), papers[5].paper_id, -1),
    ]
