"""Where papers come from: pure parsers (bytes in, Papers and per-record errors out) for our own
JSON Lines schema, the Hugging Face Daily Papers API and arXiv's Atom API / RSS listing, plus the
network fetchers in `sources.fetch` (never used by the parsers, never called in tests).

The format of a file is told from its content, not its name, so `paperbot ingest saved.txt`
works whatever the file was called.
"""

from __future__ import annotations

from recommender.domain import InvalidInputError
from sources.arxiv import parse_arxiv
from sources.hf import parse_hf
from sources.jsonl import dumps_record, paper_to_record, parse_jsonl
from sources.records import ParseResult, RecordError

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
    encoding = _wide_encoding(data[:4096])
    if encoding:
        raise InvalidInputError(
            f"the file is {encoding} text; paperbot reads UTF-8: convert it first "
            f"(iconv -f {encoding} -t UTF-8)"
        )
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


def _wide_encoding(head: bytes) -> str | None:
    """UTF-16 / UTF-32, by their byte-order mark or by the NUL bytes that ASCII text has in
    them; None for anything else. (Windows tools save "Unicode" text as UTF-16.)"""
    for bom, name in (
        (b"\xff\xfe\x00\x00", "UTF-32LE"),
        (b"\x00\x00\xfe\xff", "UTF-32BE"),
        (b"\xff\xfe", "UTF-16LE"),
        (b"\xfe\xff", "UTF-16BE"),
    ):
        if head.startswith(bom):
            return name
    sample = head[:64]
    if len(sample) >= 4 and sample[1::2].count(0) >= len(sample) // 4 and sample[0] != 0:
        return "UTF-16LE"
    if len(sample) >= 4 and sample[0::2].count(0) >= len(sample) // 4 and sample[1] != 0:
        return "UTF-16BE"
    return None


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
