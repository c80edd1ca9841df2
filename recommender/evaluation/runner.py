"""One evaluation run: every model fitted on the same split and scored on the same users.

Timing comes from an injected `timer` (a monotonic counter), so the core reads no clock of its own
and tests can pass a fake one. An `EpochSearch` entry is evaluated at several epoch counts and
reported at its best, which picks a baseline's epochs on the test split: generous to the baseline
on purpose, so that beating it means something.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import scipy.sparse as sp

from recommender.domain import InvalidInputError
from recommender.evaluation.estimator import Content, Estimator
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
    # Set by an epoch search: the chosen epoch count, and the searched metric at every checkpoint.
    epochs: int | None = None
    epoch_curve: dict[int, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        searched = {"epochs": self.epochs, "epoch_curve": self.epoch_curve} if self.epochs else {}
        return {
            "name": self.name,
            **self.metrics,
            "fit_seconds": round(self.fit_seconds, 3),
            "score_seconds": round(self.score_seconds, 3),
            "users": self.users,
            "subsample": self.subsample,
            **searched,
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


class Resumable(Estimator, Protocol):
    """An estimator whose training can go on: `fit_more` adds `epochs` passes to what `fit` did."""

    def fit_more(self, train: sp.csr_matrix, epochs: int) -> None: ...


@dataclass(frozen=True)
class EpochSearch:
    """Evaluate `estimator` after each cumulative epoch count in `checkpoints` (increasing) and
    report the checkpoint with the best `metric` on all evaluated users. `estimator.fit` must
    train exactly checkpoints[0] epochs; each later checkpoint is reached with `fit_more`."""

    estimator: Resumable
    checkpoints: tuple[int, ...]
    metric: str = "recall@100"

    def __post_init__(self) -> None:
        steps = np.diff(self.checkpoints)
        if not self.checkpoints or self.checkpoints[0] <= 0 or (steps <= 0).any():
            raise InvalidInputError(
                f"{self.name}: epoch checkpoints must be increasing positive counts, "
                f"got {self.checkpoints}"
            )

    @property
    def name(self) -> str:
        return self.estimator.name


def _score(
    estimator: Estimator,
    split: Split,
    scored: np.ndarray,
    subsample: np.ndarray,
    timer: Callable[[], float],
) -> tuple[MetricAccumulator, MetricAccumulator, float]:
    """Metrics of `scored` users against the candidates, on all of them and on those in
    `subsample`, and the seconds spent in `estimator.score`."""
    n = split.train.shape[1]
    items = split.candidates if split.candidates is not None else np.arange(n)
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
    return everyone, sampled, score_seconds


def _result(
    name: str,
    scored: tuple[MetricAccumulator, MetricAccumulator, float],
    fit_seconds: float,
) -> ModelResult:
    everyone, sampled, score_seconds = scored
    return ModelResult(
        name,
        everyone.result(),
        fit_seconds,
        score_seconds,
        everyone.users,
        subsample={"users": sampled.users, **sampled.result()},
    )


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
    scored = subsample if only_subsample else users
    return _result(estimator.name, _score(estimator, split, scored, subsample, timer), fit_seconds)


def search_epochs(
    search: EpochSearch,
    split: Split,
    content: Content,
    users: np.ndarray,
    subsample: np.ndarray,
    timer: Callable[[], float] = time.perf_counter,
) -> ModelResult:
    """The best checkpoint's result; its `fit_seconds` is the training time up to it (what a
    model trained for that many epochs costs), its `epoch_curve` the metric at each checkpoint."""
    estimator = search.estimator
    results: list[ModelResult] = []
    curve: dict[int, float] = {}
    trained, fit_seconds = 0, 0.0
    for epochs in search.checkpoints:
        start = timer()
        if trained == 0:
            estimator.fit(split.train, content)
        else:
            estimator.fit_more(split.train, epochs - trained)
        fit_seconds += timer() - start
        trained = epochs
        result = _result(estimator.name, _score(estimator, split, users, subsample, timer), 0.0)
        results.append(dataclasses.replace(result, fit_seconds=fit_seconds, epochs=epochs))
        curve[epochs] = result.metrics[search.metric]
    best = max(results, key=lambda r: r.metrics[search.metric])  # a tie goes to fewer epochs
    return dataclasses.replace(best, epoch_curve=curve)


def _search_note(result: ModelResult, metric: str) -> str:
    counts = "/".join(str(e) for e in result.epoch_curve)
    values = "/".join(f"{v:.4f}" for v in result.epoch_curve.values())
    rising = ", still rising at the last" if result.epochs == max(result.epoch_curve) else ""
    return f"{result.name}: best at {result.epochs} epochs of {counts} ({metric} {values}){rising}"


def run(
    dataset: str,
    split: Split,
    content: Content,
    estimators: Sequence[Estimator | EpochSearch],
    seed: int,
    max_users: int | None = None,
    subsample_size: int = 1000,
    slow: frozenset[str] = frozenset({"svm"}),
    timer: Callable[[], float] = time.perf_counter,
    notes: Sequence[str] = (),
    on_model: Callable[[str], None] | None = None,
) -> EvalReport:
    """Every estimator on the same split. Estimators named in `slow` are scored only on a seeded
    subsample of `subsample_size` users, on which every other model is reported as well. Each
    epoch search adds a note with its chosen epochs. `on_model(name)` is told before each model
    runs (the CLI's progress)."""
    users = sample_users(split.users, max_users, seed)
    subsample = sample_users(users, subsample_size, seed + 1)
    results, notes = [], list(notes)
    for e in estimators:
        if on_model is not None:
            on_model(e.name)
        if isinstance(e, EpochSearch):
            results.append(search_epochs(e, split, content, users, subsample, timer))
            notes.append(_search_note(results[-1], e.metric))
        else:
            results.append(
                evaluate_model(e, split, content, users, subsample, e.name in slow, timer)
            )
    return EvalReport(
        dataset=dataset,
        protocol=split.protocol,
        seed=seed,
        shape=(int(split.train.shape[0]), int(split.train.shape[1])),
        train_votes=int(split.train.nnz),
        held_out=int(split.held_out.nnz),
        models=results,
        notes=notes,
    )


def verdict(report: EvalReport, ours: str = "paperbot", metric: str = "recall@100") -> str | None:
    """One line naming the best baseline by `metric` and the ratio of ours to it, or None when no
    baseline ran. Baselines are the models not named paperbot*. A model scored only on the shared
    subsample (the svm) competes with its subsample metric, and ours is then compared with it on
    those same users."""
    baselines = [m for m in report.models if not m.name.startswith("paperbot")]
    if not baselines:
        return None
    best = max(baselines, key=lambda m: m.metrics[metric])
    full = max(m.users for m in report.models)
    where = "" if best.users == full else f" (on the {best.users}-user subsample)"
    line = f"best baseline by {metric}: {best.name} {best.metrics[metric]:.4f}{where}"
    mine = next((m for m in report.models if m.name == ours), None)
    if mine is None:
        return f"{line}; {ours} not evaluated"
    own = mine.metrics[metric] if mine.users == best.users else mine.subsample[metric]
    theirs = best.metrics[metric]
    ratio = f"{own / theirs:.2f}x" if theirs > 0 else "n/a (the baseline scored 0)"
    return f"{line}; {ours} {own:.4f}, {ours}/{best.name} = {ratio}"
