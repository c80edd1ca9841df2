"""Reading and writing evaluation datasets (the file side of recommender.evaluation).

A dataset is a folder with:
    papers.jsonl      one paper per line in our papers schema (title required; paper_id derived
                      from arxiv_id or the title when absent)
    interactions.csv  header `user_id,paper_id,vote[,timestamp]`; vote is 1 or -1
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

from recommender.domain import InvalidInputError, Paper, paper_id_for
from recommender.evaluation.ctr import ctr_dataset
from recommender.evaluation.dataset import Dataset, build_dataset
from sources.jsonl import paper_to_record

PAPERS = "papers.jsonl"
INTERACTIONS = "interactions.csv"


def _paper(record: dict[str, Any], line: int) -> Paper:
    title = record.get("title")
    if not isinstance(title, str) or not title.strip():
        raise InvalidInputError(f"{PAPERS} line {line}: a paper needs a title")
    published = record.get("published")
    try:
        day = date.fromisoformat(published) if published else None
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"{PAPERS} line {line}: bad published date {published!r}") from exc
    arxiv_id = record.get("arxiv_id")
    return Paper(
        paper_id=record.get("paper_id") or paper_id_for(title, arxiv_id),
        title=title,
        abstract=record.get("abstract") or "",
        authors=tuple(record.get("authors") or ()),
        organization=record.get("organization"),
        keywords=tuple(record.get("keywords") or ()),
        published=day,
        upvotes=int(record.get("upvotes") or 0),
        urls=tuple(record.get("urls") or ()),
        source=record.get("source") or "file",
        arxiv_id=arxiv_id,
    )


def read_papers(path: Path) -> list[Paper]:
    papers = []
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InvalidInputError(f"{path.name} line {n}: not JSON ({exc.msg})") from exc
            papers.append(_paper(record, n))
    return papers


def _interactions(path: Path) -> Iterator[tuple[str, str, int]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"user_id", "paper_id", "vote"} - set(reader.fieldnames or ())
        if missing:
            raise InvalidInputError(f"{path.name} lacks column(s): {', '.join(sorted(missing))}")
        for n, row in enumerate(reader, start=2):
            try:
                vote = int(row["vote"])
            except (TypeError, ValueError) as exc:
                raise InvalidInputError(f"{path.name} line {n}: bad vote {row['vote']!r}") from exc
            yield row["user_id"], row["paper_id"], vote


def read_dataset(folder: Path) -> Dataset:
    """Load a dataset folder; InvalidInputError names the file and line of any problem."""
    for name in (PAPERS, INTERACTIONS):
        if not (folder / name).is_file() and (folder / "users.dat").is_file():
            raise InvalidInputError(
                f"{folder} is a raw CiteULike/CTR folder: convert it first with "
                f"`paperbot dataset import-ctr {folder} data/{folder.name}`, then evaluate "
                f"data/{folder.name}"
            )
        if not (folder / name).is_file():
            raise InvalidInputError(f"{folder} is not a dataset: {name} is missing")
    papers = read_papers(folder / PAPERS)
    return build_dataset(folder.name, papers, _interactions(folder / INTERACTIONS))


def write_dataset(dataset: Dataset, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / PAPERS).open("w", encoding="utf-8") as handle:
        for paper in dataset.papers:
            handle.write(json.dumps(paper_to_record(paper), ensure_ascii=False) + "\n")
    with (folder / INTERACTIONS).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "paper_id", "vote"])
        writer.writerows(dataset.votes())


def read_ctr(folder: Path) -> Dataset:
    """users.dat + mult.dat + vocabulary.dat (+ item-tag.dat and tags.dat when present)."""
    required = ("users.dat", "mult.dat", "vocabulary.dat")
    missing = [name for name in required if not (folder / name).is_file()]
    if missing:
        raise InvalidInputError(f"{folder} lacks {', '.join(missing)} (CiteULike/CTR format)")

    def lines(name: str) -> list[str]:
        return (folder / name).read_text(encoding="utf-8").splitlines()

    has_tags = (folder / "item-tag.dat").is_file() and (folder / "tags.dat").is_file()
    return ctr_dataset(
        folder.name,
        lines("users.dat"),
        lines("mult.dat"),
        lines("vocabulary.dat"),
        lines("item-tag.dat") if has_tags else None,
        lines("tags.dat") if has_tags else None,
    )
