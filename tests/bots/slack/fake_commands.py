"""A small in-memory CommandLayer with the contract's semantics (event-id dedupe, message ->
paper mapping, votes 0 withdrawing), so the Slack adapter is tested on its own; the end-to-end
tests use the real command layer over SQLite instead.
"""

from __future__ import annotations

from engine.chat import HomeView, PaperCard, Reply, Requester
from tests.fakes import FakeVotingLayer

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


class FakeCommands(FakeVotingLayer):
    def __init__(self) -> None:
        super().__init__(PAPERS)

    def handle(self, who: Requester, text: str) -> Reply:
        self.texts.append((who.user_key, text))
        words = text.split()
        if words[:1] == ["search"]:
            query = " ".join(words[1:]).lower()
            cards = tuple(c for c in PAPERS.values() if query in c.title.lower())
            return Reply(text=f"{len(cards)} result(s) for {query!r}", cards=cards)
        if words[:1] == ["tz"]:  # what the first-contact offer would be prefilled with
            return Reply(text=f"tz={who.timezone() if who.timezone else None}")
        if words[:1] == ["boom"]:
            raise RuntimeError("kaboom")
        return Reply(text=f"unknown command {text!r}", is_error=True)

    def home(self, who: Requester) -> HomeView:
        recent = tuple(
            PaperCard(paper_id=c.paper_id, title=c.title, vote=self.votes.get((who.user_key, p)))
            for p, c in PAPERS.items()
        )
        return HomeView(who.user_key, settings={"time": "09:00"}, interests=("rag",), recent=recent)
