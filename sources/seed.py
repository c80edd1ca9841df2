"""How the bundled sample corpus (paperbot/data/sample_papers.jsonl) was made.

The 409 papers in the shared seed file come from saved Hugging Face Daily Papers listings, with
no arXiv ids and author counts but no names. Converted once into our own schema so that `init
--sample` and the demo load them with the ordinary JSONL parser:

    .venv/bin/python -m sources.seed ../shared/data/seed_papers.jsonl \\
        paperbot/data/sample_papers.jsonl

Ids come from `paper_id_for(title)` (the title hash), the listing name is dropped (it names a
saved file, not a topic), the links found in each abstract become `urls`, and every paper is
marked with source `hf-sample` so sample rows can be told from fetched ones.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from recommender.domain import InvalidInputError, Paper, paper_id_for
from sources.jsonl import dumps_record
from sources.records import (
    MAX_ABSTRACT_CHARS,
    RecordInvalid,
    clean_text,
    count,
    opt_text,
    parse_day,
    require_title,
    str_list,
)

SOURCE = "hf-sample"


def seed_to_paper(row: dict[str, Any]) -> Paper:
    """One seed row -> a Paper in our schema."""
    title = require_title(row.get("title"))
    abstract = row.get("abstract") or ""
    if not isinstance(abstract, str):
        raise RecordInvalid("'abstract' must be a string")
    return Paper(
        paper_id=paper_id_for(title),
        title=title,
        abstract=clean_text(abstract, MAX_ABSTRACT_CHARS),
        organization=opt_text(row, "organization"),
        published=parse_day(row.get("published")),
        upvotes=count(row.get("upvotes")),
        urls=str_list(row, "links"),
        source=SOURCE,
    )


def convert(lines: Iterable[str]) -> Iterator[str]:
    """Seed JSONL lines -> our JSONL lines, in the same order; a bad row stops the conversion
    (this runs once, by hand, on a known file: better loud than a silently smaller sample)."""
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield dumps_record(seed_to_paper(json.loads(line)))
        except (json.JSONDecodeError, RecordInvalid) as exc:
            raise InvalidInputError(f"seed line {line_no}: {exc}") from exc


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m sources.seed SEED.jsonl OUT.jsonl", file=sys.stderr)
        return 2
    source, target = Path(argv[0]), Path(argv[1])
    with source.open(encoding="utf-8") as lines:
        converted = list(convert(lines))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(converted) + "\n", encoding="utf-8")
    print(f"wrote {len(converted)} papers to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
