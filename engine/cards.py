"""A paper as every platform shows it: the card (links, authors, summary, reason, votes).

Why a module of its own: the outbox (engine/delivery.py), the votes (engine/votes.py) and the
command layer (bots/commands.py) all draw the same card, and "👍 by N teammates" on it is read
from the feedback repository the same way for each.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.chat import PaperCard
from engine.ports import FeedbackRepository, RepositorySet
from engine.teams import is_digest, team_of
from recommender.domain import Delivery, Paper

SUMMARY_CHARS = 280
AUTHORS_SHOWN = 3
ARXIV = "https://arxiv.org/"
HF_PAPERS = "https://huggingface.co/papers/"


def summarize(text: str, limit: int = SUMMARY_CHARS) -> str:
    """The first sentences of an abstract that fit in `limit` characters, for a chat card."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    end = cut.rfind(". ")
    return cut[: end + 1] if end > limit // 3 else cut.rsplit(" ", 1)[0] + "…"


def paper_links(paper: Paper) -> tuple[tuple[str, str], ...]:
    """Where a reader goes: the arXiv abstract and PDF when the id is known, the Hugging Face
    page for a paper from HF Daily Papers, else the first link the source gave."""
    links: list[tuple[str, str]] = []
    if paper.arxiv_id:
        links.append(("arXiv", f"{ARXIV}abs/{paper.arxiv_id}"))
        links.append(("PDF", f"{ARXIV}pdf/{paper.arxiv_id}"))
    hf = next((u for u in paper.urls if u.startswith(HF_PAPERS)), None)
    if hf is None and paper.arxiv_id and "hf" in paper.source.split(","):
        hf = f"{HF_PAPERS}{paper.arxiv_id}"
    if hf:
        links.append(("Hugging Face", hf))
    if not links and paper.urls:
        links.append(("Link", paper.urls[0]))
    return tuple(links)


def paper_card(
    paper: Paper, reason: str | None = None, vote: int | None = None, teammates_up: int = 0
) -> PaperCard:
    """A paper as every platform shows it (title, links, authors, date, one-line summary,
    abstract summary, reason, vote state)."""
    links = paper_links(paper)
    return PaperCard(
        paper_id=paper.paper_id,
        title=paper.title,
        url=links[0][1] if links else None,
        authors=paper.authors[:AUTHORS_SHOWN],
        organization=paper.organization,
        summary=summarize(paper.abstract),
        reason=reason,
        vote=vote or None,
        teammates_up=teammates_up,
        links=links,
        et_al=len(paper.authors) > AUTHORS_SHOWN,
        published=paper.published,
        tldr=paper.tldr,
    )


def picks_header(delivery: Delivery) -> str:
    day = delivery.local_date
    whose = "Team" if is_digest(delivery.user_key) else "Your"
    return f"📚 {whose} paper picks for {day:%A} {day.day} {day:%B}"


def teammates_up(
    feedback: FeedbackRepository, viewer: str, paper_ids: Sequence[str]
) -> dict[str, int]:
    """paper_id -> how many of `viewer`'s teammates 👍 it (the viewer not counted; for a team
    digest, the whole team)."""
    exclude = None if is_digest(viewer) else viewer
    return feedback.likes_by_paper(paper_ids, exclude, team_of(viewer))


def team_card(repos: RepositorySet, platform: str, message_id: str) -> PaperCard | None:
    """The card of a team digest message as the whole channel sees it (its reason, "👍 by N
    teammates", no one's own vote); None when the message is not a digest card. Redrawn after a
    member votes there, since everyone sees that message."""
    ledger = repos.ledger
    row = ledger.find_by_message(platform, message_id)
    found = ledger.paper_for_message(platform, message_id)
    if row is None or found is None or not is_digest(row.user_key):
        return None
    paper = repos.papers.get(found[1])
    if paper is None:
        return None
    likes = teammates_up(repos.feedback, row.user_key, [paper.paper_id])
    reason = dict(row.reasons).get(paper.paper_id)
    return paper_card(paper, reason, teammates_up=likes.get(paper.paper_id, 0))
