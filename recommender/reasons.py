"""One short sentence per pick that a person understands, and that is true.

The reason names the strongest evidence we can point at, in this order: teammates who liked it,
a paper the user liked that it resembles, a declared interest it matches, people who saved it
and what the user liked, its popularity (trending, or how many people liked it). Each is a fact
the data holds, with a real strength behind it (recommender.evidence decides which facts hold);
a vague reason is the last resort, never the first: "new in your field" for someone with a 👍,
just "new" for anyone else (their declared interests are a field only where a pick matches one,
and then the reason says which). A paper the user rated is explained by their vote.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import repeat

import numpy as np

from recommender.domain import UP

TITLE_CHARS = 70


@dataclass(frozen=True)
class Facts:
    """What holds for each of B users' k picks: (B, k) arrays; -1 / 0 / False for "no"."""

    resembles: np.ndarray  # int the liked paper it resembles, a key of `titles`, -1 none
    interest: np.ndarray  # int index into the user's interests
    teammates: np.ndarray  # int teammates who 👍 it
    read_alike: np.ndarray  # bool enough people saved it and one of the user's 👍
    readers: np.ndarray  # int people besides the user who 👍 it, 0 below the minimum
    trending: np.ndarray  # bool among the window's most upvoted
    explored: np.ndarray  # bool the exploration slot


def short_title(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


def rated(vote: int, day: date | None = None) -> str:
    """`why` on a paper the user voted on: their vote, not a guess."""
    if vote == UP:
        return "you 👍 this" + (f" on {day.isoformat()}" if day else "")
    return "you 👎 this: it will not be shown again"


def sentences(
    facts: Facts,
    valid: np.ndarray,
    titles: Mapping[int, str],
    liking: np.ndarray,
    interests: Sequence[Sequence[str]],
) -> list[str]:
    """The sentence of each valid pick (`valid` (B, k) bool), in one flat list, user by user
    in order. `titles` holds the short title (`short_title`) of each paper `facts.resembles`
    points at; `liking` (B,) whether each user has a 👍. The facts of the valid picks are read
    as flat Python lists, once per batch: reading numpy elements one at a time cost more than
    writing the sentences, and a list per user and fact kept the garbage collector busy."""
    user, slot = np.nonzero(valid)
    return list(
        map(
            _sentence,
            facts.teammates[user, slot].tolist(),
            facts.resembles[user, slot].tolist(),
            facts.interest[user, slot].tolist(),
            facts.explored[user, slot].tolist(),
            facts.trending[user, slot].tolist(),
            facts.read_alike[user, slot].tolist(),
            facts.readers[user, slot].tolist(),
            repeat(titles),
            liking[user].tolist(),
            map(interests.__getitem__, user.tolist()),
        )
    )


def _sentence(
    teammates: int,
    resembles: int,
    interest: int,
    explored: bool,
    trending: bool,
    read_alike: bool,
    readers: int,
    titles: Mapping[int, str],
    liking: bool,
    interests: Sequence[str],
) -> str:
    if teammates >= 2:
        return f"liked by {teammates} teammates"
    reason = None
    if resembles >= 0:
        reason = f"similar to “{titles[resembles]}”, which you liked"
    elif interest >= 0:
        reason = f"matches your interest “{interests[interest]}”"
    if explored:
        if trending:
            return "outside your usual: trending"
        return "outside your usual" + (f": {reason}" if reason else "")
    if reason:
        return reason
    if teammates == 1:
        return "liked by a teammate"
    if read_alike:
        return "liked by readers with tastes like yours"
    if trending:
        return "trending"
    if readers:
        return f"liked by {readers} readers"
    return "new in your field" if liking else "new"
