"""A small in-memory CommandLayer with the contract's semantics (event-id dedupe, message ->
paper mapping, votes 0 withdrawing), so the Slack adapter is tested on its own; the end-to-end
tests use the real command layer over SQLite instead.
"""

from __future__ import annotations

import threading

from bots.commands import CommandLayer, Requester
from bots.messages import HomeView, PaperCard, Reply, VoteOutcome

PAPERS = {
    "2509.00001": PaperCard(
        paper_id="2509.00001",
        title="Retrieval-augmented generation at scale",
        url="https://arxiv.org/abs/2509.00001",
        authors=("A. Author", "B. Writer"),
        organization="Lab",
        summary="We retrieve.\nThen we generate.\nThen we rest.",
        reason="matches your interest in retrieval",
    ),
    "2509.00002": PaperCard(
        paper_id="2509.00002",
        title="Diffusion for video",
        url="https://arxiv.org/abs/2509.00002",
        summary="Frames.",
    ),
}


class FakeCommands(CommandLayer):
    def __init__(self) -> None:
        self.votes: dict[tuple[str, str], int] = {}
        self.events: set[str] = set()
        self.messages: dict[str, str] = {}  # message id -> paper id
        self.texts: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def handle(self, who: Requester, text: str) -> Reply:
        self.texts.append((who.user_key, text))
        words = text.split()
        if words[:1] == ["search"]:
            query = " ".join(words[1:]).lower()
            cards = tuple(c for c in PAPERS.values() if query in c.title.lower())
            return Reply(text=f"{len(cards)} result(s) for {query!r}", cards=cards)
        if words[:1] == ["boom"]:
            raise RuntimeError("kaboom")
        return Reply(text=f"unknown command {text!r}", is_error=True)

    def vote(
        self, who: Requester, paper_id: str, vote: int, source: str, event_id: str | None = None
    ) -> VoteOutcome:
        with self.lock:
            if event_id is not None and event_id in self.events:
                return VoteOutcome(who.user_key, paper_id, vote, recorded=False)
            if event_id is not None:
                self.events.add(event_id)
            if vote == 0:
                self.votes.pop((who.user_key, paper_id), None)
            else:
                self.votes[(who.user_key, paper_id)] = vote
        return VoteOutcome(who.user_key, paper_id, vote, recorded=True)

    def vote_on_message(
        self,
        platform: str,
        message_id: str,
        who: Requester,
        vote: int,
        event_id: str | None = None,
        removed: int | None = None,
    ) -> VoteOutcome | None:
        paper_id = self.messages.get(message_id)
        if paper_id is None:
            return None
        current = self.votes.get((who.user_key, paper_id), 0)
        if vote == 0 and removed is not None and current != removed:
            return VoteOutcome(who.user_key, paper_id, current, recorded=False)
        return self.vote(who, paper_id, vote, "reaction", event_id)

    def digest_card(self, platform: str, message_id: str) -> PaperCard | None:
        return None  # no team digest here

    def home(self, who: Requester) -> HomeView:
        recent = tuple(
            PaperCard(paper_id=c.paper_id, title=c.title, vote=self.votes.get((who.user_key, p)))
            for p, c in PAPERS.items()
        )
        return HomeView(who.user_key, settings={"time": "09:00"}, interests=("rag",), recent=recent)
