"""A user's profile is a least-squares fit, not a plain sum (recommender.whitening): what every
paper shares counts for little, what sets the user apart for much, and a profile of few papers
stays closer to the plain sum."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from recommender.domain import UP, Paper, UserProfile
from recommender.ranker import HybridRanker
from recommender.tables import unit_rows
from recommender.users import represent
from recommender.whitening import Whitening, term_weights


def test_whitening_lets_the_direction_that_sets_a_user_apart_outrank_the_shared_one() -> None:
    """Every paper shares direction 0; few have direction 1. The user liked a paper with both.
    A cosine prefers a paper mostly of the shared direction; the least-squares fit prefers the
    one that has what is rare, as IDF would."""
    common = np.tile([1.0, 0.0], (60, 1))
    liked = np.array([1.0, 1.0]) / np.sqrt(2.0)
    shared = np.array([1.0, 0.4]) / np.linalg.norm([1.0, 0.4])
    rare = np.array([0.3, 1.0]) / np.linalg.norm([0.3, 1.0])
    vectors = np.vstack([common, liked, shared, rare]).astype(np.float32)
    assert liked @ shared > liked @ rare  # the cosine's order
    whitening = Whitening.of(vectors)
    fitted = whitening.apply(liked[None, :], np.array([1e6]))[0]
    assert fitted @ rare > fitted @ shared
    assert Whitening.of(np.zeros((3, 0), dtype=np.float32)).apply(
        np.zeros((2, 0)), np.ones(2)
    ).shape == (2, 0)


def test_a_profile_of_fewer_papers_stays_closer_to_the_plain_direction() -> None:
    rng = np.random.default_rng(4)
    vectors = unit_rows(rng.standard_normal((200, 6)).astype(np.float32) + [3, 1, 0, 0, 0, 0])
    whitening = Whitening.of(vectors)
    direction = unit_rows(vectors[:1])
    papers = np.array([1.0, 3.0, 30.0, 1e6])
    fitted = unit_rows(whitening.apply(np.repeat(direction, 4, axis=0), papers))
    cosines = fitted @ direction[0]
    assert (np.diff(cosines) < 0).all()  # each step away from the plain direction
    assert cosines[0] > 0.85 > 0.8 > cosines[-1]


def test_term_weights_take_from_the_terms_every_paper_carries() -> None:
    """Term 0 is in all 60 papers, term 1 in two, term 2 in none. The ridge keeps the cut mild
    (ten times the mean term's sum of squares): a term in every paper loses a sixth."""
    dense = np.zeros((60, 3), dtype=np.float32)
    dense[:, 0] = 1.0
    dense[:2, 1] = 1.0
    weights = term_weights(sp.csr_matrix(normalize(dense)))
    assert weights[0] < 0.85 < 0.99 < weights[1] < weights[2] == 1.0
    assert (term_weights(sp.csr_matrix((4, 3), dtype=np.float32)) == 1.0).all()


def test_a_users_profiles_are_the_whitened_sums_of_their_liked_papers(
    hybrid: HybridRanker, papers: list[Paper]
) -> None:
    items = hybrid.items
    assert items.term_weights.min() < items.term_weights.max() - 0.01
    mine = papers[:3]
    profile = UserProfile("u", votes={p.paper_id: UP for p in mine}, rated_papers=tuple(mine))
    liked = represent([profile], items, hybrid.space, hybrid.settings).liked
    rows = items.rows(mine, hybrid.space)
    plain = unit_rows(rows.topics.sum(axis=0, keepdims=True))
    topics = items.whitening.apply(plain, np.array([3.0]))
    np.testing.assert_allclose(liked.topics, topics, rtol=1e-5, atol=1e-6)
    assert (unit_rows(liked.topics) @ plain[0])[0] < 0.99  # not the plain direction
    text = normalize(np.asarray(rows.text.sum(axis=0))) * items.term_weights
    np.testing.assert_allclose(liked.text.toarray(), text, rtol=1e-5, atol=1e-7)
