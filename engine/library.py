"""Bring your own library: papers a person already likes become their 👍 at once.

Why: a newcomer with no votes gets generic picks. Their Zotero, Mendeley or Google Scholar
export (parsed by sources/library.py into `LibraryEntry`s) says what they like. Each entry
is matched to a stored paper by arXiv id, DOI or normalised title; an unmatched entry with a title
is stored as a paper of its own; every matched or added paper gets the user's 👍. The ranker builds
a user from `profile.votes` on every call, so the next picks use the library with no refit.

All writes happen in one unit of work (`repos.atomic()`): an import is wholly applied or not at
all. Like the rest of the core: no SQL, no clock reads, no file reading."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from engine.ports import RepositorySet
from recommender.domain import (
    InvalidInputError,
    Paper,
    normalise_arxiv_id,
    normalise_title,
    paper_id_for,
)

MAX_ENTRIES = 5_000
SOURCE = "import"
DOI_URL = "https://doi.org/"
_DOI = re.compile(r"(?:https?://(?:dx\.)?doi\.org/|doi:\s*)?(10\.\d{4,9}/\S+)", re.IGNORECASE)
_HF_PAPER = re.compile(r"https?://huggingface\.co/papers/([^/?#]+)")


@dataclass(frozen=True, slots=True)
class LibraryEntry:
    """One entry of an exported library; `line` is where it starts in the file (1-based)."""

    line: int
    title: str = ""
    arxiv_id: str | None = None
    doi: str | None = None  # lower case, without https://doi.org/
    abstract: str = ""
    authors: tuple[str, ...] = ()
    published: date | None = None
    url: str | None = None
    raw: str = ""  # the reference as written, for a pasted id or URL

    @property
    def label(self) -> str:
        """How a report names the entry: its arXiv id, DOI, title or what was written."""
        return self.arxiv_id or self.doi or _short(self.title) or _short(self.raw) or "untitled"


@dataclass(slots=True)
class ImportReport:
    """What an import did, entry by entry (paper ids, and a reason for every skipped entry)."""

    matched: list[tuple[LibraryEntry, str]] = field(default_factory=list)
    added: list[tuple[LibraryEntry, str]] = field(default_factory=list)
    skipped: list[tuple[LibraryEntry, str]] = field(default_factory=list)

    @property
    def liked(self) -> list[str]:
        return [pid for _, pid in [*self.matched, *self.added]]

    def summary(self) -> str:
        head = (
            f"👍 {len(self.liked)} papers from your library: {len(self.matched)} matched, "
            f"{len(self.added)} added, {len(self.skipped)} skipped."
        )
        reasons = [f"line {e.line} ({e.label}): {why}" for e, why in self.skipped[:20]]
        if len(self.skipped) > 20:
            reasons.append(f"… and {len(self.skipped) - 20} more skipped")
        return "\n".join([head, *(f"• {r}" for r in reasons)])


def find_doi(text: str | None) -> str | None:
    """The DOI in `10.1145/3292500.3330701`, `doi:10...` or `https://doi.org/10...`, lower
    case (DOIs are case-insensitive); None when there is none."""
    match = _DOI.search(text or "")
    return match.group(1).rstrip(".,;").lower() if match else None


def parse_references(text: str) -> list[LibraryEntry]:
    """Pasted references, one entry per token (whitespace or commas between them, `#` starts a
    comment): arXiv ids or URLs, Hugging Face paper URLs, DOIs or doi.org URLs. A token that is
    none of these is still an entry (with no id), so the import reports it skipped, and why."""
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        for token in re.split(r"[\s,]+", raw.split("#", 1)[0].strip()):
            token = token.strip("<>()[]").split("|", 1)[0]  # Slack's <url|label> form
            if token:
                hf = _HF_PAPER.match(token)
                arxiv_id = normalise_arxiv_id(hf.group(1) if hf else token)
                doi = None if arxiv_id else find_doi(token)
                entries.append(LibraryEntry(line=number, arxiv_id=arxiv_id, doi=doi, raw=token))
    return entries


def doi_of_arxiv(doi: str | None) -> str | None:
    """arXiv's own DOIs (10.48550/arXiv.2509.04664) name an arXiv id."""
    prefix = "10.48550/arxiv."
    return doi[len(prefix) :] if doi and doi.startswith(prefix) else None


def import_library(
    repos: RepositorySet, user_key: str, entries: list[LibraryEntry], now: datetime
) -> ImportReport:
    """Match, store and 👍 every usable entry for `user_key` (who must exist), in one unit of
    work. Entries naming a paper already seen earlier in the file are skipped as repeats."""
    if len(entries) > MAX_ENTRIES:
        raise InvalidInputError(f"at most {MAX_ENTRIES} entries per import, not {len(entries)}")
    report = ImportReport()
    found = _known(repos, entries)
    seen: dict[str, int] = {}
    new_papers: dict[str, Paper] = {}
    for entry in entries:
        paper_id, added = _resolve(entry, found, new_papers)
        if paper_id is None:
            report.skipped.append((entry, _why_unusable(entry)))
        elif paper_id in seen:
            report.skipped.append((entry, f"the same paper as line {seen[paper_id]}"))
        else:
            seen[paper_id] = entry.line
            (report.added if added else report.matched).append((entry, paper_id))
    with repos.atomic():
        if new_papers:
            repos.papers.upsert(new_papers.values(), now)
        for paper_id in report.liked:
            repos.feedback.record(user_key, paper_id, 1, SOURCE, now)
    return report


def _keys(entry: LibraryEntry) -> list[str]:
    """Lookup keys in the order they are trusted: arXiv id, DOI, then normalised title."""
    keys = []
    arxiv_id = entry.arxiv_id or doi_of_arxiv(entry.doi)
    if arxiv_id:
        keys.append(f"ax:{arxiv_id}")
    if entry.doi:
        keys.append(f"url:{DOI_URL}{entry.doi}")
    if normalise_title(entry.title):
        keys.append(f"t:{normalise_title(entry.title)}")
    return keys


def _known(repos: RepositorySet, entries: list[LibraryEntry]) -> dict[str, Paper]:
    keys = {key for entry in entries for key in _keys(entry)}
    return repos.papers.lookup(keys) if keys else {}


def _resolve(
    entry: LibraryEntry, found: dict[str, Paper], new_papers: dict[str, Paper]
) -> tuple[str | None, bool]:
    """(paper_id, added?) for one entry; (None, False) when it names nothing usable."""
    keys = _keys(entry)
    for key in keys:
        if key in found:
            return found[key].paper_id, False
    title = " ".join(entry.title.split())
    if not title:
        return None, False
    paper = _as_paper(entry, title)
    for key in keys:  # a later entry naming the same new paper is a repeat, not a second paper
        found[key] = paper
    new_papers[paper.paper_id] = paper
    return paper.paper_id, True


def _as_paper(entry: LibraryEntry, title: str) -> Paper:
    arxiv_id = entry.arxiv_id or doi_of_arxiv(entry.doi)
    urls = [u for u in (entry.url, f"{DOI_URL}{entry.doi}" if entry.doi else None) if u]
    return Paper(
        paper_id=paper_id_for(title, arxiv_id),
        title=title,
        abstract=entry.abstract,
        authors=entry.authors,
        published=entry.published,
        urls=tuple(dict.fromkeys(urls)),
        source=SOURCE,
        arxiv_id=arxiv_id,
    )


def _why_unusable(entry: LibraryEntry) -> str:
    if entry.arxiv_id or entry.doi:
        return "not among the stored papers and no title to add it with (ingest it first)"
    if entry.raw:
        return "not an arXiv id, arXiv or Hugging Face URL, or DOI"
    return "no arXiv id, DOI or title"


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
