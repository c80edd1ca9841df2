"""The platform-neutral `/papers <subcommand>` layer: one grammar for Slack, Discord, console.

Adapters parse their events into `handle(who, text)` / `vote(...)` calls and render the neutral
replies (engine/chat.py); every rule lives in the application service. Mistakes a person can
make (unknown subcommand, bad time or timezone, unknown paper, empty query) come back as a short
Reply with is_error=True, never as an exception. A user only ever reads or changes their own data:
every call acts on `who.user_key`.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bots.onboarding import home_welcome, welcome_reply
from bots.texts import DMS_CLOSED, HELP, NOT_ADMIN, WELCOME
from engine import schedule
from engine.cards import paper_card
from engine.chat import HomeView, PaperCard, Reply, Requester, VoteOutcome
from engine.library import parse_references
from engine.service import PaperService
from engine.votes import Voting
from recommender.domain import InvalidInputError, PaperbotError


@dataclass(frozen=True, slots=True)
class AdminActions:
    """Heavy admin jobs, injected by the composition root (bots/ never touches storage)."""

    ingest: Callable[[], str] | None = None
    retrain: Callable[[], str] | None = None


Handler = Callable[[Requester, str, datetime], Reply]


def _error(text: str) -> Reply:
    return Reply(text=text, is_error=True)


def _int(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise InvalidInputError(f"{what} must be a whole number, not {text!r}") from None


class CommandLayer:
    def __init__(
        self,
        service: PaperService,
        clock: Callable[[], datetime],
        admins: frozenset[str] = frozenset(),
        actions: AdminActions | None = None,
    ) -> None:
        self.service = service
        self.accounts = service.accounts
        self.voting = Voting(service, clock)
        self.clock = clock
        self.admins = admins
        self.actions = actions or AdminActions()
        self.commands: dict[str, Handler] = {
            "help": self._help, "search": self._search, "picks": self._picks,
            "subscribe": self._subscribe, "unsubscribe": self._unsubscribe, "pause": self._pause,
            "resume": self._resume, "interests": self._interests, "similar": self._similar,
            "why": self._why, "settings": self._settings, "k": self._k, "export": self._export,
            "forget-me": self._forget, "admin": self._admin, "like": self._like,
        }  # fmt: skip

    # -- the contract -------------------------------------------------------------------------

    def handle(self, who: Requester, text: str) -> Reply:
        """Run one command. `text` is what follows `/papers` ("search rlhf", "picks", ...); a
        leading "/papers" is accepted too. Never raises for user mistakes: returns a Reply with
        is_error=True and a short helpful text."""
        name, rest = _split(text)
        if name in ("/papers", "papers"):
            name, rest = _split(rest)
        now = self.clock()
        notices = self._notices(who, now)
        handler = self.commands.get(name)
        try:
            reply = handler(who, rest, now) if handler else self._unknown(name)
        except PaperbotError as exc:
            reply = _error(_sentence(str(exc)))
        if notices == [WELCOME]:
            return welcome_reply(self.accounts, who.user_key, who.timezone, name, rest, reply)
        if notices:
            reply = replace(reply, text="\n\n".join([*notices, reply.text]))
        return reply

    def vote(
        self,
        who: Requester,
        paper_id: str,
        vote: int,
        source: str,
        event_id: str | None = None,
    ) -> VoteOutcome:
        """+1, -1, or 0 to withdraw; see engine/votes.py `Voting.vote`."""
        return self.voting.vote(who, paper_id, vote, source, event_id)

    def toggle_vote(
        self, who: Requester, paper_id: str, vote: int, event_id: str | None = None
    ) -> VoteOutcome:
        """A vote button that withdraws when clicked again; see `Voting.toggle_vote`."""
        return self.voting.toggle_vote(who, paper_id, vote, event_id)

    def message_owner(self, platform: str, message_id: str) -> str | None:
        """Whose picks a posted message showed; see `Voting.message_owner`."""
        return self.voting.message_owner(platform, message_id)

    def vote_on_message(
        self,
        platform: str,
        message_id: str,
        who: Requester,
        vote: int,
        event_id: str | None = None,
        removed: int | None = None,
    ) -> VoteOutcome | None:
        """A reaction on a posted message (None when not ours); see `Voting.vote_on_message`."""
        return self.voting.vote_on_message(platform, message_id, who, vote, event_id, removed)

    def digest_card(self, platform: str, message_id: str) -> PaperCard | None:
        """A team digest card to redraw after a vote there; see `Voting.digest_card`."""
        return self.voting.digest_card(platform, message_id)

    def home(self, who: Requester) -> HomeView:
        """Settings, interests and last picks with votes, for Slack's App Home."""
        now = self.clock()
        notices = self._notices(who, now)
        user = self.accounts.user(who.user_key)
        votes = self.service.votes_of(who.user_key)
        recent: list[PaperCard] = []
        for _, papers in self.service.recent_picks(who.user_key, limit=1):
            recent += [paper_card(p, vote=votes.get(p.paper_id)) for p in papers]
        if not notices and not user.interests:
            notices = [WELCOME]
        if notices == [WELCOME]:
            notices = [home_welcome(self.accounts, who.user_key, who.timezone)]
        return HomeView(
            user_key=who.user_key,
            settings=self.accounts.describe(user, now),
            interests=user.interests,
            recent=tuple(recent),
            notice="\n\n".join(notices) or None,
        )

    # -- first contact and notices ------------------------------------------------------------

    def _notices(self, who: Requester, now: datetime) -> list[str]:
        """Onboarding on first contact; the DMs-closed warning once, after a failed delivery."""
        user, created = self.accounts.ensure(who.user_key, who.display_name, now)
        if created:
            return [WELCOME]
        if user.undeliverable:
            self.accounts.clear_undeliverable(who.user_key)
            return [DMS_CLOSED.format(reason=user.undeliverable)]
        return []

    # -- subcommands --------------------------------------------------------------------------

    def _unknown(self, name: str) -> Reply:
        close = difflib.get_close_matches(name, list(self.commands), n=1)
        hint = f" Did you mean `/papers {close[0]}`?" if close else ""
        return _error(f"I don't know `{name}`.{hint} Try `/papers help`.")

    def _help(self, who: Requester, rest: str, now: datetime) -> Reply:
        return Reply(text=HELP, title="paperbot help")

    def _search(self, who: Requester, rest: str, now: datetime) -> Reply:
        hits = self.service.search(who.user_key, rest)
        if not hits:
            return Reply(text=f"No papers match “{rest}”. Try fewer or other words.")
        votes = self.service.votes_of(who.user_key)
        cards = tuple(paper_card(p.paper, p.reason, votes.get(p.paper.paper_id)) for p in hits)
        return Reply(text=f"{len(cards)} papers for “{rest}”", cards=cards, title="Search")

    def _picks(self, who: Requester, rest: str, now: datetime) -> Reply:
        result = self.service.picks_now(who.user_key, now)
        if not result.picks:
            return Reply(
                text="No papers to pick from yet. An admin can run `/papers admin ingest`."
            )
        likes = self.service.teammates_up(who.user_key, [p.paper.paper_id for p in result.picks])
        cards = tuple(
            paper_card(p.paper, p.reason, teammates_up=likes.get(p.paper.paper_id, 0))
            for p in result.picks
        )
        text = "Your picks right now. React 👍 / 👎 to tune them."
        return Reply(text=f"{result.note}\n{text}" if result.note else text, cards=cards)

    def _subscribe(self, who: Requester, rest: str, now: datetime) -> Reply:
        send_time = timezone = days = None
        for token in rest.split():
            if token[:1].isdigit():
                send_time = schedule.parse_send_time(token)
            elif _reads_as_timezone(token, timezone):
                timezone = schedule.parse_timezone(token)
            else:
                days = schedule.parse_days(token)
        user = self.accounts.subscribe(who.user_key, send_time, timezone, days)
        words = self.accounts.describe(user, now)
        return Reply(
            text=f"✅ Subscribed: {words['picks per day']} picks at {words['send time']} "
            f"{words['timezone']} ({words['days']}). Next: {words.get('next picks', 'never')}."
        )

    def _unsubscribe(self, who: Requester, rest: str, now: datetime) -> Reply:
        self.accounts.unsubscribe(who.user_key)
        return Reply(text="Unsubscribed: no more daily picks. `/papers subscribe` to come back.")

    def _pause(self, who: Requester, rest: str, now: datetime) -> Reply:
        days = _int(rest.split()[0], "days") if rest else None
        user = self.accounts.pause(who.user_key, now, days)
        back = user.paused_until
        return Reply(
            text=f"⏸️ Paused. Picks start again on {back:%A %d %B}. `/papers resume` ends it."
        )

    def _resume(self, who: Requester, rest: str, now: datetime) -> Reply:
        user = self.accounts.resume(who.user_key)
        nxt = self.accounts.describe(user, now).get("next picks", "never")
        return Reply(text=f"▶️ Resumed. Next picks: {nxt}.")

    def _interests(self, who: Requester, rest: str, now: datetime) -> Reply:
        action, _, text = rest.partition(" ")
        action = action.lower() or "list"
        if action == "add":
            user = self.accounts.add_interest(who.user_key, text)
        elif action in ("remove", "rm", "delete"):
            user = self.accounts.remove_interest(who.user_key, text)
        elif action == "list":
            user = self.accounts.user(who.user_key)
        else:
            return _error("Use `/papers interests add <text>`, `remove <text>` or `list`.")
        listed = "\n".join(f"• {i}" for i in user.interests)
        if not listed:
            return Reply(text="No interests yet. Add one: `/papers interests add <topic>`.")
        return Reply(text=f"Your interests:\n{listed}")

    def _like(self, who: Requester, rest: str, now: datetime) -> Reply:
        """`like <arXiv ids, URLs or DOIs...>`: pasted papers become 👍 (as `import-library`)."""
        entries = parse_references(rest)
        if not entries:
            raise InvalidInputError(
                "like which papers? e.g. `/papers like 2509.04664 https://arxiv.org/abs/2510.00001`"
            )
        return Reply(text=self.service.import_library(who.user_key, entries, now).summary())

    def _similar(self, who: Requester, rest: str, now: datetime) -> Reply:
        paper, picks = self.service.similar(rest)
        cards = tuple(paper_card(p.paper, p.reason) for p in picks)
        return Reply(text=f"Papers like “{paper.title}”", cards=cards, title="Similar papers")

    def _why(self, who: Requester, rest: str, now: datetime) -> Reply:
        paper, reason = self.service.why(who.user_key, rest)
        return Reply(text=f"“{paper.title}”: {reason}", cards=(paper_card(paper, reason),))

    def _settings(self, who: Requester, rest: str, now: datetime) -> Reply:
        user = self.accounts.user(who.user_key)
        words = self.accounts.describe(user, now)
        interests = ", ".join(user.interests) or "none yet"
        lines = [f"{k}: {v}" for k, v in words.items()] + [f"interests: {interests}"]
        return Reply(text="\n".join(lines), title="Your settings", data=dict(words))

    def _k(self, who: Requester, rest: str, now: datetime) -> Reply:
        if not rest:
            raise InvalidInputError("how many picks a day? e.g. `/papers k 5`")
        user = self.accounts.set_k(who.user_key, _int(rest.split()[0], "k"))
        return Reply(text=f"You will get {user.picks_per_day} picks a day.")

    def _export(self, who: Requester, rest: str, now: datetime) -> Reply:
        data = self.accounts.export(who.user_key)
        return Reply(
            text=json.dumps(data, indent=1, ensure_ascii=False, default=str),
            title="Everything paperbot stores about you",
            data=data,
        )

    def _forget(self, who: Requester, rest: str, now: datetime) -> Reply:
        if rest.strip().lower() != "confirm":
            return Reply(
                text="This deletes your interests, votes and picks history for good. "
                "Type `/papers forget-me confirm` to go ahead.",
                confirm="forget-me confirm",
            )
        self.accounts.forget(who.user_key)
        return Reply(text="🗑️ Done: everything paperbot stored about you is deleted.")

    def _admin(self, who: Requester, rest: str, now: datetime) -> Reply:
        if who.user_key not in self.admins:
            return _error(NOT_ADMIN)
        action = rest.split()[0].lower() if rest else ""
        if action == "stats":
            stats = self.service.stats()
            return Reply(text="\n".join(f"{k}: {v}" for k, v in stats.items()), data=stats)
        job = {"ingest": self.actions.ingest, "retrain": self.actions.retrain}.get(action)
        if action not in ("ingest", "retrain"):
            return _error("Use `/papers admin ingest`, `admin retrain` or `admin stats`.")
        if job is None:
            return _error(f"`admin {action}` is not available in this process.")
        return Reply(text=job())


def _reads_as_timezone(token: str, timezone: str | None) -> bool:
    """Which word of `subscribe` is the timezone: `Area/City`, or a word close to a zone name
    (`berlin`, for the suggestion). Any other word is taken for days, so `10:00 Europe/Paris
    someday` blames "someday" as days instead of calling it an unknown timezone."""
    if schedule.looks_like_days(token):
        return False
    return "/" in token or (timezone is None and bool(schedule.suggest_timezones(token)))


def _split(text: str) -> tuple[str, str]:
    """`"search  rlhf agents"` -> ("search", "rlhf agents"); empty text is `help`."""
    words = text.strip().split(None, 1)
    if not words:
        return "help", ""
    return words[0].lower(), words[1].strip() if len(words) > 1 else ""


def _sentence(text: str) -> str:
    """Core errors are lower-case phrases; a reply reads better as a sentence."""
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!", "`")) else text + "."
