"""The bundled sample corpus (paperbot/data/sample_papers.jsonl) and the conversion that made it."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from recommender.domain import InvalidInputError, paper_id_for
from sources import parse_jsonl
from sources.seed import convert, seed_to_paper

SEED = Path(__file__).resolve().parents[3] / "shared" / "data" / "seed_papers.jsonl"


def sample_bytes() -> bytes:
    return (resources.files("paperbot") / "data" / "sample_papers.jsonl").read_bytes()


def test_sample_ships_409_clean_papers_with_unique_ids() -> None:
    result = parse_jsonl(sample_bytes())
    assert result.errors == []
    assert len(result.papers) == 409
    assert len({p.paper_id for p in result.papers}) == 409
    assert {p.source for p in result.papers} == {"hf-sample"}
    assert all(p.paper_id == paper_id_for(p.title) for p in result.papers)
    assert sum(1 for p in result.papers if p.organization) == 9


@pytest.mark.skipif(not SEED.exists(), reason="the shared seed file is not in this checkout")
def test_sample_is_exactly_the_conversion_of_the_seed() -> None:
    with SEED.open(encoding="utf-8") as lines:
        converted = "\n".join(convert(lines)) + "\n"
    assert converted.encode() == sample_bytes()


def test_seed_row_conversion() -> None:
    row = {
        "title": "A Seed Paper",
        "abstract": "Text with a link https://github.com/x/y",
        "published": None,
        "n_authors": 3,
        "organization": "NVIDIA",
        "upvotes": 5,
        "links": ["https://github.com/x/y"],
        "listing": "000_abc.txt",
    }
    paper = seed_to_paper(row)
    assert paper.paper_id == paper_id_for("A Seed Paper")
    assert paper.urls == ("https://github.com/x/y",) and paper.authors == ()
    assert paper.organization == "NVIDIA" and paper.upvotes == 5 and paper.published is None
    assert paper.source == "hf-sample" and paper.keywords == ()


def test_a_bad_seed_row_stops_the_conversion_loudly() -> None:
    with pytest.raises(InvalidInputError, match="seed line 2"):
        list(convert([json.dumps({"title": "ok"}), json.dumps({"abstract": "no title"})]))
