"""Whatever bytes arrive, a parser returns a result or raises InvalidInputError: never a crash."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from recommender.domain import InvalidInputError
from sources import parse

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=6,
)
record_like = st.fixed_dictionaries(
    {},
    optional={
        "title": json_values,
        "abstract": json_values,
        "authors": json_values,
        "published": json_values,
        "upvotes": json_values,
        "arxiv_id": json_values,
        "paper": st.dictionaries(
            st.sampled_from(["id", "title", "summary", "authors", "upvotes", "publishedAt"]),
            json_values,
        ),
    },
)


def parses_or_refuses(data: bytes) -> None:
    try:
        result = parse(data)
    except InvalidInputError:
        return
    assert all(p.title and p.paper_id for p in result.papers)
    assert all(e.line >= 1 for e in result.errors)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(data: bytes) -> None:
    parses_or_refuses(data)


@settings(max_examples=100, deadline=None)
@given(st.lists(record_like, max_size=3))
def test_random_records_as_jsonl_and_as_hf_array(records: list[dict]) -> None:
    parses_or_refuses("\n".join(json.dumps(r) for r in records).encode())
    parses_or_refuses(json.dumps(records).encode())


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=80), st.text(max_size=80))
def test_random_text_inside_feed_elements(title: str, ident: str) -> None:
    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;")

    data = (
        '<feed xmlns="http://www.w3.org/2005/Atom"><entry>'
        f"<id>{esc(ident)}</id><title>{esc(title)}</title></entry></feed>"
    ).encode("utf-8", "surrogatepass")
    parses_or_refuses(data)
