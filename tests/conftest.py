"""Shared by every test folder: the saved feed files (FIXTURES), and a small world of in-memory
repositories, the obvious FakeRanker and a fake clock under the real service, command layer and
delivery worker (the engine, bots and chat-adapter tests use it)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from bots.commands import AdminActions, CommandLayer
from engine.chat import Requester
from engine.delivery import DeliveryWorker
from engine.service import PaperService
from engine.settings import ServiceSettings
from recommender.domain import DAILY, Paper, User
from tests.fakes import FakeClock, FakeRanker, FakeRepos, paper

FIXTURES = Path(__file__).resolve().parent / "fixtures"
START = datetime(2025, 6, 9, 6, 0, tzinfo=UTC)  # Monday
TITLES = [
    ("2506.00001", "Retrieval augmented generation with long context"),
    ("2506.00002", "Dense retrieval for question answering"),
    ("2506.00003", "Reinforcement learning from human feedback at scale"),
    ("2506.00004", "Reward models for human feedback"),
    ("2506.00005", "Diffusion models for video generation"),
    ("2506.00006", "Video diffusion with temporal attention"),
    ("2506.00007", "Graph neural networks for molecules"),
    ("2506.00008", "Message passing graph networks"),
    ("2506.00009", "Sparse attention kernels"),
    ("2506.00010", "Tokenizer free language models"),
    ("2506.00011", "Retrieval heads in transformers"),
    ("2506.00012", "Preference optimisation without reward models"),
]


def corpus(day: date = date(2025, 6, 6)) -> list[Paper]:
    return [paper(pid, title, day, upvotes=i) for i, (pid, title) in enumerate(TITLES)]


@dataclass
class World:
    repos: FakeRepos
    ranker: FakeRanker
    clock: FakeClock
    service: PaperService
    commands: CommandLayer
    worker: DeliveryWorker

    def user(self, key: str, **fields: object) -> User:
        """A user in the given state; subscribed unless `fields` say otherwise."""
        fields.setdefault("subscribed", True)
        user, _ = self.repos.users.ensure(key, key, self.clock())
        changed = replace(user, **fields)  # type: ignore[arg-type]
        self.repos.users.save(changed)
        return changed

    def say(self, key: str, text: str) -> str:
        return self.commands.handle(Requester(key), text).text


def make_world(papers: list[Paper] | None = None, **settings: object) -> World:
    defaults = User("template", timezone="Europe/Berlin", send_time=time(9, 0), weekdays=DAILY)
    repos = FakeRepos.with_papers(corpus() if papers is None else papers, defaults)
    ranker = FakeRanker()
    clock = FakeClock(START)
    service = PaperService(repos, lambda: ranker, ServiceSettings(**settings))  # type: ignore[arg-type]
    actions = AdminActions(ingest=lambda: "ingest started", retrain=lambda: "retrain started")
    commands = CommandLayer(service, clock, frozenset({"console:admin"}), actions)
    worker = DeliveryWorker("console", repos, service, clock)
    return World(repos, ranker, clock, service, commands, worker)


@pytest.fixture
def world() -> World:
    return make_world()
