"""Picks a reader trusts (issue 10): every reason states a fact the data holds, every interest
gets its share, the exploration slot teaches the model, and no prior grows without bound.

Each test builds a corpus where the tempting wrong answer exists and asserts it is not given.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from recommender.domain import DOWN, UP, Paper, UserProfile, Vote
from recommender.prior import PRIOR_CAP, candidate_prior
from recommender.settings import PickSettings
from recommender.training import content_ranker, train_ranker
from tests.recommender.conftest import TOY_MODEL
from tests.recommender.toy import A_WORDS, B_WORDS, cluster, toy_papers, toy_votes

TODAY = date(2025, 1, 12)
PLAIN = PickSettings(diversity=0.0, exploration=False)
READERS = "liked by readers with tastes like yours"
C_WORDS = ["galaxy", "quasar", "redshift", "telescope", "cosmic", "stellar", "orbit", "nebula"]


def _ids(picks: list) -> list[str]:
    return [p.paper.paper_id for p in picks]


def _profile(key: str, papers: list[Paper], votes: dict[str, int], **extra: object) -> UserProfile:
    by_id = {p.paper_id: p for p in papers}
    rated = tuple(by_id[p] for p in votes)
    return UserProfile(key, votes=votes, rated_papers=rated, **extra)  # type: ignore[arg-type]


def _cluster(prefix: str, words: list[str], n: int = 8) -> list[Paper]:
    rng = np.random.default_rng(len(prefix) + len(words[0]))
    return [
        Paper(f"{prefix}{i}", " ".join(rng.choice(words, 4)), " ".join(rng.choice(words, 25)))
        for i in range(n)
    ]


# -- reasons that are true ------------------------------------------------------------------


def test_one_shared_common_word_is_not_a_resemblance() -> None:
    """Bug: "similar to X, which you liked" on one shared word ("graph"): here the only word
    of the pick that is also in the liked paper is "hypergraph" (cosine 0.38)."""
    liked = Paper("L", "Hypergraph colouring for register allocation", "hypergraph colouring")
    shared = Paper("C", "Hypergraph transformers for molecules", "hypergraph transformer")
    twin = Paper("T", "Hypergraph colouring heuristics for registers", "hypergraph colouring")
    papers = [*toy_papers(), liked, shared, twin]
    ranker = content_ranker(papers, PLAIN, TOY_MODEL)
    me = _profile("me", papers, {"L": UP})
    (pick,) = ranker.picks([me], [shared], 1, TODAY)["me"]
    assert "similar to" not in pick.reason
    (pick,) = ranker.picks([me], [twin], 1, TODAY)["me"]
    assert pick.reason.startswith("similar to “Hypergraph colouring for register allocation”")


def test_a_paper_never_resembles_itself() -> None:
    """Bug: "similar to X" with X the paper itself (its duplicate under another id, or `why`
    on the liked paper)."""
    liked = Paper("L", "Graph colouring for register allocation", "graph colouring registers")
    again = Paper("L-copy", liked.title, liked.abstract)
    papers = [*toy_papers(), liked, again]
    ranker = content_ranker(papers, PLAIN, TOY_MODEL)
    me = _profile("me", papers, {"L": UP})
    (pick,) = ranker.picks([me], [again], 1, TODAY)["me"]
    assert "similar to" not in pick.reason
    assert ranker.why(me, liked) == "you 👍 this"


def test_why_on_a_rated_paper_says_how_it_was_rated() -> None:
    """Bug: `why` on a paper you rated said "new in your field"."""
    papers = toy_papers()
    ranker = content_ranker(papers, PLAIN, TOY_MODEL)
    me = _profile("me", papers, {"A1": UP, "B1": DOWN})
    assert ranker.why(me, papers[1]) == "you 👍 this"
    assert ranker.why(me, papers[13]) == "you 👎 this: it will not be shown again"


def test_someone_who_told_us_nothing_is_not_told_about_their_field() -> None:
    """Bug: a newcomer with no 👍 and no interest was told "new in your field" (on the console
    after two 👎: `why 1`): there is no field to speak of until they give one."""
    papers = toy_papers()
    ranker = content_ranker(papers, PLAIN, TOY_MODEL)
    nobody = _profile("nobody", papers, {"B1": DOWN, "B2": DOWN})
    reasons = [p.reason for p in ranker.picks([nobody], papers, 5, TODAY)["nobody"]]
    reasons.append(ranker.why(nobody, papers[3]))
    assert reasons and not any("your field" in reason for reason in reasons)
    fan = _profile("fan", papers, {"A1": UP})
    assert "in your field" in ranker.why(fan, Paper("z", "zebra", "okapi giraffe"))


def test_an_interest_is_not_matched_on_its_most_common_word() -> None:
    """Bug: "matches your interest “retrieval augmented generation”" on "retrieval" alone."""
    rag = Paper("R", "Retrieval augmented generation with long context", "augmented generation")
    dense = Paper("D", "Dense retrieval for question answering", "dense retrieval passages")
    other = [Paper(f"x{i}", f"retrieval study {i}", "retrieval index search") for i in range(6)]
    code = Paper("G", "Augmented generation of code", "augmented generation of programs")
    papers = [*toy_papers(), rag, dense, code, *other]
    ranker = content_ranker(papers, PLAIN, TOY_MODEL)
    me = UserProfile("me", interests=("retrieval augmented generation",))
    assert ranker.why(me, rag) == "matches your interest “retrieval augmented generation”"
    assert "matches your interest" not in ranker.why(me, dense)
    one_word = UserProfile("me", interests=("retrieval",))
    assert ranker.why(one_word, dense) == "matches your interest “retrieval”"


def test_readers_like_you_needs_someone_besides_you() -> None:
    """Bug: "liked by readers with tastes like yours" for a paper nobody else liked: here the
    only reader of B11 is the user (who liked it at training time and has since withdrawn
    the vote), and B11 shares no words with what they like."""
    papers = toy_papers()
    alone = [*toy_votes(), Vote("me", "A0", UP), Vote("me", "B11", UP)]
    ranker = train_ranker(papers, alone, {}, TOY_MODEL, PLAIN, seed=3)
    me = _profile("me", papers, {"A0": UP})
    assert ranker.why(me, papers[-1]) != READERS
    shared = [*alone, *(Vote(f"fan{i}", p, UP) for i in range(2) for p in ("A0", "B11"))]
    ranker = train_ranker(papers, shared, {}, TOY_MODEL, PLAIN, seed=3)
    assert ranker.why(me, papers[-1]) == READERS


def test_readers_like_you_is_never_read_from_a_thumbs_down() -> None:
    papers = toy_papers()
    votes = [*toy_votes(), *(Vote(f"fan{i}", p, UP) for i in range(3) for p in ("A0", "B11"))]
    ranker = train_ranker(papers, votes, {}, TOY_MODEL, PLAIN, seed=3)
    critic = _profile("critic", papers, {"A0": DOWN})
    assert ranker.why(critic, papers[-1]) != READERS


def test_a_popular_pick_says_how_many_people_besides_you_liked_it() -> None:
    """What a pick chosen for its popularity has behind it, when nothing about the user explains
    it ("new in your field" was said instead): how many people liked it, never counting the
    user, whose 👍 at training time they may since have cleared."""
    papers = toy_papers()
    fans = [Vote(f"fan{i}", "B11", UP) for i in range(3)]
    votes = [*toy_votes(), Vote("me", "A0", UP), Vote("me", "B11", UP), *fans]
    ranker = train_ranker(papers, votes, {}, TOY_MODEL, PLAIN, seed=3)
    me = _profile("me", papers, {"A0": UP})  # B11's 👍 cleared since the fit
    assert ranker.why(me, papers[-1]) == "liked by 3 readers"
    assert ranker.why(_profile("you", papers, {"A0": UP}), papers[-1]) == "liked by 4 readers"
    ranker = train_ranker(papers, [*votes[:-2]], {}, TOY_MODEL, PLAIN, seed=3)
    assert "readers" not in ranker.why(me, papers[-1])  # the user and one fan: no one else's two


def test_an_interest_that_matches_nothing_is_not_a_field() -> None:
    """Bug: someone with declared interests and no 👍 was told "new in your field" for a pick
    that matches none of them: their field is the interests, and the pick is not in it."""
    papers = [*_cluster("A", A_WORDS), *_cluster("B", B_WORDS)]
    ranker = content_ranker(papers, PLAIN, TOY_MODEL)
    stars = UserProfile("stars", interests=("galaxy quasar",))
    assert ranker.why(stars, papers[0]) == "new"
    reasons = [p.reason for p in ranker.picks([stars], papers, 5, TODAY)["stars"]]
    assert reasons and not any("your field" in reason for reason in reasons)


# -- every interest served ------------------------------------------------------------------


def _three_topics() -> list[Paper]:
    return [*_cluster("A", A_WORDS), *_cluster("B", B_WORDS), *_cluster("C", C_WORDS)]


def test_two_interests_share_the_picks() -> None:
    """Bug: a user with two interests got only one of them. The interest with more matching
    words outscores the other on every paper; the picks still share out 3 / 2."""
    papers = _three_topics()
    ranker = content_ranker(papers, PLAIN, TOY_MODEL)
    both = UserProfile("both", interests=(" ".join(A_WORDS[:6]), "protein"))
    picks = ranker.picks([both], papers, 5, TODAY)["both"]
    assert sorted(cluster(p) for p in _ids(picks)) == ["A", "A", "A", "B", "B"]


def test_three_interests_share_the_picks() -> None:
    papers = _three_topics()
    ranker = content_ranker(papers, PLAIN, TOY_MODEL)
    three = UserProfile("three", interests=(" ".join(A_WORDS[:6]), "protein", "galaxy"))
    picks = ranker.picks([three], papers, 6, TODAY)["three"]
    assert sorted(cluster(p) for p in _ids(picks)) == ["A", "A", "B", "B", "C", "C"]


def test_likes_move_the_shares_without_silencing_an_interest() -> None:
    """Bug: after three 👍 the user got only one interest. Votes weigh in (1 + 3 likes against
    1), the other interest keeps a pick; 👎 on an interest's papers gives its share away."""
    papers = _three_topics()
    ranker = content_ranker(papers, PLAIN, TOY_MODEL)
    interests = (" ".join(B_WORDS[:6]), " ".join(C_WORDS[:6]))
    fan = _profile("fan", papers, {"C0": UP, "C1": UP, "C2": UP}, interests=interests)
    picks = ranker.picks([fan], papers, 5, TODAY)["fan"]
    assert sorted(cluster(p) for p in _ids(picks)) == ["B", "C", "C", "C", "C"]
    critic = _profile("critic", papers, {"B0": DOWN}, interests=interests)
    picks = ranker.picks([critic], papers, 5, TODAY)["critic"]
    assert {cluster(p) for p in _ids(picks)} == {"C"}


# -- exploration ------------------------------------------------------------------------------


def test_the_exploration_slot_is_not_the_most_upvoted_paper() -> None:
    """Bug: the "outside your usual" slot was nearly always the single most-upvoted paper.
    It is the centre of the region the user has not seen (whose 👍/👎 moves most of it)."""
    star = Paper("Z", "Sourdough baking", "flour yeast dough oven crust", upvotes=900)
    papers = [*_three_topics(), star]
    settings = PickSettings(diversity=0.0, exploration=True)
    ranker = content_ranker(papers, settings, TOY_MODEL)
    fan = UserProfile("fan", interests=("protein folding enzyme",))
    picks = ranker.picks([fan], papers, 4, TODAY)["fan"]
    assert picks[-1].reason.startswith("outside your usual")
    assert _ids(picks)[-1] != "Z" and cluster(_ids(picks)[-1]) in {"A", "C"}


# -- bounded priors ---------------------------------------------------------------------------


def test_no_prior_grows_without_bound() -> None:
    """Bug: a paper dated 2099-01-01 outranked everything for weeks; a paper with a billion
    upvotes would too. A future date counts as today, and each part is capped."""
    papers = [Paper(f"p{i}", f"paper {i}", published=TODAY, upvotes=i) for i in range(50)]
    papers.append(Paper("future", "from 2099", published=date(2099, 1, 1), upvotes=0))
    papers.append(Paper("famous", "famous", published=TODAY, upvotes=10**9))
    settings = PickSettings()
    prior, _ = candidate_prior(papers, TODAY, settings)
    assert prior[-2] <= prior[0] + 1e-6  # no newer than a paper from today with 0 upvotes
    assert prior[-1] <= PRIOR_CAP * (settings.popularity_weight + settings.recency_weight) + 1e-6


def test_shares_for_one_user_leave_the_rest_of_the_batch_alone() -> None:
    """Picks are chosen for a batch at once; a user with interests to share among must not
    change what a user without them gets (nor the other way round)."""
    mixed = [*A_WORDS, *B_WORDS, *C_WORDS]
    papers = [*_three_topics(), *_cluster("f", mixed, 40)]
    ranker = content_ranker(papers, PickSettings(diversity=0.9, exploration=False), TOY_MODEL)
    both = UserProfile("both", interests=(" ".join(A_WORDS[:6]), "protein"))
    plain = _profile("plain", papers, {"C0": UP, "C1": UP})
    together = ranker.picks([both, plain], papers, 5, TODAY)
    for profile in (both, plain):
        alone = ranker.picks([profile], papers, 5, TODAY)[profile.user_key]
        assert _ids(alone) == _ids(together[profile.user_key])
        assert [p.reason for p in alone] == [p.reason for p in together[profile.user_key]]


def test_interests_about_the_same_papers_are_one_region() -> None:
    """ "protein" and "enzyme" match the same papers: one region, not two, so the graph interest
    gets half of the picks rather than a third."""
    papers = _three_topics()
    ranker = content_ranker(papers, PLAIN, TOY_MODEL)
    user = UserProfile("u", interests=("protein", "enzyme", " ".join(A_WORDS[:6])))
    picks = ranker.picks([user], papers, 5, TODAY)["u"]
    assert sorted(cluster(p) for p in _ids(picks)) == ["A", "A", "B", "B", "B"]


def test_coverage_can_be_switched_off() -> None:
    papers = _three_topics()
    off = PickSettings(diversity=0.0, exploration=False, coverage=False)
    ranker = content_ranker(papers, off, TOY_MODEL)
    both = UserProfile("both", interests=(" ".join(A_WORDS[:6]), "protein"))
    picks = ranker.picks([both], papers, 5, TODAY)["both"]
    assert {cluster(p) for p in _ids(picks)} == {"A"}
