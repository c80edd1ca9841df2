"""Our own JSON Lines schema: good lines become papers, bad lines are named and skipped."""

from __future__ import annotations

import json
from datetime import date

import pytest

from recommender.domain import InvalidInputError, Paper, paper_id_for
from sources import dumps_record, parse_jsonl


def line(**fields: object) -> bytes:
    return json.dumps(fields).encode() + b"\n"


def test_broken_fixture_imports_the_rest_and_names_each_bad_line(fixture_bytes) -> None:
    result = parse_jsonl(fixture_bytes("papers_broken.jsonl"))
    assert [p.title for p in result.papers] == [
        "Graph Neural Networks for Citation Recommendation",
        "Contrastive Pretraining for Scientific Document Embeddings",
        "Popularity Priors from Community Upvotes",
    ]
    assert [e.line for e in result.errors] == [3, 4, 6]
    assert "not valid JSON" in result.errors[0].message
    assert "title" in result.errors[1].message
    assert "published" in result.errors[2].message
    assert str(result.errors[0]).startswith("line 3: ")


def test_fields_are_read_and_ids_derived(fixture_bytes) -> None:
    first, second, third = parse_jsonl(fixture_bytes("papers_broken.jsonl")).papers
    assert first.paper_id == paper_id_for(first.title)
    assert first.authors == ("Ana Costa",)
    assert first.keywords == ("graph neural networks", "citation recommendation")
    assert first.published == date(2025, 8, 30)
    assert first.upvotes == 3 and first.urls == ("https://example.org/gnn-cite",)
    assert second.arxiv_id == "2508.11111" and second.paper_id == "2508.11111"
    assert third.organization == "Example University" and third.source == "file"


def test_export_and_reimport_round_trip() -> None:
    original = Paper(
        paper_id="2509.04664",
        arxiv_id="2509.04664",
        title="Why Language Models Hallucinate",
        abstract="Confident falsehoods.",
        authors=("Adam Tauman Kalai", "Ofir Nachum"),
        organization="OpenAI",
        keywords=("hallucination",),
        published=date(2025, 9, 4),
        upvotes=87,
        urls=("https://huggingface.co/papers/2509.04664",),
        source="hf",
    )
    again = parse_jsonl(dumps_record(original).encode())
    assert again.errors == [] and again.papers == [original]


def test_explicit_paper_id_is_kept() -> None:
    result = parse_jsonl(line(title="Hand made", paper_id="custom-1"))
    assert result.papers[0].paper_id == "custom-1"


@pytest.mark.parametrize(
    ("fields", "complaint"),
    [
        ({"title": "x", "upvotes": True}, "upvotes"),
        ({"title": "x", "upvotes": -3}, "negative"),
        ({"title": "x", "upvotes": "12"}, "upvotes"),
        ({"title": "x", "authors": "Ada, Alan"}, "authors"),
        ({"title": "x", "keywords": [1, 2]}, "keywords"),
        ({"title": "x", "abstract": 5}, "abstract"),
        ({"title": "x", "arxiv_id": "not an id"}, "arxiv_id"),
        ({"title": "   "}, "empty"),
        ({"title": 42}, "title"),
        ({"title": "x", "organization": ["A"]}, "organization"),
    ],
)
def test_wrong_field_types_are_record_errors(fields: dict, complaint: str) -> None:
    data = line(title="Good paper") + line(**fields)
    result = parse_jsonl(data)
    assert [p.title for p in result.papers] == ["Good paper"]
    assert len(result.errors) == 1 and result.errors[0].line == 2
    assert complaint in result.errors[0].message


def test_non_object_and_non_utf8_lines_are_record_errors() -> None:
    data = (
        line(title="Fine") + b"[1, 2]\n" + b'{"title": "caf\xe9"}\n' + b"\n\n" + line(title="Also")
    )
    result = parse_jsonl(data)
    assert [p.title for p in result.papers] == ["Fine", "Also"]
    assert [(e.line, e.message.split(" ")[0]) for e in result.errors] == [
        (2, "expected"),
        (3, "not"),
    ]
    assert "UTF-8" in result.errors[1].message


@pytest.mark.parametrize(
    "data",
    [
        b'{\n  "title": "pretty printed",\n  "abstract": "x"\n}\n',
        b"title,abstract\nA,B\n",
        b"\x89PNG\r\n\x1a\n\x00\x00",
    ],
)
def test_a_file_with_no_readable_line_is_invalid_input(data: bytes) -> None:
    with pytest.raises(InvalidInputError):
        parse_jsonl(data)


def test_empty_file_and_bom_are_fine() -> None:
    assert parse_jsonl(b"").papers == []
    result = parse_jsonl(b"\xef\xbb\xbf" + line(title="With BOM"))
    assert [p.title for p in result.papers] == ["With BOM"]


def test_text_is_cleaned_and_capped() -> None:
    result = parse_jsonl(
        line(
            title="  A\u0007 title\n  across\tlines ",
            abstract="x" * 50_000,
            authors=["Ada", "Ada", " ", "Alan"],
            future_field={"ignored": True},
        )
    )
    paper = result.papers[0]
    assert paper.title == "A title across lines"
    assert len(paper.abstract) == 20_000
    assert paper.authors == ("Ada", "Alan")


def test_iso_timestamp_is_accepted_as_published_date() -> None:
    result = parse_jsonl(line(title="x", published="2025-09-04T17:59:50Z"))
    assert result.papers[0].published == date(2025, 9, 4)
