"""Votes from chat: 👍 / 👎 buttons, emoji reactions on posted picks, and `+1 <paper>` lines.

Why a module of its own: a vote arrives in more shapes than a command (a button carrying the
paper id, a reaction that only names a message, a reaction taken away) and each platform needs
the same answers to them: which paper, whether anything changed, and the card to redraw. The
rules (one current vote per user and paper, replayed events ignored) live in the service; this
turns the platform's view of a vote into a service call and a VoteOutcome. The command layer
(bots/commands.py) keeps `vote`, `vote_on_message` and `digest_card` as its public methods and
hands them here, so Slack, Discord and the console see no difference.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from engine.cards import paper_card
from engine.chat import PaperCard, Requester, VoteOutcome
from engine.service import PaperService
from recommender.domain import PaperbotError

VOTE_TEXTS = {
    1: "👍 Noted: more like this.",
    -1: "👎 Noted: fewer like this.",
    0: "Vote removed.",
}
# Clearing a vote that is not there changes nothing, and says so (it used to say "Vote removed.").
NO_VOTE = "You had no vote on “{}”, so there was nothing to clear."


class Voting:
    def __init__(self, service: PaperService, clock: Callable[[], datetime]) -> None:
        self.service = service
        self.clock = clock

    def current_vote(self, user_key: str, paper_id: str) -> int:
        """The user's vote on the paper now: +1, -1, or 0 for none."""
        return self.service.votes_of(user_key).get(paper_id, 0)

    def vote(
        self,
        who: Requester,
        paper_id: str,
        vote: int,
        source: str,
        event_id: str | None = None,
    ) -> VoteOutcome:
        """+1, -1, or 0 to withdraw. `source` is "button", "reaction" or "command". A repeated
        `event_id` changes nothing and returns recorded=False, as does clearing (0) when there is
        no vote. A first vote is a first contact
        too: the voter gets a users row with the defaults."""
        now = self.clock()
        self.service.accounts.ensure(who.user_key, who.display_name, now)
        try:
            paper = self.service.find_paper(paper_id)
            if vote == 0 and self.current_vote(who.user_key, paper.paper_id) == 0:
                return VoteOutcome(
                    who.user_key,
                    paper.paper_id,
                    0,
                    recorded=False,
                    text=NO_VOTE.format(paper.title),
                )
            recorded = self.service.vote(who.user_key, paper.paper_id, vote, source, now, event_id)
        except PaperbotError as exc:
            return VoteOutcome(who.user_key, paper_id, vote, recorded=False, text=str(exc))
        current = self.current_vote(who.user_key, paper.paper_id)
        likes = self.service.teammates_up(who.user_key, [paper.paper_id])
        return VoteOutcome(
            user_key=who.user_key,
            paper_id=paper.paper_id,
            vote=current,
            recorded=recorded,
            card=paper_card(paper, vote=current, teammates_up=likes.get(paper.paper_id, 0)),
            text=VOTE_TEXTS.get(current, "") if recorded else "",
        )

    def toggle_vote(
        self, who: Requester, paper_id: str, vote: int, event_id: str | None = None
    ) -> VoteOutcome:
        """A 👍/👎 button: the button of the vote already stored withdraws it, the other sets it.
        Decided from the database, never from how the clicked message looks: a card drawn
        before the vote changed elsewhere shows a stale colour."""
        current = self.current_vote(who.user_key, paper_id)
        return self.vote(who, paper_id, 0 if current == vote else vote, "button", event_id)

    def message_owner(self, platform: str, message_id: str) -> str | None:
        """Whose picks a posted message showed (a team digest's key for a digest card); None
        for a message that is not in the delivery ledger."""
        found = self.service.message_paper(platform, message_id)
        return found[0] if found is not None else None

    def vote_on_message(
        self,
        platform: str,
        message_id: str,
        who: Requester,
        vote: int,
        event_id: str | None = None,
        removed: int | None = None,
    ) -> VoteOutcome | None:
        """A reaction on a posted message: `who` votes on the paper that message showed. None when
        the message is not one of ours (not a pick or digest message).

        `removed` (+1 / -1, with vote=0) is the reaction that was taken away: the vote is
        withdrawn only while it still is that one. Removing an old 👍 after clicking 👎 keeps
        the 👎 (recorded=False, nothing changes)."""
        found = self.service.message_paper(platform, message_id)
        if found is None:
            return None
        paper_id = found[1]
        if vote == 0 and removed is not None:
            current = self.current_vote(who.user_key, paper_id)
            if current != removed:
                return VoteOutcome(who.user_key, paper_id, current, recorded=False)
        return self.vote(who, paper_id, vote, "reaction", event_id)

    def digest_card(self, platform: str, message_id: str) -> PaperCard | None:
        """After a vote on a team digest message: that card as the whole channel sees it (with
        the new "👍 by N teammates", no one's own vote), to redraw it. None for other messages,
        which show the voter's own vote instead."""
        return self.service.team_card(platform, message_id)
