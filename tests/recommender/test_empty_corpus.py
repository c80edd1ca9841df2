"""Regression: a fresh database with no papers crashed `/papers picks` with a scikit-learn
ValueError from deep inside the content ranker; it must be a named, user-facing error instead."""

from __future__ import annotations

import pytest

from recommender.domain import InvalidInputError
from recommender.settings import ModelSettings, PickSettings
from recommender.training import content_ranker, train_ranker


def test_content_ranker_on_no_papers_is_a_clear_error() -> None:
    with pytest.raises(InvalidInputError, match="no papers yet"):
        content_ranker([], PickSettings())


def test_training_on_no_papers_is_a_clear_error() -> None:
    with pytest.raises(InvalidInputError, match="no papers yet"):
        train_ranker([], [], {}, ModelSettings(), PickSettings(), seed=1)
