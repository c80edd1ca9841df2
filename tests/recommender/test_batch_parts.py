"""The batched parts behind picks (issue 10, batch speed): each is pinned to the plain
computation it replaced, so a faster path cannot change a pick, a score or a reason."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.preprocessing import normalize

import recommender.ranker as ranker_module
from recommender import als
from recommender.domain import DOWN, UP, Paper, UserProfile
from recommender.evidence import Twins
from recommender.ranker import HybridRanker
from recommender.scoring import text_scores
from recommender.users import _interest_text, voted


def test_text_scores_equal_the_dense_product_bit_for_bit() -> None:
    """The sparse product sums each item's terms in its stored order, as the dense one did;
    item rows here are unsorted on purpose, as the TF-IDF transform leaves them."""
    rng = np.random.default_rng(0)
    users = sp.random(40, 300, density=0.2, format="csr", dtype=np.float32, random_state=1)
    items = sp.random(70, 300, density=0.05, format="csr", dtype=np.float32, random_state=2)
    for r in range(items.shape[0]):  # shuffle each row's stored order
        span = slice(items.indptr[r], items.indptr[r + 1])
        order = rng.permutation(span.stop - span.start)
        items.indices[span], items.data[span] = items.indices[span][order], items.data[span][order]
    items.has_sorted_indices = False
    dense = np.asarray(items @ np.ascontiguousarray(users.T.toarray()), dtype=np.float32).T
    assert np.array_equal(text_scores(users, items), dense)


def test_voted_keeps_profile_order_and_first_appearance(hybrid: HybridRanker) -> None:
    a, b, c = (Paper(p, f"title {p}", "") for p in ("A1", "A2", "B1"))
    profiles = [
        UserProfile("one", votes={"A2": UP, "A1": DOWN, "nope": UP}, rated_papers=(a, b)),
        UserProfile("two", votes={"B1": UP, "A2": UP}, rated_papers=(c, b)),
        UserProfile("none", votes={"A1": 0}, rated_papers=(a,)),
    ]
    votes = voted(profiles, hybrid.items, hybrid.space)
    assert [p.paper_id for p in votes.papers] == ["A1", "A2", "B1"]
    assert votes.place == {"A1": 0, "A2": 1, "B1": 2}
    assert votes.owner.tolist() == [0, 0, 1, 1]
    assert votes.column.tolist() == [0, 1, 2, 1]
    assert votes.up.tolist() == [False, True, True, True]
    assert votes.liked_of(3).tolist() == [[1, -1], [2, 1], [-1, -1]]


def test_twins_by_id_first_then_by_folded_title() -> None:
    candidates = [Paper("c0", "Graph  Nets", ""), Paper("c1", "Other", ""), Paper("c2", "x", "")]
    liked = [
        Paper("c1", "renamed since", ""),  # the same id: that candidate, whatever its title
        Paper("old", "graph nets", ""),  # the same title folded: the same paper
        Paper("new", "Graph Nets revisited", ""),  # neither
        Paper("c2", "X", ""),  # not asked about: matched by id only
    ]
    twins = Twins(candidates)
    place = {p.paper_id: i for i, p in enumerate(liked)}
    asked = np.array([0, 1, 2])
    assert twins.of(liked, place, asked).tolist() == [1, 0, -1, 2]
    assert twins.of(liked, place, asked).tolist() == [1, 0, -1, 2]  # remembered titles agree


def _same_ranker(ranker: HybridRanker, threads: int) -> HybridRanker:
    settings = dataclasses.replace(ranker.settings, num_threads=threads)
    return HybridRanker(
        settings=settings, picks=ranker.pick_settings, space=ranker.space, items=ranker.items
    )


def test_batches_on_threads_give_the_one_thread_picks_in_order(
    hybrid: HybridRanker, papers: list[Paper], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Seven batches of two users over three threads: every user gets what one thread gives,
    scores to the bit, and `score_matrix` keeps its rows in profile order."""
    monkeypatch.setattr(ranker_module, "BATCH_USERS", 2)
    rng = np.random.default_rng(5)
    profiles = []
    for u in range(13):
        rated = [papers[int(i)] for i in rng.choice(len(papers), size=u % 5, replace=False)]
        votes = {p.paper_id: (UP if j % 3 else DOWN) for j, p in enumerate(rated)}
        profiles.append(UserProfile(f"u{u}", votes=votes, rated_papers=tuple(rated)))
    today = date(2025, 9, 5)
    one = _same_ranker(hybrid, 1)
    expected = one.picks(profiles, papers, 3, today)
    for threads in (2, 3):
        many = _same_ranker(hybrid, threads)
        got = many.picks(profiles, papers, 3, today)
        assert list(got) == list(expected)
        for key, picks in expected.items():
            assert [(p.paper.paper_id, p.score, p.reason) for p in got[key]] == [
                (p.paper.paper_id, p.score, p.reason) for p in picks
            ]
        assert np.array_equal(
            many.score_matrix(profiles, papers, today), one.score_matrix(profiles, papers, today)
        )


def test_rows_of_known_and_new_papers_carry_their_own_topics_and_als_solve(
    hybrid: HybridRanker, papers: list[Paper]
) -> None:
    """The table keeps each paper's terms-only vector and Y A⁻¹ row, computed once; the rows
    handed out are those of the right papers, and a paper new to the model gets its own."""
    fresh = Paper("brand-new", "graph neural networks for molecules", "message passing")
    mixed = [papers[4], fresh, papers[0], papers[4]]
    rows = hybrid.items.rows(mixed, hybrid.space)
    assert rows.topics.shape[1] > 0
    assert np.array_equal(rows.topics, hybrid.items.topics_of(rows.text))
    solved = als.solved(rows.als, hybrid.items.als_inverse)
    assert np.array_equal(rows.als_solved, solved)
    assert rows.als_solved[0].any() and not rows.als_solved[1].any()


def test_a_planner_sized_call_is_split_over_the_threads(hybrid: HybridRanker) -> None:
    """The daily planner sends 256 users a call: with two threads that is two batches of 128,
    not one batch on one thread; a reaction's single user stays one batch."""
    profiles = [UserProfile(f"u{u}") for u in range(256)]

    def sizes(ranker: HybridRanker, n: int) -> list[int]:
        return [len(chunk) for chunk, _ in ranker._batches(profiles[:n], len)]

    two, one = _same_ranker(hybrid, 2), _same_ranker(hybrid, 1)
    assert sizes(two, 256) == [128, 128]
    assert sizes(two, 1) == [1]
    assert sizes(two, 100) == [64, 36]  # never below SPLIT_USERS a batch
    assert sizes(one, 256) == [256]


def test_interest_rows_of_a_batch_equal_each_users_own(hybrid: HybridRanker) -> None:
    """All the batch's interests go through the text space at once; each user's row is still
    the normalised sum of their own interests' rows, bit for bit, and users without any get
    an empty row."""
    profiles = [
        UserProfile("a", interests=("graph neural networks", "molecules")),
        UserProfile("b"),
        UserProfile("c", interests=("speech recognition",)),
        UserProfile("d", interests=("diffusion video", "graph", "speech")),
    ]
    batch = _interest_text(voted(profiles, hybrid.items, hybrid.space), len(profiles))
    for r, profile in enumerate(profiles):
        if not profile.interests:
            assert batch[r].nnz == 0
            continue
        own = hybrid.space.transform_texts(profile.interests)
        alone = normalize(sp.csr_matrix(np.ones((1, own.shape[0]), np.float32)) @ own)
        assert np.array_equal(batch[r].toarray(), alone.toarray())


def test_teammates_lift_only_papers_in_the_window_they_liked(
    hybrid: HybridRanker, papers: list[Paper]
) -> None:
    """A teammate's 👍 lifts that candidate by teammate_weight x log(1 + count); papers outside
    the candidates and counts of 0 change nothing; excluded and rated papers end at -inf."""
    column = {p.paper_id: i for i, p in enumerate(papers[:6])}
    profiles = [
        UserProfile("a", teammate_likes={papers[1].paper_id: 2, "elsewhere": 5}),
        UserProfile("b", teammate_likes={papers[2].paper_id: 0, papers[3].paper_id: 1}),
        UserProfile("c", exclude=frozenset({papers[4].paper_id}), votes={papers[5].paper_id: 1}),
    ]
    scores = np.zeros((3, 6), dtype=np.float32)
    hybrid._adjust(scores, profiles, column)
    weight = hybrid.pick_settings.teammate_weight
    expected = np.zeros((3, 6), dtype=np.float32)
    expected[0, 1] = weight * np.log1p(2)
    expected[1, 3] = weight * np.log1p(1)
    expected[2, 4] = expected[2, 5] = -np.inf
    assert np.array_equal(scores, expected)
