"""`paperbot simulate`: the closed loop, newcomers reacting to daily picks (see
recommender/evaluation/simulate.py for the world and the rules).

    paperbot simulate DIR --newcomers none|one-like|interests --seeds 1,2,3 [--json] [--plot a.png]

Reading the dataset, timing and printing happen here; the loop itself is the pure core.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from paperbot.cli_eval import DIRECTORY, PLOT, WIDE, _load, _settings
from paperbot.context import CliContext
from paperbot.progress import Progress
from recommender.evaluation.choices import HYBRID_SETTINGS, MODES
from recommender.settings import ModelSettings, PickSettings

if TYPE_CHECKING:
    from recommender.evaluation.simulate import (
        Policy,
        PolicyRun,
        PolicySummary,
        SimulationConfig,
        Summary,
        World,
    )

# The simulation and its models (numpy, scipy, scikit-learn, LightFM) are imported in the
# functions that run them, so `paperbot simulate --help` loads none of it.

DEFAULT_MODELS = "lightfm-hybrid,tfidf-profile,popularity,random,paperbot"
Factory = Callable[[int], "Policy"]
CONFIG_OPTIONS = ("days", "pool", "k", "users", "window", "min_library", "interest_terms")


def _factories(
    settings: ModelSettings, picks: PickSettings, hybrid: ModelSettings
) -> dict[str, Factory]:
    """Each policy by name, built for a seed. paperbot is the shipped ranker, written elsewhere
    and imported only when asked for; paperbot-frozen is the same ranker never updated after
    day 0 (its gap to paperbot is what the reactions add); hindsight-popular is a ceiling, not a
    baseline (recommender.evaluation.sim_policies)."""
    from recommender.evaluation.baselines import Popularity, RandomScores, TfidfProfile
    from recommender.evaluation.sim_policies import (
        EstimatorPolicy,
        HindsightPolicy,
        HybridFoldInPolicy,
    )

    def shipped(learns: bool, name: str) -> Factory:
        def build(seed: int) -> Policy:
            from recommender.evaluation.shipped import ShippedPolicy

            policy: Policy = ShippedPolicy(settings, picks, seed, learns=learns, name=name)
            return policy

        return build

    return {
        "lightfm-hybrid": lambda seed: HybridFoldInPolicy(seed, hybrid),
        "tfidf-profile": lambda seed: EstimatorPolicy(TfidfProfile()),
        "popularity": lambda seed: EstimatorPolicy(Popularity()),
        "random": lambda seed: EstimatorPolicy(RandomScores(seed), refits=False),
        "hindsight-popular": lambda seed: HindsightPolicy(),
        "paperbot": shipped(True, "paperbot"),
        "paperbot-frozen": shipped(False, "paperbot-frozen"),
    }


def _seeds(ctx: click.Context, param: click.Parameter, value: str) -> list[int]:
    try:
        seeds = [int(s) for s in value.split(",") if s.strip()]
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a comma-separated list of integers") from exc
    if not seeds or len(set(seeds)) != len(seeds):
        raise click.BadParameter("give one or more distinct seeds, e.g. 1,2,3")
    return seeds


@click.command("simulate")
@click.argument("directory", type=DIRECTORY)
@click.option(
    "--newcomers",
    type=click.Choice(MODES),
    default="one-like",
    show_default=True,
    help="What is known of a newcomer before day 1.",
)
@click.option("--days", type=click.IntRange(1, 365), default=14, show_default=True)
@click.option(
    "--pool", type=click.IntRange(1), default=300, show_default=True, help="Fresh papers a day."
)
@click.option("--k", type=click.IntRange(1, 50), default=5, show_default=True)
@click.option("--users", type=click.IntRange(1), default=500, show_default=True)
@click.option(
    "--window",
    type=click.IntRange(1),
    default=1,
    show_default=True,
    help="Days of papers on offer each day.",
)
@click.option(
    "--min-library",
    type=click.IntRange(1),
    default=5,
    show_default=True,
    help="Stream papers a newcomer must have in their library.",
)
@click.option(
    "--interest-terms",
    type=click.IntRange(1),
    default=3,
    show_default=True,
    help="Words a newcomer declares in --newcomers interests.",
)
@click.option(
    "--seeds",
    default="1",
    show_default=True,
    callback=_seeds,
    help="Comma-separated; each seeds its own world and models.",
)
@click.option("--models", default=DEFAULT_MODELS, show_default=True)
@click.option(
    "--hybrid-components",
    type=click.IntRange(1),
    default=HYBRID_SETTINGS.no_components,
    show_default=True,
    help="lightfm-hybrid dimensions.",
)
@click.option(
    "--hybrid-epochs",
    type=click.IntRange(1),
    default=HYBRID_SETTINGS.epochs,
    show_default=True,
    help="lightfm-hybrid training epochs.",
)
@click.option("--json", "as_json", is_flag=True)
@click.option("--plot", type=PLOT, default=None)
@click.option("--quiet", is_flag=True, help="No progress on stderr.")
@click.pass_obj
def simulate_command(obj: CliContext, directory: Path, **options: Any) -> None:
    """Closed loop over DAYS: newcomers get K picks a day from the new papers, react 👍 when the
    paper is in their library and 👎 otherwise; every model learns from the reactions. Prints
    each model's hit rate over days 1-3 and over all days (mean over newcomers ± SE), per seed."""
    from paperbot.plots import plot_simulation, pyplot
    from recommender.evaluation.dataset import dataset_content
    from recommender.evaluation.simulate import SimulationConfig, build_world, combine
    from recommender.features import fit_corpus

    if options["plot"] is not None:
        pyplot()  # before minutes of work, not after them
    settings, picks = _settings(obj)
    hybrid = dataclasses.replace(
        HYBRID_SETTINGS,
        no_components=options["hybrid_components"],
        epochs=options["hybrid_epochs"],
        num_threads=settings.num_threads,
    )
    factories = _factories(settings, picks, hybrid)
    names = _names(options["models"], factories)
    seeds: list[int] = options["seeds"]
    first = [factories[name](seeds[0]) for name in names]  # fail before the slow part
    cfg = SimulationConfig(
        **{key: options[key] for key in CONFIG_OPTIONS}, newcomers=options["newcomers"]
    )
    per_seed: list[dict[str, Any]] = []
    runs: list[list[PolicyRun]] = [[] for _ in names]  # per policy, one run per seed
    with Progress(2 + len(seeds) * len(names), options["quiet"]) as progress:
        progress.stage(f"reading {directory}")
        dataset = _load(directory)
        progress.stage("text features")
        content = dataset_content(dataset, settings, settings.seed)
        space = getattr(content, "space", None) or fit_corpus(dataset.papers, settings)[0]
        for seed in seeds:
            seeded = dataclasses.replace(cfg, seed=seed)
            world = build_world(dataset.interactions, content, space, dataset.papers, seeded)
            policies = first if seed == seeds[0] else [factories[name](seed) for name in names]
            results = []
            for i, policy in enumerate(policies):
                progress.stage(f"playing {names[i]}, seed {seed}")
                results.append(_run(world, policy, seeded, runs[i], options["quiet"]))
            per_seed.append({"seed": seed, **_world_dict(world), "policies": results})
    summaries = [combine(policy_runs, cfg.early_days) for policy_runs in runs]
    if options["plot"] is not None:
        title = f"{dataset.name}: {cfg.newcomers} newcomers, seeds {','.join(map(str, seeds))}"
        plot_simulation(summaries, options["plot"], title)
    if options["as_json"]:
        config = {**dataclasses.asdict(cfg), "seeds": seeds, "hybrid": _hybrid_dict(hybrid)}
        del config["seed"]
        payload = {
            "dataset": dataset.name,
            "config": config,
            "seeds": per_seed,
            "policies": [_summary_dict(s) for s in summaries],
        }
        click.echo(json.dumps(payload, indent=1))
    else:
        _print_table(dataset.name, cfg, per_seed, summaries)


def _names(models: str, factories: dict[str, Factory]) -> list[str]:
    names = [n.strip() for n in models.split(",") if n.strip()]
    unknown = [n for n in names if n not in factories]
    if unknown or not names:
        raise click.BadParameter(
            f"unknown model(s) {', '.join(unknown)}; choose from {', '.join(factories)}",
            param_hint="--models",
        )
    return names


def _run(
    world: World,
    policy: Policy,
    cfg: SimulationConfig,
    runs: list[PolicyRun],
    quiet: bool,
) -> dict[str, Any]:
    """Play one policy in one world; append the run to `runs`, print a progress line."""
    from recommender.evaluation.simulate import run_policy

    started = time.perf_counter()
    run = run_policy(world, policy, cfg)
    seconds = time.perf_counter() - started
    runs.append(run)
    if not quiet:
        click.echo(_progress(cfg.seed, run, cfg, seconds), err=True)
    return _run_dict(run, cfg, seconds)


def _progress(seed: int, run: PolicyRun, cfg: SimulationConfig, seconds: float) -> str:
    early, overall = run.summary(cfg.early_days), run.summary(cfg.days)
    return (
        f"seed {seed} {run.name}: d1-{cfg.early_days} {_pm(early)}, "
        f"d1-{cfg.days} {_pm(overall)} ({seconds:.1f} s)"
    )


def _pm(summary: Summary) -> str:
    return f"{summary.mean:.3f} ± {summary.se:.3f}"


def _stats(summary: Summary) -> dict[str, Any]:
    return {"mean": round(summary.mean, 5), "se": round(summary.se, 5), "users": summary.users}


def _run_dict(run: PolicyRun, cfg: SimulationConfig, seconds: float) -> dict[str, Any]:
    return {
        "name": run.name,
        "early": _stats(run.summary(cfg.early_days)),
        "overall": _stats(run.summary(cfg.days)),
        "hit_rate": [round(h, 5) for h in run.hit_rate()],
        "likes": run.likes.sum(axis=0).tolist(),
        "picks": run.picks.sum(axis=0).tolist(),
        "seconds": round(seconds, 2),
    }


def _world_dict(world: World) -> dict[str, Any]:
    return {
        "newcomers": int(world.newcomers.size),
        "teammates": int(world.teammates.size),
        "pool": int(world.arrivals[0].size),
        "notes": list(world.notes),
    }


def _summary_dict(summary: PolicySummary) -> dict[str, Any]:
    return {
        "name": summary.name,
        "early": {**_stats(summary.early), "seed_std": round(summary.early_seed_std, 5)},
        "overall": {**_stats(summary.overall), "seed_std": round(summary.overall_seed_std, 5)},
        "hit_rate": [round(h, 5) for h in summary.hit_rate],
        "seeds": summary.seeds,
    }


def _hybrid_dict(hybrid: ModelSettings) -> dict[str, Any]:
    return {"no_components": hybrid.no_components, "epochs": hybrid.epochs, "loss": hybrid.loss}


def _print_table(
    name: str,
    cfg: SimulationConfig,
    per_seed: Sequence[dict[str, Any]],
    summaries: Sequence[PolicySummary],
) -> None:
    """One row per policy and seed (and a mean row over seeds when there are several)."""
    from rich.console import Console
    from rich.table import Table

    counts = sorted({s["newcomers"] for s in per_seed})
    newcomers = str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
    table = Table(
        title=f"{name}: hit rate of {newcomers} newcomers ({cfg.newcomers}), k={cfg.k}, "
        f"window={cfg.window}; d1-{cfg.early_days} and d1-{cfg.days}: mean over users ± SE"
    )
    for column in ("model", "seed", f"d1-{cfg.early_days}", f"d1-{cfg.days}"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for day in range(cfg.days):
        table.add_column(f"d{day + 1}", justify="right")
    for i, summary in enumerate(summaries):
        for seed in per_seed:
            run = seed["policies"][i]
            early, overall = run["early"], run["overall"]
            table.add_row(
                summary.name,
                str(seed["seed"]),
                f"{early['mean']:.3f} ± {early['se']:.3f}",
                f"{overall['mean']:.3f} ± {overall['se']:.3f}",
                *(f"{h:.3f}" for h in run["hit_rate"]),
            )
        if len(per_seed) > 1:
            table.add_row(
                summary.name,
                "mean",
                _pm(summary.early),
                _pm(summary.overall),
                *(f"{h:.3f}" for h in summary.hit_rate),
                end_section=True,
            )
    console = Console(width=max(Console().width, WIDE + 8 * cfg.days))
    console.print(table)
    for note in sorted({n for s in per_seed for n in s["notes"]}):
        console.print(f"note: {note}")


def register(cli: click.Group) -> None:
    cli.add_command(simulate_command)
