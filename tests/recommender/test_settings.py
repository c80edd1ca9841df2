from __future__ import annotations

import pytest

from recommender.domain import InvalidInputError
from recommender.settings import ModelSettings, PickSettings


def test_config_sections_map_onto_the_fields() -> None:
    model = ModelSettings.from_mapping({"no_components": 32, "learning_rate": 1, "seed": 7})
    assert (model.no_components, model.learning_rate, model.seed) == (32, 1.0, 7)
    picks = PickSettings.from_mapping({"k": 3, "exploration": False})
    assert (picks.k, picks.exploration, picks.window_days) == (3, False, 7)


def test_unknown_keys_are_rejected_with_the_known_ones_listed() -> None:
    with pytest.raises(InvalidInputError, match=r"unknown key\(s\) in \[model\]: epoch\b.*epochs"):
        ModelSettings.from_mapping({"epoch": 10})


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"k": "5"}, "k must be int"),
        ({"k": 0}, "k must be between"),
        ({"exploration": 1}, "exploration must be bool"),
        ({"diversity": 1.5}, "diversity"),
    ],
)
def test_bad_pick_values_are_explained(values: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        PickSettings.from_mapping(values)


def test_bad_model_values_are_explained() -> None:
    with pytest.raises(InvalidInputError, match="loss must be one of"):
        ModelSettings.from_mapping({"loss": "hinge"})
    with pytest.raises(InvalidInputError, match="epochs must be int"):
        ModelSettings.from_mapping({"epochs": True})
