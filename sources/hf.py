"""The Hugging Face Daily Papers API (`GET https://huggingface.co/api/daily_papers?date=D`).

The answer is a JSON array of daily entries; the paper itself sits under `paper`:

    [{"paper": {"id": "2509.04664", "title": ..., "summary": ..., "authors": [{"name": ...}],
                "publishedAt": "2025-09-04T17:59:50.000Z", "upvotes": 42,
                "ai_keywords": [...], "githubRepo": ..., "projectPage": ...,
                "organization": {"name": ..., "fullname": ...}},
      "publishedAt": "2025-09-05T...", "title": ..., "numComments": 3,
      "organization": {...}, "submittedBy": {...}}]

`paper.id` is the arXiv id, which is what makes the same paper from HF and from arXiv one row.
`published` is the paper's own date (`paper.publishedAt`); the day it was featured on the daily
list (the entry's `publishedAt`) is only a fallback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from recommender.domain import InvalidInputError, Paper, normalise_arxiv_id, paper_id_for
from sources.records import (
    MAX_ABSTRACT_CHARS,
    MAX_ITEM_CHARS,
    MAX_LIST_ITEMS,
    ParseResult,
    RecordError,
    RecordInvalid,
    count,
    one_line,
    parse_timestamp_day,
    rejoin_lines,
    require_title,
    str_list,
)

FORMAT = "hf"
SOURCE = "hf"
PAPER_PAGE = "https://huggingface.co/papers/"
_DECODER = json.JSONDecoder()
_SPACE = " \t\r\n"


def parse_hf(data: bytes) -> ParseResult:
    """Parse a daily_papers response; each array item is judged on its own.

    Raises InvalidInputError when the document is not JSON or not an array of objects.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInputError(f"not UTF-8 text (byte {exc.start + 1})") from None
    result = ParseResult(format=FORMAT)
    for line, item in _items(text):
        try:
            if not isinstance(item, dict):
                raise RecordInvalid(f"expected an object, got {type(item).__name__}")
            result.papers.append(item_to_paper(item))
        except RecordInvalid as exc:
            result.errors.append(RecordError(line, str(exc)))
    return result


def _items(text: str) -> Iterator[tuple[int, Any]]:
    """The array's items with the line each starts on.

    `json.loads` would lose positions, so the array is walked item by item with `raw_decode`;
    a syntax error anywhere makes the whole document unreadable, as it should.
    """
    pos = _skip(text, 0)
    if pos < len(text) and text[pos] == "{":  # one bare paper (`/api/papers/<id>`)
        try:
            item, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
        _expect_end(text, end)
        yield text.count("\n", 0, pos) + 1, item
        return
    if pos >= len(text) or text[pos] != "[":
        raise InvalidInputError("not a Hugging Face daily papers response (expected a JSON array)")
    pos = _skip(text, pos + 1)
    if pos < len(text) and text[pos] == "]":
        _expect_end(text, pos + 1)
        return
    while True:
        try:
            item, end = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise InvalidInputError(f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
        yield text.count("\n", 0, pos) + 1, item
        pos = _skip(text, end)
        if pos < len(text) and text[pos] == ",":
            pos = _skip(text, pos + 1)
            continue
        if pos < len(text) and text[pos] == "]":
            _expect_end(text, pos + 1)
            return
        line = text.count("\n", 0, pos) + 1
        raise InvalidInputError(f"not valid JSON: expected ',' or ']' (line {line})")


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _SPACE:
        pos += 1
    return pos


def _expect_end(text: str, pos: int) -> None:
    pos = _skip(text, pos)
    if pos != len(text):
        line = text.count("\n", 0, pos) + 1
        raise InvalidInputError(f"not valid JSON: extra data after the array (line {line})")


def item_to_paper(item: dict[str, Any]) -> Paper:
    """One daily entry, or a bare paper object (as `/api/papers/<id>` and the paper search
    return them), -> a Paper, or RecordInvalid naming what is wrong with it."""
    paper = item.get("paper", item if "title" in item and "id" in item else None)
    if not isinstance(paper, dict):
        raise RecordInvalid("missing 'paper' object (and not a bare paper with 'id' and 'title')")
    title = require_title(paper.get("title") or item.get("title"))
    raw_id = paper.get("id")
    if raw_id is not None and not isinstance(raw_id, str):
        raise RecordInvalid("'paper.id' must be a string")
    arxiv_id = normalise_arxiv_id(raw_id) if raw_id else None
    summary = paper.get("summary") or item.get("summary") or ""
    if not isinstance(summary, str):
        raise RecordInvalid("'paper.summary' must be a string")
    return Paper(
        paper_id=paper_id_for(title, arxiv_id),
        title=title,
        abstract=rejoin_lines(summary, MAX_ABSTRACT_CHARS),
        authors=_authors(paper.get("authors")),
        organization=_organization(item.get("organization") or paper.get("organization")),
        keywords=str_list(paper, "ai_keywords"),
        published=parse_timestamp_day(_text(paper.get("publishedAt")))
        or parse_timestamp_day(_text(item.get("publishedAt"))),
        upvotes=count(paper.get("upvotes", item.get("upvotes")), "paper.upvotes"),
        urls=_urls(raw_id, paper),
        source=SOURCE,
        arxiv_id=arxiv_id,
        tldr=one_line(_text(paper.get("ai_summary")) or "", MAX_ITEM_CHARS) or None,
    )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _authors(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise RecordInvalid("'paper.authors' must be a list")
    names = []
    for author in value[:MAX_LIST_ITEMS]:
        name = author.get("name") if isinstance(author, dict) else author
        if isinstance(name, str) and name.strip():
            names.append(one_line(name, MAX_ITEM_CHARS))
    return tuple(dict.fromkeys(names))


def _organization(value: object) -> str | None:
    """HF sends `{"name": "google", "fullname": "Google"}`; the full name is what people read."""
    if isinstance(value, dict):
        value = value.get("fullname") or value.get("name")
    if isinstance(value, str) and value.strip():
        return one_line(value, MAX_ITEM_CHARS)
    return None


def _urls(raw_id: str | None, paper: dict[str, Any]) -> tuple[str, ...]:
    urls = [PAPER_PAGE + raw_id] if raw_id else []
    for key in ("githubRepo", "projectPage"):
        value = paper.get(key)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            urls.append(one_line(value, MAX_ITEM_CHARS))
    return tuple(dict.fromkeys(urls))
