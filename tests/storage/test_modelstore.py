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


def _rewrite_arrays(npz: Path, **changes: np.ndarray) -> None:
    with np.load(npz, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays.update(changes)
    with npz.open("wb") as handle:  # np.savez(path) would add a second ".npz"
        np.savez(handle, **arrays)


@pytest.mark.parametrize(
    "damage",
    ["meta_list", "meta_null", "meta_settings_list", "current_not_utf8", "current_is_a_path",
     "npy_for_npz", "nan_item_bias", "text_as_floats", "indices_out_of_range",
     "topic_vectors_misshapen"],
)  # fmt: skip
def test_damaged_model_files_fall_back_with_one_warning(
    tmp_path: Path, hybrid: HybridRanker, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    """Issue 11.12: these crashed picks and every serve tick (or, NaN, silently ranked
    nothing); now each is None, one WARNING however often it is asked, and content ranking."""
    store = _store(tmp_path)
    version = store.save(hybrid)
    npz, meta = store.dir / f"model-{version}.npz", store.dir / f"model-{version}.json"
    pointer = store.dir / "CURRENT"
    if damage == "meta_list":
        meta.write_text("[]")
    elif damage == "meta_null":
        meta.write_text("null")
    elif damage == "meta_settings_list":
        meta.write_text(json.dumps({**json.loads(meta.read_text()), "model": [1, 2]}))
    elif damage == "current_not_utf8":
        pointer.write_bytes(b"\xff\xfe\x00model\n")
    elif damage == "current_is_a_path":
        pointer.write_text("../../elsewhere/x\n")
    elif damage == "npy_for_npz":
        with npz.open("wb") as handle:
            np.save(handle, np.arange(10))
    elif damage == "nan_item_bias":
        with np.load(npz, allow_pickle=False) as data:
            bias = data["item_bias"].copy()
        bias[0] = np.nan
        _rewrite_arrays(npz, item_bias=bias)
    elif damage == "topic_vectors_misshapen":
        _rewrite_arrays(npz, topic_vectors=np.zeros((1, 3), dtype=np.float32))
    elif damage == "text_as_floats":
        _rewrite_arrays(npz, item_text_indices=np.array([0.5, 1.5]))
    else:
        with np.load(npz, allow_pickle=False) as data:
            indices = data["item_text_indices"].copy()
        indices[0] = 10**6
        _rewrite_arrays(npz, item_text_indices=indices)
    with caplog.at_level(logging.WARNING, logger="storage.modelstore"):
        assert [store.load() for _ in range(3)] == [None, None, None]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, caplog.text


def test_a_format_3_model_still_ranks_without_the_terms_only_space(
    tmp_path: Path, hybrid: HybridRanker, papers: list[Paper], votes: list[Vote]
) -> None:
    """A model saved before the terms-only space existed (format 3) is not thrown away on
    upgrade: it ranks with every other signal until the next nightly fit writes format 4."""
    store = _store(tmp_path)
    version = store.save(hybrid)
    npz, meta = store.dir / f"model-{version}.npz", store.dir / f"model-{version}.json"
    with np.load(npz, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files if name != "topic_vectors"}
    with npz.open("wb") as handle:
        np.savez(handle, **arrays)
    meta.write_text(json.dumps({**json.loads(meta.read_text()), "format": 3}))
    loaded = store.load()
    assert loaded is not None and loaded.items.topic_vectors.shape == (0, 0)
    picks = loaded.picks([profile_for("uB3", votes, papers)], papers, 5, TODAY)["uB3"]
    assert len(picks) == 5


def test_train_repairs_a_model_folder_whose_current_is_a_directory(
    tmp_path: Path, content: HybridRanker, caplog: pytest.LogCaptureFixture
) -> None:
    store = _store(tmp_path)
    (store.dir / "CURRENT").mkdir(parents=True)
    with caplog.at_level(logging.WARNING, logger="storage.modelstore"):
        assert store.load() is None and store.load() is None
        version = store.save(content)
    assert store.current_version() == version and store.load() is not None
    assert (store.dir / "CURRENT").is_file()
    assert [r.levelno for r in caplog.records].count(logging.WARNING) == 2  # read, repaired
