"""One evaluation run: every model fitted on the same split and scored on the same users.

Timing comes from an injected `timer` (a monotonic counter), so the core reads no clock of its own
and tests can pass a fake one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.estimator import Content, Estimator
from recommender.evaluation.metrics import MetricAccumulator
from recommender.evaluation.protocols import Split

BATCH_USERS = 256


@dataclass(frozen=True)
class ModelResult:
    """Metrics on all evaluated users (`users` of them) and on the shared subsample on which the
    slow baselines run too (`subsample`), so every model can be compared on the same users."""

    name: str
    metrics: dict[str, float]
    fit_seconds: float
    score_seconds: float
    users: int
    subsample: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            **self.metrics,
            "fit_seconds": round(self.fit_seconds, 3),
            "score_seconds": round(self.score_seconds, 3),
            "users": self.users,
            "subsample": self.subsample,
        }


@dataclass(frozen=True)
class EvalReport:
    dataset: str
    protocol: str
    seed: int
    shape: tuple[int, int]
    train_votes: int
    held_out: int
    models: list[ModelResult]
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dataset": self.dataset,
            "protocol": self.protocol,
            "seed": self.seed,
            "users": self.shape[0],
            "papers": self.shape[1],
            "train_votes": self.train_votes,
            "held_out": self.held_out,
            "models": [m.to_dict() for m in self.models],
            "notes": self.notes,
        }


def sample_users(users: np.ndarray, size: int | None, seed: int) -> np.ndarray:
    """A seeded sample of `size` users (all of them when size is None or large enough)."""
    if size is None or size >= users.size:
        return users
    rng = np.random.default_rng([seed, 7])
    return np.sort(rng.choice(users, size=size, replace=False))


def evaluate_model(
    estimator: Estimator,
    split: Split,
    content: Content,
    users: np.ndarray,
    subsample: np.ndarray,
    only_subsample: bool = False,
    timer: Callable[[], float] = time.perf_counter,
) -> ModelResult:
    """Fit on `split.train`, score `users` (or only `subsample`) against the candidates."""
    start = timer()
    estimator.fit(split.train, content)
    fit_seconds = timer() - start
    n = split.train.shape[1]
    items = split.candidates if split.candidates is not None else np.arange(n)
    scored = subsample if only_subsample else users
    everyone, sampled = MetricAccumulator(), MetricAccumulator()
    in_sample = np.isin(scored, subsample)
    score_seconds = 0.0
    for begin in range(0, scored.size, BATCH_USERS):
        batch = scored[begin : begin + BATCH_USERS]
        start = timer()
        scores = np.array(estimator.score(batch, items), dtype=np.float32)
        score_seconds += timer() - start
        if split.candidates is None:
            seen = split.train[batch].tocoo()
            scores[seen.row, seen.col] = -np.inf
        held = sp.csr_matrix(split.held_out[batch][:, items])
        everyone.add(scores, held)
        rows = np.flatnonzero(in_sample[begin : begin + BATCH_USERS])
        sampled.add(scores[rows], held[rows])
    return ModelResult(
        estimator.name,
        everyone.result(),
        fit_seconds,
        score_seconds,
        everyone.users,
        subsample={"users": sampled.users, **sampled.result()},
    )


def run(
    dataset: str,
    split: Split,
    content: Content,
    estimators: Sequence[Estimator],
    seed: int,
    max_users: int | None = None,
    subsample_size: int = 1000,
    slow: frozenset[str] = frozenset({"svm"}),
    timer: Callable[[], float] = time.perf_counter,
    notes: Sequence[str] = (),
) -> EvalReport:
    """Every estimator on the same split. Estimators named in `slow` are scored only on a seeded
    subsample of `subsample_size` users, on which every other model is reported as well."""
    users = sample_users(split.users, max_users, seed)
    subsample = sample_users(users, subsample_size, seed + 1)
    results = [
        evaluate_model(e, split, content, users, subsample, e.name in slow, timer)
        for e in estimators
    ]
    return EvalReport(
        dataset=dataset,
        protocol=split.protocol,
        seed=seed,
        shape=(int(split.train.shape[0]), int(split.train.shape[1])),
        train_votes=int(split.train.nnz),
        held_out=int(split.held_out.nnz),
        models=results,
        notes=list(notes),
    )
