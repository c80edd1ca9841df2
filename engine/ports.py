"""The ports the application talks through: the repositories (storage/ implements them over
SQLite; tests/fakes.py has in-memory versions run through the same contract tests) and the
ranker (recommender.ranker.HybridRanker). The engine never learns whether a repository is SQLite
or a dict. Chat adapters (bots/) never import this module: they reach the application through
engine.service and engine.chat only, which import-linter checks.

The one port not here is the platform's `Notifier` (engine/chat.py): bots/ implement it, so it
lives with the messages they render.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from recommender.domain import Delivery, Paper, Pick, User, UserProfile, Vote


@dataclass(frozen=True, slots=True)
class UpsertResult:
    inserted: int
    updated: int
    unchanged: int


class PaperRepository(Protocol):
    def get(self, paper_id: str) -> Paper | None: ...
    def get_many(self, paper_ids: Iterable[str]) -> list[Paper]: ...
    def upsert(self, papers: Iterable[Paper], now: datetime) -> UpsertResult: ...
    def search(self, query: str, limit: int = 10, since: date | None = None) -> list[Paper]: ...
    def search_order(self, query: str) -> str:
        """How `search(query)` orders its hits: "relevance" (the caller may rerank them for a
        user) or "date" (`sort:date`, or a query of date filters only: the order is the answer)."""
        ...

    def recent(self, since: date) -> list[Paper]:
        """The candidate window: papers published or ingested on or after `since` (an old paper
        new to us is a candidate too), in paper_id order."""
        ...

    def all(self) -> Iterator[Paper]: ...
    def count(self) -> int: ...
    def lookup(self, keys: Iterable[str]) -> dict[str, Paper]:
        """Stored papers by key: `ax:<arXiv id>`, `t:<normalised title>` or `url:<one of its
        urls>` (e.g. a doi.org link); keys that match nothing are left out."""
        ...


class UserRepository(Protocol):
    def get(self, user_key: str) -> User | None: ...
    def ensure(self, user_key: str, display_name: str, now: datetime) -> tuple[User, bool]:
        """Return the user, creating them with the configured defaults; the bool is 'created'."""
        ...

    def save(self, user: User) -> None: ...
    def all(self) -> list[User]: ...
    def delete(self, user_key: str) -> None:
        """Delete the user and everything stored about them (votes, deliveries, events)."""
        ...


class FeedbackRepository(Protocol):
    def record(
        self,
        user_key: str,
        paper_id: str,
        vote: int,
        source: str,
        at: datetime,
        event_id: str | None = None,
    ) -> bool:
        """Set the current vote (0 withdraws it) and append history. False when `event_id` was
        already seen (a redelivered platform event), in which case nothing changes."""
        ...

    def votes_for(self, user_key: str) -> dict[str, int]: ...
    def all_current(self) -> list[Vote]:
        """Every current vote: for whole-population work (training, the daily planning run),
        never for one user's request (use votes_for and likes_by_paper)."""
        ...

    def likes_by_paper(
        self, paper_ids: Sequence[str], exclude_user: str | None = None, team: str | None = None
    ) -> dict[str, int]:
        """How many people 👍 each paper (papers nobody liked are left out), not counting
        `exclude_user`; with `team` (`slack:T1`, `discord`: see engine.teams.team_of) only people
        whose user_key starts with `<team>:` count ("👍 by 2 teammates"). Cheap for the
        candidates of one request: it reads only the likes of `paper_ids`."""
        ...

    def history_for(self, user_key: str) -> list[dict[str, Any]]: ...
    def events_for(self, user_key: str) -> list[dict[str, Any]]:
        """The platform event ids seen from this user (kept to drop replays), oldest first."""
        ...

    def count(self) -> int: ...


class DeliveryLedger(Protocol):
    def claim(
        self,
        user_key: str,
        local_date: date,
        paper_ids: Sequence[str],
        now: datetime,
        note: str | None = None,
        reasons: Mapping[str, str] | None = None,
    ) -> Delivery | None:
        """Write a `pending` row; None when (user_key, local_date) was already claimed.
        `reasons` (paper_id -> reason shown) is stored with it (Delivery.reasons)."""
        ...

    def pending(self, platform: str) -> list[Delivery]: ...
    def in_flight(self, platform: str) -> list[Delivery]:
        """Rows left in `sending`: a crash happened between the API call and `mark_sent`."""
        ...

    def mark_sending(self, delivery_id: int, now: datetime) -> bool: ...
    def mark_sent(
        self,
        delivery_id: int,
        channel_id: str | None,
        message_ids: Sequence[str],
        now: datetime,
        pairs: Iterable[tuple[str, str]] = (),
    ) -> None:
        """`sent` plus remember_messages(`pairs`) atomically: never one without the other."""
        ...

    def mark_failed(
        self, delivery_id: int, error: str, now: datetime, status: str = "pending"
    ) -> None:
        """Book a failed attempt (attempts + 1). `status`: `pending` to retry on the next drain,
        `failed` when retries are used up, `undeliverable` when the platform refused for good."""
        ...

    def delivered_paper_ids(self, user_key: str) -> set[str]: ...
    def for_user(self, user_key: str, limit: int = 10) -> list[Delivery]: ...
    def find_by_message(self, platform: str, message_id: str) -> Delivery | None: ...
    def remember_messages(self, delivery_id: int, pairs: Iterable[tuple[str, str]]) -> None:
        """Record which paper each posted message (message_id, paper_id) shows, all at once."""
        ...

    def paper_for_message(self, platform: str, message_id: str) -> tuple[str, str] | None:
        """(user_key, paper_id) of the pick posted as this platform message, for reactions."""
        ...

    def sent_unmapped(self, platform: str) -> list[Delivery]:
        """`sent` rows with message ids but no (message_id, paper_id) rows (a crash of an older
        version between the two writes); start-up recovery maps them."""
        ...


class Ranker(Protocol):
    """What the service needs from a trained model or from the no-model fallback. Stateless
    per user: every call represents each user from the `UserProfile` it is given (votes and
    interests read just before), so a vote counts from the next call on with no update step."""

    version: str

    def picks(
        self,
        profiles: Sequence[UserProfile],
        candidates: Sequence[Paper],
        k: int,
        today: date,
    ) -> dict[str, list[Pick]]:
        """Top-k per user, batched (one matrix product for all users). Never returns a paper in
        `profile.exclude` or one the user already rated."""
        ...

    def similar(self, paper: Paper, candidates: Sequence[Paper], k: int) -> list[Pick]: ...
    def rerank(self, profile: UserProfile, papers: Sequence[Paper]) -> list[Paper]: ...
    def why(self, profile: UserProfile, paper: Paper) -> str: ...


RankerSource = Callable[[], Ranker]
"""Gives the ranker to use now: the saved model, reloaded when a newer one is saved, or the
content-only fallback (the composition root's LiveRanker). Called once per use case."""


class RepositorySet(Protocol):
    """The four repositories the application needs (storage.repos.Repos and the fakes fit)."""

    @property
    def papers(self) -> PaperRepository: ...
    @property
    def users(self) -> UserRepository: ...
    @property
    def feedback(self) -> FeedbackRepository: ...
    @property
    def ledger(self) -> DeliveryLedger: ...
    def atomic(self) -> AbstractContextManager[object]:
        """One unit of work: every write inside it lands, or none does."""
        ...
