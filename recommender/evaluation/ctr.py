"""The CiteULike/CTR format, converted into our dataset (pure: lines in, Dataset out).

users.dat: line u = count, then 0-based paper ids in user u's library. mult.dat: line i = count,
then word_id:count pairs (paper i's title+abstract bag of words). vocabulary.dat: word per line.
Optional item-tag.dat (line i = count, then tag ids) + tags.dat (tag per line) become keywords.
No raw titles exist, so a paper's abstract is its bag of words spelled out and its title names it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from recommender.domain import InvalidInputError, Paper
from recommender.evaluation.dataset import Dataset, build_dataset


def _counted(line: str, n: int, what: str) -> list[str]:
    parts = line.split()
    if not parts:
        return []
    try:
        declared = int(parts[0])
    except ValueError as exc:
        raise InvalidInputError(
            f"{what} line {n}: expected a count first, got {parts[0]!r}"
        ) from exc
    if declared != len(parts) - 1:
        raise InvalidInputError(f"{what} line {n}: count {declared} but {len(parts) - 1} entries")
    return parts[1:]


def ctr_papers(
    mult_lines: Iterable[str],
    vocabulary: Sequence[str],
    item_tags: Sequence[Sequence[str]] | None = None,
) -> list[Paper]:
    papers = []
    for i, line in enumerate(mult_lines):
        words = []
        for pair in _counted(line, i + 1, "mult.dat"):
            word_id, _, count = pair.partition(":")
            try:
                words.extend([vocabulary[int(word_id)]] * int(count))
            except (ValueError, IndexError) as exc:
                raise InvalidInputError(f"mult.dat line {i + 1}: bad entry {pair!r}") from exc
        tags = tuple(item_tags[i]) if item_tags and i < len(item_tags) else ()
        papers.append(
            Paper(
                paper_id=f"ctr:{i}",
                title=f"CiteULike item {i}",
                abstract=" ".join(words),
                keywords=tags,
                source="citeulike",
            )
        )
    return papers


def ctr_votes(user_lines: Iterable[str], n_papers: int) -> list[tuple[str, str, int]]:
    votes = []
    for u, line in enumerate(user_lines):
        for item in _counted(line, u + 1, "users.dat"):
            if not item.isdigit() or int(item) >= n_papers:
                raise InvalidInputError(f"users.dat line {u + 1}: unknown paper {item!r}")
            votes.append((f"u{u}", f"ctr:{item}", 1))
    return votes


def ctr_dataset(
    name: str,
    user_lines: Iterable[str],
    mult_lines: Iterable[str],
    vocabulary_lines: Iterable[str],
    item_tag_lines: Iterable[str] | None = None,
    tag_lines: Iterable[str] | None = None,
) -> Dataset:
    vocabulary = [w.strip() for w in vocabulary_lines]
    item_tags = None
    if item_tag_lines is not None and tag_lines is not None:
        tags = [t.strip() for t in tag_lines]
        item_tags = [
            [tags[int(t)] for t in _counted(line, n + 1, "item-tag.dat") if int(t) < len(tags)]
            for n, line in enumerate(item_tag_lines)
        ]
    papers = ctr_papers(mult_lines, vocabulary, item_tags)
    return build_dataset(name, papers, ctr_votes(user_lines, len(papers)))
