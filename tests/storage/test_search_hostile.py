"""Search must survive anything a person (or a bot) types: every hostile string below returns
results or an empty list, or (for a filter whose value cannot be read, such as `since:nope`) an
InvalidInputError of one line that the command layer shows as is; never any other exception.
FTS5 has its own query language (quotes, AND/OR/NOT, NEAR, `*`, `^`, column filters), so raw
input reaching MATCH would be a syntax error or worse."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperbot.ingest import ingest_file, load_sample
from recommender.domain import InvalidInputError, Paper
from storage.db import connect
from storage.repos import Repos, open_repos

NOW = datetime(2025, 9, 5, tzinfo=UTC)
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

HOSTILE = [
    "_ -a",  # the one word analyses to nothing, leaving only an exclusion (found by hypothesis)
    '"unbalanced',
    "AND OR",
    "c++",
    "rec-sys",
    "what's new?",
    "",
    "lorem ipsum dolor " * 600,  # ~10 kB of text
    "x" * 10_000,  # one 10 kB token
    "🤖 robots 🦾",
    "🔥🔥🔥",
    "'; DROP TABLE papers; --",
    "1 OR 1=1",
    "SELECT * FROM papers_fts",
    "NEAR(",
    "NEAR(diffusion video, 3)",
    "*",
    "transformer*",
    "^",
    "^title",
    "title:x",
    'abstract:"diffusion',
    "{title abstract}: model",
    "authors:x",
    "rowid:1",
    "NOT",
    "NOT attention",
    "OR",
    "AND",
    "()",
    "((((",
    '"',
    '""',
    'a"b"c',
    "\\",
    "%_%",
    "-negated +required",
    "x:y:z",
    "\x00\x01\x1b[31mred\x1b[0m",
    "\u202e override \u200b zero\u200bwidth",
    "Überraschung naïve café",
    "中文 检索 增强",
    "абстракт модели",
    "lone \ud800 surrogate",
    "author:",
    'author:"',
    "author:Kalai",
    'author:"Adam Kalai" hallucinate',
    "since:",
    "since:not-a-date",
    "since:9999-99-99",
    "since:2025",
    "since:2025-09 diffusion",
    '"exact phrase that is not there"',
    '"reinforcement learning"',
    " " * 100,
    "\n\t\r",
]


@pytest.fixture(scope="module")
def repos(tmp_path_factory: pytest.TempPathFactory) -> Repos:
    db = connect(Path(tmp_path_factory.mktemp("search")) / "search.db")
    load_sample(db, NOW)
    for name in ("hf_daily_papers.json", "arxiv_atom.xml", "arxiv_rss.xml"):
        ingest_file(db, FIXTURES / name, NOW)
    return open_repos(db)


def answered(repos: Repos, query: str, limit: int = 10) -> list[Paper]:
    """The search's answer: its results, or [] after checking a refusal is one short line."""
    try:
        results = repos.papers.search(query, limit=limit)
    except InvalidInputError as exc:
        assert "\n" not in str(exc) and len(str(exc)) < 200
        return []
    assert isinstance(results, list) and all(isinstance(p, Paper) for p in results)
    return results


@pytest.mark.parametrize("query", HOSTILE, ids=[repr(q[:30]) for q in HOSTILE])
def test_hostile_query_returns_a_list(repos: Repos, query: str) -> None:
    assert len(answered(repos, query)) <= 10


def test_there_are_at_least_thirty_hostile_strings() -> None:
    assert len(set(HOSTILE)) >= 30


@pytest.mark.parametrize("limit", [0, -5, 1, 10**9])
def test_odd_limits(repos: Repos, limit: int) -> None:
    results = repos.papers.search("reinforcement learning", limit=limit)
    assert isinstance(results, list)


def test_ordinary_queries_still_find_things(repos: Repos) -> None:
    assert repos.papers.search("reinforcement learning")
    phrase = repos.papers.search('"reinforcement learning"', limit=50)
    assert phrase and all(
        "reinforcement learning" in (p.title + " " + p.abstract).lower() for p in phrase
    )


def test_author_filter(repos: Repos) -> None:
    assert [p.paper_id for p in repos.papers.search("author:Kalai")] == ["2509.04664"]
    assert [p.paper_id for p in repos.papers.search("author:muller")] == ["2509.03840"]
    assert repos.papers.search("author:Kalai diffusion") == []


def test_since_filter_is_honoured(repos: Repos) -> None:
    cutoff = date(2025, 6, 1)
    results = repos.papers.search("language models", limit=50, since=cutoff)
    assert all((p.day or cutoff) >= cutoff for p in results)
    typed = repos.papers.search("language models since:2025-06-01", limit=50)
    assert [p.paper_id for p in typed] == [p.paper_id for p in results]


def test_far_future_since_finds_nothing(repos: Repos) -> None:
    assert repos.papers.search("model", since=date(2999, 1, 1)) == []


QUERY_ALPHABET = st.sampled_from(
    list("\"'*^:()[]{}+-,.;?!\\/%_ \t\nabcxyz")
    + ["AND", "OR", "NOT", "NEAR", "author:", "since:", "until:", "sort:", "title:", "🤖", "é"]
    + ["\x00", "-", "2025", "-01"]
)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_any_unicode_text_is_safe(repos: Repos, query: str) -> None:
    answered(repos, query)


@settings(max_examples=300, deadline=None)
@given(st.lists(QUERY_ALPHABET, max_size=30).map("".join))
def test_fts_syntax_soup_is_safe(repos: Repos, query: str) -> None:
    assert len(answered(repos, query, limit=5)) <= 5
