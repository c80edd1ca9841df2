"""What the engine and a chat platform exchange: the neutral messages every platform renders,
who is asking (`Requester`), and the `Notifier` port each adapter implements for the outbox.

The command layer answers with these; Slack turns them into Block Kit, Discord into embeds and
buttons, the console into text. Nothing here knows about a platform, so a new adapter is a renderer
and an event parser, never a second copy of the business rules.

Markup in neutral text. `Reply.text`, `PicksMessage.note` and `HomeView.notice` may use exactly
two pieces of Markdown, and nothing else:

- `**bold**` (two asterisks, no space just inside them), and
- `` `code` `` (backticks, for commands such as `/papers help`).

Every renderer converts them to its platform: Slack's mrkdwn turns `**x**` into `*x*` (a single
asterisk is bold there), Discord shows the Markdown as it is, the console strips the asterisks
and keeps the backticks. Everything else (titles, headers, card fields, vote texts) is plain
text that renderers only escape. Why one convention: the command layer is written once, and a
Slack-style `*bold*` reads as italics on Discord.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol


@dataclass(frozen=True, slots=True)
class PaperCard:
    """One paper as shown in chat, with the vote buttons' state.

    `url` is where the title links; `links` are (label, url) pairs to show beside it (arXiv
    abstract, PDF, Hugging Face page). `authors` are the first few and `et_al` says there are
    more (`author_line` writes both the same way on every platform). `tldr` is the source's
    one-line summary, shown before `summary` (the abstract's first sentences, one paragraph).
    `vote` is the viewer's current vote (+1, -1 or None) so a renderer can show it;
    `teammates_up` feeds "👍 by 2 teammates".
    """

    paper_id: str
    title: str
    url: str | None = None
    authors: tuple[str, ...] = ()
    organization: str | None = None
    summary: str = ""
    reason: str | None = None
    vote: int | None = None
    teammates_up: int = 0
    votable: bool = True
    links: tuple[tuple[str, str], ...] = ()
    et_al: bool = False
    published: date | None = None
    tldr: str | None = None

    @property
    def author_line(self) -> str:
        """`A, B, C et al.`; empty when no authors are known."""
        names = ", ".join(self.authors)
        return f"{names} et al." if names and self.et_al else names


@dataclass(frozen=True, slots=True)
class Reply:
    """The answer to one command. `private` asks the platform for an ephemeral reply where it has
    one. `confirm` names a follow-up the user must type to go on (e.g. `forget-me confirm`, or
    the first-contact `subscribe 09:00 UTC`); renderers make it a button labelled
    `confirm_label`, red when `confirm_danger` (deleting), plain when it is an offer."""

    text: str
    cards: tuple[PaperCard, ...] = ()
    private: bool = True
    title: str | None = None
    data: dict[str, object] | None = None
    is_error: bool = False
    confirm: str | None = None
    confirm_label: str = "Yes, go ahead"
    confirm_danger: bool = True


@dataclass(frozen=True, slots=True)
class PicksMessage:
    """A user's daily picks, ready to render as one DM (header + one card per paper)."""

    user_key: str
    local_date: date
    header: str
    cards: tuple[PaperCard, ...] = ()
    note: str | None = None
    # Earlier attempts at sending it (from the ledger): a notifier that posts it in several
    # parts may have posted some of them before failing, and resumes instead of repeating them.
    attempt: int = 0


@dataclass(frozen=True, slots=True)
class VoteOutcome:
    """What a button click or reaction did, so the adapter can update the message."""

    user_key: str
    paper_id: str
    vote: int  # +1, -1, or 0 when withdrawn
    recorded: bool  # False for a replayed event (nothing changed)
    card: PaperCard | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class HomeView:
    """What a user sees on their home tab: settings, interests, and their last picks with votes."""

    user_key: str
    settings: dict[str, str] = field(default_factory=dict)
    interests: tuple[str, ...] = ()
    recent: tuple[PaperCard, ...] = ()
    notice: str | None = None


@dataclass(frozen=True, slots=True)
class Requester:
    """Who is asking. `user_key` is `slack:<team>:<user>`, `discord:<user>` or `console:<name>`.

    `timezone` is asked only on first contact, to prefill the subscribe offer (Slack knows the
    person's `tz`; the lookup is an API call, hence a callable rather than a value)."""

    user_key: str
    display_name: str = ""
    timezone: Callable[[], str | None] | None = None


# -- the outbox's port: what the delivery engine needs from a platform ------------------------


class Undeliverable(Exception):
    """The platform refused for good (DMs closed, user gone): mark the user, don't retry."""


class TemporaryFailure(Exception):
    """Rate limits exhausted, network trouble: leave the row for the next drain."""


@dataclass(frozen=True, slots=True)
class SentMessage:
    """Where the picks went: the DM channel, and one platform message id per card (or a single id
    for the whole message, repeated), in card order, so reactions can be mapped to papers."""

    channel_id: str | None
    message_ids: tuple[str, ...]


class Notifier(Protocol):
    platform: str

    def send_picks(self, message: PicksMessage) -> SentMessage: ...
