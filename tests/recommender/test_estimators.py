"""The two-cluster contract at the matrix level, for paperbot's estimator and every baseline.

Personalised models must rank the liked cluster first: at least 3 of every user's top 4, and 95%
overall (pure collaborative filtering on 24 papers is allowed a rare stray). Popularity and
random are not personal by definition and are checked for exactly that. The baselines are
defined on likes only (a TF-IDF profile, an SVM on liked papers, LightFM's WARP on positives),
so the 👎 clause binds paperbot.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.baselines import PerUserSVM, Popularity, PureLightFM, RandomScores, TfidfProfile
from recommender.domain import Paper
from recommender.estimator import Content, Estimator
from recommender.features import fit_corpus
from recommender.hybrid import PaperbotEstimator
from recommender.settings import ModelSettings
from tests.recommender.conftest import TOY_MODEL
from tests.recommender.toy import CLUSTER_SIZE, toy_matrix, toy_votes

PERSONAL = {
    "paperbot": lambda: PaperbotEstimator(TOY_MODEL, seed=3),
    "tfidf-profile": TfidfProfile,
    "svm": lambda: PerUserSVM(negatives=100, seed=1),
    "lightfm": lambda: PureLightFM(TOY_CF, seed=3),
}
# Pure collaborative filtering on 24 papers generalises best with very few dimensions.
TOY_CF = ModelSettings(no_components=2, epochs=30, num_threads=1)


@pytest.fixture(scope="module")
def content(papers: list[Paper]) -> Content:
    _, basis, text, lsa = fit_corpus(papers, TOY_MODEL, seed=0)
    return Content(text, lsa, basis)


@pytest.fixture(scope="module")
def matrix(papers: list[Paper]) -> tuple[sp.csr_matrix, list[str]]:
    """Every paper liked by someone: pure collaborative filtering cannot rank unliked papers."""
    return toy_matrix(toy_votes(n_train=6, pool=CLUSTER_SIZE, users_per_cluster=30), papers)


def _ranking(model: Estimator, train: sp.csr_matrix, user: int) -> list[int]:
    scores = model.score(np.array([user]), np.arange(train.shape[1]))[0].astype(np.float64)
    scores[train[user].indices] = -np.inf
    order = np.argsort(-scores, kind="stable")
    return [int(i) for i in order if np.isfinite(scores[i])]


@pytest.mark.parametrize("name", sorted(PERSONAL))
def test_fans_of_a_cluster_get_it_first(
    name: str, content: Content, matrix: tuple[sp.csr_matrix, list[str]]
) -> None:
    train, users = matrix
    model = PERSONAL[name]()
    model.fit(train, content)
    half = train.shape[1] // 2  # columns 0..half-1 are cluster A
    in_cluster = []
    for row, user in enumerate(users):
        top = np.array(_ranking(model, train, row)[:4])
        hits = int(((top < half) if user[1] == "A" else (top >= half)).sum())
        assert hits >= 3, (name, user, top)  # never more than one stray paper in a top 4
        in_cluster.append(hits / 4)
    assert np.mean(in_cluster) >= 0.95, name


@pytest.mark.parametrize("model", [Popularity(), RandomScores(seed=1)])
def test_non_personal_baselines_rank_everyone_alike(
    model: Estimator, content: Content, matrix: tuple[sp.csr_matrix, list[str]]
) -> None:
    train, _ = matrix
    model.fit(train, content)
    scores = model.score(np.array([0, 9]), np.arange(train.shape[1]))
    if isinstance(model, Popularity):
        assert np.array_equal(scores[0], scores[1])
        assert scores[0].argmax() == np.asarray((train > 0).sum(axis=0)).ravel().argmax()
    else:
        assert scores.shape == (2, train.shape[1])


def test_paperbot_a_downvote_pushes_the_cluster_down(content: Content) -> None:
    half = content.text.shape[0] // 2
    base = np.zeros((3, 2 * half), dtype=np.float32)
    base[1, :6] = 1.0  # a fan of A, so the model has collaborative data
    base[2, half : half + 6] = 1.0  # and a fan of B
    base[0, [0, 1, half, half + 1]] = 1.0  # the mixed user
    after = base.copy()
    after[0, 2] = -1.0
    model = PaperbotEstimator(TOY_MODEL, seed=3)
    ranks = []
    for votes in (base, after):
        train = sp.csr_matrix(votes)
        model.fit(train, content)
        order = _ranking(model, train, 0)
        ranks.append(np.mean([r for r, i in enumerate(order) if i < half and i != 2]))
    assert ranks[1] > ranks[0] + 1.0


def test_refresh_folds_new_votes_in_without_refitting(content: Content) -> None:
    half = content.text.shape[0] // 2
    votes = np.zeros((3, 2 * half), dtype=np.float32)
    votes[0, :6] = 1.0
    votes[1, half : half + 6] = 1.0
    model = PaperbotEstimator(TOY_MODEL, seed=3)
    model.fit(sp.csr_matrix(votes), content)
    votes[2, half] = 1.0  # a newcomer's first 👍, on a B paper
    model.refresh(sp.csr_matrix(votes))
    top = _ranking(model, sp.csr_matrix(votes), 2)[:3]
    assert all(i >= half for i in top)
