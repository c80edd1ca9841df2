"""A reaction moves the user in the model's own space at once: the very next picks use it.

Regression for the first build, whose `fold_in` changed no score: these tests fail when the
user's representation ignores their votes (make recommender.users.voted return no votes
and watch them fail)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

import numpy as np

from recommender.domain import DOWN, UP, Paper, UserProfile
from recommender.ranker import HybridRanker
from tests.recommender.toy import cluster

TODAY = date(2025, 1, 12)


def _profile(votes: dict[str, int], papers: list[Paper]) -> UserProfile:
    by_id = {p.paper_id: p for p in papers}
    return UserProfile("newcomer", votes=votes, rated_papers=tuple(by_id[p] for p in votes))


def _share_of_b(hybrid: HybridRanker, profile: UserProfile, papers: list[Paper]) -> float:
    picks = hybrid.picks([profile], papers, 6, TODAY)["newcomer"]
    return float(np.mean([cluster(p.paper.paper_id) == "B" for p in picks]))


def _lead_of_b(hybrid: HybridRanker, profile: UserProfile, papers: list[Paper]) -> float:
    scores = hybrid.score_matrix([profile], papers, TODAY)[0]
    in_b = np.array([cluster(p.paper_id) == "B" for p in papers])
    usable = np.isfinite(scores)
    b, a = scores[in_b & usable], scores[~in_b & usable]
    return float((b.mean() - a.mean()) / scores[usable].std())


def test_one_like_moves_the_next_picks_to_that_papers_neighbours(
    hybrid: HybridRanker, papers: list[Paper]
) -> None:
    before = _profile({}, papers)
    after = _profile({"B1": UP}, papers)
    assert _share_of_b(hybrid, after, papers) == 1.0
    assert _lead_of_b(hybrid, after, papers) > _lead_of_b(hybrid, before, papers) + 1.0


def test_one_dislike_moves_them_away_before_any_like(
    hybrid: HybridRanker, papers: list[Paper]
) -> None:
    before = _profile({}, papers)
    after = _profile({"A2": DOWN}, papers)
    assert _lead_of_b(hybrid, after, papers) > _lead_of_b(hybrid, before, papers) + 0.5
    assert _share_of_b(hybrid, after, papers) >= _share_of_b(hybrid, before, papers)
    assert _share_of_b(hybrid, after, papers) > 0.5


def test_a_change_of_mind_follows_the_latest_votes(
    hybrid: HybridRanker, papers: list[Paper]
) -> None:
    fan = _profile({"B1": UP}, papers)
    switched = _profile({"B1": DOWN, "A1": UP, "A2": UP}, papers)
    assert _share_of_b(hybrid, fan, papers) == 1.0
    assert _share_of_b(hybrid, switched, papers) == 0.0


def test_a_vote_on_a_paper_the_model_never_saw_counts_too(
    hybrid: HybridRanker, papers: list[Paper]
) -> None:
    """Rated after the nightly fit: represented from its terms, in the same space."""
    unseen = Paper("new-b", "protein folding of enzyme binding", "amino acid ligand structure")
    profile = UserProfile("newcomer", votes={"new-b": UP}, rated_papers=(unseen,))
    assert _share_of_b(hybrid, profile, papers) == 1.0


def _alone(hybrid: HybridRanker, signal: str) -> HybridRanker:
    """The same trained ranker scoring by one of its signals alone."""
    names = ("taste", "fit", "bias", "popular", "text", "readers", "als", "topics")
    weights: dict[str, Any] = {f"{n}_weight": float(n == signal) for n in names}
    settings = dataclasses.replace(hybrid.settings, **weights)
    return HybridRanker(
        settings=settings, picks=hybrid.pick_settings, space=hybrid.space, items=hybrid.items
    )


def test_the_als_side_is_solved_from_the_votes_at_once(
    hybrid: HybridRanker, papers: list[Paper]
) -> None:
    """Fails when the ALS user vector ignores the votes (recommender.users._als_users)."""
    als = _alone(hybrid, "als")
    assert hybrid.items.als.shape[1] > 0
    assert _lead_of_b(als, _profile({"B1": UP}, papers), papers) > 0.5
    assert _lead_of_b(als, _profile({"A1": UP}, papers), papers) < -0.5
    fan = _profile({"B1": UP, "B2": UP}, papers)
    doubter = _profile({"B1": UP, "B2": UP, "B3": DOWN, "B4": DOWN}, papers)
    assert _lead_of_b(als, doubter, papers) < _lead_of_b(als, fan, papers)


def test_a_user_who_likes_nothing_gets_the_most_read_papers(
    hybrid: HybridRanker, papers: list[Paper]
) -> None:
    """Nothing known: the popularity order, neither LightFM's bias (which ranks differently on
    this corpus) nor MMR's spread, however diverse the picks are set to be. (The upvote and
    recency priors, which would add to the readers here, are off.)"""
    spread = dataclasses.replace(
        hybrid.pick_settings, diversity=0.7, popularity_weight=0.0, recency_weight=0.0
    )
    diverse = HybridRanker(
        settings=hybrid.settings, picks=spread, space=hybrid.space, items=hybrid.items
    )
    counts = np.diff(hybrid.items.readers.indptr).tolist()
    readers = dict(zip(hybrid.items.paper_ids.tolist(), counts, strict=True))
    most = sorted(readers.values(), reverse=True)
    nobody = _profile({}, papers)
    scores = diverse.score_matrix([nobody], papers, TODAY)[0]
    for k in (3, 6):
        picks = diverse.picks([nobody], papers, k, TODAY)["newcomer"]
        assert sorted(readers[p.paper.paper_id] for p in picks) == sorted(most[:k])
        best = sorted(range(len(papers)), key=lambda i: (-scores[i], i))[:k]
        assert [p.paper.paper_id for p in picks] == [papers[i].paper_id for i in best]


def test_the_terms_only_space_follows_the_votes_too(
    hybrid: HybridRanker, papers: list[Paper]
) -> None:
    """Fails when the topics side ignores the votes (recommender.users._side) or the model has
    no terms-only space."""
    topics = _alone(hybrid, "topics")
    assert hybrid.items.topic_vectors.shape == (hybrid.items.term_columns.size, 8)
    assert _lead_of_b(topics, _profile({"B1": UP}, papers), papers) > 0.5
    assert _lead_of_b(topics, _profile({"A1": UP}, papers), papers) < -0.5
    unseen = Paper("new-b", "protein folding of enzyme binding", "amino acid ligand structure")
    profile = UserProfile("newcomer", votes={"new-b": UP}, rated_papers=(unseen,))
    assert _lead_of_b(topics, profile, papers) > 0.5


def test_the_crowd_counts_more_while_the_likes_are_few(
    hybrid: HybridRanker, papers: list[Paper]
) -> None:
    """Scored by popularity alone, a user's scores are their weight on it times the papers'
    popularity (the upvote and recency priors off): the most with one 👍, fading with more, no
    boost for declared words alone or for nothing known. Fails when the weight ignores the 👍
    (recommender.scoring.few_likes)."""
    alone = _alone(hybrid, "popular")
    flat = dataclasses.replace(hybrid.pick_settings, popularity_weight=0.0, recency_weight=0.0)
    crowd = HybridRanker(settings=alone.settings, picks=flat, space=alone.space, items=alone.items)
    by_id = {p.paper_id: p for p in papers}
    ids = [p for p in by_id if cluster(p) == "B"]
    profiles = [
        UserProfile("nothing"),
        UserProfile("words", interests=("protein folding",)),
        UserProfile("one", votes={ids[0]: UP}, rated_papers=(by_id[ids[0]],)),
        UserProfile(
            "four", votes=dict.fromkeys(ids[:4], UP), rated_papers=tuple(by_id[i] for i in ids[:4])
        ),
    ]
    unrated = [p for p in papers if p.paper_id not in ids[:4]]
    scores = crowd.score_matrix(profiles, unrated, TODAY)
    spread = np.ptp(scores, axis=1) / np.ptp(scores[0])
    boost = crowd.settings.popular_boost
    assert boost > 0
    np.testing.assert_allclose(spread, [1, 1, 1 + boost * 2 / 3, 1 + boost * 2 / 6], rtol=1e-4)
