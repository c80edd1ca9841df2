"""The ranker's lookup tables: what the model knows about each paper and each user, by external id.

External ids (`paper_id`, `user_key`) map to rows here and nowhere else; a paper the model has
never seen still gets rows, computed from its text, so new papers are rankable at once.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from recommender.blend import knowledge
from recommender.domain import Paper
from recommender.features import TextSpace, project
from recommender.projection import TextProjection
from recommender.settings import ModelSettings


def votes_digest(votes: Mapping[str, int]) -> int:
    """A 63-bit fingerprint of a user's votes: tells whether a trained vector is still current."""
    text = "\n".join(f"{pid}\t{v}" for pid, v in sorted(votes.items()) if v)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big") >> 1


@dataclass(frozen=True)
class ItemRows:
    """Rows for a list of papers, aligned with it."""

    text: sp.csr_matrix  # (n, V)
    lsa: np.ndarray  # (n, k)
    cf: np.ndarray  # (n, d)
    cf_bias: np.ndarray  # (n,)
    cf_known: np.ndarray  # (n,) 1.0 where the model has a trained vector
    confidence: np.ndarray  # (n,) how far to trust the collaborative signal


@dataclass(frozen=True)
class ItemTable:
    """Papers known at training time. text (n, V) csr; cf (n, d); cf_bias (n,); likes (n,).

    Papers without likes (known or new) get their collaborative vectors from `projection`."""

    paper_ids: np.ndarray
    text: sp.csr_matrix
    cf: np.ndarray
    cf_bias: np.ndarray
    likes: np.ndarray
    lsa: np.ndarray
    projection: TextProjection
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {p: i for i, p in enumerate(self.paper_ids.tolist())})

    @property
    def dim(self) -> int:
        return int(self.cf.shape[1])

    def text_rows(self, papers: Sequence[Paper], space: TextSpace) -> sp.csr_matrix:
        """(n, V) TF-IDF rows only: table rows for known papers, featurised for the rest."""
        known = [self.index.get(p.paper_id, -1) for p in papers]
        if all(k >= 0 for k in known):
            return sp.csr_matrix(self.text[known])
        return space.transform_papers(papers)

    def rows(
        self,
        papers: Sequence[Paper],
        space: TextSpace,
        basis: np.ndarray,
        settings: ModelSettings,
    ) -> ItemRows:
        """Known papers come from the table; the others are featurised now and get collaborative
        vectors predicted from their text (confidence `projection_confidence`), or none at all
        (confidence 0, content alone) when the model has no projection."""
        known = np.array([self.index.get(p.paper_id, -1) for p in papers], dtype=np.int64)
        fresh = np.flatnonzero(known < 0)
        hit = np.flatnonzero(known >= 0)
        n = len(papers)
        if fresh.size == 0:
            text = self.text[known] if n else sp.csr_matrix((0, space.size), dtype=np.float32)
        elif hit.size == 0:
            text = space.transform_papers(papers)
        else:
            stacked = sp.vstack(
                [self.text[known[hit]], space.transform_papers(papers[int(i)] for i in fresh)],
                format="csr",
            )
            inverse = np.empty(n, dtype=np.int64)
            inverse[np.concatenate([hit, fresh])] = np.arange(n)
            text = stacked[inverse]
        text = sp.csr_matrix(text, dtype=np.float32)
        lsa = np.zeros((n, basis.shape[0]), dtype=np.float32)
        if hit.size:
            lsa[hit] = self.lsa[known[hit]]
        if fresh.size:
            lsa[fresh] = project(text[fresh], basis)
        cf = np.zeros((n, self.dim), dtype=np.float32)
        cf_bias = np.zeros(n, dtype=np.float32)
        cf_known = np.zeros(n, dtype=np.float32)
        confidence = np.zeros(n, dtype=np.float32)
        if hit.size and self.dim:
            cf[hit] = self.cf[known[hit]]
            cf_bias[hit] = self.cf_bias[known[hit]]
            cf_known[hit] = 1.0
            confidence[hit] = knowledge(self.likes[known[hit]], settings.cf_item_half_likes)
        if fresh.size and self.projection.dim == self.dim and self.dim:
            cf[fresh], cf_bias[fresh] = self.projection.predict(text[fresh])
        if self.projection.dim == self.dim and self.dim:
            unliked = (cf_known == 0) | (confidence == 0)
            confidence[unliked] = settings.projection_confidence
        return ItemRows(text, lsa, cf, cf_bias, cf_known, confidence)


@dataclass(frozen=True)
class UserTable:
    """Users known at training time: cf (m, d) vectors and the digest of the votes behind them."""

    user_keys: np.ndarray
    cf: np.ndarray
    digests: np.ndarray
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {u: i for i, u in enumerate(self.user_keys.tolist())})

    def current_vector(self, user_key: str, digest: int) -> np.ndarray | None:
        """The trained vector when the user's votes are unchanged since training, else None."""
        row = self.index.get(user_key)
        if row is None or int(self.digests[row]) != digest:
            return None
        vector: np.ndarray = self.cf[row]
        return vector


def empty_users(dim: int) -> UserTable:
    return UserTable(
        user_keys=np.zeros(0, dtype=str),
        cf=np.zeros((0, dim), dtype=np.float32),
        digests=np.zeros(0, dtype=np.int64),
    )
