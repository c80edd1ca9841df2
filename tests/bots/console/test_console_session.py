"""The console adapter's own behaviour: card numbers in `similar` / `why`, and the global error
hook that keeps a session alive when a command fails unexpectedly."""

from __future__ import annotations

from bots.console.chat import ChatSession
from engine.chat import PaperCard, Reply, Requester, VoteOutcome


class RecordingLayer:
    """Stands in for CommandLayer: records what it was asked, fails on `boom`."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def handle(self, who: Requester, text: str) -> Reply:
        self.asked.append(text)
        if text.endswith("boom"):
            raise RuntimeError("a bug")
        if " why " in f" {text} ":
            return Reply(text="because", cards=(PaperCard(text.split()[-1], "Asked about"),))
        cards = (PaperCard("2401.00001", "First"), PaperCard("t:abcdef0123456789", "Second"))
        return Reply(text="ok", cards=cards)

    def vote(self, who: Requester, paper_id: str, vote: int, source: str) -> VoteOutcome:
        self.asked.append(f"vote {vote} {paper_id}")
        return VoteOutcome(who.user_key, paper_id, vote, recorded=True, text="noted")


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


def test_card_numbers_outlive_why() -> None:
    """Issue 10: after `why 1` the numbers of the list before it still hold ("There is no card
    2" was the answer), and the `why` card is shown without a number of its own."""
    layer, out = RecordingLayer(), []
    chat = session(layer, out)
    errors = chat.run(["/papers picks", "why 1", "+1 2", "why 2"])
    assert errors == 0
    assert layer.asked[1:] == [
        "why 2401.00001",
        "vote 1 t:abcdef0123456789",
        "why t:abcdef0123456789",
    ]
    assert not any(line.startswith("1. Asked about") for line in "\n".join(out).splitlines())


def test_help_in_the_terminal_lists_clearing_a_vote() -> None:
    layer, out = RecordingLayer(), []
    session(layer, out).run(["help"])
    assert "`0 <n>` clears your vote" in out[-1]
