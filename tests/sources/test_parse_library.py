"""The library parsers on hand-written exports shaped as BibTeX (Zotero, Google Scholar), RIS,
Zotero CSV and a pasted list; malformed files name the line where the trouble starts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from recommender.domain import InvalidInputError
from sources.library import parse_library

HERE = Path(__file__).parent / "library"


def _read(name: str) -> tuple[str, list]:
    return parse_library((HERE / name).read_text(encoding="utf-8"), name)


def test_bibtex_from_zotero_and_google_scholar() -> None:
    kind, entries = _read("zotero.bib")
    assert kind == "bibtex"
    attention, rag, scholar, kdd, empty = entries
    assert attention.title == "Attention Is All You Need"
    assert attention.arxiv_id == "1706.03762"
    assert attention.doi == "10.48550/arxiv.1706.03762"
    assert attention.authors == ("Ashish Vaswani", "Noam Shazeer", "Niki Parmar")
    assert attention.abstract.startswith("The dominant sequence transduction models are based")
    assert attention.published == date(2017, 1, 1)
    assert attention.line == 5
    assert (rag.arxiv_id, rag.title) == (
        "2005.11401",
        "Retrieval-Augmented Generation for Knowledge-Intensive NLP Tasks",
    )
    assert scholar.arxiv_id == "2509.04664"  # from `journal = {arXiv preprint arXiv:...}`
    assert scholar.title == "Hard-wrapped titles survive: a study of Mobius caches"
    assert scholar.authors[0] == "Anna Muller"
    assert (kdd.doi, kdd.arxiv_id) == ("10.1145/3292500.3330701", None)
    assert (empty.title, empty.arxiv_id, empty.doi) == ("", None, None)


def test_ris() -> None:
    kind, entries = _read("zotero.ris")
    assert kind == "ris"
    attention, kdd, unknown = entries
    assert (attention.arxiv_id, attention.authors) == (
        "1706.03762",
        ("Ashish Vaswani", "Noam Shazeer"),
    )
    assert kdd.doi == "10.1145/3292500.3330701" and kdd.published == date(2019, 1, 1)
    assert (unknown.title, unknown.line) == ("A paper only this library knows", 18)


def test_zotero_csv() -> None:
    kind, entries = _read("zotero.csv")
    assert kind == "zotero-csv"
    attention, scholar, other = entries
    assert attention.arxiv_id == "1706.03762"
    assert attention.authors[:2] == ("Ashish Vaswani", "Noam Shazeer")
    assert attention.abstract == (
        "The dominant sequence transduction models are based on complex recurrent networks."
    )
    assert scholar.arxiv_id == "2509.04664"  # from Extra: `arXiv: 2509.04664`
    assert (other.doi, other.title, other.line) == (
        "10.1145/9999999.0000001",
        "A title nobody else has",
        5,  # the first record spans two lines (a newline inside a quoted cell)
    )


def test_a_plain_list_of_ids_urls_and_dois() -> None:
    kind, entries = _read("papers.txt")
    assert kind == "list"
    assert [(e.line, e.arxiv_id, e.doi) for e in entries] == [
        (2, "2509.04664", None),
        (3, "2005.11401", None),
        (3, "1706.03762", None),
        (4, None, "10.1145/3292500.3330701"),
        (5, None, "10.5555/unknown.0001"),
        (6, None, None),
    ]
    assert entries[-1].label == "not-a-reference"


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("a.bib", "@article{x,\n  title = {Open\n", "line 1: the @article entry"),
        ("a.bib", "@article{ok, title={A}}\n\n@misc{y,\n title = {B},\n junk\n}", "line 5:"),
        ("a.bib", "@article{x, title = {never closed}\n", "never closes"),
        ("a.ris", "TY  - JOUR\nTI  - A\n", "line 1: the record starting here has no `ER"),
        ("a.ris", "TY  - JOUR\nTI  - A\nthis is not ris\nER  - \n", "line 3: not a RIS line"),
        ("a.ris", "TI  - A\nER  - \n", "line 1: `TI` outside a record"),
        ("a.csv", '"Key","Title"\n"K1","A"\n"K2","B","extra"\n', "line 3: more cells"),
        ("a.csv", '"Key","Name"\n"K1","A"\n', "no `Title` column"),
        ("a.csv", '"Key","Title"\n"K1","unterminated\n', "not valid CSV"),
    ],
)
def test_malformed_files_name_the_line(name: str, text: str, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message.replace("(", r"\(")):
        parse_library(text, name)


def test_the_format_is_recognised_without_a_file_name() -> None:
    assert parse_library("@misc{a, title={T}}")[0] == "bibtex"
    assert parse_library("TY  - JOUR\nTI  - T\nER  - \n")[0] == "ris"
    assert parse_library('"Key","Item Type","Title"\n')[0] == "zotero-csv"
    assert parse_library("2509.04664 10.1145/1.2")[0] == "list"


def test_a_comment_line_with_an_at_sign_is_not_an_entry() -> None:
    _, entries = parse_library("% by me@example.org\n@misc{a, title={T}}\n", "x.bib")
    assert [e.title for e in entries] == ["T"]
