"""arXiv Atom API responses and the RSS listing."""

from __future__ import annotations

from datetime import date

import pytest

from recommender.domain import InvalidInputError
from sources import parse_arxiv

ATOM_HEAD = b'<?xml version="1.0"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'


def test_atom_fixture(fixture_bytes) -> None:
    result = parse_arxiv(fixture_bytes("arxiv_atom.xml"))
    assert result.format == "arxiv-atom" and result.errors == []
    first, second, third = result.papers
    assert first.paper_id == first.arxiv_id == "2509.04664"  # version dropped
    assert first.title == "Why Language Models Hallucinate"  # hard wrap folded
    assert first.abstract.startswith("Language models sometimes state falsehoods")
    assert first.authors == (
        "Adam Tauman Kalai",
        "Ofir Nachum",
        "Santosh S. Vempala",
        "Edwin Zhang",
    )
    assert first.keywords == ("cs.CL", "cs.AI")  # primary category first, no duplicates
    assert first.published == date(2025, 9, 4)
    assert first.urls == ("https://arxiv.org/abs/2509.04664", "https://arxiv.org/pdf/2509.04664")
    assert first.source == "arxiv" and first.upvotes == 0
    assert second.paper_id == "2509.03840" and second.authors[1] == "Lukas Müller"
    assert third.title.startswith("Sparse Mixture-of-Experts Routing & Load")
    assert third.keywords == ("cs.LG", "cs.CL")


def test_rss_fixture_skips_revisions(fixture_bytes) -> None:
    result = parse_arxiv(fixture_bytes("arxiv_rss.xml"))
    assert result.format == "arxiv-rss" and result.errors == []
    assert [p.paper_id for p in result.papers] == ["2509.04102", "2509.03312"]
    assert result.skipped == 1 and result.total == 3
    first = result.papers[0]
    assert first.abstract.startswith("Two-tower retrieval models struggle")
    assert "Announce Type" not in first.abstract
    assert first.authors == ("Ingrid Larsen", "Mateo Silva", "Yuki Tanaka")
    assert first.keywords == ("cs.IR", "cs.LG")
    assert first.published == date(2025, 9, 5)


def test_a_bad_entry_is_named_by_line() -> None:
    data = (
        ATOM_HEAD
        + b"<entry><id>http://arxiv.org/abs/2501.00001v1</id><title>Good</title></entry>\n"
        + b"<entry>\n<id>http://example.org/not-arxiv</id><title>No id</title></entry>\n"
        + b"<entry><id>http://arxiv.org/abs/2501.00002v1</id><title>  </title></entry>\n"
        + b"<entry><id>http://arxiv.org/abs/hep-th/9901001v2</id><title>Old</title></entry>\n"
        + b"</feed>"
    )
    result = parse_arxiv(data)
    assert [p.paper_id for p in result.papers] == ["2501.00001", "hep-th/9901001"]
    assert [(e.line, "id" in e.message or "title" in e.message) for e in result.errors] == [
        (4, True),
        (6, True),
    ]


def test_api_error_feed_is_invalid_input() -> None:
    data = (
        ATOM_HEAD
        + b"<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>"
        + b"<title>Error</title><summary>incorrect id format for 1234</summary></entry></feed>"
    )
    with pytest.raises(InvalidInputError, match="incorrect id format"):
        parse_arxiv(data)


def test_atom_listing_flavour_with_oai_ids_and_dc_creator() -> None:
    data = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/"'
        b' xmlns:arxiv="http://arxiv.org/schemas/atom">'
        b"<entry><id>oai:arXiv.org:2509.04102v1</id><title>Listed</title>"
        b"<summary>arXiv:2509.04102v1 Announce Type: new Abstract: The text.</summary>"
        b"<dc:creator>Ada Lovelace, Alan Turing and Grace Hopper</dc:creator>"
        b"<arxiv:announce_type>new</arxiv:announce_type></entry>"
        b"<entry><id>oai:arXiv.org:2401.00009v4</id><title>Revised</title>"
        b"<arxiv:announce_type>replace</arxiv:announce_type></entry></feed>"
    )
    result = parse_arxiv(data)
    (paper,) = result.papers
    assert paper.paper_id == "2509.04102" and paper.abstract == "The text."
    assert paper.authors == ("Ada Lovelace", "Alan Turing", "Grace Hopper")
    assert result.skipped == 1


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not xml at all",
        b"<feed><entry>unclosed",
        b"<html><body>Rate limited</body></html>",
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>'
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol2;</title></feed>',
        b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><rss>&x;</rss>',
    ],
)
def test_unreadable_or_dangerous_xml_is_invalid_input(data: bytes) -> None:
    with pytest.raises(InvalidInputError):
        parse_arxiv(data)


def test_empty_feed_is_an_empty_result() -> None:
    result = parse_arxiv(ATOM_HEAD + b"</feed>")
    assert result.papers == [] and result.errors == []


def test_unreadable_rss_date_keeps_the_paper() -> None:
    data = (
        b"<rss><channel><item><title>T</title><guid>oai:arXiv.org:2509.00005v1</guid>"
        b"<pubDate>someday</pubDate></item></channel></rss>"
    )
    (paper,) = parse_arxiv(data).papers
    assert paper.paper_id == "2509.00005" and paper.published is None
