"""Behaviour of the product ranker: exclusions, cold start, new papers, diversity, reasons."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pytest

from recommender.domain import DOWN, Paper, UserProfile, Vote
from recommender.ranker import HybridRanker
from recommender.settings import PickSettings
from recommender.training import content_ranker, train_ranker
from tests.recommender.conftest import TOY_MODEL
from tests.recommender.toy import cluster, profile_for

TODAY = date(2025, 1, 12)


def _ids(picks: list) -> list[str]:
    return [p.paper.paper_id for p in picks]


def test_excluded_and_rated_papers_never_come_back(
    product_ranker: HybridRanker, papers: list[Paper], votes: list[Vote]
) -> None:
    profile = profile_for("uA0", votes, papers)
    delivered = frozenset({"A8", "A9", "B3"})
    profile = dataclasses.replace(profile, exclude=delivered)
    picks = product_ranker.picks([profile], papers, len(papers), TODAY)["uA0"]
    chosen = set(_ids(picks))
    assert not chosen & delivered
    assert not chosen & set(profile.votes)
    assert len(chosen) == len(papers) - len(delivered) - len(profile.votes)


def test_a_brand_new_user_with_interests_gets_relevant_picks_at_once(
    product_ranker: HybridRanker, papers: list[Paper]
) -> None:
    newcomer = UserProfile("new", interests=("protein folding",))
    picks = product_ranker.picks([newcomer], papers, 3, TODAY)["new"]
    assert {cluster(pid) for pid in _ids(picks)} == {"B"}
    assert all("protein folding" in p.reason for p in picks)


def test_a_user_with_nothing_gets_trending_papers(
    content: HybridRanker, papers: list[Paper]
) -> None:
    """Without a model, Hugging Face upvotes are all there is to go on. (With one, a user with
    nothing gets what the model's readers like: tests/recommender/test_reactions.py.)"""
    fresh = [dataclasses.replace(p, upvotes=0) for p in papers]
    fresh[5] = dataclasses.replace(fresh[5], upvotes=300)
    fresh[17] = dataclasses.replace(fresh[17], upvotes=120)
    picks = content.picks([UserProfile("nobody")], fresh, 2, TODAY)["nobody"]
    assert _ids(picks) == [fresh[5].paper_id, fresh[17].paper_id]
    assert picks[0].reason == "trending"


def test_a_new_paper_is_ranked_from_its_content(
    hybrid: HybridRanker, papers: list[Paper], votes: list[Vote]
) -> None:
    unseen = Paper("new-b", "protein folding of enzyme binding", "amino acid ligand structure")
    unseen_a = Paper("new-a", "graph message passing", "node edge embedding network")
    profile = profile_for("uB2", votes, papers)
    picks = hybrid.picks([profile], [unseen_a, unseen], 1, TODAY)["uB2"]
    assert _ids(picks) == ["new-b"]


def test_picks_are_batched_and_consistent_with_single_user_calls(
    hybrid: HybridRanker, papers: list[Paper], votes: list[Vote]
) -> None:
    profiles = [profile_for(u, votes, papers) for u in ("uA0", "uB0", "uA5")]
    together = hybrid.picks(profiles, papers, 3, TODAY)
    for profile in profiles:
        alone = hybrid.picks([profile], papers, 3, TODAY)[profile.user_key]
        assert _ids(alone) == _ids(together[profile.user_key])


def test_diversity_keeps_near_duplicates_apart(papers: list[Paper]) -> None:
    twins = [
        Paper(f"dup{i}", "graph neural network message passing", "graph node edge message")
        for i in range(5)
    ]
    other = Paper("other", "graph attention transformer embedding", "attention embedding node")
    pool = [*twins, other]
    fan = UserProfile("fan", interests=("graph neural network message passing",))
    plain = content_ranker(papers + pool, PickSettings(diversity=0.0, exploration=False))
    diverse = content_ranker(papers + pool, PickSettings(diversity=0.7, exploration=False))
    assert "other" not in _ids(plain.picks([fan], pool, 3, TODAY)["fan"])
    assert "other" in _ids(diverse.picks([fan], pool, 3, TODAY)["fan"])


def test_the_exploration_slot_is_outside_the_usual(papers: list[Paper]) -> None:
    ranker = content_ranker(papers, PickSettings(diversity=0.0, exploration=True), TOY_MODEL)
    fan = UserProfile("fan", interests=("protein folding enzyme",))
    picks = ranker.picks([fan], papers, 4, TODAY)["fan"]
    assert [cluster(pid) for pid in _ids(picks)] == ["B", "B", "B", "A"]
    assert picks[-1].reason.startswith("outside your usual")


def test_reasons_name_a_liked_paper_and_teammates(
    hybrid: HybridRanker, papers: list[Paper], votes: list[Vote]
) -> None:
    profile = profile_for("uA1", votes, papers, teammate_likes={"B11": 3})
    picks = hybrid.picks([profile], papers, 4, TODAY)["uA1"]
    liked_titles = {p.title for p in profile.rated_papers}
    assert any(t in picks[0].reason for t in liked_titles)
    assert picks[0].reason.startswith("similar to")
    assert hybrid.why(profile, papers[-1]) == "liked by 3 teammates"


def test_similar_stays_in_the_cluster(product_ranker: HybridRanker, papers: list[Paper]) -> None:
    similar = product_ranker.similar(papers[0], papers, 5)
    assert papers[0].paper_id not in _ids(similar)
    assert {cluster(pid) for pid in _ids(similar)} == {"A"}
    assert similar[0].reason.startswith("similar to")


def test_rerank_puts_the_users_cluster_first(
    product_ranker: HybridRanker, papers: list[Paper], votes: list[Vote]
) -> None:
    profile = profile_for("uB0", votes, papers)
    results = [p for p in papers if p.paper_id in {"A9", "A10", "B9", "B10"}]
    reranked = product_ranker.rerank(profile, results)
    assert [cluster(p.paper_id) for p in reranked] == ["B", "B", "A", "A"]
    assert product_ranker.rerank(UserProfile("nobody"), results) == results


def test_training_without_any_like_falls_back_to_content(papers: list[Paper]) -> None:
    only_down = [Vote("u", "A1", DOWN)]
    ranker = train_ranker(papers, only_down, {}, TOY_MODEL, PickSettings(), seed=1)
    assert isinstance(ranker, HybridRanker) and ranker.kind == "content"


@pytest.mark.parametrize("k", [0, 1, 5])
def test_k_is_respected_even_with_few_candidates(
    content: HybridRanker, papers: list[Paper], k: int
) -> None:
    picks = content.picks([UserProfile("x")], papers[:3], k, TODAY)["x"]
    assert len(picks) == min(k, 3)
    assert np.all(np.diff([p.score for p in picks]) <= 1e-6)


def test_the_score_matrix_is_what_picks_choose_from(
    hybrid: HybridRanker, papers: list[Paper], votes: list[Vote]
) -> None:
    profiles = [profile_for(u, votes, papers) for u in ("uA2", "uB4")]
    scores = hybrid.score_matrix(profiles, papers, TODAY)
    picks = hybrid.picks(profiles, papers, 3, TODAY)
    for row, profile in enumerate(profiles):
        best = [papers[i].paper_id for i in np.argsort(-scores[row], kind="stable")[:3]]
        assert _ids(picks[profile.user_key]) == best
        rated = [i for i, p in enumerate(papers) if p.paper_id in profile.votes]
        assert np.all(np.isneginf(scores[row, rated]))
