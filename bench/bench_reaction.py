"""Benchmark (not a test): a reaction reaching the user's next picks, with 100k+ votes stored.

    .venv/bin/python bench/bench_reaction.py                      # 5,000 papers, 2,000 users
    .venv/bin/python bench/bench_reaction.py --votes-per-user 25  # quicker set-up
    .venv/bin/python bench/bench_reaction.py --train              # the LightFM hybrid

Why: after a 👍/👎 the user's next `picks` must already reflect it, and the bound is 50 ms p99.
The cost that grows with the whole database is what the service reads to build one profile, so
this sets up a real SQLite file (WAL, migrations, the storage repositories, as `paperbot serve`
opens it) with N synthetic papers (topic-structured text over the bundled corpus's vocabulary,
published over the last 60 days, so about a week's worth are candidates), U users in Slack
workspaces and on Discord (teams, so teammates' likes are counted) and about 50 votes each,
skewed towards popular and recent papers. Then, for R random users: take their current picks
(untimed), react to one of them (👍 or 👎), and time `service.vote(...)` up to the return of
that user's `service.picks_now(...)`. Prints p50/p99/max and p99 against the 50 ms bound, for
the wall clock and for the thread's CPU time (the wall clock on a busy machine includes waiting
for a core).

The ranker is the one a fresh install serves (content + trend, `content_ranker`), built once
before timing; `--train` fits the LightFM hybrid on every vote first (slower set-up).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter, thread_time

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_ingest import vocabulary  # noqa: E402
from bench.search_kinds import percentile  # noqa: E402
from paperbot.app import build_app  # noqa: E402
from paperbot.config import parse_config  # noqa: E402
from paperbot.wiring import Wiring  # noqa: E402
from recommender.domain import Paper  # noqa: E402
from storage.db import transaction  # noqa: E402

NOW = datetime(2025, 6, 9, 9, 5, tzinfo=UTC)
BOUND_MS = 50.0
TOPICS = 20
TOPIC_WORDS = 40
WORKSPACES = 8  # Slack teams; the rest of the users are on Discord (one team)


def synthetic_papers(n: int, rng: random.Random) -> list[Paper]:
    """N papers, each about one of TOPICS topics: most words from its topic's vocabulary, the
    rest common words, so content similarity means something to the ranker."""
    words = vocabulary()
    common, rare = words[:150], words[150:]
    topics = [rare[t * TOPIC_WORDS : (t + 1) * TOPIC_WORDS] for t in range(TOPICS)]
    papers = []
    for i in range(n):
        topic = topics[i % TOPICS]
        title = rng.choices(topic, k=6) + rng.choices(common, k=2)
        abstract = rng.choices(topic, k=50) + rng.choices(common, k=40)
        papers.append(
            Paper(
                paper_id=f"2506.{i:05d}",
                title=" ".join(title).capitalize() + f" {i}",
                abstract=" ".join(abstract),
                keywords=tuple(rng.sample(topic, 3)),
                published=(NOW - timedelta(days=rng.randrange(60))).date(),
                upvotes=int(rng.paretovariate(1.5)) - 1,
                arxiv_id=f"2506.{i:05d}",
            )
        )
    return papers


def user_keys(users: int) -> list[str]:
    """Three quarters in Slack workspaces, the rest on Discord."""
    slack = users * 3 // 4
    keys = [f"slack:T{i % WORKSPACES}:U{i:05d}" for i in range(slack)]
    return keys + [f"discord:{100000 + i}" for i in range(users - slack)]


def populate(wiring: Wiring, args: argparse.Namespace, rng: random.Random) -> list[str]:
    """Papers, users (a third with interests) and their votes, through the storage layer."""
    repos = wiring.repos.current()
    papers = synthetic_papers(args.papers, rng)
    by_day: dict[date, list[Paper]] = defaultdict(list)
    for paper in papers:
        by_day[paper.published or NOW.date()].append(paper)
    for day, batch in sorted(by_day.items()):  # as a daily ingest would: ingested when published
        repos.papers.upsert(batch, datetime.combine(day, time(6), UTC))
    ids = [p.paper_id for p in papers]
    # Popular and recent papers get more votes: a Zipf-like weight over a shuffled order,
    # doubled for papers in the candidate window.
    order = rng.sample(ids, len(ids))
    recent = {p.paper_id for p in papers if p.day and p.day >= (NOW - timedelta(days=7)).date()}
    weights = [(2.0 if pid in recent else 1.0) / (rank + 10) for rank, pid in enumerate(order)]
    keys = user_keys(args.users)
    words = vocabulary()[150 : 150 + TOPICS * TOPIC_WORDS]
    with transaction(repos.db):
        for i, key in enumerate(keys):
            user, _ = repos.users.ensure(key, key, NOW)
            if i % 3 == 0:
                repos.users.save(replace(user, interests=_topics(rng, words)))
            chosen = set(rng.choices(order, weights, k=args.votes_per_user))
            for paper_id in chosen:
                repos.feedback.record(key, paper_id, rng.choice((1, 1, 1, -1)), "bench", NOW)
    return keys


def _topics(rng: random.Random, words: list[str]) -> tuple[str, ...]:
    return tuple(" ".join(rng.sample(words, 2)) for _ in range(2))


def react(
    wiring: Wiring, keys: list[str], reactions: int, rng: random.Random
) -> tuple[list[float], list[float]]:
    """Seconds from `vote` to the return of that user's next `picks_now`, per reaction: wall
    clock, and this thread's CPU time (what the reaction costs on a machine shared with other
    work, where the wall clock also counts waiting for a core)."""
    service = wiring.service
    latencies, cpu = [], []
    stale = 0
    for key in rng.choices(keys, k=reactions):
        before = service.picks_now(key, NOW).picks
        if not before:
            continue
        paper_id = rng.choice(before).paper.paper_id
        start, start_cpu = perf_counter(), thread_time()
        service.vote(key, paper_id, rng.choice((1, -1)), "reaction", NOW)
        after = service.picks_now(key, NOW).picks
        latencies.append(perf_counter() - start)
        cpu.append(thread_time() - start_cpu)
        stale += paper_id in {p.paper.paper_id for p in after}
    if stale:
        print(f"warning: {stale} reactions still showed the rated paper in the next picks")
    return latencies, cpu


def report(kind: str, ms: list[float]) -> None:
    p99 = percentile(ms, 0.99)
    print(
        f"reaction -> that user's next picks, {kind}, {len(ms)} reactions: "
        f"p50 {statistics.median(ms):.1f} ms, p99 {p99:.1f} ms, max {max(ms):.1f} ms; "
        f"p99 / {BOUND_MS:.0f} ms = {p99 / BOUND_MS:.2f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=5_000)
    parser.add_argument("--users", type=int, default=2_000)
    parser.add_argument("--votes-per-user", type=int, default=55, help="drawn, before dedupe")
    parser.add_argument("--reactions", type=int, default=300)
    parser.add_argument("--train", action="store_true", help="fit the LightFM hybrid first")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        raw = {"database": {"path": "bench.db"}}
        wiring = build_app(parse_config(raw, Path(tmp) / "config.toml"), clock=lambda: NOW).wiring
        start = perf_counter()
        keys = populate(wiring, args, rng)
        votes = wiring.repos.feedback.count()
        print(f"setup: {args.papers} papers, {len(keys)} users, {votes} votes "
              f"in {perf_counter() - start:.1f} s (SQLite file, WAL)")  # fmt: skip
        if args.train:
            print(wiring.train())
        start = perf_counter()
        ranker = wiring.ranker()
        window = len(wiring.service.candidates(NOW.date(), strict=False)[0])
        print(f"ranker {ranker.version} ready in {perf_counter() - start:.1f} s; "
              f"{window} candidates in the window")  # fmt: skip
        wall, cpu = react(wiring, keys, args.reactions, rng)
        report("wall", [x * 1000 for x in wall])
        report("cpu", [x * 1000 for x in cpu])


if __name__ == "__main__":
    main()
