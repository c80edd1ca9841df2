"""`paperbot simulate`: the closed loop, newcomers reacting to daily picks (see
recommender/evaluation/simulate.py).

    paperbot simulate DIR --days 14 --seed N [--json] [--plot out.png]
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from paperbot.cli import CliContext
from paperbot.cli_eval import DIRECTORY, PLOT, WIDE, _load, _settings
from paperbot.plots import plot_simulation
from recommender.baselines import Popularity, RandomScores, TfidfProfile
from recommender.evaluation.dataset import dataset_content
from recommender.evaluation.simulate import Policy, SimulationConfig, build_world, simulate
from recommender.hybrid import PaperbotEstimator
from recommender.settings import ModelSettings, PickSettings


def _simulation_policies(
    names: Sequence[str], settings: ModelSettings, picks: PickSettings, seed: int
) -> list[Policy]:
    """paperbot picks with MMR like the product; the 👎 ablation is the same model with
    dislike_weight = 0; paperbot-frozen never learns from the reactions (the gap to paperbot is
    what feedback adds); the baselines take their plain top k."""
    no_down = dataclasses.replace(settings, dislike_weight=0.0)
    factories: dict[str, Any] = {
        "paperbot": lambda: Policy(
            PaperbotEstimator(settings, seed, picks.popularity_weight), picks.diversity
        ),
        "paperbot-no-downvotes": lambda: Policy(
            PaperbotEstimator(no_down, seed, picks.popularity_weight, "paperbot-no-downvotes"),
            picks.diversity,
        ),
        "paperbot-frozen": lambda: Policy(
            PaperbotEstimator(settings, seed, picks.popularity_weight, "paperbot-frozen"),
            picks.diversity,
            learns=False,
        ),
        "tfidf-profile": lambda: Policy(TfidfProfile()),
        "popularity": lambda: Policy(Popularity()),
        "random": lambda: Policy(RandomScores(seed)),
    }
    unknown = [n for n in names if n not in factories]
    if unknown:
        raise click.BadParameter(
            f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(factories)}",
            param_hint="--models",
        )
    return [factories[name]() for name in names]


@click.command("simulate")
@click.argument("directory", type=DIRECTORY)
@click.option("--days", type=click.IntRange(1, 365), default=8, show_default=True)
@click.option("--k", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--users", type=click.IntRange(1), default=500, show_default=True)
@click.option("--window", type=click.IntRange(1), default=3, show_default=True)
@click.option(
    "--min-library",
    type=click.IntRange(1),
    default=10,
    show_default=True,
    help="Stream papers a newcomer must have in their library.",
)
@click.option(
    "--interest-terms",
    type=click.IntRange(0),
    default=3,
    show_default=True,
    help="Words of declared interest per newcomer (0 = newcomers say nothing).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--models",
    default="paperbot,paperbot-no-downvotes,paperbot-frozen,tfidf-profile,popularity,random",
    show_default=True,
)
@click.option("--json", "as_json", is_flag=True)
@click.option("--plot", type=PLOT, default=None)
@click.pass_obj
def simulate_command(
    obj: CliContext,
    directory: Path,
    days: int,
    k: int,
    users: int,
    window: int,
    min_library: int,
    interest_terms: int,
    seed: int,
    models: str,
    as_json: bool,
    plot: Path | None,
) -> None:
    """Closed loop over DAYS: newcomers get K picks a day from the new papers, react 👍 when the
    paper is in their library and 👎 otherwise; every model learns from the reactions. Prints
    the hit rate per day for paperbot, its no-👎 ablation and the baselines."""
    settings, picks = _settings(obj)
    dataset = _load(directory)
    content = dataset_content(dataset, settings, settings.seed)
    cfg = SimulationConfig(days, k, users, window, interest_terms, min_library, seed)
    world = build_world(dataset.interactions, content, cfg)
    if world.newcomers.size == 0:
        raise click.ClickException("no user has enough papers in the stream to simulate")
    policies = _simulation_policies([n.strip() for n in models.split(",")], settings, picks, seed)
    results = simulate(world, content, policies, cfg)
    if plot is not None:
        plot_simulation(results, plot)
    if as_json:
        payload = {
            "dataset": dataset.name,
            "config": dataclasses.asdict(cfg),
            "newcomers": int(world.newcomers.size),
            "models": [r.to_dict() for r in results],
        }
        click.echo(json.dumps(payload, indent=1))
        return
    table = Table(title=f"{dataset.name}: hit rate per day, {world.newcomers.size} newcomers")
    table.add_column("model")
    for day in range(days):
        table.add_column(f"d{day + 1}", justify="right")
    for result in results:
        table.add_row(result.model, *(f"{h:.3f}" for h in result.hit_rate))
    Console(width=max(Console().width, WIDE)).print(table)


def register(cli: click.Group) -> None:
    cli.add_command(simulate_command)
