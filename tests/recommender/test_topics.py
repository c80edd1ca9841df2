"""The terms-only LightFM space (recommender.training._topic_vectors): off when its weight is 0,
and fitted on a bounded sample of the likes."""

from __future__ import annotations

import dataclasses

import numpy as np
import scipy.sparse as sp

from recommender.domain import Paper, Vote
from recommender.settings import ModelSettings
from recommender.training import _sample, train_ranker
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
