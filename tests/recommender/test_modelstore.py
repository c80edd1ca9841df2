"""Model files: atomic, versioned, no pickle; a missing or corrupt model is None plus a log line."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest

from recommender.domain import Paper, Vote
from recommender.ranker import HybridRanker
from storage.modelstore import ModelStore
from tests.recommender.toy import profile_for

TODAY = date(2025, 1, 12)


def _store(tmp_path: Path) -> ModelStore:
    ticks = iter(range(100))
    return ModelStore(
        tmp_path / "models", clock=lambda: datetime(2025, 1, 1, 2, next(ticks), tzinfo=UTC)
    )


def test_a_saved_model_ranks_exactly_like_the_original(
    tmp_path: Path, hybrid: HybridRanker, papers: list[Paper], votes: list[Vote]
) -> None:
    store = _store(tmp_path)
    version = store.save(hybrid)
    loaded = store.load()
    assert loaded is not None and loaded.version == version == store.current_version()
    assert loaded.kind == "hybrid"
    profiles = [profile_for(u, votes, papers) for u in ("uA0", "uB3")]
    original = hybrid.picks(profiles, papers, 5, TODAY)
    again = loaded.picks(profiles, papers, 5, TODAY)
    for key in original:
        assert [p.paper.paper_id for p in original[key]] == [p.paper.paper_id for p in again[key]]
        assert [p.reason for p in original[key]] == [p.reason for p in again[key]]
        assert np.allclose([p.score for p in original[key]], [p.score for p in again[key]])


def test_files_are_plain_arrays_and_json(tmp_path: Path, content: HybridRanker) -> None:
    store = _store(tmp_path)
    version = store.save(content)
    with np.load(store.dir / f"model-{version}.npz", allow_pickle=False) as data:
        assert "vocabulary" in data.files and data["vocabulary"].dtype.kind == "U"
    meta = json.loads((store.dir / f"model-{version}.json").read_text())
    assert meta["kind"] == "content" and meta["version"] == version
    assert not list(store.dir.glob("*.tmp"))


def test_only_the_last_versions_are_kept(tmp_path: Path, content: HybridRanker) -> None:
    store = _store(tmp_path)
    saved = [store.save(content) for _ in range(5)]
    assert store.versions() == saved[-3:]
    assert store.current_version() == saved[-1]


def test_no_model_means_none_and_a_reason_in_the_log(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="storage.modelstore")
    assert _store(tmp_path).load() is None
    assert "no trained model" in caplog.text


@pytest.mark.parametrize("damage", ["truncate", "delete_npz", "bad_json", "wrong_shape"])
def test_a_corrupt_model_means_none_and_a_warning(
    tmp_path: Path, content: HybridRanker, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    store = _store(tmp_path)
    version = store.save(content)
    npz, meta = store.dir / f"model-{version}.npz", store.dir / f"model-{version}.json"
    if damage == "truncate":
        npz.write_bytes(npz.read_bytes()[:200])
    elif damage == "delete_npz":
        npz.unlink()
    elif damage == "bad_json":
        meta.write_text("{not json")
    else:
        with np.load(npz, allow_pickle=False) as data:
            arrays = {k: data[k] for k in data.files}
        arrays["idf"] = arrays["idf"][:-1]
        np.savez(npz, **arrays)
    with caplog.at_level(logging.WARNING, logger="storage.modelstore"):
        assert store.load() is None
    assert version in caplog.text and "falling back to content" in caplog.text
