"""The application's knobs, one frozen value handed to every use case that needs one.

Why a module of its own: the service, the planner and the accounts all read it, and none of them
should import another to get it. The composition root (paperbot/config.py) builds it from the
[picks] and [schedule] sections, where each knob's default is written once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from recommender.domain import InvalidInputError


@dataclass(frozen=True, slots=True)
class ServiceSettings:
    """[picks] max_k / window_days, [schedule] grace_minutes / empty_day, and limits that are not
    configurable (search hits, similar papers, the fallback pool, the default pause)."""

    max_k: int = 20
    window_days: int = 7
    grace: timedelta = timedelta(minutes=180)
    empty_day: str = "skip"
    search_limit: int = 8
    similar_k: int = 5
    fallback_pool: int = 300
    default_pause_days: int = 7

    def __post_init__(self) -> None:
        if self.empty_day not in ("skip", "note"):
            raise InvalidInputError(
                f"[schedule] empty_day must be skip or note, not {self.empty_day!r}"
            )
        if self.grace < timedelta(0):
            raise InvalidInputError("[schedule] grace_minutes must be >= 0")
