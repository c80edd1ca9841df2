"""A toy corpus whose right answers are obvious: two topic clusters with disjoint vocabularies.

Cluster A is graph learning, cluster B is protein biology. Users either like A or like B. Every
recommender must put the liked cluster first, and a 👎 must push the disliked paper's cluster-mates
down for that user.
"""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import scipy.sparse as sp

from recommender.domain import UP, Paper, UserProfile, Vote
from recommender.evaluation.dataset import Dataset, build_dataset

A_WORDS = [
    "graph",
    "neural",
    "network",
    "message",
    "passing",
    "node",
    "edge",
    "embedding",
    "attention",
    "transformer",
]
B_WORDS = [
    "protein",
    "folding",
    "amino",
    "acid",
    "structure",
    "molecule",
    "enzyme",
    "binding",
    "ligand",
    "sequence",
]
CLUSTER_SIZE = 12
N_USERS_PER_CLUSTER = 8


def _text(words: list[str], i: int) -> str:
    rng = np.random.default_rng(i)
    return " ".join(rng.choice(words, size=25).tolist())


def toy_papers(n: int = CLUSTER_SIZE) -> list[Paper]:
    """A0..A{n-1} then B0..B{n-1}, all published on 2025-01-10."""
    papers = []
    for prefix, words in (("A", A_WORDS), ("B", B_WORDS)):
        for i in range(n):
            seed = i + (0 if prefix == "A" else 1000)
            papers.append(
                Paper(
                    paper_id=f"{prefix}{i}",
                    title=f"{words[i % len(words)]} {words[(i + 3) % len(words)]} study {i}",
                    abstract=_text(words, seed),
                    published=date(2025, 1, 10),
                    upvotes=i % 4,
                )
            )
    return papers


def cluster(paper_id: str) -> str:
    return paper_id[0]


def toy_votes(
    n_train: int = 6, pool: int = 8, users_per_cluster: int = N_USERS_PER_CLUSTER
) -> list[Vote]:
    """uA0..uA7 like n_train random A papers (of the first `pool`), uB0..uB7 likewise for B.
    With pool < CLUSTER_SIZE the last papers of each cluster have no likes (new papers)."""
    votes = []
    rng = np.random.default_rng(7)
    for prefix in ("A", "B"):
        for u in range(users_per_cluster):
            for i in rng.choice(pool, size=n_train, replace=False):
                votes.append(Vote(f"u{prefix}{u}", f"{prefix}{i}", UP))
    return votes


def profile_for(
    user_key: str, votes: list[Vote], papers: list[Paper], **extra: object
) -> UserProfile:
    mine = {v.paper_id: v.vote for v in votes if v.user_key == user_key}
    by_id = {p.paper_id: p for p in papers}
    return UserProfile(
        user_key=user_key,
        votes=mine,
        rated_papers=tuple(by_id[p] for p in mine if p in by_id),
        **extra,  # type: ignore[arg-type]
    )


def toy_matrix(votes: list[Vote], papers: list[Paper]) -> tuple[sp.csr_matrix, list[str]]:
    """(users x papers) +1/-1 matrix in the order of `papers`, and the user keys."""
    users = sorted({v.user_key for v in votes})
    col = {p.paper_id: i for i, p in enumerate(papers)}
    row = {u: i for i, u in enumerate(users)}
    data = [float(v.vote) for v in votes]
    rows = [row[v.user_key] for v in votes]
    cols = [col[v.paper_id] for v in votes]
    return sp.csr_matrix((data, (rows, cols)), shape=(len(users), len(papers))), users


PER_CLUSTER = 60  # papers per topic in the simulation's dataset


def toy_dataset(users_per_cluster: int = 12) -> Dataset:
    """User uA<i> has a seeded 60% of the A papers in their library, uB<i> likewise for B.
    Each paper is tagged with its cluster by 8 readers: the `kw:` token is then a paper's
    heaviest, and no one declares a tag as an interest."""
    papers = [
        dataclasses.replace(p, keywords=(f"{p.paper_id[0]} tag",) * 8, authors=(f"x {i % 5}",))
        for i, p in enumerate(toy_papers(PER_CLUSTER))
    ]
    rng = np.random.default_rng(11)
    votes = []
    for c, prefix in enumerate("AB"):
        cluster = papers[c * PER_CLUSTER : (c + 1) * PER_CLUSTER]
        for u in range(users_per_cluster):
            for i in rng.choice(PER_CLUSTER, size=PER_CLUSTER * 3 // 5, replace=False):
                votes.append((f"u{prefix}{u}", cluster[i].paper_id, 1))
    return build_dataset("toy", papers, votes)
