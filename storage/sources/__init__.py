"""Where papers come from: pure parsers (bytes in, Papers and per-record errors out) for our own
JSON Lines schema, the Hugging Face Daily Papers API and arXiv's Atom API / RSS listing, plus the
network fetchers in `storage.sources.fetch` (never used by the parsers, never called in tests).

The format of a file is told from its content, not its name, so `paperbot ingest saved.txt`
works whatever the file was called.
"""

from __future__ import annotations

from recommender.domain import InvalidInputError
from storage.sources.arxiv import parse_arxiv
from storage.sources.hf import parse_hf
from storage.sources.jsonl import dumps_record, paper_to_record, parse_jsonl
from storage.sources.records import ParseResult, RecordError

__all__ = [
    "FORMATS",
    "ParseResult",
    "RecordError",
    "detect_format",
    "dumps_record",
    "paper_to_record",
    "parse",
    "parse_arxiv",
    "parse_hf",
    "parse_jsonl",
]

FORMATS = ("jsonl", "hf", "arxiv")


def detect_format(data: bytes) -> str:
    """`jsonl` (a line starting with `{`), `hf` (a JSON array) or `arxiv` (XML).

    An empty file counts as an empty JSON Lines file: nothing to import, not an error.
    """
    head = data[:4096].removeprefix(b"\xef\xbb\xbf").lstrip()
    if not head or head.startswith(b"{"):
        return "jsonl"
    if head.startswith(b"["):
        return "hf"
    if head.startswith(b"<"):
        return "arxiv"
    raise InvalidInputError(
        "unrecognised file: expected papers JSON Lines, a Hugging Face daily_papers JSON array "
        "or an arXiv Atom/RSS feed"
    )


def parse(data: bytes, fmt: str | None = None, default_source: str = "file") -> ParseResult:
    """Parse `data` in format `fmt` (detected when None). Raises InvalidInputError when the
    document as a whole is unreadable; bad records are in `result.errors` instead."""
    fmt = fmt or detect_format(data)
    if fmt == "jsonl":
        return parse_jsonl(data, default_source)
    if fmt == "hf":
        return parse_hf(data)
    if fmt == "arxiv":
        return parse_arxiv(data)
    raise InvalidInputError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
