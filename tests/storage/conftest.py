"""The model store's tests save and load the recommender tests' toy corpus and its two trained
rankers; the same session fixtures, taken from there rather than copied."""

from tests.recommender.conftest import content, hybrid, papers, votes  # noqa: F401
