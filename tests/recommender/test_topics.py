"""The terms-only LightFM space (recommender.training._topic_vectors): off when its weight is 0,
fitted on a bounded sample of the likes, and a user's direction in it whitened
(recommender.tables.whitening)."""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp

from recommender.domain import UP, Paper, UserProfile, Vote
from recommender.ranker import HybridRanker
from recommender.settings import ModelSettings
from recommender.tables import unit_rows, whitening
from recommender.training import _sample, train_ranker
from recommender.users import represent
from tests.recommender.conftest import PLAIN_PICKS, TOY_MODEL


def test_a_zero_weight_trains_no_terms_only_model(papers: list[Paper], votes: list[Vote]) -> None:
    off = dataclasses.replace(TOY_MODEL, topics_weight=0.0)
    ranker = train_ranker(papers, votes, {}, off, PLAIN_PICKS, seed=3)
    assert ranker.items.topic_vectors.shape == (0, 0)
    assert ranker.items.rows(papers, ranker.space).topics.shape == (len(papers), 0)


def test_the_sample_is_bounded_seeded_and_drawn_from_the_likes() -> None:
    rng = np.random.default_rng(0)
    likes = sp.csr_matrix((rng.random((50, 80)) < 0.3).astype(np.float32))
    small = dataclasses.replace(ModelSettings(), topics_max_likes=100)
    drawn = _sample(likes, small, seed=5)
    assert drawn.nnz == 100 and drawn.shape == likes.shape
    assert (drawn.multiply(likes) != drawn).nnz == 0  # every drawn entry is a like
    assert (_sample(likes, small, seed=5) != drawn).nnz == 0
    assert _sample(likes, ModelSettings(), seed=5) is likes  # under the bound: all of them


def test_whitening_lets_the_direction_that_sets_a_user_apart_outrank_the_shared_one() -> None:
    """Every paper shares direction 0; few have direction 1. The user liked a paper with both.
    A cosine prefers a paper mostly of the shared direction; the least-squares fit prefers the
    one that has what is rare, as IDF would."""
    common = np.tile([1.0, 0.0], (60, 1))
    liked = np.array([1.0, 1.0]) / np.sqrt(2.0)
    shared = np.array([1.0, 0.4]) / np.linalg.norm([1.0, 0.4])
    rare = np.array([0.3, 1.0]) / np.linalg.norm([0.3, 1.0])
    vectors = np.vstack([common, liked, shared, rare]).astype(np.float32)
    assert liked @ shared > liked @ rare  # the cosine's order
    fitted = liked.astype(np.float32) @ whitening(vectors)
    assert fitted @ rare > fitted @ shared
    assert whitening(np.zeros((3, 0), dtype=np.float32)).shape == (0, 0)


def test_a_users_terms_only_direction_is_the_whitened_sum_of_their_liked_papers(
    hybrid: HybridRanker, papers: list[Paper]
) -> None:
    items = hybrid.items
    assert not np.allclose(items.whitening, items.whitening[0, 0] * np.eye(len(items.whitening)))
    mine = papers[:3]
    profile = UserProfile("u", votes={p.paper_id: UP for p in mine}, rated_papers=tuple(mine))
    users = represent([profile], items, hybrid.space, hybrid.settings)
    rows = items.rows(mine, hybrid.space)
    expected = unit_rows(rows.topics.sum(axis=0, keepdims=True)) @ items.whitening
    np.testing.assert_allclose(users.liked.topics, expected, rtol=1e-5, atol=1e-6)
