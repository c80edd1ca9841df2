"""What every parser returns, and the field checks they share.

A source file is judged record by record: one bad line must not cost the other thousand, so a
parser never raises for a bad record. It returns the papers it could read plus a `RecordError` per
record it skipped, with the line where that record starts, so a person can open the file there.
Only a file that cannot be read at all (not JSON, not XML, the wrong kind of document) raises
`InvalidInputError`, and then nothing from it is used.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from recommender.domain import Paper

MAX_TITLE_CHARS = 1_000
MAX_ABSTRACT_CHARS = 20_000
MAX_LIST_ITEMS = 500
MAX_ITEM_CHARS = 500
_SPACE = re.compile(r"\s+")
# C0/C1 control characters other than tab/newline; they only ever arrive by accident.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class RecordInvalid(ValueError):
    """One record cannot be used; the parser turns it into a `RecordError` and moves on."""


@dataclass(frozen=True, slots=True)
class RecordError:
    """A skipped record: where it starts (1-based line) and why, in words a person can act on."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(slots=True)
class ParseResult:
    """Papers read from one document, in document order, and the records that were skipped."""

    format: str
    papers: list[Paper] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    skipped: int = 0  # records deliberately passed over (not errors), e.g. arXiv revisions
    cut: int = 0  # papers kept with their abstract cut at MAX_ABSTRACT_CHARS

    @property
    def total(self) -> int:
        return len(self.papers) + len(self.errors) + self.skipped


def clean_text(value: str, limit: int) -> str:
    """Strip control characters and cap the length: a hostile or broken feed must not be able
    to store megabytes in one field or smuggle terminal escapes into a chat message."""
    return _CONTROL.sub("", value).strip()[:limit]


def is_cut(value: object, limit: int) -> bool:
    """Whether `clean_text(value, limit)` loses text: counted in the report, so a cut is seen."""
    return isinstance(value, str) and len(_CONTROL.sub("", value).strip()) > limit


def rejoin_lines(value: str, limit: int) -> str:
    """An abstract with its hard line wraps undone (arXiv wraps at ~80 columns and Hugging Face
    keeps those breaks): single newlines become spaces, blank-line paragraph breaks stay."""
    paragraphs = re.split(r"\n\s*\n", clean_text(value, limit).replace("\r\n", "\n"))
    return "\n\n".join(" ".join(p.split()) for p in paragraphs if p.strip())


def one_line(value: str, limit: int) -> str:
    """Titles and names: whitespace (including arXiv's hard line wraps) folded to one space."""
    return _SPACE.sub(" ", clean_text(value, limit * 2)).strip()[:limit]


def opt_text(record: dict[str, Any], key: str, limit: int = MAX_ITEM_CHARS) -> str | None:
    """An optional string field; None when absent, null or blank."""
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordInvalid(f"{key!r} must be a string, not {type(value).__name__}")
    return one_line(value, limit) or None


def str_list(record: dict[str, Any], key: str) -> tuple[str, ...]:
    """A list of strings (authors, keywords, urls); blanks and duplicates dropped, order kept."""
    value = record.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecordInvalid(f"{key!r} must be a list of strings")
    items = (one_line(v, MAX_ITEM_CHARS) for v in value[:MAX_LIST_ITEMS])
    return tuple(dict.fromkeys(v for v in items if v))


def parse_day(value: object, key: str = "published") -> date | None:
    """`2025-09-04`, or the date part of an ISO timestamp (`2025-09-04T17:59:50.000Z`)."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise RecordInvalid(f"{key!r} must be a date string like 2025-09-04")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise RecordInvalid(f"{key!r} is not a date: {value[:40]!r}") from None


def parse_timestamp_day(value: str | None) -> date | None:
    """The calendar date of an RFC 3339 / ISO timestamp, None when missing or unreadable.

    Used for feeds where a bad date should not cost the paper (the date is a nicety there)."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00")).date()
    except ValueError:
        try:
            return date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None


def count(value: object, key: str = "upvotes") -> int:
    """A non-negative integer; `true` is not a number even though Python thinks so."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordInvalid(f"{key!r} must be a whole number")
    if value < 0:
        raise RecordInvalid(f"{key!r} must not be negative")
    return value


def require_title(value: object) -> str:
    if value is None:
        raise RecordInvalid("missing 'title'")
    if not isinstance(value, str):
        raise RecordInvalid(f"'title' must be a string, not {type(value).__name__}")
    title = one_line(value, MAX_TITLE_CHARS)
    if not title:
        raise RecordInvalid("'title' is empty")
    return title
