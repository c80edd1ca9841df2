from __future__ import annotations

import pytest

from recommender.domain import Paper, Vote
from recommender.ranker import HybridRanker
from recommender.settings import ModelSettings, PickSettings
from recommender.training import content_ranker, train_ranker
from tests.recommender.toy import toy_papers, toy_votes

# Small and single-threaded: LightFM is then deterministic for a seed, and fits in milliseconds.
TOY_MODEL = ModelSettings(
    no_components=8,
    epochs=30,
    num_threads=1,
    feature_terms=50,
    als_factors=8,
)
PLAIN_PICKS = PickSettings(diversity=0.0, exploration=False)


@pytest.fixture(scope="session")
def papers() -> list[Paper]:
    return toy_papers()


@pytest.fixture(scope="session")
def votes() -> list[Vote]:
    return toy_votes()


@pytest.fixture(scope="session")
def hybrid(papers: list[Paper], votes: list[Vote]) -> HybridRanker:
    ranker = train_ranker(papers, votes, {}, TOY_MODEL, PLAIN_PICKS, seed=3)
    assert isinstance(ranker, HybridRanker)
    return ranker


@pytest.fixture(scope="session")
def content(papers: list[Paper]) -> HybridRanker:
    return content_ranker(papers, PLAIN_PICKS, TOY_MODEL)


@pytest.fixture(params=["hybrid", "content"])
def product_ranker(request: pytest.FixtureRequest) -> HybridRanker:
    ranker: HybridRanker = request.getfixturevalue(request.param)
    return ranker
