"""Benchmark (not a test): training and daily picks at scale, on synthetic data.

    .venv/bin/python bench/bench_recommender.py                 # both scales (several minutes)
    .venv/bin/python bench/bench_recommender.py --scale small   # 10k users x 50k papers x 500k
    .venv/bin/python bench/bench_recommender.py --scale large   # 100k users x 200k papers x 2M

Prints, per scale: the time of a full `train_ranker` fit and of one day's `picks` for every user
against the candidate window (with reasons; after a warm-up call on a few users, since numba
compiles the kernels of recommender/kernels.py on first use, once a process), peak resident
memory of each phase (VmHWM, reset between phases), picks per second, and the raw numpy matrix
product of the same shapes (users x factors times factors x candidates) plus each row's top-k,
as the floor any batched scorer sits on: the faster of numpy's argpartition and the compiled
one-pass top-k of recommender/kernels.py, since which one wins depends on the numpy build.
A second reference, not the floor: the products the scoring rule itself cannot do without, with
every user's profile built before the clock starts: the dense product at the ranker's own width
(the columns of scoring.Candidates.dense, every dense signal side by side) plus the sparse TF-IDF
and co-readership products, like and dislike side, by the compiled kernel, and the compiled top-k,
on the ranker's threads. Then where one 512-user batch's CPU goes (one thread): the votes looked
up (`voted`), the profiles built (`represent`), the blend (`scored`) and the rest of `picks`
(selection and reasons).

Synthetic corpus: 200 topics with Zipf-skewed word distributions over a 20k-word vocabulary;
each user follows 1-3 topics and reacts mostly 👍 inside them, 10% 👎 elsewhere.
The fit is printed as a ratio to its budget (10 minutes at the large scale) and picks as a ratio
to the raw matrix product measured in the same run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.als import one_blas_thread  # noqa: E402
from recommender.domain import DOWN, UP, Paper, UserProfile, Vote  # noqa: E402
from recommender.kernels import dense_product, top_columns  # noqa: E402
from recommender.ranker import BATCH_USERS, HybridRanker  # noqa: E402
from recommender.scoring import Candidates, scored  # noqa: E402
from recommender.settings import ModelSettings, PickSettings  # noqa: E402
from recommender.training import train_ranker  # noqa: E402
from recommender.users import UserSide, represent, voted  # noqa: E402

SCALES = {
    "small": {"users": 10_000, "papers": 50_000, "reactions": 500_000, "window": 2_500},
    "large": {"users": 100_000, "papers": 200_000, "reactions": 2_000_000, "window": 5_000},
}
TOPICS = 200
VOCABULARY = 20_000
WORDS_PER_PAPER = 60
TODAY = date(2025, 9, 5)
SCORE_ONLY_USERS = 20_000  # scoring-only time is measured on this many users and scaled
PICKS_RUNS = 3  # daily picks for everyone, timed this many times; the best run counts
WARM_UP_USERS = 8  # one small call first: numba compiles the kernels on first use, once a process
FIT_BUDGET_SECONDS = 600.0  # issue "Recommender v2": the large scale fits in under 10 minutes


def peak_reset() -> None:
    """Reset the kernel's peak-RSS counter (Linux >= 4.0), so each phase reports its own peak."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_papers(n: int, rng: np.random.Generator) -> tuple[list[Paper], np.ndarray]:
    """n papers, each mostly about one topic; the newest `window` are today's candidates."""
    words = np.array([f"w{i}" for i in range(VOCABULARY)])
    topic_words = rng.integers(0, VOCABULARY, size=(TOPICS, 300))
    topics = rng.integers(0, TOPICS, size=n)
    zipf = 1.0 / np.arange(1, 301)
    zipf /= zipf.sum()
    picks = rng.choice(300, size=(n, WORDS_PER_PAPER), p=zipf)
    background = rng.integers(0, VOCABULARY, size=(n, WORDS_PER_PAPER))
    own = rng.random((n, WORDS_PER_PAPER)) < 0.7
    ids = np.where(own, topic_words[topics[:, None], picks], background)
    upvotes = rng.zipf(2.0, size=n) - 1
    papers = [
        Paper(
            paper_id=f"p{i}",
            title=" ".join(words[ids[i, :8]]),
            abstract=" ".join(words[ids[i, 8:]]),
            published=TODAY - timedelta(days=int((n - i) * 400 / n)),
            upvotes=int(min(upvotes[i], 500)),
        )
        for i in range(n)
    ]
    return papers, topics


def make_votes(
    users: int, reactions: int, topics: np.ndarray, rng: np.random.Generator
) -> list[Vote]:
    by_topic = [np.flatnonzero(topics == t) for t in range(TOPICS)]
    per_user = np.maximum(1, rng.poisson(reactions / users, size=users))
    votes: list[Vote] = []
    for u in range(users):
        liked_topics = rng.integers(0, TOPICS, size=rng.integers(1, 4))
        n = int(per_user[u])
        down = rng.random(n) < 0.1
        for j in range(n):
            if down[j]:
                paper, vote = int(rng.integers(0, len(topics))), DOWN
            else:
                pool = by_topic[int(rng.choice(liked_topics))]
                paper, vote = int(rng.choice(pool)), UP
            votes.append(Vote(f"u{u}", f"p{paper}", vote))
    return votes


def profiles_for(votes: list[Vote], papers: list[Paper]) -> list[UserProfile]:
    by_user: dict[str, dict[str, int]] = {}
    for vote in votes:
        by_user.setdefault(vote.user_key, {})[vote.paper_id] = vote.vote
    index = {p.paper_id: p for p in papers}
    return [
        UserProfile(key, votes=mine, rated_papers=tuple(index[p] for p in mine))
        for key, mine in by_user.items()
    ]


def numpy_top(scores: np.ndarray, k: int) -> None:
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    np.take_along_axis(scores, top, axis=1).argsort(axis=1)


TOP_K = {"numpy argpartition": numpy_top, "compiled pass": top_columns}


def raw_matmul_seconds(
    users: int,
    dim: int,
    candidates: int,
    k: int,
    rng: np.random.Generator,
) -> dict[str, tuple[float, float]]:
    """The floor: one float32 (users x dim) @ (dim x candidates) product and each row's top k,
    by each way in TOP_K: numpy's argpartition (then sorted), and the compiled one-pass top-k
    the ranker's shortlist uses (recommender.kernels), which can be several times faster,
    depending on the numpy build and the machine. Per way, wall seconds (best of three) and CPU
    seconds per run; the caller takes the faster way as the floor."""
    left = rng.standard_normal((users, dim), dtype=np.float32)
    right = rng.standard_normal((dim, candidates), dtype=np.float32)
    result = {}
    for name, top in TOP_K.items():
        top(np.ones((2, k + 1), dtype=np.float32), k)  # compiled before it is timed
        best, cpu = float("inf"), time.process_time()
        for _ in range(3):
            start = time.perf_counter()
            for begin in range(0, users, 4096):  # same batching a real scorer needs for memory
                top(np.dot(left[begin : begin + 4096], right), k)
            best = min(best, time.perf_counter() - start)
        result[name] = (best, (time.process_time() - cpu) / 3)
    return result


def rule_products_seconds(
    ranker: HybridRanker,
    profiles: list[UserProfile],
    basis: Candidates,
    k: int,
    rng: np.random.Generator,
) -> float:
    """Wall seconds (best of three) of the scoring rule's bare products for every user, on the
    ranker's threads in its batches: the dense coefficients (random here: only the shape
    counts) times the candidates' dense block, the four sparse products of the users' real
    profiles (TF-IDF and co-readership, like and dislike) with the compiled kernel, nothing
    standardised, and each row's top k. The profiles are built first, off the clock: this is
    what scoring would cost if they cost nothing."""
    with one_blas_thread():
        sides = [
            represent(profiles[s : s + BATCH_USERS], ranker.items, ranker.space, ranker.settings)
            for s in range(0, len(profiles), BATCH_USERS)
        ]
    right = np.ascontiguousarray(basis.dense.T)
    left = [rng.standard_normal((s.als.shape[0], right.shape[0]), np.float32) for s in sides]

    def batch(i: int) -> None:
        users: UserSide = sides[i]
        total = left[i] @ right
        for side in (users.liked, users.disliked):
            total += dense_product(side.text, basis.text)
            total += dense_product(side.readers, basis.readers)
        top_columns(total, k)

    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        with one_blas_thread(), ThreadPoolExecutor(ranker.settings.num_threads) as pool:
            list(pool.map(batch, range(len(sides))))
        best = min(best, time.perf_counter() - start)
    return best


def batch_phases(
    ranker: HybridRanker,
    chunk: list[UserProfile],
    candidates: list[Paper],
    basis: Candidates,
    k: int,
) -> dict[str, float]:
    """Milliseconds of CPU (best of five, one thread) of one batch's phases: `voted`,
    `represent`, `scored`, and the whole of `picks` for the batch; `rest` is what `picks`
    spends besides those three (the day's prior, bans, selection, reasons)."""
    settings = ranker.settings
    single = HybridRanker(
        settings=replace(settings, num_threads=1),
        picks=ranker.pick_settings,
        space=ranker.space,
        items=ranker.items,
    )
    votes = voted(chunk, ranker.items, ranker.space)
    users = represent(chunk, ranker.items, ranker.space, settings, votes)
    work = {
        "voted": lambda: voted(chunk, ranker.items, ranker.space),
        "represent": lambda: represent(chunk, ranker.items, ranker.space, settings, votes),
        "scored": lambda: scored(users, basis, settings),
        "picks": lambda: single.picks(chunk, candidates, k, TODAY),
    }
    result = {}
    with one_blas_thread():
        for name, call in work.items():
            call()
            best = float("inf")
            for _ in range(5):
                start = time.process_time()
                call()
                best = min(best, time.process_time() - start)
            result[name] = round(best * 1000, 1)
    spent = result["voted"] + result["represent"] + result["scored"]
    result["rest"] = round(result["picks"] - spent, 1)
    return result


def run(scale: str, seed: int) -> dict[str, object]:
    shape = SCALES[scale]
    rng = np.random.default_rng(seed)
    start = time.perf_counter()
    papers, topics = make_papers(shape["papers"], rng)
    votes = make_votes(shape["users"], shape["reactions"], topics, rng)
    generated = time.perf_counter() - start
    settings, picks = ModelSettings(), PickSettings()

    peak_reset()
    start, cpu = time.perf_counter(), time.process_time()
    ranker = train_ranker(papers, votes, {}, settings, picks, seed)
    fit_seconds, fit_cpu = time.perf_counter() - start, time.process_time() - cpu
    fit_peak = peak_mb()

    profiles = profiles_for(votes, papers)
    # the generator's Vote objects are garbage from here on, and the service holds no such list:
    # kept, they would be half a million more objects for every full garbage collection to walk
    reactions = len(votes)
    del votes
    candidates = papers[-shape["window"] :]
    start = time.perf_counter()
    ranker.picks(profiles[:WARM_UP_USERS], candidates, picks.k, TODAY)  # compiles the kernels
    warm_up = time.perf_counter() - start
    peak_reset()
    runs = []
    for _ in range(PICKS_RUNS):  # the best run, as for the bare product below
        start, cpu = time.perf_counter(), time.process_time()
        ranker.picks(profiles, candidates, picks.k, TODAY)
        runs.append((time.perf_counter() - start, time.process_time() - cpu))
    picks_seconds, picks_cpu = min(runs)
    picks_peak = peak_mb()
    start = time.perf_counter()
    ranker.score_matrix(profiles[:SCORE_ONLY_USERS], candidates, TODAY)
    scoring = (time.perf_counter() - start) * len(profiles) / min(len(profiles), SCORE_ONLY_USERS)
    floors = raw_matmul_seconds(
        len(profiles), settings.no_components, len(candidates), picks.k, rng
    )
    way = min(floors, key=lambda name: floors[name][0])
    matmul, matmul_cpu = floors[way]
    basis = Candidates.of(ranker.items.rows(candidates, ranker.space))
    width = basis.dense.shape[1]
    rule = rule_products_seconds(ranker, profiles, basis, picks.k, rng)
    phases = batch_phases(ranker, profiles[:BATCH_USERS], candidates, basis, picks.k)
    return {
        "scale": scale,
        **shape,
        "votes": reactions,
        "generate_s": round(generated, 1),
        "fit_s": round(fit_seconds, 1),
        "fit_cpu_s": round(fit_cpu, 1),
        "fit_peak_mb": round(fit_peak),
        "warm_up_s": round(warm_up, 2),
        "picks_s": round(picks_seconds, 2),
        "picks_users_per_s": round(len(profiles) / picks_seconds),
        "picks_peak_mb": round(picks_peak),
        "scoring_only_s": round(scoring, 1),
        "raw_matmul_s": round(matmul, 3),
        "raw_matmul_top_k": way,
        "raw_matmul_ways": ", ".join(f"{n} {wall:.3f} s" for n, (wall, _) in floors.items()),
        "picks_vs_matmul": round(picks_seconds / matmul, 1),
        "dense_width": width,
        "rule_products_s": round(rule, 3),
        "picks_vs_rule_products": round(picks_seconds / rule, 1),
        "rule_products_vs_matmul": round(rule / matmul, 1),
        "batch_cpu_ms": phases,
        "picks_cpu_s": round(picks_cpu, 1),
        "raw_matmul_cpu_s": round(matmul_cpu, 3),
        "picks_vs_matmul_cpu": round(picks_cpu / max(matmul_cpu, 1e-9), 1),
        "fit_vs_budget": round(fit_seconds / FIT_BUDGET_SECONDS, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", choices=[*SCALES, "all"], default="all")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="one JSON object per scale")
    args = parser.parse_args()
    for scale in SCALES if args.scale == "all" else [args.scale]:
        result = run(scale, args.seed)
        if args.json:
            print(json.dumps(result))
            continue
        print(
            f"\n== {scale}: {result['users']} users x {result['papers']} papers x "
            f"{result['votes']} reactions; candidate window {result['window']} papers"
        )
        print(
            f"fit        {result['fit_s']:>8} s wall ({result['fit_cpu_s']} s CPU), "
            f"peak {result['fit_peak_mb']} MB; {result['fit_vs_budget']} x the "
            f"{FIT_BUDGET_SECONDS:.0f} s budget"
        )
        print(
            f"warm-up    {result['warm_up_s']:>8} s: picks for {WARM_UP_USERS} users first, which "
            "compiles the kernels (once a process; not in the figures below)"
        )
        print(
            f"picks      {result['picks_s']:>8} s for every user ({result['picks_users_per_s']} "
            f"users/s, k=5 with reasons; best of {PICKS_RUNS} runs), "
            f"peak {result['picks_peak_mb']} MB"
        )
        print(
            f"scoring    {result['scoring_only_s']:>8} s of that is the batched blend (profiles, "
            "TF-IDF, LightFM and co-readership products); the rest is the batched selection "
            "(shortlist, MMR, coverage, exploration) and reasons"
        )
        print(
            f"raw matmul {result['raw_matmul_s']:>8} s (users x d @ d x window, float32, and "
            f"each row's top k, the faster way of {result['raw_matmul_ways']}): picks take "
            f"{result['picks_vs_matmul']}x the bare product"
        )
        print(
            f"rule       {result['rule_products_s']:>8} s (a second reference, not the floor: the "
            f"scoring rule's own products with the profiles given, users x "
            f"{result['dense_width']} @ {result['dense_width']} x window, float32, plus the sparse "
            "TF-IDF and co-readership products, and the compiled top-k; "
            f"{result['rule_products_vs_matmul']}x the floor): picks take "
            f"{result['picks_vs_rule_products']}x it"
        )
        parts = result["batch_cpu_ms"]
        assert isinstance(parts, dict)
        print(
            f"one batch  {parts['picks']:>8} ms of CPU for {BATCH_USERS} users on one thread: "
            f"votes looked up {parts['voted']} ms, profiles {parts['represent']} ms, blend "
            f"{parts['scored']} ms, selection and reasons {parts['rest']} ms"
        )
        print(
            f"CPU time   picks {result['picks_cpu_s']} s, matmul + top-k "
            f"{result['raw_matmul_cpu_s']} s: {result['picks_vs_matmul_cpu']}x (robust to a "
            "loaded machine, where wall-clock ratios swing)"
        )


if __name__ == "__main__":
    main()
