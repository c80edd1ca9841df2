"""`paperbot eval` and `paperbot dataset import-ctr`: offline evaluation.

    paperbot eval DIR --protocol random20|P1|P10|cold --seed N [--json] [--plot out.png]
    paperbot dataset import-ctr ../shared/data/citeulike-t data/citeulike-t

The model evaluated is the one config.toml's [model] and [picks] sections describe, next to the
baselines on the same split (see docs/evaluation.md); the last line names the best baseline by
recall@100 and paperbot's ratio to it. Reading files happens here and in paperbot/datasets.py;
everything else is the pure core in recommender/evaluation.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from paperbot.context import CliContext
from paperbot.progress import Progress
from recommender.evaluation.choices import PROTOCOLS
from recommender.settings import ModelSettings, PickSettings

if TYPE_CHECKING:
    from rich.table import Table

    from recommender.evaluation.dataset import Dataset
    from recommender.evaluation.estimator import Estimator
    from recommender.evaluation.runner import EpochSearch, EvalReport

# The evaluation code (numpy, scipy, scikit-learn, LightFM, implicit) and the dataset readers are
# imported in the functions that run them, so `paperbot eval --help` loads none of it.

WIDE = 132  # the tables stay readable when piped to a file
MODEL_NAMES = (
    "paperbot",
    "popularity",
    "tfidf-profile",
    "svm",
    "lightfm",
    "lightfm-hybrid",
    "lightfm-hybrid-plain",
    "als",
    "item-knn",
)
EXTRA_MODELS = ("paperbot-no-downvotes",)  # the 👎 ablation: dislike_weight = 0
# The LightFM hybrid baseline is a reader's plain setup, not our [model] section; its epochs are
# searched over these cumulative counts on the test split and the best is reported (generous).
# On CiteULike-t seed 1 recall@100 still rose at 80 epochs (random20 .380 -> .389 at 200, cold
# .392 -> .408), so the search goes to 200: ~0.8 s an epoch on 2 cores, ~3 min a protocol.
HYBRID_BASELINE = ModelSettings(no_components=64, loss="warp", learning_rate=0.05)
HYBRID_EPOCHS = (10, 20, 40, 60, 80, 120, 160, 200)
DIRECTORY = click.Path(exists=True, file_okay=False, path_type=Path)
PLOT = click.Path(dir_okay=False, writable=True, path_type=Path)


def _settings(obj: CliContext) -> tuple[ModelSettings, PickSettings]:
    return obj.config.model, obj.config.picks


def _load(directory: Path) -> Dataset:
    from paperbot.datasets import read_dataset

    dataset = read_dataset(directory)
    if dataset.interactions.nnz == 0:
        raise click.ClickException(f"{directory} has no interactions to evaluate on")
    return dataset


def _shipped(settings: ModelSettings, picks: PickSettings, seed: int, name: str) -> Estimator:
    """The product's model; imported here so the baselines run without it."""
    from recommender.evaluation.shipped import ShippedEstimator

    estimator: Estimator = ShippedEstimator(settings, picks, seed, name)
    return estimator


def build_estimators(
    names: Sequence[str],
    settings: ModelSettings,
    picks: PickSettings,
    seed: int,
    svm_negatives: int,
) -> list[Estimator | EpochSearch]:
    """Our model and the baselines, in the order asked for. LightFM-without-features gets the
    same dimensions, epochs and learning rate as paperbot's collaborative part; the LightFM
    hybrid gets HYBRID_BASELINE and an epoch search. Every multithreaded model uses [model]
    num_threads (LightFM is deterministic for a seed only with one thread)."""
    from recommender.evaluation.baselines import (
        ImplicitALS,
        ItemKNN,
        LightFMHybrid,
        PerUserSVM,
        Popularity,
        PureLightFM,
        TfidfProfile,
    )
    from recommender.evaluation.runner import EpochSearch

    threads = settings.num_threads
    hybrid = dataclasses.replace(HYBRID_BASELINE, epochs=HYBRID_EPOCHS[0], num_threads=threads)
    no_downvotes = dataclasses.replace(settings, dislike_weight=0.0)
    factories: dict[str, Any] = {
        "paperbot": lambda: _shipped(settings, picks, seed, "paperbot"),
        "popularity": Popularity,
        "tfidf-profile": TfidfProfile,
        "svm": lambda: PerUserSVM(negatives=svm_negatives, seed=seed),
        "lightfm": lambda: PureLightFM(settings, seed),
        "lightfm-hybrid": lambda: EpochSearch(LightFMHybrid(hybrid, seed), HYBRID_EPOCHS),
        "lightfm-hybrid-plain": lambda: EpochSearch(
            LightFMHybrid(hybrid, seed, name="lightfm-hybrid-plain", terms_for_new=False),
            HYBRID_EPOCHS,
        ),
        "als": lambda: ImplicitALS(seed, num_threads=threads),
        "item-knn": ItemKNN,
        "paperbot-no-downvotes": lambda: _shipped(
            no_downvotes, picks, seed, "paperbot-no-downvotes"
        ),
    }
    return [factories[name]() for name in names]


def _model_list(text: str) -> list[str]:
    names = list(MODEL_NAMES) if text == "all" else [n.strip() for n in text.split(",") if n]
    known = MODEL_NAMES + EXTRA_MODELS
    unknown = [n for n in names if n not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(known)}",
            param_hint="--models",
        )
    return names


def _table(report: EvalReport) -> Table:
    from rich.table import Table

    from recommender.evaluation.metrics import METRICS

    table = Table(title=f"{report.dataset} · {report.protocol} · seed {report.seed}")
    table.add_column("model")
    for metric in METRICS:
        table.add_column(metric.replace("recall", "r").replace("precision", "p"), justify="right")
    table.add_column("fit s", justify="right")
    table.add_column("score s", justify="right")
    table.add_column("users", justify="right")
    for model in report.models:
        table.add_row(
            f"{model.name} ({model.epochs} epochs)" if model.epochs else model.name,
            *(f"{model.metrics[m]:.4f}" for m in METRICS),
            f"{model.fit_seconds:.1f}",
            f"{model.score_seconds:.1f}",
            str(model.users),
        )
    return table


@click.command("eval")
@click.argument("directory", type=DIRECTORY)
@click.option("--protocol", type=click.Choice(PROTOCOLS), default="random20", show_default=True)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the split.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--plot", type=PLOT, default=None, help="Write a recall comparison chart (PNG).")
@click.option("--models", default="all", show_default=True, help="Comma-separated subset.")
@click.option("--users", "max_users", type=int, default=None, help="Evaluate a seeded sample.")
@click.option(
    "--svm-users",
    type=int,
    default=1000,
    show_default=True,
    help="The per-user SVM is slow: it runs on a seeded sample this size, on which every model "
    "is also reported (`subsample`).",
)
@click.option("--svm-negatives", type=int, default=5000, show_default=True)
@click.option(
    "--simulated-dislikes",
    type=click.IntRange(0),
    default=0,
    show_default=True,
    help="Give every evaluated user this many 👎 on the best-ranked papers (by a TF-IDF "
    "profile) outside their library, for the 👎 ablation (see docs/evaluation.md).",
)
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
@click.pass_obj
def eval_command(
    obj: CliContext,
    directory: Path,
    protocol: str,
    seed: int,
    as_json: bool,
    plot: Path | None,
    models: str,
    max_users: int | None,
    svm_users: int,
    svm_negatives: int,
    simulated_dislikes: int,
    quiet: bool,
) -> None:
    """Compare paperbot with the baselines on a dataset folder (papers.jsonl + interactions.csv).

    Protocols: random20 (20% of each library held out), P1 / P10 (1 or 10 papers per user in
    training), cold (20% of papers held out entirely and ranked among themselves)."""
    from paperbot.plots import plot_report, pyplot
    from recommender.evaluation.runner import verdict

    names = _model_list(models)
    if plot is not None:
        pyplot()  # before minutes of work, not after them
    settings, picks = _settings(obj)
    with Progress(3 + len(names), quiet) as progress:
        report = _evaluate(
            progress, directory, protocol, seed, names, settings, picks, max_users, svm_users,
            svm_negatives, simulated_dislikes,
        )  # fmt: skip
    if plot is not None:
        plot_report(report, plot)
    summary = verdict(report)
    if as_json:
        payload = {**report.to_dict(), "settings": dataclasses.asdict(settings), "verdict": summary}
        click.echo(json.dumps(payload, indent=1))
        return
    from rich.console import Console

    console = Console(width=max(Console().width, WIDE))
    console.print(_table(report))
    for note in report.notes:
        console.print(f"[dim]{note}[/dim]")
    if summary is not None:
        console.print(summary)


def _evaluate(
    progress: Progress,
    directory: Path,
    protocol: str,
    seed: int,
    names: list[str],
    settings: ModelSettings,
    picks: PickSettings,
    max_users: int | None,
    svm_users: int,
    svm_negatives: int,
    simulated_dislikes: int,
) -> EvalReport:
    from recommender.evaluation.dataset import dataset_content
    from recommender.evaluation.protocols import split, with_simulated_dislikes
    from recommender.evaluation.runner import run

    progress.stage(f"reading {directory}")
    dataset = _load(directory)
    progress.stage("text features")
    started = time.perf_counter()
    content = dataset_content(dataset, settings, settings.seed)
    features_seconds = time.perf_counter() - started
    progress.stage(f"splitting ({protocol}, seed {seed})")
    the_split = split(dataset.interactions, protocol, seed)
    the_split = with_simulated_dislikes(the_split, content.text, simulated_dislikes)
    estimators = build_estimators(names, settings, picks, settings.seed, svm_negatives)
    notes = [
        f"text features (TF-IDF, shared by all models) took {features_seconds:.1f}s",
        f"svm: {svm_negatives} sampled negatives per user, scored on {svm_users} sampled users",
    ]
    if simulated_dislikes:
        notes.append(f"{simulated_dislikes} simulated 👎 per evaluated user in training")
    return run(
        dataset.name, the_split, content, estimators, seed, max_users, svm_users, notes=notes,
        on_model=lambda name: progress.stage(f"fitting and scoring {name}"),
    )  # fmt: skip


@click.group("dataset")
def dataset_group() -> None:
    """Evaluation datasets: a folder with papers.jsonl and interactions.csv."""


@dataset_group.command("import-ctr")
@click.argument("directory", type=DIRECTORY)
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
def import_ctr(directory: Path, out: Path, quiet: bool) -> None:
    """Convert a CiteULike/CTR folder (users.dat, mult.dat, vocabulary.dat; item-tag.dat and
    tags.dat when present) into a dataset folder OUT."""
    from paperbot.datasets import read_ctr, write_dataset

    with Progress(2, quiet) as progress:
        progress.stage(f"reading {directory}")
        dataset = read_ctr(directory)
        progress.stage(f"writing {out}")
        write_dataset(dataset, out)
    click.echo(
        f"wrote {len(dataset.papers)} papers and {dataset.interactions.nnz} interactions "
        f"of {len(dataset.user_ids)} users to {out}"
    )


def register(cli: click.Group) -> None:
    cli.add_command(eval_command)
    cli.add_command(dataset_group)
