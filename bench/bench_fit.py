"""Benchmark (not a test): the nightly full fit on a real library dataset, against its budget.

    .venv/bin/paperbot dataset import-ctr ../shared/data/citeulike-t data/citeulike-t
    .venv/bin/python bench/bench_fit.py data/citeulike-t [--repeat 3]

Runs `train_ranker` (what `paperbot train` and the nightly retrain call) on every paper and vote
of the dataset folder and prints, per run, the wall and CPU seconds and the peak resident memory,
with two ratios: to the budget of 60 s on 2 cores (issue "Recommender v2"), and to a bound
computed in the same run, the cost of the same LightFM epochs on identities only times the
features a paper carries (what the item features cost in principle), so a slower machine does
not read as a regression.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_recommender import peak_mb, peak_reset  # noqa: E402
from paperbot.datasets import read_dataset  # noqa: E402
from recommender.domain import Vote  # noqa: E402
from recommender.features import feature_columns, fit_corpus, item_features  # noqa: E402
from recommender.lightfm_hybrid import CollaborativeModel  # noqa: E402
from recommender.settings import ModelSettings, PickSettings  # noqa: E402
from recommender.training import like_matrix, train_ranker  # noqa: E402

BUDGET_SECONDS = 60.0


def identity_bound(papers: list, votes: list[Vote], settings: ModelSettings) -> float:
    """Seconds of the same epochs on identities only, scaled by the mean number of features per
    paper: LightFM's cost per epoch is linear in the features it touches. The hybrid touches
    identity + terms; the terms-only model (when `topics_weight` > 0) the terms again."""
    _, text = fit_corpus(papers, settings)
    likes = like_matrix(papers, votes)
    features = item_features(text, feature_columns(text, settings.feature_terms), 0.5)
    per_paper = float(np.diff(features.indptr).mean())
    if settings.topics_weight:
        per_paper += per_paper - 1.0
    start = time.perf_counter()
    CollaborativeModel(settings, settings.seed).fit(likes)
    return (time.perf_counter() - start) * per_paper


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("dataset", type=Path, help="a dataset folder (papers.jsonl, interactions)")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    dataset = read_dataset(args.dataset)
    papers = list(dataset.papers)
    votes = [Vote(u, p, v) for u, p, v in dataset.votes()]
    settings, picks = ModelSettings(), PickSettings()
    print(f"{len(papers)} papers, {len(votes)} votes; [model] defaults: {settings.epochs} epochs,")
    print(f"{settings.no_components} dimensions, {settings.feature_terms} feature terms")
    bound = identity_bound(papers, votes, settings)
    for run in range(args.repeat):
        peak_reset()
        start, cpu = time.perf_counter(), time.process_time()
        train_ranker(papers, votes, {}, settings, picks, settings.seed)
        wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        print(
            f"run {run + 1}: {wall:.1f} s wall, {cpu:.1f} s CPU, peak {peak_mb():.0f} MB; "
            f"{wall / BUDGET_SECONDS:.2f} x the {BUDGET_SECONDS:.0f} s budget, "
            f"{wall / bound:.2f} x the identity-only bound ({bound:.1f} s)"
        )


if __name__ == "__main__":
    main()
