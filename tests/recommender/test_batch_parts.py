"""The batched parts behind picks (issue 10, batch speed): each is pinned to the plain
computation it replaced, so a faster path cannot change a pick, a score or a reason."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import date

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.preprocessing import normalize

import recommender.ranker as ranker_module
from recommender import als
from recommender.domain import DOWN, UP, Paper, UserProfile
from recommender.evidence import Twins
from recommender.features import term_rows
from recommender.kernels import (
    add_standardised,
    dense_product,
    sparse_product,
    top_columns,
    unit_sparse_rows,
)
from recommender.ranker import HybridRanker
from recommender.reasons import Facts, sentences
from recommender.scoring import NO_SPREAD, Candidates, scored, standardise, text_scores
from recommender.users import Side, _interest_text, represent, voted


def test_text_scores_equal_the_dense_product() -> None:
    """The compiled product (recommender.kernels) against numpy's dense one, in float64: item
    rows unsorted on purpose (as the TF-IDF transform leaves them), some users without any
    term, one side without any entry at all, and 64-bit indices."""
    rng = np.random.default_rng(0)
    users = sp.random(40, 300, density=0.2, format="csr", dtype=np.float32, random_state=1)
    users = sp.csr_matrix(sp.diags((np.arange(40) % 5 != 0).astype(np.float32)) @ users)
    items = sp.random(70, 300, density=0.05, format="csr", dtype=np.float32, random_state=2)
    for r in range(items.shape[0]):  # shuffle each row's stored order
        span = slice(items.indptr[r], items.indptr[r + 1])
        order = rng.permutation(span.stop - span.start)
        items.indices[span], items.data[span] = items.indices[span][order], items.data[span][order]
    items.has_sorted_indices = False
    exact = users.toarray().astype(np.float64) @ items.toarray().astype(np.float64).T
    got = text_scores(users, items)
    assert got.dtype == np.float32 and got.shape == (40, 70)
    np.testing.assert_allclose(got, exact, rtol=1e-5, atol=1e-6)
    assert not got[::5].any()  # the users without terms
    wide = sp.csr_matrix(users)
    wide.indices, wide.indptr = wide.indices.astype(np.int64), wide.indptr.astype(np.int64)
    np.testing.assert_allclose(text_scores(wide, items), exact, rtol=1e-5, atol=1e-6)
    nothing = sp.csr_matrix((40, 300), dtype=np.float32)
    assert not text_scores(nothing, items).any() and text_scores(nothing, items).shape == (40, 70)


def test_add_standardised_is_standardise_of_the_product_to_the_bit() -> None:
    """The scores' sparse signals are summed by the kernel a row at a time: the very numbers
    of `standardise(dense_product(...))` times the weight added to the total (so no pick moves),
    for rows longer and shorter than numpy's 128-value sum blocks, a weight subtracted, a weight
    per user, users without any term (no spread: they add nothing) and a right side without any
    entry. To the bit because numpy sums float32 pairwise in blocks of 128 (so since 1.9): a
    numpy that changed that order would fail this test, with the scores still right to float
    noise."""
    rng = np.random.default_rng(9)
    left = sp.random(40, 300, density=0.2, format="csr", dtype=np.float32, random_state=5)
    left = sp.csr_matrix(sp.diags((np.arange(40) % 6 != 0).astype(np.float32)) @ left)
    for n in (2501, 100, 7):
        right = sp.random(300, n, density=0.05, format="csr", dtype=np.float32, random_state=n)
        start = rng.standard_normal((40, n)).astype(np.float32)
        product = dense_product(left, right)
        for weight in (0.7, -0.35):
            z = standardise(product)
            z *= abs(weight)
            expected = start + z if weight > 0 else start - z
            total, raw = start.copy(), np.zeros_like(start)
            add_standardised(total, left, right, weight, NO_SPREAD, raw)
            assert np.array_equal(total, expected), (n, weight)
            assert np.array_equal(raw, product)
        assert np.array_equal(total[::6], start[::6])  # no terms: nothing added
        per_row = rng.uniform(-1, 1, 40).astype(np.float32)  # one weight per user
        total = start.copy()
        add_standardised(total, left, right, per_row, NO_SPREAD)
        assert np.array_equal(total, start + standardise(product) * per_row[:, None])
    total = start.copy()
    add_standardised(total, left, sp.csr_matrix((300, 7), dtype=np.float32), 1.0, NO_SPREAD)
    assert np.array_equal(total, start)


def test_sparse_product_equals_scipys() -> None:
    """The profiles' sums (recommender.kernels.sparse_product) against scipy's product: weights
    on the left, rows without entries on either side, and a result with nothing at all."""
    left = sp.random(30, 50, density=0.1, format="csr", dtype=np.float32, random_state=3)
    left = sp.csr_matrix(sp.diags((np.arange(30) % 4 != 0).astype(np.float32)) @ left)
    right = sp.random(50, 400, density=0.03, format="csr", dtype=np.float32, random_state=4)
    right = sp.csr_matrix(sp.diags((np.arange(50) % 7 != 0).astype(np.float32)) @ right)
    got = sparse_product(left, right)
    assert got.dtype == np.float32 and got.shape == (30, 400)
    np.testing.assert_allclose(got.toarray(), (left @ right).toarray(), rtol=1e-6, atol=1e-7)
    assert got.nnz == (left @ right).nnz
    none = sparse_product(sp.csr_matrix((30, 50), dtype=np.float32), right)
    assert none.shape == (30, 400) and none.nnz == 0


def test_unit_sparse_rows_are_sklearns_normalize_to_the_bit() -> None:
    """The users' TF-IDF profiles are made unit by the kernel: the very numbers of scikit-learn's
    normalize (l2), for rows of many magnitudes, an empty row and a row of stored zeros."""
    rng = np.random.default_rng(8)
    dense = rng.random((30, 200)).astype(np.float32) * (rng.random((30, 200)) < 0.2)
    dense *= np.logspace(-6, 4, 30, dtype=np.float32)[:, None]
    dense[5] = 0.0  # an empty row
    matrix = sp.csr_matrix(dense)
    matrix.data[matrix.indptr[3] : matrix.indptr[4]] = 0.0  # a row of stored zeros
    expected = normalize(matrix)
    got = unit_sparse_rows(sp.csr_matrix(matrix, copy=True))
    assert got.dtype == np.float32
    assert np.array_equal(got.data, expected.data) and np.array_equal(got.indices, expected.indices)
    empty = sp.csr_matrix((4, 9), dtype=np.float32)
    assert unit_sparse_rows(empty).nnz == 0


def test_top_columns_are_the_best_by_value_then_column() -> None:
    """The shortlist's kernel against a full sort by (value descending, column): ties (also at
    the cut), -inf and NaN (ranked as -inf), rows in rising order (every column enters), and
    more asked for than there are columns."""
    rng = np.random.default_rng(5)
    scores = rng.integers(0, 6, size=(50, 40)).astype(np.float32)
    scores[3] = -np.inf
    scores[4, ::3] = np.nan
    scores[5] = np.arange(40)
    scores[6, :35] = -np.inf

    def by_sort(m: int) -> np.ndarray:
        ranked = np.where(np.isnan(scores), -np.inf, scores)
        columns = np.broadcast_to(np.arange(40), scores.shape)
        return np.lexsort((columns, -ranked), axis=1)[:, :m]

    for m in (1, 7, 40, 60):
        got = top_columns(scores, m)
        assert got.dtype == np.int64 and got.shape == (50, min(m, 40))
        assert np.array_equal(got, by_sort(m)), m
    assert top_columns(np.zeros((0, 40), dtype=np.float32), 5).shape == (0, 5)


def test_codes_find_each_ids_row_and_only_exact_ids(hybrid: HybridRanker) -> None:
    """The table's rows by id (a binary search of the sorted ids): every id's own row, and -1
    for ids it does not hold, also those a prefix or an extension of one it does (also of the
    longest), or sorting before or after all of them."""
    table = hybrid.items
    ids = table.paper_ids.tolist()
    shuffled = np.random.default_rng(2).permutation(len(ids))
    assert table.codes([ids[i] for i in shuffled]).tolist() == shuffled.tolist()
    first, last = min(ids), max(ids)
    longest = max(ids, key=len)  # ids are read cut to one more character than this
    missing = [first[:-1], first + "0", last + "z", "", "~" * 40, "\u00e9t\u00e9", longest + "xy"]
    assert table.codes(missing).tolist() == [-1] * len(missing)
    assert table.codes([missing[2], ids[3], missing[0]]).tolist() == [-1, 3, -1]
    assert table.codes([]).dtype == np.int64 and table.codes([]).size == 0


def test_sentences_are_flat_user_by_user_and_skip_what_was_not_picked() -> None:
    """One sentence per valid pick, in the order the ranker builds its picks (user by user,
    slot by slot), whatever slots are empty; each user's own interests and 👍 state."""
    teammates = np.zeros((3, 3), dtype=np.int64)
    teammates[2, 1] = 2
    resembles = np.full((3, 3), -1)
    resembles[0, 2] = 7
    interest = np.full((3, 3), -1)
    interest[2, 0] = 1
    readers = np.zeros((3, 3), dtype=np.int64)
    readers[0, 2] = readers[2, 0] = 9  # the stronger facts of those picks come first
    readers[2, 2] = 5  # not picked
    facts = Facts(
        resembles=resembles,
        interest=interest,
        teammates=teammates,
        read_alike=np.zeros((3, 3), dtype=bool),
        readers=readers,
        trending=np.zeros((3, 3), dtype=bool),
        explored=np.zeros((3, 3), dtype=bool),
    )
    valid = np.array([[True, True, True], [False, False, False], [True, True, False]])
    got = sentences(facts, valid, {7: "A paper"}, np.array([True, False, False]),
                    [(), ("x",), ("graphs", "proteins")])  # fmt: skip
    assert got == [
        "new in your field",
        "new in your field",
        "similar to “A paper”, which you liked",
        "matches your interest “proteins”",
        "liked by 2 teammates",
    ]
    readers[0, 0] = 3
    assert sentences(facts, valid, {7: "A paper"}, np.array([True, False, False]),
                     [(), ("x",), ("graphs", "proteins")])[0] == "liked by 3 readers"  # fmt: skip


def test_term_rows_of_rows_without_any_term_are_empty_rows_of_the_same_shape() -> None:
    """A batch without a declared interest asks for the term rows of an empty matrix: the same
    all-zero rows the general path gives, float32, one per row asked."""
    columns = np.array([1, 4, 6])
    text = sp.csr_matrix(np.array([[0.0, 2, 0, 0, 1, 0, 0], [0, 0, 3, 0, 0, 0, 0]]))
    nothing = sp.csr_matrix((5, 7), dtype=np.float32)
    general = term_rows(text, columns)
    assert general.dtype == np.float32 and general.shape == (2, 3)
    np.testing.assert_allclose(general.toarray(), [[2 / 3, 1 / 3, 0], [0, 0, 0]], rtol=1e-6)
    empty = term_rows(nothing, columns)
    assert empty.dtype == np.float32 and empty.shape == (5, 3) and empty.nnz == 0


def test_voted_keeps_profile_order_and_first_appearance(hybrid: HybridRanker) -> None:
    a, b, c = (Paper(p, f"title {p}", "") for p in ("A1", "A2", "B1"))
    profiles = [
        UserProfile("one", votes={"A2": UP, "A1": DOWN, "nope": UP}, rated_papers=(a, b)),
        UserProfile("two", votes={"B1": UP, "A2": UP}, rated_papers=(c, b)),
        UserProfile("none", votes={"A1": 0}, rated_papers=(a,)),
    ]
    votes = voted(profiles, hybrid.items, hybrid.space)
    assert [p.paper_id for p in votes.papers] == ["A1", "A2", "B1"]
    assert votes.owner.tolist() == [0, 0, 1, 1]
    assert votes.column.tolist() == [0, 1, 2, 1]
    assert votes.up.tolist() == [False, True, True, True]
    assert votes.liked_of(3).tolist() == [[1, -1], [2, 1], [-1, -1]]


def test_twins_by_id_first_then_by_folded_title() -> None:
    """Papers in the model's table (code >= 0) and newer ones (-1), on either side."""
    candidates = [Paper("c0", "Graph  Nets", ""), Paper("c1", "Other", ""), Paper("c2", "x", "")]
    liked = [
        Paper("c1", "renamed since", ""),  # the same id: that candidate, whatever its title
        Paper("old", "graph nets", ""),  # the same title folded: the same paper
        Paper("new", "Graph Nets revisited", ""),  # neither
        Paper("c2", "X", ""),  # not asked about
        Paper("c0", "renamed", ""),  # newer than the model, the same id
        Paper("newer", "OTHER", ""),  # newer than the model, the same title folded
    ]
    twins = Twins(candidates, table_size=4)
    codes = np.array([0, 1, -1, 2, -1, -1])  # the liked papers'
    by_id = np.array([1, -1, -1, 2, 0, -1])  # as the ranker's pool finds them
    asked = np.array([0, 1, 2, 4, 5])
    assert twins.of(liked, codes, asked, by_id).tolist() == [1, 0, -1, -1, 0, 1]
    assert twins.of(liked, codes, asked, by_id).tolist() == [1, 0, -1, -1, 0, 1]  # remembered


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


def test_rows_of_known_and_new_papers_carry_their_own_topics_and_als_factors(
    hybrid: HybridRanker, papers: list[Paper]
) -> None:
    """The table keeps each paper's terms-only vector and Y A⁻¹ row, computed once; the rows
    handed out are those of the right papers, and a paper new to the model gets its own (and
    no ALS factors)."""
    fresh = Paper("brand-new", "graph neural networks for molecules", "message passing")
    mixed = [papers[4], fresh, papers[0], papers[4]]
    rows = hybrid.items.rows(mixed, hybrid.space)
    assert rows.topics.shape[1] > 0
    assert np.array_equal(rows.topics, hybrid.items.topics_of(rows.text))
    table = hybrid.items
    assert np.array_equal(table.als_solved, als.solved(table.als, table.als_inverse))
    known = table.codes([papers[4].paper_id, papers[0].paper_id, papers[4].paper_id])
    assert np.array_equal(rows.als[[0, 2, 3]], table.als[known])
    assert rows.als[0].any() and not rows.als[1].any()


def test_als_users_read_the_tables_factors_and_leave_newer_papers_out(
    hybrid: HybridRanker, papers: list[Paper]
) -> None:
    """The users' ALS vectors are the solves against the table's factors by row, each vote
    weighed as in training; a 👍 on a paper newer than the model (no factors) only counts in
    the user's library size (idf), as when its zero row was solved with."""
    fresh = Paper("brand-new", "graph neural networks for molecules", "message passing")
    votes = {papers[1].paper_id: UP, papers[3].paper_id: DOWN, papers[6].paper_id: UP}
    old = UserProfile("u", votes=votes, rated_papers=(papers[1], papers[3], papers[6]))
    new = dataclasses.replace(
        old, votes={**votes, fresh.paper_id: UP}, rated_papers=(fresh, *old.rated_papers)
    )
    s, factors, weight = hybrid.settings, hybrid.items.als.copy(), hybrid.items.als_weight.copy()
    factors[-1], weight[-1] = factors[0], weight[0]  # the last row is no stand-in for "none"
    table = dataclasses.replace(hybrid.items, als=factors, als_weight=weight)
    got = represent([old, new], table, hybrid.space, s).als
    codes = table.codes([papers[1].paper_id, papers[6].paper_id, papers[3].paper_id])
    for user, likes in ((0, 2), (1, 3)):
        idf = als.user_idf(np.array([likes]), table.size)[0]
        scale = np.array([1.0, 1.0, s.dislike_weight])
        conf = s.als_alpha * table.als_weight[codes] * idf * scale
        want = np.array([1.0, 1.0, 0.0])
        expected = als.solve_users(
            table.als_inverse, table.als, table.als_solved, codes, conf, want, np.array([3])
        )[0]
        assert got[user].any()
        np.testing.assert_allclose(got[user], expected, rtol=1e-5, atol=1e-6)


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
    the candidates and counts of 0 change nothing; excluded and voted papers end at -inf, the
    votes the batch holds by table row (a paper of the model's, a newer one) and the rest by
    id (a cleared vote, a vote on a paper missing from rated_papers)."""
    fresh = Paper("fresh-1", "A paper newer than the model", "")
    window = [*papers[:6], fresh]
    p = [q.paper_id for q in window]
    profiles = [
        UserProfile("a", teammate_likes={p[1]: 2, "elsewhere": 5}),
        UserProfile("b", teammate_likes={p[2]: 0, p[3]: 1}),
        UserProfile("c", exclude=frozenset({p[4]}), votes={p[5]: UP}, rated_papers=(window[5],)),
        UserProfile("d", votes={p[0]: 0, p[2]: DOWN}, rated_papers=(window[0], window[2])),
        UserProfile("e", votes={p[3]: UP}),
        UserProfile("f", votes={p[6]: DOWN}, rated_papers=(fresh,)),
        UserProfile("g", votes={p[1]: UP}, rated_papers=(window[1],)),
    ]
    pool = hybrid._pool(window)
    scores = np.zeros((7, 7), dtype=np.float32)
    hybrid._adjust(scores, profiles, pool, voted(profiles, hybrid.items, hybrid.space))
    weight = hybrid.pick_settings.teammate_weight
    expected = np.zeros((7, 7), dtype=np.float32)
    expected[0, 1] = weight * np.log1p(2)
    expected[1, 3] = weight * np.log1p(1)
    expected[2, [4, 5]] = expected[3, [0, 2]] = expected[4, 3] = expected[5, 6] = -np.inf
    expected[6, 1] = -np.inf
    assert np.array_equal(scores, expected)


def _signal_by_signal(ranker: HybridRanker, profiles: list[UserProfile], papers: list[Paper]):
    """The scoring rule as recommender.scoring states it, one raw (m, n) product per signal,
    each standardised on its own: what the folded products must equal."""
    s = ranker.settings
    users = represent(profiles, ranker.items, ranker.space, s)
    rows = ranker.items.rows(papers, ranker.space)
    known = rows.known

    def raw(side: Side) -> dict[str, np.ndarray]:
        return {
            "text": side.text.toarray() @ rows.text.toarray().T,
            "topics": side.topics @ rows.topics.T,
            "taste": side.unit @ rows.unit.T,
            "readers": side.readers.toarray() @ rows.readers.toarray().T,
        }

    likes = users.liked.votes
    few = np.where(likes > 0, 2 / (2 + likes), 0)[:, None]
    weight = {"text": s.text_weight, "topics": s.topics_weight, "taste": s.taste_weight,
              "readers": s.readers_weight * (1 - few)}  # fmt: skip
    total = sum(weight[n] * standardise(r) for n, r in raw(users.liked).items())
    total -= sum(
        s.dislike_weight * weight[n] * standardise(r) for n, r in raw(users.disliked).items()
    )
    total += s.fit_weight * standardise(users.liked.mean @ rows.vectors.T, known)
    total += s.als_weight * standardise(users.als @ rows.als.T, known)
    total += s.bias_weight * standardise(rows.bias[None, :], known) * users.liking[:, None]
    readers = np.log1p(np.diff(rows.readers.indptr).astype(np.float32))
    total += s.popular_weight * (1 + s.popular_boost * few) * standardise(readers[None, :], known)
    return total, Candidates.of(rows), users


def test_folded_scores_equal_the_rule_signal_by_signal(
    hybrid: HybridRanker, papers: list[Paper]
) -> None:
    """`scored` standardises the dense signals without computing them (recommender.scoring):
    it must give the blend computed signal by signal, for users with likes, dislikes,
    interests, only a 👎, and nothing at all."""
    by_id = {p.paper_id: p for p in papers}

    def profile(key: str, votes: dict[str, int], interests: tuple[str, ...] = ()) -> UserProfile:
        rated = tuple(by_id[p] for p in votes)
        return UserProfile(key, interests=interests, votes=votes, rated_papers=rated)

    ids = list(by_id)
    profiles = [
        profile("likes", {ids[0]: UP, ids[1]: UP, ids[5]: DOWN}),
        profile("interest", {ids[7]: DOWN}, ("graph neural networks",)),
        profile("only-down", {ids[2]: DOWN}),
        profile("nothing", {}),
        profile("many", {i: UP if n % 3 else DOWN for n, i in enumerate(ids[10:40])}),
    ]
    expected, cands, users = _signal_by_signal(hybrid, profiles, papers)
    assert hybrid.items.als.shape[1] and hybrid.items.topics.shape[1]
    assert [b.name for b in cands.blocks] == ["taste", "topics", "fit", "als"]
    got, usual = scored(users, cands, hybrid.settings)
    np.testing.assert_allclose(got, expected, atol=2e-4)
    assert np.ptp(expected, axis=1).min() > 1.0  # every user's scores spread: a real check
    np.testing.assert_allclose(usual, users.liked.text.toarray() @ cands.rows.text.toarray().T,
                               atol=1e-6)  # fmt: skip


def test_the_days_pool_is_kept_for_the_very_same_papers_only(
    hybrid: HybridRanker, papers: list[Paper]
) -> None:
    """The planner's batches share one pool; a list with any other Paper object (the same id,
    a new title) gets its own, so a memo can never answer for papers it was not built from."""
    window = papers[:20]
    first = hybrid._window(list(window))
    assert hybrid._window(list(window)) is first
    changed = list(window)
    changed[3] = dataclasses.replace(window[3], title="A new title for an old id")
    other = hybrid._window(changed)
    assert other is not first and other.papers[3].title == "A new title for an old id"
    assert hybrid._window(changed) is other


def test_warm_up_compiles_every_kernel_in_a_fresh_process() -> None:
    """`paperbot serve` calls warm_up at start-up so that nobody waits for numba later: in a
    process that has not used them yet, it must leave every kernel compiled."""
    check = (
        "import recommender.kernels as k; "
        "kernels = (k._scatter, k._gather, k._unit_rows, k._best, k._add_z, k._pairwise); "
        "assert not any(f.signatures for f in kernels); "
        "k.warm_up(); "
        "assert all(f.signatures for f in kernels)"
    )
    subprocess.run([sys.executable, "-c", check], check=True, timeout=120)
