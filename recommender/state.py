"""A ranker as plain arrays + JSON metadata, and back: no pickle, so a model file can be read by
another process (or a later version of paperbot) without executing anything.

`to_state` returns (arrays, meta); storage/modelstore.py writes them as .npz (allow_pickle=False)
and .json. `from_state` validates shapes and raises `CorruptModelError` on anything inconsistent.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from recommender.domain import PaperbotError
from recommender.features import TextSpace, project
from recommender.projection import TextProjection
from recommender.ranker import HybridRanker
from recommender.settings import ModelSettings, PickSettings
from recommender.tables import ItemTable, UserTable

FORMAT = 1
ARRAYS = (
    "vocabulary",
    "idf",
    "lsa_basis",
    "item_ids",
    "item_text_data",
    "item_text_indices",
    "item_text_indptr",
    "item_cf",
    "item_bias",
    "item_likes",
    "user_keys",
    "user_cf",
    "user_digests",
    "projection_weights",
    "projection_intercept",
)


class CorruptModelError(PaperbotError):
    """Saved model arrays that do not fit together (truncated, edited, or from another format)."""


def to_state(ranker: HybridRanker) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    items, users = ranker.items, ranker.users
    arrays = {
        "vocabulary": ranker.space.vocabulary,
        "idf": ranker.space.idf,
        "lsa_basis": ranker.basis,
        "item_ids": items.paper_ids,
        "item_text_data": items.text.data,
        "item_text_indices": items.text.indices,
        "item_text_indptr": items.text.indptr,
        "item_cf": items.cf,
        "item_bias": items.cf_bias,
        "item_likes": items.likes,
        "user_keys": users.user_keys,
        "user_cf": users.cf,
        "user_digests": users.digests,
        "projection_weights": items.projection.weights,
        "projection_intercept": items.projection.intercept,
    }
    meta = {
        "format": FORMAT,
        "kind": ranker.kind,
        "version": ranker.version,
        "model": dataclasses.asdict(ranker.settings),
        "picks": dataclasses.asdict(ranker.pick_settings),
        "papers": int(len(items.paper_ids)),
        "users": int(len(users.user_keys)),
    }
    return arrays, meta


def from_state(arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> HybridRanker:
    """Rebuild a ranker; raises CorruptModelError when the pieces do not fit together."""
    if meta.get("format") != FORMAT:
        raise CorruptModelError(f"unknown model format {meta.get('format')!r}")
    missing = [name for name in ARRAYS if name not in arrays]
    if missing:
        raise CorruptModelError(f"model file lacks {', '.join(missing)}")
    try:
        settings = ModelSettings.from_mapping(meta.get("model", {}))
        picks = PickSettings.from_mapping(meta.get("picks", {}))
        space = TextSpace(vocabulary=arrays["vocabulary"], idf=arrays["idf"].astype(np.float32))
        n, v = len(arrays["item_ids"]), space.size
        text = sp.csr_matrix(
            (arrays["item_text_data"], arrays["item_text_indices"], arrays["item_text_indptr"]),
            shape=(n, v),
        )
        basis = arrays["lsa_basis"].astype(np.float32)
        _check_shapes(arrays, n, v, basis)
        items = ItemTable(
            paper_ids=arrays["item_ids"],
            text=text,
            cf=arrays["item_cf"].astype(np.float32),
            cf_bias=arrays["item_bias"].astype(np.float32),
            likes=arrays["item_likes"].astype(np.float32),
            lsa=project(text, basis),
            projection=TextProjection(
                weights=arrays["projection_weights"].astype(np.float32),
                intercept=arrays["projection_intercept"].astype(np.float32),
            ),
        )
        users = UserTable(
            user_keys=arrays["user_keys"],
            cf=arrays["user_cf"].astype(np.float32),
            digests=arrays["user_digests"].astype(np.int64),
        )
    except (ValueError, TypeError, IndexError, PaperbotError) as exc:
        raise CorruptModelError(f"model arrays are inconsistent: {exc}") from exc
    return HybridRanker(
        settings=settings,
        picks=picks,
        space=space,
        basis=basis,
        items=items,
        users=users,
        version=str(meta.get("version", "unknown")),
    )


def _check_shapes(arrays: Mapping[str, np.ndarray], n: int, v: int, basis: np.ndarray) -> None:
    d = arrays["item_cf"].shape[1] if arrays["item_cf"].ndim == 2 else -1
    expectations = {
        "idf": arrays["idf"].shape == (v,),
        "lsa_basis": basis.ndim == 2 and basis.shape[1] == v,
        "item_cf": arrays["item_cf"].shape == (n, d),
        "item_bias": arrays["item_bias"].shape == (n,),
        "item_likes": arrays["item_likes"].shape == (n,),
        "user_cf": arrays["user_cf"].shape == (len(arrays["user_keys"]), d),
        "user_digests": arrays["user_digests"].shape == (len(arrays["user_keys"]),),
        "projection": arrays["projection_weights"].shape[0] in (0, v)
        and arrays["projection_weights"].shape[1:] == arrays["projection_intercept"].shape,
        "finite": bool(
            np.isfinite(arrays["item_cf"]).all() and np.isfinite(arrays["user_cf"]).all()
        ),
    }
    broken = [name for name, ok in expectations.items() if not ok]
    if broken:
        raise CorruptModelError(f"model arrays have wrong shapes or values: {', '.join(broken)}")
