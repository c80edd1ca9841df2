"""One short sentence per pick that a person understands.

The reason names the strongest evidence we can point at, in this order: teammates who liked it,
a paper the user liked that it resembles, a declared interest it matches, its popularity. A vague
reason ("recommended for you") is the last resort, never the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

SIMILAR_MIN = 0.12  # TF-IDF cosine above which two papers visibly share a topic
INTEREST_MIN = 0.04  # interests are a few words, so their cosines run lower
TITLE_CHARS = 70


@dataclass(frozen=True, slots=True)
class Evidence:
    """What we know about one (user, paper) pair when explaining it."""

    liked_similarity: np.ndarray  # (n_liked,) cosine to each liked paper
    liked_titles: Sequence[str]
    interest_similarity: np.ndarray  # (n_interests,) cosine to each declared interest
    interests: Sequence[str]
    teammates: int = 0
    trending: bool = False
    exploration: bool = False
    collaborative: bool = False


def short_title(title: str) -> str:
    title = " ".join(title.split())
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


def explain(evidence: Evidence) -> str:
    """The sentence for one pick."""
    if evidence.teammates >= 2:
        return f"liked by {evidence.teammates} teammates"
    reason = _content_reason(evidence)
    if evidence.exploration:
        if evidence.trending:
            return "outside your usual: trending"
        return "outside your usual" + (f": {reason}" if reason else "")
    if reason:
        return reason
    if evidence.teammates == 1:
        return "liked by a teammate"
    if evidence.collaborative:
        return "liked by readers with tastes like yours"
    if evidence.trending:
        return "trending"
    return "new in your field"


def _content_reason(evidence: Evidence) -> str | None:
    if evidence.liked_similarity.size:
        best = int(np.argmax(evidence.liked_similarity))
        if evidence.liked_similarity[best] >= SIMILAR_MIN:
            return f"similar to “{short_title(evidence.liked_titles[best])}”, which you liked"
    if evidence.interest_similarity.size:
        best = int(np.argmax(evidence.interest_similarity))
        if evidence.interest_similarity[best] >= INTEREST_MIN:
            return f"matches your interest “{evidence.interests[best]}”"
    return None


def explain_each(
    liked_similarity: np.ndarray,
    liked_titles: Sequence[str],
    interest_similarity: np.ndarray,
    interests: Sequence[str],
    teammates: Sequence[int],
    trending: Sequence[bool],
    exploration: Sequence[bool],
    collaborative: Sequence[bool],
) -> list[str]:
    """Sentences for k picks at once: `liked_similarity` (n_liked, k) and `interest_similarity`
    (n_interests, k) hold each pick's cosines in a column; the other sequences have k items."""
    return [
        explain(
            Evidence(
                liked_similarity=liked_similarity[:, j],
                liked_titles=liked_titles,
                interest_similarity=interest_similarity[:, j],
                interests=interests,
                teammates=teammates[j],
                trending=trending[j],
                exploration=exploration[j],
                collaborative=collaborative[j],
            )
        )
        for j in range(len(teammates))
    ]
