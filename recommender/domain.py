"""Domain types shared by every layer.

The same names are used everywhere (`paper_id`, `user_key`) so that a row, a domain object and a
chat button all speak of the same thing.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time
from operator import attrgetter

UP = 1
DOWN = -1
WEEKDAYS = (0, 1, 2, 3, 4)
DAILY = (0, 1, 2, 3, 4, 5, 6)

_ARXIV_NEW = re.compile(r"(\d{4}\.\d{4,5})(v\d+)?$")
_ARXIV_OLD = re.compile(r"([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(v\d+)?$")


class PaperbotError(Exception):
    """Base of the errors the core raises on purpose; each edge turns them into a short message."""


class NotFoundError(PaperbotError):
    """A paper, user or delivery that does not exist."""


class InvalidInputError(PaperbotError):
    """Input a person typed (or a file held) that cannot be used as it is."""


def normalise_arxiv_id(raw: str) -> str | None:
    """`https://arxiv.org/abs/2509.04664v2` -> `2509.04664`; None when it is not an arXiv id."""
    text = raw.strip().rstrip("/")
    for prefix in ("arxiv:", "arXiv:"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    text = text.split("/abs/")[-1].split("/pdf/")[-1].removesuffix(".pdf")
    for pattern in (_ARXIV_NEW, _ARXIV_OLD):
        match = pattern.search(text)
        if match and match.start() == 0:
            return match.group(1)
    return None


def normalise_title(title: str) -> str:
    """Case, accents, punctuation and spacing folded, so two sources agree on one title."""
    folded = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode().lower()
    return " ".join(re.findall(r"[a-z0-9]+", folded))


def paper_id_for(title: str, arxiv_id: str | None = None) -> str:
    """The stable id: the arXiv id without version where known, else `t:` + 16 hex of the title."""
    if arxiv_id:
        normalised = normalise_arxiv_id(arxiv_id)
        if normalised:
            return normalised
    digest = hashlib.sha256(normalise_title(title).encode()).hexdigest()[:16]
    return f"t:{digest}"


def platform_of(user_key: str) -> str:
    """`slack:T1:U2` -> `slack`."""
    return user_key.split(":", 1)[0]


@dataclass(frozen=True, slots=True)
class Paper:
    paper_id: str
    title: str
    abstract: str = ""
    authors: tuple[str, ...] = ()
    organization: str | None = None
    keywords: tuple[str, ...] = ()
    published: date | None = None
    upvotes: int = 0
    urls: tuple[str, ...] = ()
    source: str = "file"
    ingested_at: datetime | None = None
    arxiv_id: str | None = None
    tldr: str | None = None  # a one-line summary when the source gives one (HF `ai_summary`)

    @property
    def url(self) -> str | None:
        """Where a person clicks: the arXiv page where known, else the first link we have."""
        if self.arxiv_id:
            return f"https://arxiv.org/abs/{self.arxiv_id}"
        return self.urls[0] if self.urls else None

    @property
    def day(self) -> date | None:
        """The date that places a paper in the candidate window: published, else ingested."""
        if self.published:
            return self.published
        return self.ingested_at.date() if self.ingested_at else None


# Paper.paper_id and Paper.title as C-level getters, for map() over the tens of thousands of
# papers a batch of users voted on (a Python loop per paper cost more than the products)
PAPER_ID = attrgetter("paper_id")
TITLE = attrgetter("title")


@dataclass(frozen=True, slots=True)
class User:
    user_key: str
    display_name: str = ""
    timezone: str = "UTC"
    send_time: time = time(9, 0)
    weekdays: tuple[int, ...] = WEEKDAYS
    picks_per_day: int = 5
    subscribed: bool = True
    paused_until: date | None = None
    interests: tuple[str, ...] = ()
    undeliverable: str | None = None
    created_at: datetime | None = None

    @property
    def platform(self) -> str:
        return platform_of(self.user_key)


@dataclass(frozen=True, slots=True)
class Vote:
    """A user's current opinion of a paper: +1 (👍) or -1 (👎)."""

    user_key: str
    paper_id: str
    vote: int
    at: datetime | None = None
    source: str = "command"


@dataclass(frozen=True, slots=True)
class Pick:
    """One recommended paper with the score that placed it and a reason a person understands."""

    paper: Paper
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class UserProfile:
    """Everything the model may know about one user when it ranks for them."""

    user_key: str
    interests: tuple[str, ...] = ()
    votes: dict[str, int] = field(default_factory=dict)
    rated_papers: tuple[Paper, ...] = ()
    exclude: frozenset[str] = frozenset()
    teammate_likes: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Delivery:
    """One row of the delivery ledger (the outbox): a user's picks for one local date."""

    delivery_id: int
    user_key: str
    platform: str
    local_date: date
    paper_ids: tuple[str, ...]
    status: str
    message_ids: tuple[str, ...] = ()
    channel_id: str | None = None
    attempts: int = 0
    error: str | None = None
    note: str | None = None
    # (paper_id, reason) in card order, as chosen at planning time; () for rows claimed before
    # the ledger kept reasons (their reasons are recomputed when sent).
    reasons: tuple[tuple[str, str], ...] = ()
