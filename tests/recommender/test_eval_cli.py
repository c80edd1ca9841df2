"""The evaluation commands end to end on a tiny synthetic dataset (never ../shared)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from paperbot.cli import cli
from paperbot.datasets import read_ctr, read_dataset, write_dataset
from recommender.domain import InvalidInputError
from recommender.evaluation.dataset import build_dataset
from tests.recommender.toy import CLUSTER_SIZE, toy_papers, toy_votes

FAST_MODEL = """
[model]
no_components = 4
epochs = 5
num_threads = 1
lsa_components = 4
"""


@pytest.fixture()
def dataset_dir(tmp_path: Path) -> Path:
    votes = [(v.user_key, v.paper_id, v.vote) for v in toy_votes(6, CLUSTER_SIZE, 12)]
    folder = tmp_path / "toy"
    write_dataset(build_dataset("toy", toy_papers(), votes), folder)
    return folder


@pytest.fixture()
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(FAST_MODEL)
    return path


def test_a_dataset_folder_round_trips(dataset_dir: Path) -> None:
    dataset = read_dataset(dataset_dir)
    again = dataset_dir.parent / "again"
    write_dataset(dataset, again)
    assert list(read_dataset(again).votes()) == list(dataset.votes())
    assert dataset.papers[0].published is not None


@pytest.mark.parametrize("protocol", ["random20", "P1", "cold"])
def test_eval_reports_every_model_with_every_metric(
    dataset_dir: Path, config: Path, tmp_path: Path, protocol: str
) -> None:
    plot = tmp_path / "out.png"
    args = ["--config", str(config), "eval", str(dataset_dir), "--protocol", protocol]
    result = CliRunner().invoke(cli, [*args, "--seed", "3", "--json", "--plot", str(plot)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    names = [m["name"] for m in report["models"]]
    assert names == ["paperbot", "popularity", "tfidf-profile", "svm", "lightfm"]
    for model in report["models"]:
        for key in ("recall@10", "recall@50", "recall@100", "recall@300", "precision@10"):
            assert 0.0 <= model[key] <= 1.0
        assert {"ndcg@10", "auc", "fit_seconds", "score_seconds"} <= set(model)
    assert plot.stat().st_size > 1000
    assert report["protocol"] == protocol and report["seed"] == 3


def test_eval_is_reproducible_for_a_seed(dataset_dir: Path, config: Path) -> None:
    args = ["--config", str(config), "eval", str(dataset_dir), "--models", "paperbot,svm"]
    runs = [CliRunner().invoke(cli, [*args, "--seed", "5", "--json"]) for _ in range(2)]
    metrics = [
        [{k: v for k, v in m.items() if "seconds" not in k} for m in json.loads(r.output)["models"]]
        for r in runs
    ]
    assert metrics[0] == metrics[1]


def test_eval_rejects_unknown_models_and_missing_files(config: Path, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = CliRunner().invoke(cli, ["--config", str(config), "eval", str(tmp_path / "empty")])
    assert result.exit_code != 0 and "papers.jsonl is missing" in result.output
    assert "Traceback" not in result.output


def test_import_ctr_converts_the_citeulike_format(tmp_path: Path, config: Path) -> None:
    ctr = tmp_path / "ctr"
    ctr.mkdir()
    (ctr / "vocabulary.dat").write_text("graph\nprotein\nnetwork\n")
    (ctr / "mult.dat").write_text("2 0:2 2:1\n1 1:3\n2 1:1 2:1\n")
    (ctr / "users.dat").write_text("2 0 2\n1 1\n")
    (ctr / "tags.dat").write_text("ml\nbio\n")
    (ctr / "item-tag.dat").write_text("1 0\n1 1\n0\n")
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli, ["--config", str(config), "dataset", "import-ctr", str(ctr), str(out)]
    )
    assert result.exit_code == 0, result.output
    dataset = read_dataset(out)
    assert dataset.papers[0].abstract == "graph graph network"
    assert dataset.papers[1].keywords == ("bio",)
    assert list(dataset.votes()) == [("u0", "ctr:0", 1), ("u0", "ctr:2", 1), ("u1", "ctr:1", 1)]


def test_a_broken_ctr_file_is_a_named_error(tmp_path: Path) -> None:
    (tmp_path / "vocabulary.dat").write_text("a\n")
    (tmp_path / "mult.dat").write_text("1 0:1\n")
    (tmp_path / "users.dat").write_text("2 0\n")  # says two papers, lists one
    with pytest.raises(InvalidInputError, match="users.dat line 1"):
        read_ctr(tmp_path)


def test_interactions_on_unknown_papers_are_rejected(dataset_dir: Path) -> None:
    with (dataset_dir / "interactions.csv").open("a") as handle:
        handle.write("uZ,nope,1\n")
    with pytest.raises(InvalidInputError, match="unknown paper_id 'nope'"):
        read_dataset(dataset_dir)


def test_the_downvote_ablation_runs_from_the_command_line(dataset_dir: Path, config: Path) -> None:
    args = ["--config", str(config), "eval", str(dataset_dir), "--json", "--seed", "1"]
    models = "paperbot,paperbot-no-downvotes"
    result = CliRunner().invoke(cli, [*args, "--models", models, "--simulated-dislikes", "2"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert [m["name"] for m in report["models"]] == models.split(",")
    assert any("simulated" in note for note in report["notes"])
