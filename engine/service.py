"""The application service: every use case of paperbot, over ports, with time passed in.

Why it exists: Slack, Discord, the console and the scheduler all need the same operations (search,
picks, settings, votes, daily planning). Keeping them here, behind the repository ports and a
ranker provider, means each adapter is a parser plus a renderer and every rule is tested once
with in-memory fakes. No SQL, no clock reads, no network: `now` is always an argument.

Two use cases live in modules of their own and hang off the service: `service.accounts` (one
person's settings, interests and data, engine/accounts.py) and the daily run over everyone
(engine/planning.py, through `plan_deliveries`). Neither imports this module.

The repositories are private (`_repos`): chat adapters reach data only through the methods
here, never through an attribute (ruff's SLF001 holds bots/ to it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from engine import schedule
from engine.accounts import Accounts
from engine.cards import team_card, teammates_up
from engine.chat import PaperCard
from engine.library import ImportReport, LibraryEntry, import_library
from engine.planning import DailyPlanner, PlanReport
from engine.ports import RankerSource, RepositorySet
from engine.profiles import profile_from, window
from engine.settings import ServiceSettings
from engine.teams import is_digest, team_of
from recommender.domain import (
    Delivery,
    InvalidInputError,
    NotFoundError,
    Paper,
    Pick,
    User,
    UserProfile,
    normalise_arxiv_id,
    normalise_title,
)
from recommender.reasons import rated


@dataclass(frozen=True, slots=True)
class PicksResult:
    picks: list[Pick]
    note: str | None = None


class PaperService:
    def __init__(
        self,
        repos: RepositorySet,
        current_ranker: RankerSource,
        settings: ServiceSettings | None = None,
        on_forget: Callable[[str], None] | None = None,
    ) -> None:
        """`current_ranker()` gives the ranker to use now (see engine.ports.RankerSource)."""
        self._repos = repos
        self.current_ranker = current_ranker
        self.settings = settings or ServiceSettings()
        self._planner = DailyPlanner(repos, current_ranker, self.settings)
        # Per-user settings, interests and data (engine/accounts.py).
        self.accounts = Accounts(repos, self.settings, on_forget)

    # -- users and profiles -------------------------------------------------------------------

    def user(self, user_key: str) -> User:
        """The user or NotFoundError (see Accounts.user); the ranking use cases start here."""
        return self.accounts.user(user_key)

    def profile(
        self, user: User, papers: Iterable[Paper] = (), exclude: Iterable[str] = ()
    ) -> UserProfile:
        """What the ranker may know about `user` when it ranks `papers` (the candidates, the
        search hits, the one paper asked about): interests, own votes and the rated papers, and
        how many teammates 👍 each of `papers` (the user's own like not counted).

        Why only `papers`: the teammates signal only ever lifts or explains the papers being
        ranked, and reading it for them is one indexed query, where grouping every vote in the
        database cost ~650 ms with 100k votes on each picks/search/why after a reaction. With no
        `papers` the teammates signal is left out (two small queries). The daily run builds its
        profiles from votes it reads once for everyone (DailyPlanner)."""
        votes = self._repos.feedback.votes_for(user.user_key)
        ids = list(dict.fromkeys(p.paper_id for p in papers))
        likes = self._repos.feedback.likes_by_paper(ids, user.user_key, team_of(user.user_key))
        return profile_from(self._repos.papers, user, votes, likes, exclude)

    # -- reading ------------------------------------------------------------------------------

    def find_paper(self, ref: str) -> Paper:
        """A paper by id, arXiv id or URL, or exact title; NotFoundError otherwise."""
        text = ref.strip().strip("<>")
        if not text:
            raise InvalidInputError("which paper? give its id, e.g. 2509.04664")
        candidates = [text, normalise_arxiv_id(text)]
        for paper_id in filter(None, candidates):
            found = self._repos.papers.get(paper_id)
            if found is not None:
                return found
        wanted = normalise_title(text)
        for hit in self._repos.papers.search(text, limit=5):
            if normalise_title(hit.title) == wanted:
                return hit
        raise NotFoundError(f"I don't know the paper {text!r}")

    def search(self, user_key: str, query: str) -> list[Pick]:
        """Full-text hits, reordered for this user by the model, each with why it may matter."""
        if not query.strip():
            raise InvalidInputError("search for what? e.g. `search retrieval augmented generation`")
        hits = self._repos.papers.search(query, limit=self.settings.search_limit)
        if not hits:
            return []
        ranker = self.current_ranker()
        profile = self.profile(self.user(user_key), hits)
        if self._repos.papers.search_order(query) == "relevance":
            hits = ranker.rerank(profile, hits)
        return [Pick(p, 0.0, ranker.why(profile, p)) for p in hits]

    def picks_now(self, user_key: str, now: datetime) -> PicksResult:
        """Today's picks on demand (not recorded in the ledger, so asking twice is harmless).
        Like the daily run, never a paper already delivered to this user: asking after the
        morning's picks gives the next best papers, not the same five again."""
        user = self.user(user_key)
        today = schedule.local_date(user.timezone, now)
        candidates, note = self.candidates(today, strict=False)
        delivered = self._repos.ledger.delivered_paper_ids(user_key)
        profile = self.profile(user, candidates, delivered)
        picks = self.current_ranker().picks([profile], candidates, user.picks_per_day, today)
        return PicksResult(picks.get(user_key, []), note)

    def candidates(self, today: date, strict: bool = True) -> tuple[list[Paper], str | None]:
        """Papers in the window. On demand (`strict=False`) an empty window falls back to the
        newest papers we have, with a note, so a fresh install with an old corpus still works."""
        recent = window(self._repos.papers, today, self.settings.window_days)
        if recent or strict:
            return recent, None
        dated = [p for p in self._repos.papers.all() if p.day is not None]
        dated.sort(key=lambda p: (p.day, p.paper_id), reverse=True)
        note = f"Nothing from the last {self.settings.window_days} days; from the newest papers."
        return dated[: self.settings.fallback_pool], note if dated else None

    def similar(self, ref: str) -> tuple[Paper, list[Pick]]:
        paper = self.find_paper(ref)
        pool = list(self._repos.papers.all())
        return paper, self.current_ranker().similar(paper, pool, self.settings.similar_k)

    def why(self, user_key: str, ref: str) -> tuple[Paper, str]:
        """Why `ref` would be picked for the user; for a paper they voted on, their vote and
        its date (the last time they cast it), not a guess."""
        paper = self.find_paper(ref)
        profile = self.profile(self.user(user_key), [paper])
        vote = profile.votes.get(paper.paper_id, 0)
        if vote:
            cast = [
                h["at"]
                for h in self._repos.feedback.history_for(user_key)
                if h["paper_id"] == paper.paper_id and int(h["vote"]) == vote
            ]
            day = datetime.fromisoformat(cast[-1]).date() if cast else None
            return paper, rated(vote, day)
        return paper, self.current_ranker().why(profile, paper)

    def explain(self, user_key: str, papers: Sequence[Paper]) -> dict[str, str]:
        """Reasons for papers already chosen, computed now (`why`, tens of milliseconds a paper).
        Ledger rows keep the reasons chosen at planning time; this serves rows claimed before
        they did."""
        user = self._repos.users.get(user_key)
        if user is None or not papers:
            return {}
        ranker, profile = self.current_ranker(), self.profile(user)
        return {p.paper_id: ranker.why(profile, p) for p in papers}

    def recent_picks(self, user_key: str, limit: int = 1) -> list[tuple[Delivery, list[Paper]]]:
        rows = self._repos.ledger.for_user(user_key, limit)
        return [(d, self._repos.papers.get_many(d.paper_ids)) for d in rows]

    def votes_of(self, user_key: str) -> dict[str, int]:
        return self._repos.feedback.votes_for(user_key)

    # -- votes --------------------------------------------------------------------------------

    def vote(
        self,
        user_key: str,
        paper_id: str,
        vote: int,
        source: str,
        now: datetime,
        event_id: str | None = None,
    ) -> bool:
        """Record a vote. Nothing else to update: the ranker represents a user from
        `profile.votes` on every call, so the next picks, search or why reflect it at once.

        Returns False (and changes nothing) for a replayed platform event.
        """
        if vote not in (-1, 0, 1):
            raise InvalidInputError(f"a vote is +1, -1 or 0, not {vote!r}")
        if self._repos.papers.get(paper_id) is None:
            raise NotFoundError(f"I don't know the paper {paper_id!r}")
        return self._repos.feedback.record(user_key, paper_id, vote, source, now, event_id)

    def import_library(
        self, user_key: str, entries: list[LibraryEntry], now: datetime
    ) -> ImportReport:
        """Every usable entry becomes the user's 👍, in one unit of work (engine/library.py).
        Nothing else to update, as for `vote`: the next picks use the new votes at once."""
        self.user(user_key)
        return import_library(self._repos, user_key, entries, now)

    # -- cards and posted messages -----------------------------------------------------------

    def teammates_up(self, viewer: str, paper_ids: Sequence[str]) -> dict[str, int]:
        """paper_id -> how many of `viewer`'s teammates 👍 it (see engine.cards.teammates_up)."""
        return teammates_up(self._repos.feedback, viewer, paper_ids)

    def team_card(self, platform: str, message_id: str) -> PaperCard | None:
        """A team digest message's card as the channel sees it (see engine.cards.team_card)."""
        return team_card(self._repos, platform, message_id)

    def message_paper(self, platform: str, message_id: str) -> tuple[str, str] | None:
        """(user_key, paper_id) of the pick a posted message shows; None when not ours."""
        return self._repos.ledger.paper_for_message(platform, message_id)

    # -- admin --------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        users = [u for u in self._repos.users.all() if not is_digest(u.user_key)]
        return {
            "papers": self._repos.papers.count(),
            "users": len(users),
            "subscribed": sum(1 for u in users if u.subscribed),
            "votes": self._repos.feedback.count(),
            "model": self.current_ranker().version,
        }

    # -- the daily run ------------------------------------------------------------------------

    def plan_deliveries(
        self, now: datetime, since: datetime | None = None, platform: str | None = None
    ) -> PlanReport:
        """Claim today's ledger rows for the users due in `(since, now]` (see DailyPlanner)."""
        return self._planner.plan(now, since, platform)

    def set_digests(self, platform: str, digests: Sequence[User]) -> list[User]:
        """The team digests `platform` posts (see DailyPlanner.set_digests)."""
        return self._planner.set_digests(platform, digests)
