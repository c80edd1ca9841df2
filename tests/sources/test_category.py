"""An arXiv category is pasted into a query URL: only the whole string may match the pattern."""

from __future__ import annotations

import pytest

from recommender.domain import InvalidInputError
from sources.fetch import check_category


@pytest.mark.parametrize("good", ["cs.LG", "stat.ML", "hep-th", "math.AG"])
def test_real_categories_pass(good: str) -> None:
    assert check_category(good) == good


@pytest.mark.parametrize("bad", ["cs.AI\n", "cs.AI\nOR all:x", "cs.LG ", "", "CS.lg", "cs.LG&x=1"])
def test_anything_around_a_category_is_refused(bad: str) -> None:
    with pytest.raises(InvalidInputError):
        check_category(bad)
