"""The console adapter's own behaviour: card numbers in `similar` / `why`, and the global error
hook that keeps a session alive when a command fails unexpectedly."""

from __future__ import annotations

from bots.commands import Requester
from bots.console.chat import ChatSession
from bots.messages import PaperCard, Reply


class RecordingLayer:
    """Stands in for CommandLayer: records what it was asked, fails on `boom`."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def handle(self, who: Requester, text: str) -> Reply:
        self.asked.append(text)
        if text.endswith("boom"):
            raise RuntimeError("a bug")
        cards = (PaperCard("2401.00001", "First"), PaperCard("t:abcdef0123456789", "Second"))
        return Reply(text="ok", cards=cards)


def session(layer: RecordingLayer, out: list[str]) -> ChatSession:
    return ChatSession(layer, Requester("console:t", "t"), out.append, False)  # type: ignore[arg-type]


def test_card_numbers_become_paper_ids_for_similar_and_why() -> None:
    layer, out = RecordingLayer(), []
    chat = session(layer, out)
    chat.run(["/papers picks", "/papers similar 2", "/papers why 1", "/papers why 7"])
    assert layer.asked[1:] == [
        "/papers similar t:abcdef0123456789",
        "/papers why 2401.00001",
        "/papers why 7",  # no card 7: passed on as typed, the command layer explains
    ]


def test_an_unexpected_error_is_one_line_and_the_session_goes_on() -> None:
    layer, out = RecordingLayer(), []
    errors = session(layer, out).run(["/papers boom", "/papers picks"])
    assert errors == 1
    assert any("Something went wrong" in line for line in out)
    assert layer.asked == ["/papers boom", "/papers picks"]
