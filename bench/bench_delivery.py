"""Benchmark (not a test): one delivery run for N users, and reaction-to-new-picks latency.

    .venv/bin/python bench/bench_delivery.py              # 10,000 users
    .venv/bin/python bench/bench_delivery.py --users 2000 # quicker

Sets up a temporary SQLite database with the bundled 409-paper corpus, N console users (all due
at the same instant, a third with interests, a tenth with a few votes), then times:
  1. planning: choosing every due user's picks (batched ranker calls) and claiming ledger rows;
  2. draining: building each message (papers, reasons) and sending it to a no-op notifier;
  3. a reaction to the user's updated picks: `vote` (recorded) then `picks`, p50/max; see also
     bench_reaction.py, which does this over 100k stored votes.
The ranker is the one a fresh install uses (content + trend, `content_ranker`); pass --train to
fit the LightFM hybrid first.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bots.commands import Requester  # noqa: E402
from engine.chat import (
    PicksMessage,  # noqa: E402
    SentMessage,  # noqa: E402
)
from paperbot.app import build_app  # noqa: E402
from paperbot.config import parse_config  # noqa: E402
from paperbot.wiring import Wiring  # noqa: E402
from recommender.kernels import warm_up  # noqa: E402
from storage.db import transaction  # noqa: E402

NOW = datetime(2025, 6, 9, 9, 5, tzinfo=UTC)
INTERESTS = [
    "retrieval-augmented generation", "reinforcement learning from human feedback",
    "video diffusion", "graph neural networks", "code generation", "speech recognition",
    "multimodal agents", "efficient attention", "robotics", "evaluation benchmarks",
]  # fmt: skip


class NoopNotifier:
    platform = "console"

    def send_picks(self, message: PicksMessage) -> SentMessage:
        ids = tuple(f"{message.user_key}/{i}" for i in range(len(message.cards)))
        return SentMessage(channel_id=None, message_ids=ids)


def populate(wiring: Wiring, users: int, rng: random.Random) -> list[str]:
    """Subscribed users due at 09:00 UTC every day; some with interests, some with votes."""
    repos = wiring.repos.current()
    paper_ids = [p.paper_id for p in repos.papers.all()]
    keys = [f"console:bench{i:05d}" for i in range(users)]
    with transaction(repos.db):
        for i, key in enumerate(keys):
            user, _ = repos.users.ensure(key, key, NOW)
            interests = tuple(rng.sample(INTERESTS, 2)) if i % 3 == 0 else ()
            # created unsubscribed on first contact: these users asked for daily picks
            repos.users.save(replace(user, interests=interests, subscribed=True), NOW)
            if i % 10 == 0:
                for paper_id in rng.sample(paper_ids, 3):
                    repos.feedback.record(key, paper_id, rng.choice((1, 1, -1)), "bench", NOW)
    return keys


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--reactions", type=int, default=20)
    parser.add_argument("--train", action="store_true", help="fit the LightFM hybrid first")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        raw = {"database": {"path": "bench.db"}, "schedule": {"weekdays": "daily"}}
        wiring = build_app(parse_config(raw, Path(tmp) / "config.toml"), clock=lambda: NOW).wiring
        wiring.load_sample()
        start = time.perf_counter()
        keys = populate(wiring, args.users, rng)
        print(f"setup: {len(keys)} users in {time.perf_counter() - start:.1f} s")
        if args.train:
            print(wiring.train())
        start = time.perf_counter()
        ranker = wiring.ranker()
        print(f"ranker ({ranker.version}) ready in {time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        warm_up()  # as `paperbot serve` does at start-up, on a thread of its own
        print(f"kernels compiled in {time.perf_counter() - start:.2f} s (once a process)")

        start = time.perf_counter()
        plan = wiring.service.plan_deliveries(NOW)
        planned = time.perf_counter() - start
        if not plan.claimed:  # a bench that times nothing must say so, not print 0 users/s
            sys.exit("bench_delivery: no user was due, so nothing was measured")
        print(f"plan: {len(plan.claimed)} deliveries claimed in {planned:.1f} s "
              f"= {len(plan.claimed) / planned:,.0f} users/s")  # fmt: skip

        worker = wiring.delivery_worker("console")
        start = time.perf_counter()
        report = worker.drain(NoopNotifier())
        drained = time.perf_counter() - start
        print(f"drain: {report.sent} sent with a no-op notifier in {drained:.1f} s "
              f"= {report.sent / drained:,.0f} users/s")  # fmt: skip
        total = planned + drained
        print(f"delivery run: {report.sent / total:,.0f} users/s end to end ({total:.1f} s)")

        latencies = []
        commands = wiring.commands
        for key in rng.sample(keys, args.reactions):
            who = Requester(key)
            before = commands.handle(who, "picks").cards
            start = time.perf_counter()
            commands.vote(who, before[0].paper_id, -1, "reaction")
            after = commands.handle(who, "picks").cards
            latencies.append(time.perf_counter() - start)
            if before[0].paper_id in {c.paper_id for c in after}:
                print(f"warning: {key}'s picks still show the paper they just voted down")
        ms = sorted(x * 1000 for x in latencies)
        print(f"reaction -> updated picks: p50 {statistics.median(ms):.0f} ms, "
              f"max {ms[-1]:.0f} ms over {len(ms)} reactions")  # fmt: skip


if __name__ == "__main__":
    main()
