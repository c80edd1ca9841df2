"""Turning what a person typed into a search-index query (storage/textindex.py) that cannot raise.

The index has its own query language (`+`, `-`, AND, OR, NOT, `*`, `^`, `field:`, ranges,
quotes), and ordinary input such as `"unbalanced`, `c++` or `rec-sys` is a syntax error in it. So
nothing the user types reaches it as syntax: we keep only word characters, wrap every term in
double quotes, and add our own small grammar on top: "exact phrases", `-word` (exclude),
`author:name`, `since:DATE` / `until:DATE` (on the published date; DATE is 2025-06-01, 2025-06
or 2025) and `sort:date`. A filter with a value we cannot read is an InvalidInputError naming
it: dropping it silently would answer a different question than the one asked.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from recommender.domain import InvalidInputError
from storage.textindex import day_number, phrase_clause

MAX_QUERY_CHARS = 2000
MAX_TERMS = 32
SORTS = ("relevance", "date")
_WORD = re.compile(r"\w+", re.UNICODE)
_PART = re.compile(r'(\w+):"([^"]*)"?|(\w+):(\S*)|(-?)"([^"]*)"?|(\S+)', re.UNICODE)
_KEYS = ("author", "since", "until", "sort")


@dataclass
class ParsedQuery:
    terms: list[str] = field(default_factory=list)  # each a quoted word or phrase: `"rec sys"`
    excluded: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    since: date | None = None
    until: date | None = None
    sort: str = "relevance"

    @property
    def has_words(self) -> bool:
        """False for a query of filters only (`since:2026-01`), which lists papers by date."""
        return bool(self.terms or self.authors)

    def expressions(self) -> Iterator[str]:
        """All terms required first; then any term, so a long query still finds something.

        Each is in the index's syntax: `+"a" +authors:"c"^0 +"c" -"d" +published:[lo TO hi]`."""
        # An author must be in `authors` (that clause scores 0) and counts in the ranking as
        # its 3 copies in `text` do, as FTS5 counted an `authors : x` match at weight 3.
        fixed = [f"+authors:{a}^0 +{a}" for a in self.authors]
        fixed += [f"-{phrase_clause(x)}" for x in self.excluded]
        dates = self.date_range() or (None if self.has_words else (1, day_number(date.max)))
        if dates:
            fixed.append(f"+published:[{dates[0]} TO {dates[1]}]")
        if not self.terms:
            yield " ".join(fixed)
            return
        terms = [phrase_clause(t) for t in self.terms]
        yield " ".join([f"+{t}" for t in terms] + fixed)
        if len(terms) > 1:
            yield " ".join(["+(" + " ".join(terms) + ")", *fixed])

    def date_range(self) -> tuple[int, int] | None:
        """`published` bounds as day numbers (20250601); None without date filters. An undated
        paper is 0 in the index, below every bound, so it never passes a date filter (using
        the ingest date instead put 2023 papers under `since:2026-01-01`)."""
        if self.since is None and self.until is None:
            return None
        low = day_number(self.since) if self.since else 1
        high = day_number(self.until) if self.until else day_number(date.max)
        return low, high


def _author(text: str) -> str | None:
    """`Adam Kalai` should find "Adam Tauman Kalai": the words near each other, not a phrase."""
    quoted = _quote(text)
    return f"{quoted}~3" if quoted and " " in quoted else quoted


def _quote(text: str) -> str | None:
    """`rec-sys` -> `"rec sys"` (a phrase); None when there is no word in it at all."""
    words = _WORD.findall(text)
    if not words:
        return None
    return '"' + " ".join(words) + '"'


def parse_date(key: str, value: str) -> date:
    """`since:` takes the first day of a month or year, `until:` the last, so `until:2025`
    includes December 31st. InvalidInputError with the accepted forms otherwise."""
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        if len(value) == 7:
            year, month = int(value[:4]), int(value[5:])
            start = date(year, month, 1)
            return start if key == "since" else start.replace(day=_days_in(year, month))
        if len(value) == 4 and value.isdigit():
            return date(int(value), 1, 1) if key == "since" else date(int(value), 12, 31)
    except ValueError:
        pass
    given = f", not {value[:40]!r}" if value else ""
    raise InvalidInputError(f"`{key}:` wants a date such as 2025-06-01, 2025-06 or 2025{given}")


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _parse_sort(value: str) -> str:
    wanted = value.lower()
    if wanted not in SORTS:
        raise InvalidInputError(f"`sort:` is `sort:date` or `sort:relevance`, not {value[:40]!r}")
    return wanted


def _apply_filter(parsed: ParsedQuery, key: str, value: str) -> None:
    if key == "author":
        quoted = _author(value)
        if quoted:
            parsed.authors.append(quoted)
    elif key == "since":
        parsed.since = parse_date(key, value)
    elif key == "until":
        parsed.until = parse_date(key, value)
    else:
        parsed.sort = _parse_sort(value)


def build_match(query: str) -> ParsedQuery | None:
    """Parse `query`; None when nothing searchable is left (empty, only punctuation).

    InvalidInputError for a filter whose value cannot be read (`since:yesterday`, `sort:best`)."""
    parsed = ParsedQuery()
    filtered = False
    text = (query or "")[:MAX_QUERY_CHARS]
    for match in _PART.finditer(text):
        key = (match.group(1) or match.group(3) or "").lower()
        value = match.group(2) if match.group(1) else match.group(4)
        if key in _KEYS and value is not None:
            _apply_filter(parsed, key, value)
            filtered = filtered or key != "author"
            continue
        if match.group(6) is not None:  # a "phrase", maybe -"excluded"
            raw, negated = match.group(6), bool(match.group(5))
        else:
            raw = match.group(0)
            negated = raw.startswith("-")
            raw = raw[1:] if negated else raw
        quoted = _quote(raw)
        if quoted and negated:
            parsed.excluded.append(quoted)
        elif quoted and len(parsed.terms) < MAX_TERMS:
            parsed.terms.append(quoted)
    if not parsed.has_words and not filtered:
        return None
    if parsed.since and parsed.until and parsed.since > parsed.until:
        raise InvalidInputError(
            f"`since:{parsed.since}` is after `until:{parsed.until}`: nothing can match"
        )
    return parsed


def search_order(query: str) -> str:
    """ "date" for `sort:date` and for filters without words (a listing), else "relevance"."""
    try:
        parsed = build_match(query)
    except InvalidInputError:
        return "relevance"
    return "date" if parsed and (parsed.sort == "date" or not parsed.has_words) else "relevance"
