"""The two-cluster contract at the matrix level, for paperbot's estimator and every baseline.

Personalised models must rank the liked cluster first: at least 3 of every user's top 4, and 95%
overall (pure collaborative filtering on 24 papers is allowed a rare stray). Popularity and
random are not personal by definition and are checked for exactly that. The baselines are
defined on likes only (a TF-IDF profile, an SVM on liked papers, LightFM's WARP on positives,
ALS and item-kNN on likes), so the 👎 clause binds paperbot. Multithreaded models run on one
thread here: LightFM is deterministic for a seed only then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest
import scipy.sparse as sp

from recommender.domain import InvalidInputError, Paper
from recommender.evaluation.baselines import (
    ImplicitALS,
    ItemKNN,
    LightFMHybrid,
    PerUserSVM,
    Popularity,
    PureLightFM,
    RandomScores,
    TfidfProfile,
)
from recommender.evaluation.estimator import Content, Estimator
from recommender.evaluation.protocols import Split
from recommender.evaluation.runner import EpochSearch, run
from recommender.evaluation.shipped import ShippedEstimator
from recommender.features import fit_corpus
from recommender.settings import ModelSettings
from tests.recommender.conftest import PLAIN_PICKS, TOY_MODEL
from tests.recommender.toy import CLUSTER_SIZE, toy_matrix, toy_votes

# Pure collaborative filtering on 24 papers generalises best with very few dimensions.
TOY_CF = ModelSettings(no_components=2, epochs=30, num_threads=1)
PERSONAL: dict[str, Callable[[], Estimator]] = {
    "paperbot": lambda: ShippedEstimator(TOY_MODEL, PLAIN_PICKS, seed=3),
    "tfidf-profile": TfidfProfile,
    "svm": lambda: PerUserSVM(negatives=100, seed=1),
    "lightfm": lambda: PureLightFM(TOY_CF, seed=3),
    "lightfm-hybrid": lambda: LightFMHybrid(TOY_MODEL, seed=3, feature_terms=50),
    # CiteULike's regularisation (300) is tuned for thousands of users; 60 need far less
    "als": lambda: ImplicitALS(seed=3, factors=2, regularization=1.0, num_threads=1),
    "item-knn": ItemKNN,
}


@pytest.fixture(scope="module")
def content(papers: list[Paper]) -> Content:
    space, text = fit_corpus(papers, TOY_MODEL)
    return Content(text, papers, space)


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
    # popularity, which is the same before and after the 👎, at its plain weight: at the
    # boost a user of four 👍 gets, it drowns the toy's few papers' differences
    model = ShippedEstimator(replace(TOY_MODEL, popular_boost=0.0), PLAIN_PICKS, seed=3)
    ranks = []
    for votes in (base, after):
        train = sp.csr_matrix(votes)
        model.fit(train, content)
        order = _ranking(model, train, 0)
        ranks.append(np.mean([r for r, i in enumerate(order) if i < half and i != 2]))
    assert ranks[1] > ranks[0] + 0.5  # the 👎 part weighs `dislike_weight` of each signal


class Ripening:
    """Ranks each user's held-out paper (the last column) first only at exactly `ripe` epochs,
    and last at every other count: the epoch search has one right answer."""

    name = "ripening"

    def __init__(self, ripe: int) -> None:
        self.ripe = ripe
        self.epochs = 0

    def fit(
        self, train: sp.csr_matrix, content: Content, interests: sp.csr_matrix | None = None
    ) -> None:
        self.epochs = 10

    def fit_more(self, train: sp.csr_matrix, epochs: int) -> None:
        self.epochs += epochs

    def score(self, users: np.ndarray, items: np.ndarray) -> np.ndarray:
        ascending = np.tile(items.astype(np.float32), (len(users), 1))
        return ascending if self.epochs == self.ripe else -ascending


@pytest.mark.parametrize("ripe", [40, 80])
def test_the_epoch_search_reports_the_best_checkpoint(ripe: int, content: Content) -> None:
    m, n = 3, 300  # more papers than the largest cutoff, so a last place is a miss
    train = sp.csr_matrix(([1.0] * m, (range(m), range(m))), shape=(m, n), dtype=np.float32)
    held = sp.csr_matrix(([1.0] * m, (range(m), [n - 1] * m)), shape=(m, n), dtype=np.float32)
    the_split = Split("random20", train, held, np.arange(m), None)
    model = Ripening(ripe)
    checkpoints = (10, 20, 40, 60, 80)
    ticks = iter(range(1000))
    report = run(
        "toy", the_split, content, [EpochSearch(model, checkpoints)], 0, timer=lambda: next(ticks)
    )
    result = report.models[0]
    assert result.epochs == ripe and result.metrics["recall@10"] == 1.0
    assert result.epoch_curve == {e: float(e == ripe) for e in checkpoints}
    assert model.epochs == 80  # every checkpoint was trained and scored
    assert report.notes[-1].startswith(f"ripening: best at {ripe} epochs of 10/20/40/60/80 (")
    assert report.notes[-1].endswith("still rising at the last") == (ripe == 80)
    assert result.to_dict()["epochs"] == ripe


@pytest.mark.parametrize("checkpoints", [(), (0, 10), (20, 10)])
def test_epoch_checkpoints_must_increase(checkpoints: tuple[int, ...]) -> None:
    with pytest.raises(InvalidInputError, match="increasing"):
        EpochSearch(Ripening(ripe=10), checkpoints)
