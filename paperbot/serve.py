"""`paperbot serve`: the scheduler plus every configured platform, in one process.

Which platforms: Slack when SLACK_BOT_TOKEN is set, Discord when DISCORD_TOKEN is set, the console
(picks printed to stdout) when neither is; `--only` picks one for split deployments. Discord owns
the main thread's event loop when enabled (discord.py wants it); Slack Socket Mode runs on its own
threads; the scheduler is a BackgroundScheduler. The Slack and Discord entry points live in
`paperbot.slack_runner` / `paperbot.discord_runner` and are imported in the functions that start
them (slack-bolt and discord.py load only for the platforms served).

Test-only knobs (environment): PAPERBOT_TEST_NOW freezes the clock (see paperbot.wiring),
PAPERBOT_TEST_SEND_DELAY sleeps that many seconds before each console send so a test can kill
the process mid-run. PAPERBOT_CONSOLE_OUT appends console picks to a file instead of stdout
(useful in production too, e.g. to feed another tool).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bots.console.notifier import ConsoleNotifier
from engine.chat import Notifier
from paperbot.app import Serving, build_app
from paperbot.config import Config
from paperbot.wiring import Clock, Wiring
from recommender.domain import InvalidInputError, PaperbotError

log = logging.getLogger(__name__)

PLATFORMS = ("slack", "discord", "console")
CONSOLE_OUT_ENV = "PAPERBOT_CONSOLE_OUT"
SEND_DELAY_ENV = "PAPERBOT_TEST_SEND_DELAY"


def choose_platforms(only: str | None, env: Mapping[str, str]) -> list[str]:
    """`--only` wins; else every platform whose token is set; else the console."""
    if only is not None:
        if only not in PLATFORMS:
            raise InvalidInputError(f"--only must be one of {', '.join(PLATFORMS)}")
        return [only]
    chosen = [p for p, var in (("slack", "SLACK_BOT_TOKEN"), ("discord", "DISCORD_TOKEN"))
              if env.get(var)]  # fmt: skip
    return chosen or ["console"]


def console_notifier(env: Mapping[str, str]) -> ConsoleNotifier:
    out = env.get(CONSOLE_OUT_ENV)
    try:
        delay = float(env.get(SEND_DELAY_ENV, "0") or 0)
    except ValueError:
        raise InvalidInputError(f"{SEND_DELAY_ENV} must be a number of seconds") from None
    return ConsoleNotifier(path=Path(out) if out else None, delay=delay)


SIGNALS = (signal.SIGTERM, signal.SIGINT)


class SignalStop:
    """SIGTERM / SIGINT set `stop`. Our handlers stay until every job has stopped: a second
    SIGTERM during the shutdown must not kill the process in the middle of a send. Installed
    only on the main thread (Python's rule for signal handlers)."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.received = False
        self.previous: dict[int, Any] = {}

    def handler(self, signum: int, frame: object) -> None:
        if self.received:
            log.info("signal %s: already stopping at the next safe point", signum)
            return
        self.received = True
        log.info("signal %s: shutting down after the current send", signum)
        self.stop.set()

    def install(self) -> None:
        if threading.current_thread() is threading.main_thread():
            for sig in SIGNALS:
                previous = signal.signal(sig, self.handler)
                self.previous.setdefault(sig, previous)

    def restore(self) -> None:
        """The previous handlers back; after a signal, ignore more instead, so one repeated
        while the process exits does not turn a clean stop into a kill."""
        for sig, handler in self.previous.items():
            signal.signal(sig, signal.SIG_IGN if self.received else handler)


def serve(
    config: Config,
    only: str | None = None,
    clock: Clock | None = None,
    stop: threading.Event | None = None,
    env: Mapping[str, str] | None = None,
    batch_jobs: bool = True,
    create_db: bool = True,
) -> None:
    """Run until SIGTERM / SIGINT (or `stop` is set, or the Discord client ends).
    `batch_jobs=False` (`--no-jobs`): no ingest or retrain jobs here (see build_scheduler).
    `create_db=False` (the CLI without `--create-db`): a missing database is an error."""
    env = os.environ if env is None else env
    stop = stop or threading.Event()
    signals = SignalStop(stop)
    signals.install()  # early, so a SIGTERM during start-up also ends cleanly
    try:
        _serve(config, only, clock, signals, env, batch_jobs, create_db)
    finally:
        signals.restore()


def _serve(
    config: Config,
    only: str | None,
    clock: Clock | None,
    signals: SignalStop,
    env: Mapping[str, str],
    batch_jobs: bool,
    create_db: bool,
) -> None:
    stop = signals.stop
    platforms = choose_platforms(only, env)
    notifiers: dict[str, Notifier] = {}
    if "console" in platforms:
        notifiers["console"] = console_notifier(env)
    app = build_app(config, clock, create_db, Serving(platforms, notifiers, stop, batch_jobs))
    wiring, jobs = app.wiring, app.jobs
    assert jobs is not None  # built for Serving
    recovered = jobs.recover()
    if recovered:
        log.warning("start-up: %d interrupted deliveries will be resent", recovered)
    scheduler = jobs.scheduler
    from recommender.kernels import warm_up  # numba loads here, not at `paperbot --help`

    threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    handles: list[Any] = []
    try:
        # Platforms first: each registers its team digest (Slack asks for its workspace id), and
        # the scheduler's first tick must already know the digests or it would plan them late.
        handles = _start_platforms(wiring, config, platforms)
        if "discord" in platforms:
            from paperbot.discord_runner import register_digest

            register_digest(wiring, config)
        scheduler.start()
        log.info("serving %s", ", ".join(platforms))
        if "discord" in platforms:
            from paperbot.discord_runner import run_discord

            run_discord(wiring, config)  # blocks: discord.py owns this thread's event loop
            signals.install()  # discord.py removed its handlers: ours again until the end
        else:
            stop.wait()
    finally:
        stop.set()
        if scheduler.running:
            # Waits for the running jobs, which end at their next safe point: a drain after the
            # send under way, a retrain at once (its fit is abandoned, never half-saved).
            scheduler.shutdown(wait=True)
        wiring.quiesce()
        for handle in handles:
            closer = getattr(handle, "close", None) or getattr(handle, "stop", None)
            if callable(closer):
                closer()
    if jobs.failure:
        raise PaperbotError(jobs.failure)


def _start_platforms(wiring: Wiring, config: Config, platforms: list[str]) -> list[Any]:
    """Start the non-blocking platforms (Slack); returns their handles for shutdown."""
    handles: list[Any] = []
    if "slack" in platforms:
        from paperbot.slack_runner import start_slack

        handles.append(start_slack(wiring, config))
    return handles
