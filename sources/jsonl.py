"""Our own papers file: JSON Lines, one paper per line (the schema the README documents).

    {"title": "...", "abstract": "...", "authors": ["..."], "organization": "...",
     "keywords": ["..."], "published": "2025-09-04", "upvotes": 12, "urls": ["..."],
     "arxiv_id": "2509.04664", "paper_id": "...", "source": "..."}

Only `title` is required. `paper_id` is derived (arXiv id, else a title hash) when absent, so a
hand-written file and an export of the database round-trip to the same rows. Unknown keys are
ignored so that files written by a newer paperbot still load.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO

from recommender.domain import InvalidInputError, Paper, normalise_arxiv_id, paper_id_for
from sources.records import (
    MAX_ABSTRACT_CHARS,
    ParseResult,
    RecordError,
    RecordInvalid,
    clean_text,
    count,
    is_cut,
    opt_text,
    parse_day,
    require_title,
    str_list,
)

FORMAT = "jsonl"
MAX_PAPER_ID_CHARS = 100
# A paper at every field's cap fits in well under this; a longer line is a broken or hostile
# file, and reading it whole would hold it several times over in memory.
MAX_LINE_BYTES = 1 << 20


def parse_jsonl(data: bytes, default_source: str = "file") -> ParseResult:
    """Read every line; a bad line becomes a `RecordError` with its line number.

    Raises InvalidInputError when no line at all is a JSON object: then this is not a papers
    file (a pretty-printed JSON document, a CSV, a binary) and importing "the rest" would be
    importing nothing while pretending to succeed.
    """
    result = ParseResult(format=FORMAT)
    result.papers.extend(iter_jsonl(data.split(b"\n"), result, default_source))
    return result


def iter_jsonl(
    lines: Iterable[bytes], result: ParseResult, default_source: str = "file"
) -> Iterator[Paper]:
    """The streaming form of `parse_jsonl`, for files too big to hold: papers are yielded as
    they are read, skipped records go to `result.errors`, and the InvalidInputError for a file
    with no readable line comes at the end (when no paper was yielded, so nothing was written)."""
    objects = 0
    for line_no, raw in enumerate(lines, start=1):
        if line_no == 1:
            raw = raw.removeprefix(b"\xef\xbb\xbf")
        if not raw.strip():
            continue
        try:
            if len(raw.rstrip(b"\r\n")) > MAX_LINE_BYTES:
                raise RecordInvalid(f"line longer than {MAX_LINE_BYTES:,} bytes")
            record = _decode(raw)
            objects += 1
            paper = record_to_paper(record, default_source)
        except RecordInvalid as exc:
            result.errors.append(RecordError(line_no, str(exc)))
            continue
        result.cut += is_cut(record.get("abstract"), MAX_ABSTRACT_CHARS)
        yield paper
    if result.errors and objects == 0:
        raise InvalidInputError(f"not a JSON Lines papers file ({result.errors[0]})")


def bounded_lines(handle: BinaryIO, limit: int = MAX_LINE_BYTES) -> Iterator[bytes]:
    """The lines of a binary file, holding at most `limit` + 1 bytes of one at a time: a line
    longer than `limit` comes out as its first `limit` + 1 bytes (iter_jsonl rejects it, with
    its number) and the rest of it is read past in bounded pieces."""
    while line := handle.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            while (rest := handle.readline(limit + 1)) and not rest.endswith(b"\n"):
                pass
        yield line


def _decode(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RecordInvalid(f"not UTF-8 text (byte {exc.start + 1})") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise RecordInvalid(f"not valid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(value, dict):
        raise RecordInvalid(f"expected a JSON object, got {type(value).__name__}")
    return value


def record_to_paper(record: dict[str, Any], default_source: str = "file") -> Paper:
    """One line of our schema -> a Paper, or RecordInvalid naming the first bad field."""
    title = require_title(record.get("title"))
    abstract = record.get("abstract") or ""
    if not isinstance(abstract, str):
        raise RecordInvalid("'abstract' must be a string")
    arxiv_raw = opt_text(record, "arxiv_id")
    arxiv_id = normalise_arxiv_id(arxiv_raw) if arxiv_raw else None
    if arxiv_raw and arxiv_id is None:
        raise RecordInvalid(f"'arxiv_id' is not an arXiv id: {arxiv_raw[:40]!r}")
    paper_id = opt_text(record, "paper_id", MAX_PAPER_ID_CHARS) or paper_id_for(title, arxiv_id)
    return Paper(
        paper_id=paper_id,
        title=title,
        abstract=clean_text(abstract, MAX_ABSTRACT_CHARS),
        authors=str_list(record, "authors"),
        organization=opt_text(record, "organization"),
        keywords=str_list(record, "keywords"),
        published=parse_day(record.get("published")),
        upvotes=count(record.get("upvotes")),
        urls=str_list(record, "urls"),
        source=opt_text(record, "source") or default_source,
        arxiv_id=arxiv_id,
        tldr=opt_text(record, "tldr"),
    )


def paper_to_record(paper: Paper) -> dict[str, Any]:
    """The inverse of `record_to_paper`: empty fields are left out to keep files small."""
    record: dict[str, Any] = {"paper_id": paper.paper_id, "title": paper.title}
    optional: dict[str, Any] = {
        "abstract": paper.abstract,
        "authors": list(paper.authors),
        "organization": paper.organization,
        "keywords": list(paper.keywords),
        "published": paper.published.isoformat() if paper.published else None,
        "upvotes": paper.upvotes,
        "urls": list(paper.urls),
        "arxiv_id": paper.arxiv_id,
        "source": paper.source,
        "tldr": paper.tldr,
    }
    record.update({k: v for k, v in optional.items() if v})
    return record


def dumps_record(paper: Paper) -> str:
    """One JSONL line (no trailing newline); UTF-8 kept readable rather than \\u-escaped."""
    return json.dumps(paper_to_record(paper), ensure_ascii=False, separators=(",", ":"))
