"""The composition root: the one function that builds a process (DESIGN.md "one place wires").

`build_app(config)` opens the database pool, the model store, the live ranker and the service
(paperbot/wiring.py), and the command layer every chat adapter uses. For `paperbot serve` it
is given `Serving` and also builds the jobs and their scheduler (paperbot/scheduler.py), and the
command layer's admin actions queue on that scheduler instead of running inside a command
handler. Nothing is patched afterwards: what a process uses is decided here, once.

Nothing runs at import time; heavy libraries load when `build_app` is called.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from bots.commands import AdminActions, CommandLayer
from engine.chat import Notifier
from paperbot.config import Config
from paperbot.scheduler import EngineJobs, build_scheduler
from paperbot.wiring import Clock, ThreadRepos, Wiring, clock_from_env
from storage.db import ConnectionPool
from storage.modelstore import ModelStore


@dataclass(frozen=True)
class Serving:
    """What `serve` adds: the platforms planned for, the notifiers drained by the tick (the
    console), the shutdown event, and whether this process runs the ingest/retrain jobs."""

    platforms: Sequence[str]
    notifiers: Mapping[str, Notifier] = field(default_factory=dict)
    stop: threading.Event = field(default_factory=threading.Event)
    batch_jobs: bool = True


@dataclass(frozen=True)
class App:
    """A built process: the wiring, and for `serve` its jobs (whose scheduler is not started)."""

    wiring: Wiring
    jobs: EngineJobs | None = None


def build_app(
    config: Config, clock: Clock | None = None, create: bool = True, serving: Serving | None = None
) -> App:
    """Everything a process needs for `config`. `create=False`: NoDatabaseError when the
    database file does not exist. Without `serving` (every command but `serve`) admin actions
    run inline."""
    clock = clock or clock_from_env()
    pool = ConnectionPool(config.db_path, create)
    wiring = Wiring(
        config=config,
        clock=clock,
        pool=pool,
        repos=ThreadRepos(pool, config.user_defaults),
        models=ModelStore(config.model_dir, clock),
    )
    jobs = None
    actions = AdminActions(ingest=wiring.ingest, retrain=wiring.train)
    if serving is not None:
        jobs = EngineJobs(wiring, serving.platforms, serving.notifiers, serving.stop)
        build_scheduler(jobs, config, serving.batch_jobs)
        actions = AdminActions(ingest=jobs.run_soon("ingest"), retrain=jobs.run_soon("retrain"))
    wiring.commands = CommandLayer(wiring.service, clock, config.admins, actions)
    return App(wiring, jobs)
