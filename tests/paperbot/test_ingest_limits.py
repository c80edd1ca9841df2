"""Issue 11.15: the words a bad papers file gets back. A wrong type is named as such, UTF-16 is
named, abstracts cut at the cap are counted, and an endless line is refused by number without
being held in memory."""

from __future__ import annotations

import json
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperbot.cli import cli
from paperbot.ingest import ingest_file
from recommender.domain import InvalidInputError
from sources import parse
from sources.jsonl import MAX_LINE_BYTES
from sources.records import MAX_ABSTRACT_CHARS
from storage.db import connect

NOW = datetime(2025, 9, 5, 6, 0, tzinfo=UTC)
LINES = [{"title": "Sparse attention"}, {"title": "Dense retrieval"}]


def _jsonl(*records: object) -> str:
    return "".join(json.dumps(r) + "\n" for r in records)


def test_a_title_of_the_wrong_type_is_named_as_such() -> None:
    result = parse(_jsonl({"title": 42}, {"abstract": "no title"}, *LINES).encode())
    assert [str(e) for e in result.errors] == [
        "line 1: 'title' must be a string, not int",
        "line 2: missing 'title'",
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_name_their_encoding(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "papers.jsonl"
    path.write_bytes(_jsonl(*LINES).encode(encoding))
    with pytest.raises(InvalidInputError, match=r"is UTF-(16|32)(LE|BE) text.*UTF-8"):
        ingest_file(connect(tmp_path / "t.db"), path, NOW)


def test_cut_abstracts_are_counted_in_the_report(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    long = {"title": "Long one", "abstract": "word " * (MAX_ABSTRACT_CHARS // 4)}
    path.write_text(_jsonl(long, *LINES))
    connect(tmp_path / "t.db").close()
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "t.db"), "ingest", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 new" in result.output and "1 abstracts cut at 20,000 characters" in result.output
    as_json = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "t.db"), "ingest", "--json", str(path)]
    )
    assert json.loads(as_json.output)["sources"][0]["abstracts_cut"] == 1


def test_an_endless_line_is_refused_by_number_without_holding_it(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    huge = 30 * MAX_LINE_BYTES
    with path.open("w") as out:
        out.write(json.dumps(LINES[0]) + "\n")
        out.write('{"title": "x", "abstract": "' + "a" * huge + '"}\n')
        out.write(json.dumps(LINES[1]) + "\n")
    db = connect(tmp_path / "t.db")
    tracemalloc.start()
    try:
        report = ingest_file(db, path, NOW)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert report.inserted == 2
    assert [str(e) for e in report.errors] == [f"line 2: line longer than {MAX_LINE_BYTES:,} bytes"]
    assert peak < 8 * MAX_LINE_BYTES, f"peak {peak / 1e6:.0f} MB for a {huge / 1e6:.0f} MB line"
