"""The platform-neutral `/papers <subcommand>` layer. CONTRACT SKELETON: implemented by the engine
work (issue 3). Slack, Discord and the console call only these methods; keep the signatures.
"""

from __future__ import annotations

from dataclasses import dataclass

from bots.messages import HomeView, Reply, VoteOutcome


@dataclass(frozen=True, slots=True)
class Requester:
    """Who is asking. `user_key` is `slack:<team>:<user>`, `discord:<user>` or `console:<name>`."""

    user_key: str
    display_name: str = ""


class CommandLayer:
    def handle(self, who: Requester, text: str) -> Reply:
        """Run one command. `text` is what follows `/papers` ("search rlhf", "picks", ...); a
        leading "/papers" is accepted too. Never raises for user mistakes: returns a Reply with
        is_error=True and a short helpful text."""
        raise NotImplementedError

    def vote(
        self,
        who: Requester,
        paper_id: str,
        vote: int,
        source: str,
        event_id: str | None = None,
    ) -> VoteOutcome:
        """+1, -1, or 0 to withdraw. `source` is "button", "reaction" or "command". A repeated
        `event_id` changes nothing and returns recorded=False."""
        raise NotImplementedError

    def vote_on_message(
        self,
        platform: str,
        message_id: str,
        who: Requester,
        vote: int,
        event_id: str | None = None,
    ) -> VoteOutcome | None:
        """A reaction on a posted message: `who` votes on the paper that message showed. None when
        the message is not one of ours (not a pick or digest message)."""
        raise NotImplementedError

    def home(self, who: Requester) -> HomeView:
        """Settings, interests and last picks with votes, for Slack's App Home."""
        raise NotImplementedError
