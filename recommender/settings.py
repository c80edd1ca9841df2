"""Model and picking settings. The config.toml sections `[model]` and `[picks]` map 1:1 onto these
dataclasses' fields, so a typo in the config is an error at start-up instead of a silently ignored
knob. Defaults are the values the offline evaluation chose (docs/evaluation.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Self

from recommender.domain import InvalidInputError

LOSSES = ("warp", "bpr", "logistic", "warp-kos")


def _from_mapping(cls: type[Any], section: str, values: Mapping[str, Any]) -> Any:
    """Build `cls` from a config section, rejecting unknown keys and values of the wrong type."""
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise InvalidInputError(
            f"unknown key(s) in [{section}]: {', '.join(unknown)}; "
            f"known keys are: {', '.join(sorted(fields))}"
        )
    defaults = cls()
    kwargs: dict[str, Any] = {}
    for name, value in values.items():
        expected = type(getattr(defaults, name))
        if expected is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
            raise InvalidInputError(
                f"[{section}] {name} must be {expected.__name__}, got {value!r}"
            )
        kwargs[name] = value
    instance = cls(**kwargs)
    instance.validate()
    return instance


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidInputError(message)


@dataclass(frozen=True, slots=True)
class ModelSettings:
    """How the hybrid is trained and how its signals are blended.

    The collaborative part is a LightFM model on user and item identities; text enters through
    the content side of the blend (TF-IDF and its LSA projection) because LightFM's per-epoch cost
    grows 8-11x with text features and the blend measured better within the time budget.
    """

    no_components: int = 32
    epochs: int = 10
    learning_rate: float = 0.05
    loss: str = "warp"
    item_alpha: float = 0.0
    user_alpha: float = 0.0
    max_sampled: int = 10
    num_threads: int = 2
    max_text_terms: int = 20000
    min_df: int = 2
    lsa_components: int = 128
    seed: int = 42
    # Blend: weights of the standardised signals. The collaborative weight of a user grows with
    # the number of their likes, l / (l + cf_half_likes); an item's with its number of likes.
    content_weight: float = 1.0
    lsa_weight: float = 0.8
    cf_weight: float = 1.5
    cf_half_likes: float = 3.0
    cf_item_half_likes: float = 1.0
    interest_weight: float = 1.0
    # A 👎 paper never returns; its neighbours lose this x the disliked papers' centroid. 0.25
    # measured best; 0.5 cancels half the profile (👎 fall on a user's best-ranked papers).
    dislike_weight: float = 0.25
    # Papers without likes get collaborative vectors predicted from their text (ridge with this
    # alpha; 0 turns it off), trusted this much relative to a paper with many likes.
    projection_alpha: float = 0.3
    projection_confidence: float = 0.5
    # Declared interests also enter the collaborative space through the same projection, so a
    # newcomer gets "readers of this also read" signal before their first vote.
    interest_cf_weight: float = 1.0
    # Weight of the (learned or text-predicted) item bias, i.e. expected popularity, for all users.
    bias_weight: float = 0.2

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Self:
        result: Self = _from_mapping(cls, "model", values)
        return result

    def validate(self) -> None:
        _check(self.no_components > 0, "[model] no_components must be positive")
        _check(self.epochs >= 0, "[model] epochs must be >= 0")
        _check(self.learning_rate > 0, "[model] learning_rate must be positive")
        _check(self.loss in LOSSES, f"[model] loss must be one of {', '.join(LOSSES)}")
        _check(self.num_threads > 0, "[model] num_threads must be positive")
        _check(self.max_text_terms > 0, "[model] max_text_terms must be positive")
        _check(self.min_df >= 1, "[model] min_df must be >= 1")
        _check(self.lsa_components >= 0, "[model] lsa_components must be >= 0")
        _check(self.cf_half_likes > 0, "[model] cf_half_likes must be positive")
        _check(self.cf_item_half_likes > 0, "[model] cf_item_half_likes must be positive")
        for name in ("content_weight", "lsa_weight", "cf_weight", "interest_weight"):
            _check(getattr(self, name) >= 0, f"[model] {name} must be >= 0")
        _check(self.dislike_weight >= 0, "[model] dislike_weight must be >= 0")
        _check(self.projection_alpha >= 0, "[model] projection_alpha must be >= 0")
        _check(0 <= self.interest_cf_weight <= 1, "[model] interest_cf_weight must be in [0, 1]")
        _check(self.bias_weight >= 0, "[model] bias_weight must be >= 0")
        _check(
            0 <= self.projection_confidence <= 1, "[model] projection_confidence must be in [0, 1]"
        )


@dataclass(frozen=True, slots=True)
class PickSettings:
    """What a day's picks look like: how many, from which window, how diverse."""

    k: int = 5
    window_days: int = 7
    popularity_weight: float = 0.2
    recency_weight: float = 0.05
    diversity: float = 0.3
    exploration: bool = True
    teammate_weight: float = 0.3

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Self:
        result: Self = _from_mapping(cls, "picks", values)
        return result

    def validate(self) -> None:
        _check(1 <= self.k <= 50, "[picks] k must be between 1 and 50")
        _check(self.window_days >= 1, "[picks] window_days must be >= 1")
        _check(0.0 <= self.diversity < 1.0, "[picks] diversity must be in [0, 1)")
        for name in ("popularity_weight", "recency_weight", "teammate_weight"):
            _check(getattr(self, name) >= 0, f"[picks] {name} must be >= 0")
