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
from recommender.features import TextSpace
from recommender.ranker import HybridRanker
from recommender.settings import ModelSettings, PickSettings
from recommender.tables import ItemTable

FORMAT = 4  # 4: + the terms-only space; 3: + ALS paper factors; 2: LightFM with item features
READABLE = (3, FORMAT)  # a format-3 file ranks without the topics signal until the next fit
ARRAYS = (
    "vocabulary",
    "idf",
    "item_ids",
    "item_text_data",
    "item_text_indices",
    "item_text_indptr",
    "item_vectors",
    "item_bias",
    "term_columns",
    "term_vectors",
    "term_bias",
    "readers_data",
    "readers_indices",
    "readers_indptr",
    "readers_shape",
    "als_factors",
    "als_weight",
    "als_inverse",
)


class CorruptModelError(PaperbotError):
    """Saved model arrays that do not fit together (truncated, edited, or from another format)."""


def to_state(ranker: HybridRanker) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    items = ranker.items
    arrays = {
        "vocabulary": ranker.space.vocabulary,
        "idf": ranker.space.idf,
        "item_ids": items.paper_ids,
        "item_text_data": items.text.data,
        "item_text_indices": items.text.indices,
        "item_text_indptr": items.text.indptr,
        "item_vectors": items.vectors,
        "item_bias": items.bias,
        "term_columns": items.term_columns,
        "term_vectors": items.term_vectors,
        "term_bias": items.term_bias,
        "readers_data": items.readers.data,
        "readers_indices": items.readers.indices,
        "readers_indptr": items.readers.indptr,
        "readers_shape": np.array(items.readers.shape, dtype=np.int64),
        "als_factors": items.als,
        "als_weight": items.als_weight,
        "als_inverse": items.als_inverse,
        "reader_keys": items.reader_keys,
        "topic_vectors": items.topic_vectors,
    }
    meta = {
        "format": FORMAT,
        "kind": ranker.kind,
        "version": ranker.version,
        "model": dataclasses.asdict(ranker.settings),
        "picks": dataclasses.asdict(ranker.pick_settings),
        "papers": int(len(items.paper_ids)),
        "readers": int(items.readers.shape[1]),
    }
    return arrays, meta


def from_state(arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> HybridRanker:
    """Rebuild a ranker; raises CorruptModelError when the pieces do not fit together."""
    if not isinstance(meta, Mapping):
        raise CorruptModelError(f"model metadata is {type(meta).__name__}, not an object")
    if meta.get("format") not in READABLE:
        raise CorruptModelError(f"unknown model format {meta.get('format')!r}")
    missing = [name for name in ARRAYS if name not in arrays]
    if missing:
        raise CorruptModelError(f"model file lacks {', '.join(missing)}")
    _check_kinds(arrays)
    for section in ("model", "picks"):
        if not isinstance(meta.get(section, {}), Mapping):
            raise CorruptModelError(f"model metadata {section!r} is not an object")
    try:
        settings = ModelSettings.from_mapping(meta.get("model", {}))
        picks = PickSettings.from_mapping(meta.get("picks", {}))
        space = TextSpace(vocabulary=arrays["vocabulary"], idf=arrays["idf"].astype(np.float32))
        n, v = len(arrays["item_ids"]), space.size
        _check_shapes(arrays, n, v)
        text = sp.csr_matrix(
            (arrays["item_text_data"], arrays["item_text_indices"], arrays["item_text_indptr"]),
            shape=(n, v),
        )
        readers = sp.csr_matrix(
            (arrays["readers_data"], arrays["readers_indices"], arrays["readers_indptr"]),
            shape=tuple(int(x) for x in arrays["readers_shape"]),
        )
        text.check_format(full_check=True)
        readers.check_format(full_check=True)
        items = ItemTable(
            paper_ids=arrays["item_ids"],
            text=text,
            vectors=arrays["item_vectors"].astype(np.float32),
            bias=arrays["item_bias"].astype(np.float32),
            term_columns=arrays["term_columns"].astype(np.int64),
            term_vectors=arrays["term_vectors"].astype(np.float32),
            term_bias=arrays["term_bias"].astype(np.float32),
            readers=sp.csr_matrix(readers, dtype=np.float32),
            als=arrays["als_factors"].astype(np.float32),
            als_weight=arrays["als_weight"].astype(np.float32),
            als_inverse=arrays["als_inverse"].astype(np.float64),
            reader_keys=_reader_keys(arrays, readers.shape[1]),
            topic_vectors=_topic_vectors(arrays),
        )
    except (ValueError, TypeError, IndexError, PaperbotError) as exc:
        raise CorruptModelError(f"model arrays are inconsistent: {exc}") from exc
    return HybridRanker(
        settings=settings,
        picks=picks,
        space=space,
        items=items,
        version=str(meta.get("version", "unknown")),
    )


# What each array must hold: U = str, i = integer (signed or not), f = float (or integer
# counts, which are exact in float32). Everything numeric must also be finite.
KINDS = {
    "vocabulary": "U",
    "item_ids": "U",
    "item_text_indices": "iu",
    "item_text_indptr": "iu",
    "term_columns": "iu",
    "readers_indices": "iu",
    "readers_indptr": "iu",
    "readers_shape": "iu",
}


def _check_kinds(arrays: Mapping[str, np.ndarray]) -> None:
    """Every array is an ndarray of the right kind, 1-D except the vector tables, and
    finite: a NaN bias would silently rank nothing, a string where numbers belong would crash
    on the first request."""
    wrong: list[str] = []
    for name in ARRAYS:
        value = arrays[name]
        kinds = KINDS.get(name, "fiu")
        ndim = 2 if name in ("item_vectors", "term_vectors", "als_factors", "als_inverse") else 1
        if not isinstance(value, np.ndarray) or value.dtype.kind not in kinds or value.ndim != ndim:
            wrong.append(name)
        elif value.dtype.kind == "f" and not np.isfinite(value).all():
            wrong.append(f"{name} (not finite)")
    if wrong:
        raise CorruptModelError(f"model arrays have the wrong type: {', '.join(wrong)}")


def _reader_keys(arrays: Mapping[str, np.ndarray], readers: int) -> np.ndarray:
    """The user_key of each readers column; empty for model files saved before they were."""
    keys = arrays.get("reader_keys")
    if keys is None:
        return np.zeros(0, dtype=str)
    if keys.dtype.kind != "U" or keys.shape not in ((readers,), (0,)):
        raise CorruptModelError("reader_keys do not match the readers columns")
    return keys


def _topic_vectors(arrays: Mapping[str, np.ndarray]) -> np.ndarray:
    """(T, t) the terms-only space's term embeddings, one row per term column; (0, 0) for
    format-3 files, which lack them."""
    vectors = arrays.get("topic_vectors")
    if vectors is None:
        return np.zeros((0, 0), dtype=np.float32)
    terms = len(arrays["term_columns"])
    if (
        not isinstance(vectors, np.ndarray)
        or vectors.dtype.kind != "f"
        or vectors.ndim != 2
        or vectors.shape[0] not in (terms, 0)
        or not np.isfinite(vectors).all()
    ):
        raise CorruptModelError("topic_vectors do not match the term columns")
    return vectors.astype(np.float32)


def without_reader(ranker: HybridRanker, user_key: str) -> HybridRanker | None:
    """`ranker` with no trace of `user_key` among its readers; None when it had none."""
    items = ranker.items.without_reader(user_key)
    if items is None:
        return None
    return HybridRanker(
        settings=ranker.settings,
        picks=ranker.pick_settings,
        space=ranker.space,
        items=items,
        version=ranker.version,
    )


def _check_shapes(arrays: Mapping[str, np.ndarray], n: int, v: int) -> None:
    vectors, terms = arrays["item_vectors"], arrays["term_vectors"]
    d = vectors.shape[1] if vectors.ndim == 2 else -1
    t = len(arrays["term_columns"])
    columns = arrays["term_columns"]
    shape = arrays["readers_shape"]
    factors, inverse = arrays["als_factors"], arrays["als_inverse"]
    f = factors.shape[1] if factors.ndim == 2 else -1
    expectations = {
        "idf": arrays["idf"].shape == (v,),
        "item_vectors": vectors.shape == (n, d),
        "item_bias": arrays["item_bias"].shape == (n,),
        "term_vectors": terms.shape in ((t, d), (0, 0)),
        "term_bias": arrays["term_bias"].shape == (t,),
        "term_columns": bool(((columns >= 0) & (columns < v)).all()),
        "readers": shape.shape == (2,) and int(shape[0]) == n and int(shape[1]) >= 0,
        "als_factors": factors.shape == (n, f),
        "als_weight": arrays["als_weight"].shape == (n,),
        "als_inverse": inverse.shape == (f, f),
    }
    broken = [name for name, ok in expectations.items() if not ok]
    if broken:
        raise CorruptModelError(f"model arrays have wrong shapes or values: {', '.join(broken)}")
