"""The two-cluster contract every product ranker honours (the matrix-level baselines have theirs
in test_baselines.py): users who like cluster A get A first; a 👎 pushes its cluster-mates down."""

from __future__ import annotations

from datetime import date

import numpy as np

from recommender.domain import DOWN, UP, Paper, UserProfile, Vote
from recommender.ranker import HybridRanker
from tests.recommender.toy import cluster, profile_for

TODAY = date(2025, 1, 12)


def _order(ranker: HybridRanker, profile: UserProfile, papers: list[Paper]) -> list[str]:
    picks = ranker.picks([profile], papers, len(papers), TODAY)[profile.user_key]
    return [p.paper.paper_id for p in picks]


def test_fans_of_a_cluster_get_that_cluster_first(
    product_ranker: HybridRanker, papers: list[Paper], votes: list[Vote]
) -> None:
    for user_key in ("uA0", "uA3", "uB1", "uB5"):
        profile = profile_for(user_key, votes, papers)
        picks = product_ranker.picks([profile], papers, 4, TODAY)[user_key]
        assert len(picks) == 4
        assert {cluster(p.paper.paper_id) for p in picks} == {user_key[1]}


def test_a_downvote_pushes_its_cluster_mates_down(
    product_ranker: HybridRanker, papers: list[Paper]
) -> None:
    by_id = {p.paper_id: p for p in papers}
    likes = {"A0": UP, "A1": UP, "B0": UP, "B1": UP}
    before = UserProfile("mixed", votes=likes, rated_papers=tuple(by_id[p] for p in likes))
    after_votes = {**likes, "A2": DOWN}
    after = UserProfile(
        "mixed", votes=after_votes, rated_papers=tuple(by_id[p] for p in after_votes)
    )
    rest = [p for p in papers if p.paper_id not in after_votes]

    def lead_of_a(profile: UserProfile) -> float:
        """How far cluster A's papers score above B's on average, in units of the spread."""
        scores = product_ranker.score_matrix([profile], rest, TODAY)[0]
        in_a = np.array([cluster(p.paper_id) == "A" for p in rest])
        return float((scores[in_a].mean() - scores[~in_a].mean()) / scores.std())

    assert lead_of_a(after) < lead_of_a(before) - 0.05
    assert "A2" not in _order(product_ranker, after, papers)
