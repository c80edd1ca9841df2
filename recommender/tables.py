"""What the trained model knows about each paper, by external id.

External ids (`paper_id`) map to rows here and nowhere else. A paper the model has never seen
still gets rows, computed from its text and its terms' learned embeddings, so a new paper is
rankable the moment it is ingested, in the same space as everything else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from recommender import als
from recommender.domain import PAPER_ID, Paper
from recommender.features import TextSpace, term_rows
from recommender.whitening import Whitening, term_weights


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """(n, d) float32 rows scaled to length 1; zero rows (and d = 0) stay as they are."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0).astype(
        np.float32, copy=False
    )


@dataclass(frozen=True)
class ItemRows:
    """Rows for a list of papers, aligned with it (n of them)."""

    text: sp.csr_matrix  # (n, V) float32 L2-normalised TF-IDF
    vectors: np.ndarray  # (n, d) float32 LightFM item representations
    unit: np.ndarray  # (n, d) float32 the same, L2-normalised (zero rows stay zero)
    bias: np.ndarray  # (n,) float32 LightFM item bias
    readers: sp.csr_matrix  # (n, R) float32 unit rows: who saved the paper in training
    als: np.ndarray  # (n, f) float32 ALS paper factors (zero rows for papers nobody saved)
    topics: np.ndarray  # (n, t) float32 unit vectors in the terms-only space (see ItemTable)

    @property
    def size(self) -> int:
        return int(self.text.shape[0])

    @property
    def known(self) -> np.ndarray:
        """(n,) bool: papers somebody liked in training (LightFM learned their identity)."""
        return np.diff(self.readers.indptr) > 0


@dataclass(frozen=True)
class ItemTable:
    """Papers known at training time, and the learned term embeddings for everything else.

    paper_ids (n,) str; text (n, V); vectors (n, d) and bias (n,): LightFM representations
    (identity + terms for papers with likes, terms alone otherwise); term_columns (T,) the columns
    of the term space LightFM has embeddings for, term_vectors (T, d), term_bias (T,);
    readers (n, R) unit rows of the training likes (R = users in training); als (n, f) ALS paper
    factors, als_weight (n,) their BM25 weights and als_inverse (f, f) (YᵀY + reg·I)⁻¹ (see
    recommender.als; f = 0 without ALS); reader_keys (R,) str the user_key of each readers
    column, in sorted order (empty in model files that predate it); topic_vectors (T, t) the
    embeddings of the same term columns in a second LightFM trained on the papers' terms alone,
    without identities, so that its space places every paper, read or not, by its words ((0, 0)
    without one, as in model files that predate it)."""

    paper_ids: np.ndarray
    text: sp.csr_matrix
    vectors: np.ndarray
    bias: np.ndarray
    term_columns: np.ndarray
    term_vectors: np.ndarray
    term_bias: np.ndarray
    readers: sp.csr_matrix
    als: np.ndarray
    als_weight: np.ndarray
    als_inverse: np.ndarray
    reader_keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=str))
    topic_vectors: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    sorted_ids: np.ndarray = field(init=False, repr=False, compare=False)
    id_rows: np.ndarray = field(init=False, repr=False, compare=False)
    unit: np.ndarray = field(init=False, repr=False, compare=False)
    topics: np.ndarray = field(init=False, repr=False, compare=False)
    whitening: Whitening = field(init=False, repr=False, compare=False)
    term_weights: np.ndarray = field(init=False, repr=False, compare=False)
    als_solved: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Per-paper arrays derived from the model, computed once here: every batch of users
        needs the rows of the papers they voted, and recomputing them per batch cost more than
        the scoring's products. `sorted_ids` (n,) str the paper ids sorted and `id_rows` (n,)
        int64 the row of each (`codes`); `topics` (n, t) float32 each paper's unit vector in the
        terms-only space (`topics_of`); `whitening` that space's YᵀY over these papers, and
        `term_weights` (V,) float32 per TF-IDF term (recommender.whitening; recommender.users
        applies both to users); `als_solved` (n, f) float32 the ALS factors times
        `als_inverse`, as the user solves need them (recommender.als)."""
        ids = self.paper_ids.astype(str)
        object.__setattr__(self, "id_rows", np.argsort(ids, kind="stable").astype(np.int64))
        object.__setattr__(self, "sorted_ids", ids[self.id_rows])
        object.__setattr__(self, "unit", unit_rows(self.vectors))
        object.__setattr__(self, "topics", self.topics_of(self.text))
        object.__setattr__(self, "whitening", Whitening.of(self.topics))
        object.__setattr__(self, "term_weights", term_weights(self.text))
        object.__setattr__(self, "als_solved", als.solved(self.als, self.als_inverse))

    @property
    def dim(self) -> int:
        return int(self.vectors.shape[1])

    @property
    def size(self) -> int:
        """Papers in the table."""
        return len(self.paper_ids)

    def codes(self, ids: Sequence[str]) -> np.ndarray:
        """(n,) int64 each paper id's row here, -1 for a paper the model has not seen. A binary
        search of the sorted ids, in numpy: a batch of users holds tens of thousands of votes,
        and a dict lookup for each, under the GIL, was the largest part of a batch the ranker's
        threads could not run at once (numpy searches strings without the GIL). The ids are
        read into one more character than the longest id here: an id cut short there is still
        longer than any of them, so it matches none, and numpy need not measure every id
        first (that pass cost as much again)."""
        width = self.sorted_ids.dtype.itemsize // np.dtype("U1").itemsize + 1
        at = _found(self.sorted_ids, np.array(ids, dtype=f"U{width}"))
        rows = np.full(at.size, -1, dtype=np.int64)
        rows[at >= 0] = self.id_rows[at[at >= 0]]
        return rows

    def reader_columns(self, user_keys: Sequence[str]) -> np.ndarray:
        """(m,) int64 each user's column among the readers, -1 for someone who liked nothing
        at training time (`reader_keys` are sorted)."""
        return _found(self.reader_keys, np.array(user_keys, dtype=str))

    def without_reader(self, user_key: str) -> ItemTable | None:
        """The table with `user_key`'s readers column removed and each paper's row made unit
        again ("forget me" must reach the model files too); None when they are not a reader."""
        keys = self.reader_keys.tolist()
        if user_key not in keys:
            return None
        keep = np.array([k != user_key for k in keys])
        readers = normalize(sp.csr_matrix(self.readers[:, keep]), copy=True)
        return replace(
            self,
            readers=sp.csr_matrix(readers, dtype=np.float32),
            reader_keys=self.reader_keys[keep],
        )

    def from_terms(self, text: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
        """((n, d), (n,)) representations of TF-IDF rows from their terms alone: a new paper, or
        a declared interest read as a paper made of its words."""
        rows = term_rows(text, self.term_columns)
        vectors = np.asarray(rows @ self.term_vectors, dtype=np.float32)
        bias = np.asarray(rows @ self.term_bias, dtype=np.float32).ravel()
        return vectors, bias

    def topics_of(self, text: sp.csr_matrix) -> np.ndarray:
        """(n, t) unit vectors of TF-IDF rows in the terms-only space (t = 0 without one)."""
        if self.topic_vectors.shape[0] != self.term_columns.size or not self.term_columns.size:
            return np.zeros((text.shape[0], 0), dtype=np.float32)
        rows = term_rows(text, self.term_columns)
        return unit_rows(np.asarray(rows @ self.topic_vectors, dtype=np.float32))

    def rows(
        self, papers: Sequence[Paper], space: TextSpace, known: np.ndarray | None = None
    ) -> ItemRows:
        """Known papers come from the table; the others are featurised now. `known` (n,) is each
        paper's table row (-1: not in it) when the caller has looked them up already."""
        if known is None:
            known = self.codes(list(map(PAPER_ID, papers)))
        hit, fresh = np.flatnonzero(known >= 0), np.flatnonzero(known < 0)
        n, d = len(papers), self.dim
        if fresh.size == 0:
            text = sp.csr_matrix(self.text[known], dtype=np.float32)
            readers = sp.csr_matrix(self.readers[known], dtype=np.float32)
            vectors, unit, bias = self.vectors[known], self.unit[known], self.bias[known]
            als, topics = self.als[known], self.topics[known]
            return ItemRows(text, vectors, unit, bias, readers, als, topics)
        new_text = space.transform_papers(papers[int(i)] for i in fresh)
        order = np.concatenate([hit, fresh])
        inverse = np.empty(n, dtype=np.int64)
        inverse[order] = np.arange(n)
        stacked = sp.vstack([self.text[known[hit]], new_text], format="csr")
        text = sp.csr_matrix(stacked[inverse], dtype=np.float32)
        empty = sp.csr_matrix((fresh.size, self.readers.shape[1]), dtype=np.float32)
        readers = sp.vstack([self.readers[known[hit]], empty], format="csr")[inverse]
        vectors = np.zeros((n, d), dtype=np.float32)
        bias = np.zeros(n, dtype=np.float32)
        vectors[hit], bias[hit] = self.vectors[known[hit]], self.bias[known[hit]]
        if d:
            vectors[fresh], bias[fresh] = self.from_terms(new_text)
        unit = unit_rows(vectors)
        als = np.zeros((n, self.als.shape[1]), dtype=np.float32)
        als[hit] = self.als[known[hit]]
        readers = sp.csr_matrix(readers, dtype=np.float32)
        topics = np.zeros((n, self.topics.shape[1]), dtype=np.float32)
        topics[hit], topics[fresh] = self.topics[known[hit]], self.topics_of(new_text)
        return ItemRows(text, vectors, unit, bias, readers, als, topics)


def _found(ordered: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """(len(wanted),) int64 the position of each wanted string in `ordered` (sorted), -1 where
    it is not there: a binary search, in numpy."""
    if not ordered.size:
        return np.full(wanted.size, -1, dtype=np.int64)
    at = np.minimum(np.searchsorted(ordered, wanted), ordered.size - 1)
    return np.where(ordered[at] == wanted, at, -1).astype(np.int64)


def content_table(paper_ids: np.ndarray, text: sp.csr_matrix) -> ItemTable:
    """A table without a trained model (the fallback): text only, no learned space."""
    n = len(paper_ids)
    return ItemTable(
        paper_ids=paper_ids,
        text=text,
        vectors=np.zeros((n, 0), dtype=np.float32),
        bias=np.zeros(n, dtype=np.float32),
        term_columns=np.zeros(0, dtype=np.int64),
        term_vectors=np.zeros((0, 0), dtype=np.float32),
        term_bias=np.zeros(0, dtype=np.float32),
        readers=sp.csr_matrix((n, 0), dtype=np.float32),
        als=np.zeros((n, 0), dtype=np.float32),
        als_weight=np.zeros(n, dtype=np.float32),
        als_inverse=np.zeros((0, 0), dtype=np.float64),
    )
