"""Shared by every test folder: the saved feed files (FIXTURES), and a small world of in-memory
repositories, the obvious FakeRanker and a fake clock under the real service, command layer and
delivery worker. The engine and bots tests use it as it is; the Slack and Discord adapter tests
use `chat_world()`, the same world over two papers, so the adapters run over the real command
layer and delivery worker rather than a stand-in of their own."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from bots.commands import AdminActions
from engine.cards import paper_card
from engine.chat import PaperCard, Requester
from engine.delivery import DeliveryWorker
from engine.service import PaperService
from engine.settings import ServiceSettings
from recommender.domain import DAILY, Delivery, Paper, User
from tests.fakes import FakeClock, FakeRanker, FakeRepos, RecordingCommands, paper

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
    commands: RecordingCommands
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

    def card(self, paper_id: str) -> PaperCard:
        """The card of a stored paper, as a message posted earlier showed it."""
        found = self.repos.papers.get(paper_id)
        assert found is not None, paper_id
        return paper_card(found)

    def posted(self, key: str, *pairs: tuple[str, str], day: date | None = None) -> Delivery:
        """`key`'s picks for `day` (default today), sent as messages: (message_id, paper_id)
        pairs, so reactions and clicks on those messages map to their papers and owner."""
        now = self.clock()
        row = self.repos.ledger.claim(key, day or now.date(), [p for _, p in pairs], now)
        assert row is not None, "already delivered that day"
        self.repos.ledger.mark_sent(row.delivery_id, f"dm-{key}", [m for m, _ in pairs], now, pairs)
        return row

    def votes(self, key: str) -> dict[str, int]:
        return self.repos.feedback.votes_for(key)


def make_world(papers: list[Paper] | None = None, **settings: object) -> World:
    defaults = User("template", timezone="Europe/Berlin", send_time=time(9, 0), weekdays=DAILY)
    repos = FakeRepos.with_papers(corpus() if papers is None else papers, defaults)
    ranker = FakeRanker()
    clock = FakeClock(START)
    service = PaperService(repos, lambda: ranker, ServiceSettings(**settings))  # type: ignore[arg-type]
    actions = AdminActions(ingest=lambda: "ingest started", retrain=lambda: "retrain started")
    commands = RecordingCommands(service, clock, frozenset({"console:admin"}), actions)
    worker = DeliveryWorker("console", repos, service, clock)
    return World(repos, ranker, clock, service, commands, worker)


CHAT_DAY = date(2025, 6, 6)
CHAT_PAPERS = [
    paper(
        "2509.00001", "Retrieval-augmented generation at scale", CHAT_DAY,
        authors=("A. Author", "B. Writer"), organization="Lab",
        abstract="We retrieve, then we generate.",
    ),
    paper("2509.00002", "Retrieval for video diffusion", CHAT_DAY, abstract="Frames."),
]  # fmt: skip


def chat_world() -> World:
    """The world the Slack and Discord adapter tests run over: two papers on retrieval."""
    return make_world(CHAT_PAPERS)


@pytest.fixture
def world() -> World:
    return make_world()
