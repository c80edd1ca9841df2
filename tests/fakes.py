"""In-memory versions of our own ports (engine/ports.py) and a tiny, obvious Ranker.

Why: the service, the command layer and the delivery engine are tested against these so the tests
say what the business rules are without a database. tests/engine/test_ports_contract.py runs one
set of tests against these and the SQLite stores alike, so both keep the same contract (atomic()
included: a failure inside a unit of work undoes its writes). Like SQLite, they may be called
from several threads
(the Slack listeners, Discord's worker threads): each check-then-write holds a lock, and readers
iterate over a snapshot.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from bots.commands import CommandLayer
from engine.chat import PicksMessage, Reply, Requester, SentMessage
from engine.ports import UpsertResult
from recommender.domain import (
    Delivery,
    InvalidInputError,
    NotFoundError,
    Paper,
    Pick,
    User,
    UserProfile,
    normalise_title,
)
from recommender.domain import Vote as VoteRow


class FakePapers:
    def __init__(self, papers: Iterable[Paper] = ()) -> None:
        self.rows: dict[str, Paper] = {p.paper_id: p for p in papers}

    def get(self, paper_id: str) -> Paper | None:
        return self.rows.get(paper_id)

    def get_many(self, paper_ids: Iterable[str]) -> list[Paper]:
        return [self.rows[p] for p in dict.fromkeys(paper_ids) if p in self.rows]

    def upsert(self, papers: Iterable[Paper], now: datetime) -> UpsertResult:
        inserted = updated = unchanged = 0
        for paper in papers:
            old = self.rows.get(paper.paper_id)
            if old is None:
                inserted += 1
                self.rows[paper.paper_id] = replace(paper, ingested_at=paper.ingested_at or now)
                continue
            stored = replace(paper, ingested_at=old.ingested_at)  # the first ingestion stays
            if stored == old:
                unchanged += 1
            else:
                updated += 1
                self.rows[paper.paper_id] = stored
        return UpsertResult(inserted, updated, unchanged)

    def search(self, query: str, limit: int = 10, since: date | None = None) -> list[Paper]:
        terms = set(re.findall(r"\w+", query.lower()))
        if not terms:
            return []
        hits = []
        for paper in list(self.rows.values()):
            words = set(re.findall(r"\w+", f"{paper.title} {paper.abstract}".lower()))
            overlap = len(terms & words)
            if overlap and (since is None or (paper.day and paper.day >= since)):
                hits.append((-overlap, paper.paper_id, paper))
        return [p for _, _, p in sorted(hits)[:limit]]

    def search_order(self, query: str) -> str:
        tokens = query.split()
        words = [t for t in tokens if ":" not in t]
        return "date" if "sort:date" in tokens or (tokens and not words) else "relevance"

    def recent(self, since: date) -> list[Paper]:
        """Published or ingested on or after `since`: an old paper new to us is a candidate."""
        return [
            p for p in list(self.rows.values())
            if (p.published is not None and p.published >= since)
            or (p.ingested_at is not None and p.ingested_at.date() >= since)
        ]  # fmt: skip

    def lookup(self, keys: Iterable[str]) -> dict[str, Paper]:
        wanted, out = set(keys), {}
        for paper in list(self.rows.values()):
            mine = [f"ax:{paper.paper_id}", f"t:{normalise_title(paper.title)}"]
            mine += [f"ax:{paper.arxiv_id}"] * bool(paper.arxiv_id)
            mine += [f"url:{u.lower()}" for u in paper.urls]
            for key in wanted.intersection(mine):
                out.setdefault(key, paper)
        return out

    def all(self) -> Iterator[Paper]:
        return iter(list(self.rows.values()))

    def count(self) -> int:
        return len(self.rows)


class FakeUsers:
    def __init__(self, defaults: User | None = None) -> None:
        self.rows: dict[str, User] = {}
        self.defaults = defaults or User(user_key="template")
        self.cascade: list[Any] = []  # objects with `forget(user_key)`, like ON DELETE CASCADE
        self.lock = threading.Lock()

    def get(self, user_key: str) -> User | None:
        return self.rows.get(user_key)

    def ensure(self, user_key: str, display_name: str, now: datetime) -> tuple[User, bool]:
        with self.lock:
            return self._ensure(user_key, display_name, now)

    def _ensure(self, user_key: str, display_name: str, now: datetime) -> tuple[User, bool]:
        if user_key in self.rows:
            return self.rows[user_key], False
        user = replace(
            self.defaults,
            user_key=user_key,
            display_name=display_name,
            created_at=now,
            subscribed=False,  # as UserStore.ensure: picks are the person's choice
        )
        self.rows[user_key] = user
        return user, True

    def save(self, user: User) -> None:
        self.rows[user.user_key] = user

    def all(self) -> list[User]:
        return [self.rows[k] for k in sorted(self.rows)]

    def delete(self, user_key: str) -> None:
        self.rows.pop(user_key, None)
        for other in self.cascade:
            other.forget(user_key)


class FakeFeedback:
    def __init__(self, papers: FakePapers) -> None:
        self.papers = papers
        self.current: dict[tuple[str, str], VoteRow] = {}
        self.history: list[dict[str, Any]] = []
        self.events: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()

    def record(
        self,
        user_key: str,
        paper_id: str,
        vote: int,
        source: str,
        at: datetime,
        event_id: str | None = None,
    ) -> bool:
        with self.lock:
            return self._record(user_key, paper_id, vote, source, at, event_id)

    def _record(
        self,
        user_key: str,
        paper_id: str,
        vote: int,
        source: str,
        at: datetime,
        event_id: str | None,
    ) -> bool:
        if vote not in (-1, 0, 1):
            raise InvalidInputError(f"a vote is +1, -1 or 0, not {vote!r}")
        if event_id is not None and event_id in self.events:
            return False
        if self.papers.get(paper_id) is None:
            raise NotFoundError(f"unknown paper: {paper_id}")  # the event id stays unused
        if event_id is not None:
            self.events[event_id] = {"event_id": event_id, "user_key": user_key, "seen_at": at}
        if vote == 0:
            self.current.pop((user_key, paper_id), None)
        else:
            self.current[(user_key, paper_id)] = VoteRow(user_key, paper_id, vote, at, source)
        self.history.append(
            {"user_key": user_key, "paper_id": paper_id, "vote": vote, "source": source,
             "event_id": event_id, "at": at.isoformat()}
        )  # fmt: skip
        return True

    def votes_for(self, user_key: str) -> dict[str, int]:
        return {p: v.vote for (u, p), v in list(self.current.items()) if u == user_key}

    def all_current(self) -> list[VoteRow]:
        current = dict(self.current)
        return [current[k] for k in sorted(current)]

    def likes_by_paper(
        self, paper_ids: Sequence[str], exclude_user: str | None = None, team: str | None = None
    ) -> dict[str, int]:
        counts: dict[str, int] = {}
        for (user_key, paper_id), row in list(self.current.items()):
            counted = user_key != exclude_user and (team is None or user_key.startswith(team + ":"))
            if row.vote == 1 and paper_id in paper_ids and counted:
                counts[paper_id] = counts.get(paper_id, 0) + 1
        return counts

    def history_for(self, user_key: str) -> list[dict[str, Any]]:
        return [h for h in list(self.history) if h["user_key"] == user_key]

    def events_for(self, user_key: str) -> list[dict[str, Any]]:
        mine = [e for e in list(self.events.values()) if e["user_key"] == user_key]
        return [{"event_id": e["event_id"], "seen_at": e["seen_at"].isoformat()} for e in mine]

    def count(self) -> int:
        return len(self.current)

    def forget(self, user_key: str) -> None:
        self.current = {k: v for k, v in self.current.items() if k[0] != user_key}
        self.history = [h for h in self.history if h["user_key"] != user_key]
        self.events = {k: e for k, e in self.events.items() if e["user_key"] != user_key}


class FakeLedger:
    def __init__(self) -> None:
        self.rows: dict[int, Delivery] = {}
        self.messages: dict[tuple[str, str], tuple[int, str]] = {}
        self.next_id = 1
        self.lock = threading.Lock()

    def claim(
        self,
        user_key: str,
        local_date: date,
        paper_ids: Sequence[str],
        now: datetime,
        note: str | None = None,
        reasons: Mapping[str, str] | None = None,
    ) -> Delivery | None:
        with self.lock:
            return self._claim(user_key, local_date, paper_ids, note, reasons)

    def _claim(
        self,
        user_key: str,
        local_date: date,
        paper_ids: Sequence[str],
        note: str | None,
        reasons: Mapping[str, str] | None,
    ) -> Delivery | None:
        if any(d.user_key == user_key and d.local_date == local_date for d in self.rows.values()):
            return None
        delivery_id, self.next_id = self.next_id, self.next_id + 1
        row = Delivery(
            delivery_id=delivery_id,
            user_key=user_key,
            platform=user_key.split(":", 1)[0],
            local_date=local_date,
            paper_ids=tuple(paper_ids),
            status="pending",
            note=note,
            reasons=tuple((p, reasons[p]) for p in paper_ids if p in (reasons or {})),
        )
        self.rows[delivery_id] = row
        return row

    def _with_status(self, platform: str, status: str) -> list[Delivery]:
        rows = list(self.rows.values())
        return [d for d in rows if d.platform == platform and d.status == status]

    def pending(self, platform: str) -> list[Delivery]:
        return self._with_status(platform, "pending")

    def in_flight(self, platform: str) -> list[Delivery]:
        return self._with_status(platform, "sending")

    def mark_sending(self, delivery_id: int, now: datetime) -> bool:
        with self.lock:  # compare-and-set: two workers never both take a row
            row = self.rows[delivery_id]
            if row.status != "pending":
                return False
            self.rows[delivery_id] = replace(row, status="sending")
            return True

    def mark_sent(
        self,
        delivery_id: int,
        channel_id: str | None,
        message_ids: Sequence[str],
        now: datetime,
        pairs: Iterable[tuple[str, str]] = (),
    ) -> None:
        row = self.rows[delivery_id]
        self.rows[delivery_id] = replace(
            row, status="sent", channel_id=channel_id, message_ids=tuple(message_ids), error=None
        )
        self.remember_messages(delivery_id, pairs)

    def mark_failed(
        self, delivery_id: int, error: str, now: datetime, status: str = "pending"
    ) -> None:
        if status not in ("pending", "failed", "undeliverable"):
            raise ValueError(
                f"mark_failed status must be pending, failed or undeliverable: {status!r}"
            )
        row = self.rows[delivery_id]
        self.rows[delivery_id] = replace(row, status=status, error=error, attempts=row.attempts + 1)

    def delivered_paper_ids(self, user_key: str) -> set[str]:
        rows = list(self.rows.values())
        return {p for d in rows if d.user_key == user_key for p in d.paper_ids}

    def for_user(self, user_key: str, limit: int = 10) -> list[Delivery]:
        rows = [d for d in list(self.rows.values()) if d.user_key == user_key]
        return sorted(rows, key=lambda d: d.local_date, reverse=True)[:limit]

    def find_by_message(self, platform: str, message_id: str) -> Delivery | None:
        hit = self.messages.get((platform, message_id))
        return self.rows[hit[0]] if hit else None

    def remember_messages(self, delivery_id: int, pairs: Iterable[tuple[str, str]]) -> None:
        for message_id, paper_id in pairs:
            self.messages[(self.rows[delivery_id].platform, message_id)] = (delivery_id, paper_id)

    def paper_for_message(self, platform: str, message_id: str) -> tuple[str, str] | None:
        hit = self.messages.get((platform, message_id))
        return (self.rows[hit[0]].user_key, hit[1]) if hit else None

    def sent_unmapped(self, platform: str) -> list[Delivery]:
        mapped = {delivery_id for delivery_id, _ in list(self.messages.values())}
        return [
            d
            for d in self._with_status(platform, "sent")
            if d.message_ids and d.delivery_id not in mapped
        ]

    def forget(self, user_key: str) -> None:
        self.rows = {i: d for i, d in self.rows.items() if d.user_key != user_key}
        self.messages = {k: v for k, v in self.messages.items() if v[0] in self.rows}


def _words(paper: Paper) -> set[str]:
    return set(re.findall(r"[a-z]{3,}", f"{paper.title} {' '.join(paper.keywords)}".lower()))


class FakeRanker:
    """Scores a paper by word overlap with the user's interests and liked papers, minus disliked
    ones, plus a pinch of upvotes. Obvious enough that a test can predict its answer."""

    def __init__(self, version: str = "fake-1") -> None:
        self.version = version

    def _score(self, profile: UserProfile, paper: Paper) -> float:
        words = _words(paper)
        score = 0.001 * paper.upvotes
        for interest in profile.interests:
            score += len(words & set(re.findall(r"[a-z]{3,}", interest.lower())))
        for rated in profile.rated_papers:
            score += profile.votes.get(rated.paper_id, 0) * len(words & _words(rated))
        return score

    def picks(
        self, profiles: Sequence[UserProfile], candidates: Sequence[Paper], k: int, today: date
    ) -> dict[str, list[Pick]]:
        out: dict[str, list[Pick]] = {}
        for profile in profiles:
            allowed = [
                p for p in candidates
                if p.paper_id not in profile.exclude and p.paper_id not in profile.votes
            ]  # fmt: skip
            ranked = sorted(allowed, key=lambda p: (-self._score(profile, p), p.paper_id))
            out[profile.user_key] = [
                Pick(p, self._score(profile, p), self.why(profile, p)) for p in ranked[:k]
            ]
        return out

    def similar(self, paper: Paper, candidates: Sequence[Paper], k: int) -> list[Pick]:
        words = _words(paper)
        others = [c for c in candidates if c.paper_id != paper.paper_id]
        ranked = sorted(others, key=lambda c: (-len(words & _words(c)), c.paper_id))
        return [Pick(c, float(len(words & _words(c))), "shares words") for c in ranked[:k]]

    def rerank(self, profile: UserProfile, papers: Sequence[Paper]) -> list[Paper]:
        return sorted(papers, key=lambda p: -self._score(profile, p))

    def why(self, profile: UserProfile, paper: Paper) -> str:
        words = _words(paper)
        for interest in profile.interests:
            if words & set(re.findall(r"[a-z]{3,}", interest.lower())):
                return f"matches your interest “{interest}”"
        return "trending"


def paper(paper_id: str, title: str, day: date, upvotes: int = 0, **extra: Any) -> Paper:
    """A paper for tests, with an ingestion stamp so `day` is always set."""
    return Paper(
        paper_id=paper_id, title=title, published=day, upvotes=upvotes,
        abstract=extra.pop("abstract", f"About {title.lower()}."), **extra,
    )  # fmt: skip


class FakeClock:
    """Time that moves only when a test says so."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class FakeRepos:
    """The four repositories wired like the SQLite ones: deleting a user cascades."""

    papers: FakePapers
    users: FakeUsers
    feedback: FakeFeedback
    ledger: FakeLedger

    def __post_init__(self) -> None:
        self._depth = 0

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """One unit of work, as SQLite's transaction: an exception undoes every write made
        inside it; a nested block joins the outermost one. (Each fake replaces whole immutable
        values, so copies of its containers are a snapshot.)"""
        self._depth += 1
        saved = self._snapshot() if self._depth == 1 else None
        try:
            yield
        except BaseException:
            if saved is not None:
                self._restore(saved)
            raise
        finally:
            self._depth -= 1

    def _snapshot(self) -> dict[str, Any]:
        f, ledger = self.feedback, self.ledger
        return {
            "papers": dict(self.papers.rows),
            "users": dict(self.users.rows),
            "feedback": (dict(f.current), list(f.history), dict(f.events)),
            "ledger": (dict(ledger.rows), dict(ledger.messages), ledger.next_id),
        }

    def _restore(self, saved: dict[str, Any]) -> None:
        self.papers.rows = saved["papers"]
        self.users.rows = saved["users"]
        self.feedback.current, self.feedback.history, self.feedback.events = saved["feedback"]
        self.ledger.rows, self.ledger.messages, self.ledger.next_id = saved["ledger"]

    @classmethod
    def with_papers(cls, papers: Iterable[Paper], defaults: User | None = None) -> FakeRepos:
        store = FakePapers(papers)
        users = FakeUsers(defaults)
        repos = cls(store, users, FakeFeedback(store), FakeLedger())
        users.cascade += [repos.feedback, repos.ledger]
        return repos


class RecordingNotifier:
    """A Notifier that keeps what it sent; `fail_for` makes chosen users fail."""

    def __init__(self, platform: str = "console") -> None:
        self.platform = platform
        self.sent: list[PicksMessage] = []
        self.fail_for: dict[str, Exception] = {}

    def send_picks(self, message: PicksMessage) -> SentMessage:
        if message.user_key in self.fail_for:
            raise self.fail_for[message.user_key]
        self.sent.append(message)
        n = len(self.sent)
        ids = tuple(f"m{n}-{i}" for i in range(len(message.cards)))
        return SentMessage(channel_id=f"dm-{message.user_key}", message_ids=ids)


class RecordingCommands(CommandLayer):
    """The real command layer, keeping the commands it was asked to run (`texts`) and failing
    as a bug would when told to: every command with `crash` set, or those with the word
    `crash_on`. What the chat adapter tests (Slack, Discord, console) need besides the state of
    the repositories; every rule is the real one."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.texts: list[tuple[str, str]] = []
        self.crash = False
        self.crash_on: str | None = None

    def handle(self, who: Requester, text: str) -> Reply:
        self.texts.append((who.user_key, text))
        if self.crash or (self.crash_on is not None and self.crash_on in text.split()):
            raise RuntimeError("kaboom")
        return super().handle(who, text)
