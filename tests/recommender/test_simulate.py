"""The closed-loop simulation on a toy world: two topic clusters, users who read one of them.

The world's invariants (what is known before day 1), the loop's rules (never the same paper twice),
the statistics (a user is the unit of the standard error). `paperbot simulate` end to end is in
tests/paperbot/test_simulate_cli.py.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from recommender.evaluation.baselines import Popularity, RandomScores, TfidfProfile
from recommender.evaluation.dataset import Dataset, dataset_content
from recommender.evaluation.sim_policies import (
    EstimatorPolicy,
    HindsightPolicy,
    HybridFoldInPolicy,
)
from recommender.evaluation.simulate import (
    Policy,
    PolicyError,
    PolicyRun,
    SimulationConfig,
    World,
    build_world,
    combine,
    run_policy,
)
from recommender.features import fit_corpus
from recommender.settings import ModelSettings
from tests.recommender.toy import toy_dataset

TOY = ModelSettings(no_components=8, epochs=20, num_threads=1)
CFG = SimulationConfig(days=4, pool=10, k=3, users=8, window=1, min_library=2, seed=1)


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return toy_dataset()


def world_for(dataset: Dataset, cfg: SimulationConfig = CFG) -> World:
    content = dataset_content(dataset, TOY, 0)
    space = fit_corpus(dataset.papers, TOY)[0]
    return build_world(dataset.interactions, content, space, dataset.papers, cfg)


def with_mode(mode: str, **changes: int) -> SimulationConfig:
    return dataclasses.replace(CFG, newcomers=mode, **changes)


def test_each_day_brings_a_fresh_pool_of_stream_papers(dataset: Dataset) -> None:
    world = world_for(dataset)
    stream = np.concatenate(world.arrivals)
    assert len(world.arrivals) == CFG.days
    assert all(day.size == CFG.pool for day in world.arrivals)
    assert np.unique(stream).size == stream.size  # pools are disjoint: every day is new
    assert world.notes == []


def test_a_small_corpus_shrinks_the_pool_and_says_so(dataset: Dataset) -> None:
    world = world_for(dataset, with_mode("one-like", pool=100))
    assert world.arrivals[0].size == len(dataset.papers) // (2 * CFG.days)
    assert any("pool shrunk" in note for note in world.notes)


def test_history_holds_teammates_whole_libraries_and_only_older_papers_of_others(
    dataset: Dataset,
) -> None:
    world = world_for(dataset, with_mode("none"))
    stream = np.concatenate(world.arrivals)
    older = np.setdiff1d(np.arange(len(dataset.papers)), stream)
    others = np.setdiff1d(np.arange(world.library.shape[0]), world.teammates)
    strangers = np.setdiff1d(others, world.newcomers)
    team = world.teammates
    assert team.size == world.library.shape[0] // 2
    assert np.intersect1d(team, world.newcomers).size == 0
    assert (world.history[team][:, stream] != world.library[team][:, stream]).nnz == 0
    assert world.history[team][:, stream].nnz > 0
    assert world.history[others][:, stream].nnz == 0
    assert (world.history[strangers][:, older] != world.library[strangers][:, older]).nnz == 0
    assert world.history[world.newcomers].nnz == 0


def test_newcomers_have_enough_stream_papers_and_an_older_one(dataset: Dataset) -> None:
    world = world_for(dataset)
    stream = np.concatenate(world.arrivals)
    in_stream = np.asarray(world.library[world.newcomers][:, stream].sum(axis=1)).ravel()
    assert world.newcomers.size == CFG.users
    assert (in_stream >= CFG.min_library).all()
    assert (np.asarray(world.library[world.newcomers].sum(axis=1)).ravel() > in_stream).all()


def test_one_like_records_exactly_one_older_liked_paper_per_newcomer(dataset: Dataset) -> None:
    world = world_for(dataset, with_mode("one-like"))
    stream = set(np.concatenate(world.arrivals).tolist())
    rows = world.history[world.newcomers]
    assert np.diff(rows.indptr).tolist() == [1] * world.newcomers.size
    assert set(world.first_likes) == set(world.newcomers.tolist())
    for user, item in world.first_likes.items():
        assert world.history[user, item] == 1.0 and world.library[user, item] == 1.0
        assert item not in stream


def test_interests_are_plain_words_of_the_newcomers_own_topic(dataset: Dataset) -> None:
    world = world_for(dataset, with_mode("interests"))
    assert world.history[world.newcomers].nnz == 0
    assert set(world.interest_words) == set(world.newcomers.tolist())
    others = np.setdiff1d(np.arange(world.library.shape[0]), world.newcomers)
    assert world.interest_rows[others].nnz == 0
    for user, words in world.interest_words.items():
        assert len(words) == CFG.interest_terms and all(":" not in w for w in words)
        assert world.interest_rows[user].nnz == CFG.interest_terms
        topic = dataset.user_ids[user][1]  # uA3 reads cluster A
        vocabulary = " ".join(p.abstract for p in dataset.papers if p.paper_id[0] == topic)
        assert all(w in vocabulary for w in words)


def test_a_seed_reproduces_the_world_and_the_run_exactly(dataset: Dataset) -> None:
    one, two = world_for(dataset), world_for(dataset)
    other = world_for(dataset, with_mode("one-like", seed=2))
    assert all(np.array_equal(a, b) for a, b in zip(one.arrivals, two.arrivals, strict=True))
    assert np.array_equal(one.newcomers, two.newcomers) and one.first_likes == two.first_likes
    assert not np.array_equal(np.concatenate(one.arrivals), np.concatenate(other.arrivals))
    runs = [run_policy(w, HybridFoldInPolicy(3, TOY), CFG) for w in (one, two)]
    assert np.array_equal(runs[0].likes, runs[1].likes)
    assert np.array_equal(runs[0].picks, runs[1].picks)


class Recorder:
    """Wraps a policy and keeps every pick, per user, to check the loop's rules from outside."""

    def __init__(self, inner: Policy) -> None:
        self.inner = inner
        self.name = inner.name
        self.picked: dict[int, list[int]] = {}

    def start(self, world: World) -> None:
        self.inner.start(world)

    def choose(
        self, day: int, users: np.ndarray, pool: np.ndarray, k: int, shown: list[set[int]]
    ) -> list[np.ndarray]:
        chosen = self.inner.choose(day, users, pool, k, shown)
        for user, items in zip(users.tolist(), chosen, strict=True):
            self.picked.setdefault(user, []).extend(items.tolist())
        return chosen

    def react(self, reactions: Sequence[tuple[int, int, int]]) -> None:
        self.inner.react(reactions)


@pytest.mark.parametrize(
    "make", [lambda: EstimatorPolicy(Popularity()), lambda: HybridFoldInPolicy(1, TOY)]
)
def test_no_paper_is_shown_twice_to_the_same_user(
    dataset: Dataset, make: Callable[[], Policy]
) -> None:
    cfg = with_mode("one-like", window=3)  # overlapping pools: yesterday's papers come back
    recorder = Recorder(make())
    run = run_policy(world_for(dataset, cfg), recorder, cfg)
    assert (run.picks == cfg.k).all()
    for items in recorder.picked.values():
        assert len(items) == len(set(items)) == cfg.days * cfg.k


class Stubborn:
    """Always the first k papers of the pool, shown or not: the loop must refuse it."""

    name = "stubborn"

    def start(self, world: World) -> None:
        pass

    def choose(
        self, day: int, users: np.ndarray, pool: np.ndarray, k: int, shown: list[set[int]]
    ) -> list[np.ndarray]:
        return [pool[:k] for _ in users]

    def react(self, reactions: Sequence[tuple[int, int, int]]) -> None:
        pass


def test_a_policy_that_repeats_a_paper_is_an_error(dataset: Dataset) -> None:
    cfg = with_mode("none", window=2)
    with pytest.raises(PolicyError, match="already shown"):
        run_policy(world_for(dataset, cfg), Stubborn(), cfg)


@pytest.mark.parametrize(
    "make", [lambda: EstimatorPolicy(TfidfProfile()), lambda: HybridFoldInPolicy(1, TOY)]
)
def test_a_like_pulls_the_next_picks_to_its_topic(
    dataset: Dataset, make: Callable[[], Policy]
) -> None:
    """One newcomer of each topic (so no ranking that ignores the like can pass for both)."""
    world = world_for(dataset, with_mode("none"))
    policy = make()
    policy.start(world)
    topic = {int(u): dataset.user_ids[u][1] for u in world.newcomers}
    users = np.array([next(u for u in topic if topic[u] == t) for t in "AB"])
    papers = {t: [int(i) for i in world.arrivals[0] if dataset.paper_ids[i][0] == t] for t in "AB"}
    liked = [papers[topic[u]][0] for u in users]
    policy.react([(int(u), item, 1) for u, item in zip(users, liked, strict=True)])
    pool = np.concatenate(world.arrivals[1:])
    picks = policy.choose(2, users, pool, CFG.k, [{item} for item in liked])
    for user, items in zip(users, picks, strict=True):
        assert [dataset.paper_ids[i][0] for i in items] == [topic[user]] * CFG.k


def test_the_hybrid_fold_in_ignores_dislikes(dataset: Dataset) -> None:
    world = world_for(dataset, with_mode("one-like"))
    policy = HybridFoldInPolicy(1, TOY)
    policy.start(world)
    users, pool = world.newcomers, world.arrivals[0]
    before = policy.choose(1, users, pool, CFG.k, [set() for _ in users])
    policy.react([(int(u), int(items[0]), -1) for u, items in zip(users, before, strict=True)])
    after = policy.choose(2, users, pool, CFG.k, [set() for _ in users])
    assert all(np.array_equal(x, y) for x, y in zip(before, after, strict=True))


@pytest.mark.parametrize("mode", ["one-like", "interests"])
def test_a_content_model_beats_random_on_the_toy(dataset: Dataset, mode: str) -> None:
    cfg = with_mode(mode)
    world = world_for(dataset, cfg)
    smart = run_policy(world, EstimatorPolicy(TfidfProfile()), cfg).summary(cfg.days)
    hybrid = run_policy(world, HybridFoldInPolicy(1, TOY), cfg).summary(cfg.days)
    floor = run_policy(world, EstimatorPolicy(RandomScores(1), refits=False), cfg)
    assert smart.mean > floor.summary(cfg.days).mean + 0.2
    assert hybrid.mean > floor.summary(cfg.days).mean + 0.15


def test_the_hindsight_ceiling_takes_the_papers_most_newcomers_have(dataset: Dataset) -> None:
    cfg = with_mode("none")
    world = world_for(dataset, cfg)
    ceiling = run_policy(world, HindsightPolicy(), cfg)
    popular = run_policy(world, EstimatorPolicy(Popularity()), cfg)
    owners = np.asarray(world.library[world.newcomers][:, world.arrivals[0]].sum(axis=0)).ravel()
    best = np.sort(owners)[::-1][: cfg.k].sum()
    assert ceiling.likes[:, 0].sum() == best  # day 1: the k papers most newcomers have
    assert popular.likes[:, 0].sum() <= best


def test_the_standard_error_is_over_users_not_picks() -> None:
    likes = np.array([[1, 0, 3], [0, 0, 0], [2, 2, 1], [0, 0, 0]])
    picks = np.array([[2, 2, 4], [2, 2, 2], [4, 4, 2], [0, 0, 0]])  # the last user got nothing
    run = PolicyRun("x", likes, picks)
    rates = np.array([4 / 8, 0 / 6, 5 / 10])  # per user over all days; user 4 is left out
    overall = run.summary(3)
    assert overall.users == 3
    assert overall.mean == pytest.approx(rates.mean())
    assert overall.se == pytest.approx(rates.std(ddof=1) / np.sqrt(3))
    early = run.summary(1)
    assert early.mean == pytest.approx(np.mean([1 / 2, 0, 2 / 4]))
    assert run.hit_rate() == pytest.approx([3 / 8, 2 / 8, 4 / 8])  # per day: pooled picks


def test_seeds_combine_into_a_mean_with_the_se_of_a_mean() -> None:
    a = PolicyRun("x", np.array([[1], [0], [1]]), np.array([[1], [1], [1]]))
    b = PolicyRun("x", np.array([[2], [1], [0]]), np.array([[2], [2], [2]]))
    both = combine([a, b], early_days=3)
    assert both.overall.mean == pytest.approx((2 / 3 + 1 / 2) / 2)
    assert both.overall.se == pytest.approx(np.hypot(a.summary(1).se, b.summary(1).se) / 2)
    assert both.overall_seed_std == pytest.approx(np.std([2 / 3, 1 / 2], ddof=1))
    assert both.hit_rate == pytest.approx([(2 / 3 + 1 / 2) / 2])
