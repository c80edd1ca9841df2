"""An in-memory command layer and delivery worker with the contracts' semantics (event-id
dedupe, message -> paper mapping, vote 0 withdrawing, pending -> sending -> sent/failed rows),
so the Discord adapter can be tested on its own. The end-to-end tests in
test_discord_e2e.py use the real wiring over SQLite instead."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from engine.chat import (
    HomeView,
    PaperCard,
    PicksMessage,
    Reply,
    Requester,
    SentMessage,
    Undeliverable,
)
from engine.delivery import DeliveryWorker
from recommender.domain import Delivery
from tests.fakes import FakeVotingLayer

CARDS = {
    "2509.00001": PaperCard(
        paper_id="2509.00001",
        title="Retrieval-augmented generation at scale",
        url="https://arxiv.org/abs/2509.00001",
        authors=("A. Author", "B. Writer"),
        organization="Lab",
        summary="We retrieve, then we generate.",
        reason="matches your interest in retrieval",
    ),
    "2509.00002": PaperCard(
        paper_id="2509.00002",
        title="Retrieval for video diffusion",
        url="https://arxiv.org/abs/2509.00002",
        summary="Frames.",
    ),
}


class FakeCommands(FakeVotingLayer):
    def __init__(self) -> None:
        super().__init__(CARDS)
        self.crash = False

    def handle(self, who: Requester, text: str) -> Reply:
        self.texts.append((who.user_key, text))
        if self.crash:
            raise RuntimeError("kaboom")
        verb, _, rest = text.partition(" ")
        if verb == "search":
            cards = tuple(c for c in CARDS.values() if rest.lower() in c.title.lower())
            return Reply(text=f"{len(cards)} result(s) for {rest!r}", cards=cards)
        if text == "forget-me":
            return Reply(text="Delete everything?", confirm="forget-me confirm")
        if text == "forget-me confirm":
            return Reply(text="All your data is deleted.")
        if text == "export":
            return Reply(text="Your data is attached.", data={"user_key": who.user_key})
        return Reply(text=f"ok: {text}")

    def home(self, who: Requester) -> HomeView:
        return HomeView(user_key=who.user_key)


class FakeWorker(DeliveryWorker):
    """A ledger in a dict: rows move pending -> sending -> sent / pending / undeliverable."""

    platform = "discord"

    def __init__(self, commands: FakeCommands) -> None:
        self.commands = commands
        self.rows: dict[int, Delivery] = {}
        self.undeliverable: dict[str, str] = {}

    def add(self, user_key: str, paper_ids: tuple[str, ...]) -> int:
        delivery_id = len(self.rows) + 1
        self.rows[delivery_id] = Delivery(
            delivery_id, user_key, "discord", date(2025, 11, 4), paper_ids, "pending"
        )
        return delivery_id

    def recover(self, notifier: object = None) -> int:
        stuck = [d for d in self.rows.values() if d.status == "sending"]
        for d in stuck:
            self.rows[d.delivery_id] = replace(d, status="pending")
        return len(stuck)

    @property
    def ledger(self) -> FakeWorker:  # type: ignore[override]
        return self

    def pending(self) -> list[Delivery]:
        return [d for d in self.rows.values() if d.status == "pending"]

    def begin(self, only: Delivery | None = None) -> list[tuple[Delivery, PicksMessage]]:
        out = []
        for d in [self.rows[only.delivery_id]] if only else list(self.rows.values()):
            if d.status != "pending":
                continue
            self.rows[d.delivery_id] = replace(d, status="sending")
            cards = tuple(CARDS[p] for p in d.paper_ids)
            out.append((d, PicksMessage(d.user_key, d.local_date, "Your papers", cards)))
        return out

    def complete(self, delivery: Delivery, sent: SentMessage, message: PicksMessage) -> None:
        self.rows[delivery.delivery_id] = replace(
            delivery, status="sent", message_ids=sent.message_ids, channel_id=sent.channel_id
        )
        cards = [card.paper_id for card in message.cards]
        for message_id, paper_id in zip(sent.message_ids, cards, strict=False):
            self.commands.messages[message_id] = paper_id

    def fail(self, delivery: Delivery, error: Exception) -> None:
        if isinstance(error, Undeliverable):
            self.rows[delivery.delivery_id] = replace(delivery, status="undeliverable")
            self.undeliverable[delivery.user_key] = str(error)
        else:
            self.rows[delivery.delivery_id] = replace(
                delivery, status="pending", attempts=delivery.attempts + 1, error=str(error)
            )
