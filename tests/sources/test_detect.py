"""Telling the format of a file from its content."""

from __future__ import annotations

import pytest

from recommender.domain import InvalidInputError
from sources import detect_format, parse


@pytest.mark.parametrize(
    ("name", "fmt", "parsed_as"),
    [
        ("hf_daily_papers.json", "hf", "hf"),
        ("arxiv_atom.xml", "arxiv", "arxiv-atom"),
        ("arxiv_rss.xml", "arxiv", "arxiv-rss"),
        ("papers_broken.jsonl", "jsonl", "jsonl"),
    ],
)
def test_fixtures_are_recognised(fixture_bytes, name: str, fmt: str, parsed_as: str) -> None:
    data = fixture_bytes(name)
    assert detect_format(data) == fmt
    assert parse(data).format == parsed_as


def test_bom_and_leading_space_and_empty() -> None:
    assert detect_format(b"\xef\xbb\xbf  \n[]") == "hf"
    assert detect_format(b"\n\n  <rss/>") == "arxiv"
    assert detect_format(b"") == "jsonl"
    assert parse(b"").papers == []


@pytest.mark.parametrize("data", [b"title,abstract\n", b"\x00\x01binary", b"# markdown"])
def test_unknown_content_is_invalid_input(data: bytes) -> None:
    with pytest.raises(InvalidInputError):
        detect_format(data)


def test_explicit_unknown_format_is_invalid_input() -> None:
    with pytest.raises(InvalidInputError):
        parse(b"{}", fmt="csv")


def test_default_source_applies_to_our_schema_only(fixture_bytes) -> None:
    result = parse(b'{"title": "T"}\n', default_source="import")
    assert result.papers[0].source == "import"
    assert (
        parse(fixture_bytes("hf_daily_papers.json"), default_source="import").papers[0].source
        == "hf"
    )
