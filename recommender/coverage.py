"""Every interest served: a user's regions and the share of the day's picks each is owed.

Why: interests are summed into one profile, so the interest whose words score higher took every
pick ("RLHF" and "video diffusion" got only one of them, then after three 👍 only the other).
A user with two or more declared interests has one region per interest (interests that match
mostly the same papers are one region) plus "elsewhere" (the liked regions outside them); each
candidate belongs to the region of the interest it matches best (or to elsewhere), and the k
picks are shared out in proportion to each region's weight: 1 + the 👍 minus the 👎 the user gave
in it (never below 0) for an interest region, the 👍 outside every interest for elsewhere. So
votes still move the shares ("unless votes say otherwise"), but three 👍 on one interest do not
silence the other. recommender.selection enforces the shares in MMR.

Shapes: B users, n candidates, R regions (the most interests of a user in the batch; region R
is "elsewhere"), V terms.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recommender.domain import UP, UserProfile
from recommender.features import TextSpace
from recommender.tables import ItemTable

REGION_MIN = 0.04  # TF-IDF cosine from which a paper is about an interest (reasons.INTEREST_MIN)
SAME_REGION = 0.3  # cosine between two interests' match rows from which they are one region


@dataclass(frozen=True)
class Regions:
    of: np.ndarray  # (B, n) int64 each candidate's region for each user, R = elsewhere
    quota: np.ndarray  # (B, R + 1) int64 picks owed per region

    @property
    def count(self) -> int:
        """R: the interest regions (elsewhere not counted)."""
        return int(self.quota.shape[1]) - 1

    def of_shortlist(self, idx: np.ndarray) -> np.ndarray:
        """(B, W) the region of each shortlisted candidate; padding (-1) is elsewhere."""
        region = np.take_along_axis(self.of, np.maximum(idx, 0), axis=1)
        return np.where(idx >= 0, region, self.count)


def regions(
    profiles: Sequence[UserProfile],
    candidates: sp.csr_matrix,
    space: TextSpace,
    items: ItemTable,
    k: int,
) -> Regions | None:
    """The regions of a batch, None when nobody in it has two interests (nothing to share).
    `candidates` (n, V) are the candidates' TF-IDF rows."""
    owners = [r for r, p in enumerate(profiles) if len(p.interests) >= 2]
    if not owners:
        return None
    count = max(len(profiles[r].interests) for r in owners)
    b, n = len(profiles), candidates.shape[0]
    of = np.full((b, n), count, dtype=np.int64)
    weight = np.zeros((b, count + 1), dtype=np.float64)
    weight[:, count] = 1.0  # no interests to share among: everything is elsewhere
    texts = [i for r in owners for i in profiles[r].interests]
    interest_rows = space.transform_texts(texts)
    matches = np.asarray((interest_rows @ candidates.T).toarray(), dtype=np.float32)  # (I, n)
    start = 0
    for r in owners:
        profile = profiles[r]
        mine = matches[start : start + len(profile.interests)]
        rows = interest_rows[start : start + len(profile.interests)]
        start += len(profile.interests)
        label = _clusters(mine)
        if label.max(initial=0) < 1:
            continue  # all one region: nothing to share among
        best = label[np.argmax(mine, axis=0)]
        of[r] = np.where(mine.max(axis=0) >= REGION_MIN, best, count)
        weight[r] = _weights(profile, rows, label, space, items, count)
    return Regions(of=of, quota=_apportion(weight, k))


def _clusters(matches: np.ndarray) -> np.ndarray:
    """(I,) region label of each of one user's interests, 0..C-1: interests that match mostly
    the same candidates (cosine of their (n,) match rows >= SAME_REGION) are one region, so
    "protein" and "folding" are not two topics to share the picks between."""
    norms = np.linalg.norm(matches, axis=1, keepdims=True)
    unit = np.divide(matches, norms, out=np.zeros_like(matches), where=norms > 0)
    same = (unit @ unit.T) >= SAME_REGION
    label = np.arange(len(matches))
    for i in range(len(matches)):  # a handful of interests: plain union by smallest label
        for j in np.flatnonzero(same[i]).tolist():
            low = min(label[i], label[j])
            label[label == label[i]] = low
            label[label == label[j]] = low
    return np.unique(label, return_inverse=True)[1].astype(np.int64)


def _weights(
    profile: UserProfile,
    interests: sp.csr_matrix,
    label: np.ndarray,
    space: TextSpace,
    items: ItemTable,
    count: int,
) -> np.ndarray:
    """(R + 1,) one user's region weights from their interests (`label`: each one's region)
    and votes (module docstring)."""
    weight = np.zeros(count + 1, dtype=np.float64)
    weight[np.unique(label)] = 1.0
    voted = [p for p in profile.rated_papers if profile.votes.get(p.paper_id) in (UP, -UP)]
    if voted:
        text = items.rows(voted, space).text
        sims = np.asarray((text @ interests.T).toarray())  # (voted, I)
        region = np.where(sims.max(axis=1) >= REGION_MIN, label[sims.argmax(axis=1)], count)
        for paper, where in zip(voted, region.tolist(), strict=True):
            weight[where] += profile.votes[paper.paper_id]
    weight[count] = max(weight[count], 0.0)
    return np.maximum(weight, 0.0)


def _apportion(weight: np.ndarray, k: int) -> np.ndarray:
    """(B, R + 1) int: k picks per row shared in proportion to `weight` by largest remainder
    (ties to the lower region). A row of zero weights owes nothing to anyone."""
    total = weight.sum(axis=1, keepdims=True)
    exact = np.divide(k * weight, total, out=np.zeros_like(weight), where=total > 0)
    quota = np.floor(exact).astype(np.int64)
    left = k - quota.sum(axis=1)
    order = np.lexsort((np.arange(weight.shape[1])[None, :].repeat(len(weight), 0),
                        -(exact - quota)), axis=1)  # fmt: skip
    rank = np.argsort(order, axis=1)
    quota += (rank < left[:, None]) & (weight > 0)
    return quota
