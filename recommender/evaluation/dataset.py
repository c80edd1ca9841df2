"""An evaluation dataset in memory: papers, user ids, and a (users x papers) +1/-1 vote matrix.

On disk (README "Evaluation"): a folder with papers.jsonl (our papers schema) and
interactions.csv (user_id, paper_id, vote [+1/-1], timestamp optional); paperbot/datasets.py
reads and writes it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from recommender.domain import InvalidInputError, Paper
from recommender.evaluation.estimator import Content
from recommender.features import fit_corpus
from recommender.settings import ModelSettings


@dataclass(frozen=True)
class Dataset:
    name: str
    papers: list[Paper]
    user_ids: list[str]
    interactions: sp.csr_matrix  # (len(user_ids), len(papers)) float32, +1 / -1

    @property
    def paper_ids(self) -> list[str]:
        return [p.paper_id for p in self.papers]

    def votes(self) -> Iterable[tuple[str, str, int]]:
        """(user_id, paper_id, vote) rows, users in order."""
        coo = self.interactions.tocoo()
        order = np.lexsort((coo.col, coo.row))
        for r, c, v in zip(coo.row[order], coo.col[order], coo.data[order], strict=True):
            yield self.user_ids[r], self.papers[c].paper_id, int(v)


def build_dataset(name: str, papers: list[Paper], votes: Iterable[tuple[str, str, int]]) -> Dataset:
    """Index votes by paper and user. A vote on an unknown paper, a vote other than +1/-1, or
    a duplicate paper id is an InvalidInputError (a dataset is checked, not silently patched)."""
    index: dict[str, int] = {}
    for i, paper in enumerate(papers):
        if paper.paper_id in index:
            raise InvalidInputError(f"paper_id {paper.paper_id!r} appears twice in papers")
        index[paper.paper_id] = i
    users: dict[str, int] = {}
    rows, cols, data = [], [], []
    for n, (user_id, paper_id, vote) in enumerate(votes, start=1):
        if paper_id not in index:
            raise InvalidInputError(f"interaction {n}: unknown paper_id {paper_id!r}")
        if vote not in (1, -1):
            raise InvalidInputError(f"interaction {n}: vote must be 1 or -1, got {vote!r}")
        rows.append(users.setdefault(user_id, len(users)))
        cols.append(index[paper_id])
        data.append(float(vote))
    matrix = sp.coo_matrix(
        (np.asarray(data, np.float32), (rows, cols)), shape=(len(users), len(papers))
    ).tocsr()
    matrix.sum_duplicates()
    matrix.data = np.sign(matrix.data).astype(np.float32)  # a repeated vote counts once
    matrix.eliminate_zeros()
    return Dataset(name, papers, list(users), matrix)


def dataset_content(dataset: Dataset, settings: ModelSettings, seed: int = 0) -> Content:
    """TF-IDF of every paper, fitted on the whole corpus: the text of a new paper is known the
    day it arrives; only the votes are split. (`seed` is unused: the term space is exact.)"""
    del seed
    space, text = fit_corpus(dataset.papers, settings)
    return Content(text, dataset.papers, space)
