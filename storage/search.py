"""Turning what a person typed into an FTS5 MATCH expression that cannot raise.

FTS5 has its own query language (AND, OR, NOT, NEAR, `*`, `^`, column filters, quotes), and
ordinary input such as `"unbalanced`, `c++` or `rec-sys` is a syntax error in it. So nothing the
user types reaches FTS5 as syntax: we keep only word characters, wrap every term in double quotes,
and add our own small grammar on top: "exact phrases", `author:name` and `since:YYYY-MM-DD`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

MAX_QUERY_CHARS = 2000
MAX_TERMS = 32
_WORD = re.compile(r"\w+", re.UNICODE)
_PART = re.compile(r'(\w+):"([^"]*)"?|(\w+):(\S+)|"([^"]*)"?|(\S+)', re.UNICODE)


@dataclass
class ParsedQuery:
    terms: list[str] = field(default_factory=list)  # each already an FTS5 string or phrase
    authors: list[str] = field(default_factory=list)
    since: date | None = None

    def expressions(self) -> Iterator[str]:
        """All terms required first; then any term, so a long query still finds something."""
        author_part = " AND ".join(f"authors : {a}" for a in self.authors)
        joined = [" AND ".join(self.terms)] if self.terms else [""]
        if len(self.terms) > 1:
            joined.append("(" + " OR ".join(self.terms) + ")")
        for text in joined:
            parts = [p for p in (text, author_part) if p]
            if parts:
                yield " AND ".join(parts)


def _author(text: str) -> str | None:
    """`Adam Kalai` should find "Adam Tauman Kalai": the words near each other, not a phrase."""
    words = _WORD.findall(text)
    if len(words) <= 1:
        return _quote(text)
    return "NEAR(" + " ".join(f'"{w}"' for w in words) + ", 3)"


def _quote(text: str) -> str | None:
    """`rec-sys` -> `"rec sys"` (a phrase); None when there is no word in it at all."""
    words = _WORD.findall(text)
    if not words:
        return None
    return '"' + " ".join(words) + '"'


def _parse_since(value: str) -> date | None:
    for length, suffix in ((10, ""), (7, "-01"), (4, "-01-01")):
        if len(value) == length:
            try:
                return date.fromisoformat(value + suffix)
            except ValueError:
                return None
    return None


def build_match(query: str) -> ParsedQuery | None:
    """Parse `query`; None when nothing searchable is left (empty, only punctuation)."""
    parsed = ParsedQuery()
    text = (query or "")[:MAX_QUERY_CHARS]
    for match in _PART.finditer(text):
        key = (match.group(1) or match.group(3) or "").lower()
        value = match.group(2) if match.group(1) else match.group(4)
        if key == "author" and value is not None:
            quoted = _author(value)
            if quoted:
                parsed.authors.append(quoted)
            continue
        if key == "since" and value is not None and _parse_since(value):
            parsed.since = _parse_since(value)
            continue
        raw = match.group(5) if match.group(5) is not None else match.group(0)
        quoted = _quote(raw)
        if quoted and len(parsed.terms) < MAX_TERMS:
            parsed.terms.append(quoted)
    if not parsed.terms and not parsed.authors:
        return None
    return parsed
