"""The Hugging Face Daily Papers API response."""

from __future__ import annotations

import json
from datetime import date

import pytest

from recommender.domain import InvalidInputError
from sources import parse_hf


def test_fixture_reads_every_paper(fixture_bytes) -> None:
    result = parse_hf(fixture_bytes("hf_daily_papers.json"))
    assert result.errors == [] and result.format == "hf"
    assert [p.paper_id for p in result.papers] == [
        "2509.04664",
        "2509.03312",
        "2509.02871",
        "2509.01987",
    ]
    first = result.papers[0]
    assert first.arxiv_id == "2509.04664"
    assert first.title == "Why Language Models Hallucinate"
    assert first.authors[0] == "Adam Tauman Kalai" and len(first.authors) == 4
    assert first.organization == "OpenAI"
    assert first.upvotes == 87
    assert first.published == date(2025, 9, 4)  # the paper's date, not the day it was listed
    assert "hallucination" in first.keywords
    assert first.source == "hf"
    assert first.urls == ("https://huggingface.co/papers/2509.04664",)
    assert "\n" not in first.abstract and first.abstract.startswith("Language models")


BARE = {
    "id": "2509.04664",
    "title": "Why Language Models Hallucinate",
    "summary": "Like students facing hard exam questions, large language models\nsometimes guess"
    " when\nuncertain.\n\nA second paragraph.",
    "ai_summary": "Hallucinations come from training and evaluation that reward guessing.",
    "authors": [{"name": "Adam Tauman Kalai"}],
    "publishedAt": "2025-09-04T17:59:50.000Z",
    "upvotes": 87,
}


def test_bare_paper_objects_as_the_papers_api_returns_them() -> None:
    listed = parse_hf(json.dumps([BARE, {"paper": BARE}]).encode())
    one = parse_hf(json.dumps(BARE).encode())
    assert listed.errors == [] and one.errors == []
    for paper in (*listed.papers, *one.papers):
        assert paper.paper_id == "2509.04664" and paper.upvotes == 87
        assert (
            paper.tldr == "Hallucinations come from training and evaluation that reward guessing."
        )
    (paper,) = one.papers
    assert paper.abstract == (
        "Like students facing hard exam questions, large language models sometimes guess when "
        "uncertain.\n\nA second paragraph."
    )


def test_an_object_that_is_neither_shape_is_one_bad_record() -> None:
    result = parse_hf(b'[{"id": "2509.00001"}, {"paper": {"id": "2509.00002", "title": "T"}}]')
    assert [str(e) for e in result.errors] == [
        "line 1: missing 'paper' object (and not a bare paper with 'id' and 'title')"
    ]
    assert [p.paper_id for p in result.papers] == ["2509.00002"]


def test_links_and_item_level_organization(fixture_bytes) -> None:
    papers = parse_hf(fixture_bytes("hf_daily_papers.json")).papers
    assert "https://github.com/example-lab/self-verifying-rag" in papers[1].urls
    assert papers[1].organization is None
    assert papers[2].organization == "Example Vision Lab"
    assert "https://example.org/tcl-video" in papers[2].urls


def item(**paper: object) -> dict:
    base = {"id": "2509.00001", "title": "A paper", "summary": "s", "upvotes": 1}
    base.update(paper)
    return {"paper": base, "publishedAt": "2025-09-05T01:00:00.000Z"}


def test_bad_items_are_named_by_line_and_the_rest_imported() -> None:
    items = [item(), {"paper": "not an object"}, item(id="2509.00002", upvotes="1.2k"), 7]
    text = json.dumps(items, indent=2)
    result = parse_hf(text.encode())
    assert [p.paper_id for p in result.papers] == ["2509.00001"]
    item_starts = [n for n, row in enumerate(text.splitlines(), 1) if row in ("  {", "  7")]
    assert [e.line for e in result.errors] == item_starts[1:]
    assert "paper" in result.errors[0].message
    assert "paper.upvotes" in result.errors[1].message
    assert "expected an object" in result.errors[2].message


def test_fallbacks_for_missing_fields() -> None:
    entry = {
        "paper": {"id": "2509.00003", "authors": [{"name": "Ada"}, {"nope": 1}, "Alan"]},
        "title": "Title only on the entry",
        "summary": "Summary only on the entry",
        "publishedAt": "2025-09-06T00:00:00.000Z",
        "organization": "Plain Org",
    }
    (paper,) = parse_hf(json.dumps([entry]).encode()).papers
    assert paper.title == "Title only on the entry"
    assert paper.abstract == "Summary only on the entry"
    assert paper.published == date(2025, 9, 6)
    assert paper.authors == ("Ada", "Alan")
    assert paper.organization == "Plain Org"
    assert paper.upvotes == 0


def test_missing_id_falls_back_to_the_title_hash() -> None:
    (paper,) = parse_hf(json.dumps([item(id=None)]).encode()).papers
    assert paper.paper_id.startswith("t:") and paper.arxiv_id is None


@pytest.mark.parametrize(
    "data",
    [
        b'{"paper": {"id": "2509.00001"}} trailing',
        b'[{"paper": {"id": "2509.00001", "title": "cut',
        b"[1, 2] trailing",
        b"[1 2]",
        b"",
        b"\xff\xfe[",
    ],
)
def test_an_unreadable_document_is_invalid_input(data: bytes) -> None:
    with pytest.raises(InvalidInputError):
        parse_hf(data)


def test_an_empty_day_is_an_empty_result() -> None:
    result = parse_hf(b"  [ ]  \n")
    assert result.papers == [] and result.errors == []
