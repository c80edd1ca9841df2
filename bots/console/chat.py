"""The chat loop behind `paperbot chat`: the same command layer Slack and Discord use.

Lines are `/papers <subcommand>` (the `/papers` is optional), `+1 <paper>` / `-1 <paper>` / `0
<paper>` reactions where <paper> is a paper id or the number of a card in the last list of cards
(search, picks, similar; `why` shows one card and leaves the numbers as they were), `#` comments
and `quit`. When stdin is not a terminal every line is echoed with a `> ` prompt, so a
scripted session's output reads like a transcript.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from bots.commands import CommandLayer
from bots.console.render import render_card, render_reply
from engine.chat import PaperCard, Requester

REACTIONS = {"+1": 1, "👍": 1, "-1": -1, "👎": -1, "0": 0}
QUIT = {"quit", "exit", "/quit", "/exit"}
BANNER = (
    "paperbot chat as {user}. Type `/papers help`; react with +1 <n> / -1 <n>; `quit` to leave."
)
CONSOLE_HELP = (
    "In this terminal: `+1 <n>` / `-1 <n>` vote on card n of the last list (or give a paper id), "
    "`0 <n>` clears your vote, `quit` leaves."
)
SINGLE_CARD = ("why",)  # answers about one paper: they show a card but are not a new list

log = logging.getLogger(__name__)


class ChatSession:
    def __init__(
        self,
        commands: CommandLayer,
        who: Requester,
        write: Callable[[str], None],
        echo: bool = False,
    ) -> None:
        self.commands = commands
        self.who = who
        self.write = write
        self.echo = echo
        self.last_cards: tuple[PaperCard, ...] = ()
        self.errors = 0

    def banner(self) -> None:
        self.write(BANNER.format(user=self.who.user_key))

    def run(self, lines: Iterable[str]) -> int:
        """Handle every line until `quit` or the end of input; returns how many were errors."""
        for raw in lines:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if self.echo:
                self.write(f"> {line}")
            if line.lower() in QUIT:
                break
            self.write(self.safe_answer(line))
        return self.errors

    def safe_answer(self, line: str) -> str:
        """The console's global error hook: a bug in one command is logged with its traceback
        and answered with a short message, and the session goes on (as on Slack and Discord)."""
        try:
            return self.answer(line)
        except Exception:
            log.exception("command failed: %r", line)
            self.errors += 1
            return "✗ Something went wrong on our side (it is logged). Try again or `/papers help`."

    def answer(self, line: str) -> str:
        head, _, rest = line.partition(" ")
        if head in REACTIONS:
            return self._react(REACTIONS[head], rest.strip())
        line, missing = self._numbers_to_ids(line)
        if missing:
            self.errors += 1
            return missing
        reply = self.commands.handle(self.who, line)
        command = _command(line)
        is_list = command not in SINGLE_CARD
        if reply.cards and is_list:
            self.last_cards = reply.cards
        self.errors += reply.is_error
        text = render_reply(reply, numbered=is_list)
        return f"{text}\n\n{CONSOLE_HELP}" if command == "help" else text

    def _numbers_to_ids(self, line: str) -> tuple[str, str]:
        """`/papers similar 2` / `why 2`: a small number means card 2 of the last list. The
        line with the paper's id in its place, and an error to answer instead ("" for none)."""
        words = line.split()
        offset = 1 if words and words[0] == "/papers" else 0
        if len(words) == offset + 2 and words[offset] in ("similar", "why"):
            paper_id, missing = self._card(words[offset + 1])
            words[offset + 1] = paper_id
            return " ".join(words), missing
        return line, ""

    def _card(self, ref: str) -> tuple[str, str]:
        """The paper `ref` names: a number under 1000 is a card of the last list (no paper id
        is one), anything else an id as typed; and an error when there is no such card."""
        if not (ref.isdigit() and len(ref) < 4):
            return ref, ""
        number = int(ref)
        if not 1 <= number <= len(self.last_cards):
            return ref, f"✗ There is no card {number} in the last list."
        return self.last_cards[number - 1].paper_id, ""

    def _react(self, vote: int, ref: str) -> str:
        if not ref:
            self.errors += 1
            return "✗ React to which paper? e.g. `+1 2` (the card number) or `+1 2509.04664`."
        paper_id, missing = self._card(ref)
        if missing:
            self.errors += 1
            return missing
        outcome = self.commands.vote(self.who, paper_id, vote, "reaction")
        if not outcome.recorded:
            self.errors += 1
            return f"✗ {outcome.text or 'Nothing changed.'}"
        shown = render_card(outcome.card) if outcome.card else outcome.paper_id
        return f"{outcome.text}\n{shown}"


def _command(line: str) -> str:
    """`/papers why 2` and `why 2` -> "why"; an empty line is `help`, as in the command layer."""
    words = line.lower().split()
    if words and words[0] in ("/papers", "papers"):
        words = words[1:]
    return words[0] if words else "help"
