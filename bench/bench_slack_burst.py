"""Benchmark (not a test): Slack acks under a burst of clicks, with a slow chat.update.

    .venv/bin/python bench/bench_slack_burst.py                  # 200 clicks from 50 users
    .venv/bin/python bench/bench_slack_burst.py --clicks 400 --users 100 --slow 0.2 0.4

Why: Slack shows the user an error when an interaction is not acknowledged within 3 seconds,
and a burst (a team opening the daily picks together) must not push acks past it while the
Web API is slow. This runs what `paperbot serve` runs in HTTP mode: the real wiring over a
SQLite file in a temporary folder, the Bolt app behind waitress on 127.0.0.1, signed requests,
and a local fake Slack Web API whose chat.update takes `--slow` seconds (uniform). Each user
gets their daily picks as DMs (untimed), then all clicks are sent at once, each 👍 or 👎 on
one of the user's own cards (distinct cards, so each click is one vote). Timed: each request
from send to its HTTP answer (the ack). Prints p50/p99/max and p99 as a ratio of the 3 s
deadline, then checks that every vote was stored exactly once and every card redrawn; exits 1
when an ack was late or a vote missing or doubled. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.search_kinds import percentile  # noqa: E402
from bots.slack.blocks import VOTE_DOWN, VOTE_UP  # noqa: E402
from paperbot.config import load_config  # noqa: E402
from paperbot.slack_runner import SlackHandle, start_slack  # noqa: E402
from paperbot.wiring import Wiring  # noqa: E402
from tests.bots.slack.corpus import HTTP_CONFIG, TOPICS, corpus_wiring  # noqa: E402
from tests.bots.slack.fake_slack_api import TEAM_ID, FakeSlackApi  # noqa: E402
from tests.bots.slack.slack_sim import SIGNING_SECRET, SlackSim  # noqa: E402

ACK_DEADLINE = 3.0  # seconds, Slack's
NOW = datetime(2025, 11, 24, 9, 5, tzinfo=UTC)


def key(user: str) -> str:
    return f"slack:{TEAM_ID}:{user}"


def start(folder: Path, api: FakeSlackApi, cards: int) -> tuple[Wiring, SlackHandle]:
    config_path = folder / "config.toml"
    config_path.write_text(HTTP_CONFIG.format(k=cards, api=api.base_url), encoding="utf-8")
    config = load_config(config_path)
    wiring = corpus_wiring(config, NOW)
    env = {"SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    return wiring, start_slack(wiring, config, env, worker=False)


def card_messages(api: FakeSlackApi, channel: str) -> list[dict]:
    """The messages with vote buttons posted to `channel`, oldest first."""
    return [m for m in reversed(api.history[channel]) if m["blocks"][-1]["type"] == "actions"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clicks", type=int, default=200)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--slow", type=float, nargs=2, default=(0.2, 0.4), metavar=("MIN", "MAX"))
    args = parser.parse_args()
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "Task queue depth is N"
    per_user = -(-args.clicks // args.users)
    if per_user > len(TOPICS):
        sys.exit(f"at most {len(TOPICS)} clicks per user (one per card): add --users")

    api = FakeSlackApi().start()
    with tempfile.TemporaryDirectory() as folder:
        wiring, handle = start(Path(folder), api, per_user)
        try:
            users = [f"U{i:03d}" for i in range(args.users)]
            for user in users:
                wiring.service.accounts.ensure(key(user), user.lower(), NOW)
            wiring.service.plan_deliveries(NOW, None, "slack")
            handle.drain_once()
            sim = SlackSim(f"http://127.0.0.1:{handle.port}/slack/events", api.response_url())
            jobs = []
            for n in range(args.clicks):
                user = users[n % len(users)]
                message = card_messages(api, f"D{user}")[n // len(users)]
                jobs.append((user, message, VOTE_UP if n % 3 else VOTE_DOWN))
            api.slow["chat.update"] = tuple(args.slow)

            def click(job: tuple[str, dict, str]) -> tuple[int, float]:
                user, message, action = job
                paper_id = message["blocks"][-1]["elements"][0]["value"]
                started = time.perf_counter()
                try:
                    status, _ = sim.click(action, paper_id, message, channel=f"D{user}", user=user)
                except OSError:  # no answer within SlackSim's 10 s: status 0
                    status = 0
                return status, time.perf_counter() - started

            burst_started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=len(jobs)) as clients:
                answers = list(clients.map(click, jobs))
            feedback = wiring.repos.feedback
            deadline = time.monotonic() + 600
            while len(api.calls_to("chat.update")) < len(jobs) and time.monotonic() < deadline:
                time.sleep(0.1)
            all_done = time.perf_counter() - burst_started
            history = Counter(
                (user, h["paper_id"]) for user in users for h in feedback.history_for(key(user))
            )
        finally:
            handle.stop()
            api.stop()

    acks = [seconds for _, seconds in answers]
    statuses = Counter(status for status, _ in answers)
    p50, p99 = percentile(acks, 0.50), percentile(acks, 0.99)
    late = sum(1 for seconds in acks if seconds >= ACK_DEADLINE)
    doubled = sum(1 for n in history.values() if n > 1)
    low, high = args.slow
    print(f"{len(jobs)} clicks from {len(users)} users, chat.update {low}-{high} s")
    print(f"HTTP statuses: {dict(statuses)}")
    print(f"ack latency: p50 {p50:.3f} s, p99 {p99:.3f} s, max {max(acks):.3f} s")
    print(f"p99 / {ACK_DEADLINE:.0f} s deadline = {p99 / ACK_DEADLINE:.3f}; acks late: {late}")
    print(f"votes stored: {sum(history.values())} (expected {len(jobs)}), doubled: {doubled}")
    print(f"all work done (every card redrawn) {all_done:.1f} s after the burst started")
    ok = late == 0 and statuses == Counter({200: len(jobs)})
    sys.exit(0 if ok and sum(history.values()) == len(jobs) and doubled == 0 else 1)


if __name__ == "__main__":
    main()
