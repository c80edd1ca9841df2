"""`paperbot simulate` end to end on the toy world of tests/recommender/test_simulate.py: the
JSON report per seed, policy and day, the table, and the errors for bad options."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperbot.cli import cli
from paperbot.datasets import write_dataset
from tests.recommender.toy import toy_dataset

CLI_ARGS = ["--days", "3", "--pool", "8", "--k", "2", "--users", "6", "--min-library", "1"]
CLI_MODELS = "lightfm-hybrid,tfidf-profile,popularity,random"
FAST_MODEL = "[model]\nnum_threads = 1\n"


@pytest.fixture(scope="module")
def cli_setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("sim")
    write_dataset(toy_dataset(), root / "toy")
    (root / "config.toml").write_text(FAST_MODEL)
    return root / "toy", root / "config.toml"


def simulate(cli_setup: tuple[Path, Path], *extra: str) -> list[str]:
    folder, config = cli_setup
    fast = ["--hybrid-components", "4", "--hybrid-epochs", "2", "--models", CLI_MODELS]
    return ["--config", str(config), "simulate", str(folder), *CLI_ARGS, *fast, *extra]


def test_simulate_reports_per_seed_per_policy_per_day_as_json(
    cli_setup: tuple[Path, Path], tmp_path: Path
) -> None:
    plot = tmp_path / "sim.png"
    args = simulate(cli_setup, "--seeds", "1,2", "--newcomers", "interests", "--json")
    result = CliRunner().invoke(cli, [*args, "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["config"]["seeds"] == [1, 2] and report["config"]["newcomers"] == "interests"
    assert [s["seed"] for s in report["seeds"]] == [1, 2]
    for seed in report["seeds"]:
        assert [p["name"] for p in seed["policies"]] == CLI_MODELS.split(",")
        for policy in seed["policies"]:
            assert len(policy["hit_rate"]) == 3 and policy["picks"] == [12, 12, 12]
            assert 0.0 <= policy["early"]["mean"] <= 1.0 and policy["early"]["se"] >= 0.0
    assert [p["name"] for p in report["policies"]] == CLI_MODELS.split(",")
    assert all(p["seeds"] == 2 for p in report["policies"])
    lines = result.stderr.splitlines()
    assert sum(line.startswith("seed ") for line in lines) == 8  # a result per (seed, policy)
    assert sum(" playing " in line for line in lines) == 8  # and a stage line before it
    assert plot.stat().st_size > 1000


def test_simulate_prints_a_table_with_a_mean_row_and_can_be_quiet(
    cli_setup: tuple[Path, Path],
) -> None:
    result = CliRunner().invoke(cli, simulate(cli_setup, "--seeds", "3,4", "--quiet"))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "d1-3" in result.stdout and "tfidf-profile" in result.stdout
    assert result.stdout.count("mean") >= 4  # one mean-over-seeds row per policy


def test_simulate_rejects_unknown_models_and_bad_seeds(cli_setup: tuple[Path, Path]) -> None:
    unknown = CliRunner().invoke(cli, [*simulate(cli_setup), "--models", "nope"])
    assert unknown.exit_code != 0 and "unknown model(s) nope" in unknown.output
    bad = CliRunner().invoke(cli, [*simulate(cli_setup), "--seeds", "1,x"])
    assert bad.exit_code != 0 and "comma-separated" in bad.output
