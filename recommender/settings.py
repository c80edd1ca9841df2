"""Model and picking settings. The config.toml sections `[model]` and `[picks]` map 1:1 onto these
dataclasses' fields, so a typo in the config is an error at start-up instead of a silently ignored
knob. Defaults are the values the offline evaluation chose (docs/evaluation.md).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Self

from recommender.domain import InvalidInputError

if TYPE_CHECKING:
    from recommender.als import AlsSettings

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
    """How the LightFM hybrid is trained and how a user's signals are combined.

    LightFM learns one embedding per paper identity and per feature term (`feature_terms` of
    them, the most common; authors, organisation and keywords are terms too), from 👍 with WARP.
    A user is represented from their votes at ranking time (recommender.users), so every reaction
    counts at once; see docs/evaluation.md for how each value was chosen.
    """

    no_components: int = 64
    epochs: int = 40
    learning_rate: float = 0.05
    loss: str = "warp"
    item_alpha: float = 0.0
    user_alpha: float = 0.0
    max_sampled: int = 10
    num_threads: int = 2  # the LightFM and ALS fits', and the daily picks' batches at once
    max_text_terms: int = 20000
    min_df: int = 2
    feature_terms: int = 5000
    identity_weight: float = 0.5
    # implicit's ALS on BM25-weighted 👍 (recommender.als): its paper factors are the co-reading
    # signal; a user is solved against them from their votes at ranking time. The
    # regularisation is in units of the mean confidence of one 👍 (3 is about implicit's 300 on
    # CiteULike-t, where that mean is ~100).
    als_factors: int = 128
    als_regularization: float = 3.0
    als_alpha: float = 20.0
    als_iterations: int = 15
    als_bm25_k1: float = 100.0
    als_bm25_b: float = 0.3
    seed: int = 42
    # The user's score for a paper sums standardised signals with these weights: taste (cosine
    # in LightFM's space), fit (LightFM's dot product), bias (LightFM's learned popularity),
    # popular (log readers), text (TF-IDF profile) and readers (co-readership with the user's
    # likes), and als (the ALS user's score); fit, bias, popular and als count on papers with
    # readers in training only.
    taste_weight: float = 1.0
    fit_weight: float = 1.0
    bias_weight: float = 0.5
    popular_weight: float = 0.5
    text_weight: float = 0.5
    readers_weight: float = 0.5
    als_weight: float = 0.5
    # While a user's 👍 are few, popularity counts more: popular_weight x (1 + popular_boost x
    # 2 / (2 + 👍)) from the first 👍 on, and co-readership less: readers_weight x (1 - 2 / (2 +
    # 👍)) (recommender.scoring.few_likes).
    popular_boost: float = 2.0
    # The terms-only LightFM space's cosine (0: that second model is not trained at all); it is
    # fitted on a seeded sample of at most `topics_max_likes` 👍 (CiteULike-t has 135k: all).
    topics_weight: float = 0.5
    topics_max_likes: int = 500_000
    # Each signal's 👎 part (similarity to what the user disliked) is subtracted with this weight.
    dislike_weight: float = 0.1
    # Declared interests count as this many liked papers while the user has none; they fade as
    # likes accumulate (2 / (2 + likes)): what people do outranks what they said.
    interest_weight: float = 1.0

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> Self:
        result: Self = _from_mapping(cls, "model", values)
        return result

    def als_settings(self, seed: int, regularization: float) -> AlsSettings:
        """`regularization` absolute, as implicit takes it (`als_regularization` is relative to
        one 👍's confidence; recommender.training scales it to the data). recommender.als is
        imported here, not at the top: it loads numpy, scipy and implicit, and the CLI reads
        these settings to build its options before any of them is needed."""
        from recommender.als import AlsSettings

        return AlsSettings(
            factors=self.als_factors,
            regularization=regularization,
            alpha=self.als_alpha,
            iterations=self.als_iterations,
            bm25_k1=self.als_bm25_k1,
            bm25_b=self.als_bm25_b,
            num_threads=self.num_threads,
            seed=seed,
        )

    def validate(self) -> None:
        _check(self.no_components > 0, "[model] no_components must be positive")
        _check(self.epochs >= 0, "[model] epochs must be >= 0")
        _check(self.learning_rate > 0, "[model] learning_rate must be positive")
        _check(self.loss in LOSSES, f"[model] loss must be one of {', '.join(LOSSES)}")
        _check(self.num_threads > 0, "[model] num_threads must be positive")
        _check(self.max_text_terms > 0, "[model] max_text_terms must be positive")
        _check(self.min_df >= 1, "[model] min_df must be >= 1")
        _check(self.feature_terms >= 0, "[model] feature_terms must be >= 0")
        _check(0 < self.identity_weight <= 1, "[model] identity_weight must be in (0, 1]")
        _check(self.als_factors >= 0, "[model] als_factors must be >= 0 (0: no ALS)")
        _check(self.als_iterations >= 1, "[model] als_iterations must be >= 1")
        _check(self.topics_max_likes >= 1, "[model] topics_max_likes must be >= 1")
        for name in ("als_regularization", "als_alpha", "als_bm25_k1"):
            _check(getattr(self, name) > 0, f"[model] {name} must be positive")
        _check(0 <= self.als_bm25_b <= 1, "[model] als_bm25_b must be in [0, 1]")
        for name in (
            "taste_weight",
            "fit_weight",
            "bias_weight",
            "popular_weight",
            "popular_boost",
            "text_weight",
            "readers_weight",
            "als_weight",
            "topics_weight",
            "dislike_weight",
            "interest_weight",
        ):
            _check(getattr(self, name) >= 0, f"[model] {name} must be >= 0")


@dataclass(frozen=True, slots=True)
class PickSettings:
    """What a day's picks look like: how many, from which window, how diverse."""

    k: int = 5
    window_days: int = 7
    popularity_weight: float = 0.2
    recency_weight: float = 0.05
    diversity: float = 0.15
    # Off by default: in the closed loop the "outside your usual" slot cost hit rate on days
    # 1-3 and over 14 days alike (docs/evaluation.md); it stays available.
    exploration: bool = False
    # Share the picks among a user's interest regions (recommender.coverage). In the closed loop
    # with three declared words as "interests" it cost ~2% of 👍 (CiteULike-t, seed 5); a
    # person's distinct interests are what it is for.
    coverage: bool = True
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
