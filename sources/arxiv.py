"""arXiv feeds: the Atom API (`export.arxiv.org/api/query`) and the daily RSS listing
(`rss.arxiv.org/rss/<category>`), plus the Atom flavour of that listing (`rss.arxiv.org/atom/...`).

The API gives one `<entry>` per paper with `<id>http://arxiv.org/abs/2501.01234v2</id>`, authors
as `<author><name>`, categories as `<category term>`. The listing gives one `<item>` per
announcement with the abstract behind an `arXiv:... Announce Type: new Abstract:` preamble and all
authors in one `<dc:creator>`. Both become Papers whose id is the arXiv id without version, so a
paper seen here and on Hugging Face is one row. Categories (`cs.LG`) are kept as keywords: they
are what people filter and follow by.

Listing items announced as `replace` are revisions of old papers, not news; they are skipped
(and counted in `skipped`), since their only date is the day of the revision.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date
from email.utils import parsedate_to_datetime

from recommender.domain import InvalidInputError, Paper, normalise_arxiv_id
from sources.records import (
    MAX_ABSTRACT_CHARS,
    MAX_ITEM_CHARS,
    ParseResult,
    RecordError,
    RecordInvalid,
    one_line,
    parse_timestamp_day,
    rejoin_lines,
    require_title,
)
from sources.xmltree import Document, parse_xml

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
FORMAT_ATOM = "arxiv-atom"
FORMAT_RSS = "arxiv-rss"
SOURCE = "arxiv"
ABS_PAGE = "https://arxiv.org/abs/"
PDF_PAGE = "https://arxiv.org/pdf/"
_PREAMBLE = re.compile(r"^\s*arXiv:\S+\s+Announce Type:\s*\S+\s*(Abstract:\s*)?", re.IGNORECASE)
_ANNOUNCE = re.compile(r"Announce Type:\s*(\S+)", re.IGNORECASE)
_SKIPPED_ANNOUNCEMENTS = frozenset({"replace", "replace-cross"})


def parse_arxiv(data: bytes) -> ParseResult:
    """Atom API response, Atom listing or RSS 2.0 listing, told apart by the root element."""
    doc = parse_xml(data)
    if doc.root.tag == ATOM + "feed":
        return _parse_atom(doc)
    if doc.root.tag == "rss":
        return _parse_rss(doc)
    raise InvalidInputError(f"not an arXiv Atom or RSS feed (root element {doc.root.tag!r})")


def _arxiv_id(raw: str | None) -> str:
    """`http://arxiv.org/abs/2501.01234v2` or `oai:arXiv.org:2501.01234v1` -> `2501.01234`."""
    text = (raw or "").strip()
    if text.lower().startswith("oai:arxiv.org:"):
        text = text[len("oai:arxiv.org:") :]
    found = normalise_arxiv_id(text) if text else None
    if found is None:
        raise RecordInvalid(f"no arXiv id in {text[:60]!r}")
    return found


def _announce_type(item: ET.Element, text: str) -> str:
    tag = item.findtext(ARXIV + "announce_type")
    if tag:
        return tag.strip().lower()
    match = _ANNOUNCE.search(text[:200])
    return match.group(1).lower() if match else "new"


def _split_creators(value: str | None) -> tuple[str, ...]:
    """`dc:creator` holds every author in one string: `Ada Lovelace, Alan Turing`."""
    names = (one_line(n, MAX_ITEM_CHARS) for n in re.split(r",\s*|\s+and\s+", value or ""))
    return tuple(dict.fromkeys(n for n in names if n))


def _atom_error(entry: ET.Element) -> None:
    """The API reports a bad query as a feed holding a single `Error` entry."""
    entry_id = entry.findtext(ATOM + "id") or ""
    if "/api/errors" in entry_id:
        detail = one_line(entry.findtext(ATOM + "summary") or "unknown error", 200)
        raise InvalidInputError(f"the arXiv API reported an error: {detail}")


def _parse_atom(doc: Document) -> ParseResult:
    result = ParseResult(format=FORMAT_ATOM)
    for entry in doc.root.iter(ATOM + "entry"):
        _atom_error(entry)
        summary = entry.findtext(ATOM + "summary") or ""
        if _announce_type(entry, summary) in _SKIPPED_ANNOUNCEMENTS:
            result.skipped += 1
            continue
        try:
            result.papers.append(_atom_entry(entry, summary))
        except RecordInvalid as exc:
            result.errors.append(RecordError(doc.line(entry), str(exc)))
    return result


def _atom_entry(entry: ET.Element, summary: str) -> Paper:
    arxiv_id = _arxiv_id(entry.findtext(ATOM + "id"))
    authors = tuple(
        one_line(name, MAX_ITEM_CHARS)
        for name in (a.findtext(ATOM + "name") for a in entry.iter(ATOM + "author"))
        if name and name.strip()
    )
    if not authors:
        authors = _split_creators(entry.findtext(DC + "creator"))
    primary = entry.find(ARXIV + "primary_category")
    terms = [primary.get("term")] if primary is not None else []
    terms += [c.get("term") for c in entry.iter(ATOM + "category")]
    return Paper(
        paper_id=arxiv_id,
        title=require_title(entry.findtext(ATOM + "title")),
        abstract=rejoin_lines(_PREAMBLE.sub("", summary), MAX_ABSTRACT_CHARS),
        authors=tuple(dict.fromkeys(authors)),
        keywords=tuple(dict.fromkeys(t.strip() for t in terms if t and t.strip())),
        published=parse_timestamp_day(entry.findtext(ATOM + "published")),
        urls=_urls(arxiv_id),
        source=SOURCE,
        arxiv_id=arxiv_id,
    )


def _urls(arxiv_id: str) -> tuple[str, ...]:
    """The canonical pages, built rather than copied: the feed's links carry a version
    (`.../abs/2509.04664v1`) that goes stale with the next revision."""
    return (ABS_PAGE + arxiv_id, PDF_PAGE + arxiv_id)


def _parse_rss(doc: Document) -> ParseResult:
    result = ParseResult(format=FORMAT_RSS)
    for item in doc.root.iter("item"):
        description = item.findtext("description") or ""
        if _announce_type(item, description) in _SKIPPED_ANNOUNCEMENTS:
            result.skipped += 1
            continue
        try:
            result.papers.append(_rss_item(item, description))
        except RecordInvalid as exc:
            result.errors.append(RecordError(doc.line(item), str(exc)))
    return result


def _rss_item(item: ET.Element, description: str) -> Paper:
    arxiv_id = _arxiv_id(item.findtext("guid") or item.findtext("link"))
    return Paper(
        paper_id=arxiv_id,
        title=require_title(item.findtext("title")),
        abstract=rejoin_lines(_PREAMBLE.sub("", description), MAX_ABSTRACT_CHARS),
        authors=_split_creators(item.findtext(DC + "creator")),
        keywords=tuple(dict.fromkeys(c.text.strip() for c in item.iter("category") if c.text)),
        published=_rfc822_day(item.findtext("pubDate")),
        urls=_urls(arxiv_id),
        source=SOURCE,
        arxiv_id=arxiv_id,
    )


def _rfc822_day(value: str | None) -> date | None:
    """`Mon, 06 Jan 2025 00:00:00 -0500` -> 2025-01-06 (the listing's announcement day)."""
    if not value:
        return None
    try:
        return parsedate_to_datetime(value.strip()).date()
    except (TypeError, ValueError):
        return None
