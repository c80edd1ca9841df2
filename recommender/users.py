"""A user, represented from their votes and declared interests at ranking time.

This is the reaction update: nothing is cached per user, so the vote just recorded is in the
very next ranking, in the model's own space. For every signal of the blend there is a like part
(what the user liked, plus their interests while likes are few) and a dislike part (what they
disliked), kept apart so that a 👎 counts before the first 👍 does: the ranking then moves away
from the disliked region instead of having nothing to go on.

The ALS side (recommender.als) is solved from both kinds of vote at once: a 👎 there is a paper the
user is fitted not to want.

Shapes: m users; d LightFM dimensions; V terms; R readers (users in training); f ALS factors.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import islice, repeat

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from recommender import als
from recommender.domain import PAPER_ID, UP, Paper, UserProfile
from recommender.features import TextSpace
from recommender.kernels import sparse_product, unit_sparse_rows
from recommender.settings import ModelSettings
from recommender.tables import ItemRows, ItemTable, unit_rows


@dataclass(frozen=True)
class Side:
    """One direction (likes or dislikes) of m users' profiles."""

    votes: np.ndarray  # (m,) float32 papers voted
    count: np.ndarray  # (m,) float32 papers behind it (interests count as `interest_weight`)
    unit: np.ndarray  # (m, d) float32 L2-normalised sum of unit item vectors
    topics: np.ndarray  # (m, t) float32 the same in the terms-only space, whitened
    mean: np.ndarray  # (m, d) float32 mean item vector: a LightFM user vector
    text: sp.csr_matrix  # (m, V) float32 TF-IDF profile, times the table's term_weights
    readers: sp.csr_matrix  # (m, R) float32 sum of the papers' reader rows


@dataclass(frozen=True)
class UserSide:
    liked: Side
    disliked: Side
    als: np.ndarray  # (m, f) float32 ALS user vectors solved from both sides' votes

    @property
    def liking(self) -> np.ndarray:
        """(m,) bool: the user has liked something (a 👍 or an interest). Those who have not
        get the popularity order: no bias term (recommender.scoring), no MMR (the ranker)."""
        return self.liked.count > 0


@dataclass(frozen=True)
class Voted:
    """The 👍 and 👎 of m users on their `rated_papers`, as flat arrays over the papers voted,
    and their declared interests' TF-IDF rows.

    Built once per batch and shared: `represent` sums over it and the reasons
    (recommender.ranker) find the liked papers and the interests in it, so the papers' rows are
    looked up (or featurised, for papers newer than the model) once and every interest goes
    through the text space once. Votes are in profile order, user by user, each profile's in
    `rated_papers` order; a paper listed twice is voted twice here. Interests too are in profile
    order, each profile's in its own order."""

    papers: list[Paper]  # (n,) each paper voted in the batch once, in order of first vote
    codes: np.ndarray  # (n,) int64 their rows in the model's table, -1 for newer papers
    rows: ItemRows  # (n, ...) their rows
    owner: np.ndarray  # (v,) int64 the user row of each vote
    column: np.ndarray  # (v,) int64 the paper of each vote, into `papers`
    up: np.ndarray  # (v,) bool a 👍 (else a 👎)
    interests: sp.csr_matrix  # (I, V) float32 the TF-IDF row of each declared interest
    interest_owner: np.ndarray  # (I,) int64 the user row of each

    def liked_of(self, m: int) -> np.ndarray:
        """(m, Lmax) int64 each user's 👍 papers (into `papers`) in order, -1 padded."""
        owner, column = self.owner[self.up], self.column[self.up]
        counts = np.bincount(owner, minlength=m)
        start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        out = np.full((m, int(counts.max(initial=0))), -1, dtype=np.int64)
        out[owner, np.arange(owner.size) - start[owner]] = column
        return out


def voted(profiles: Sequence[UserProfile], items: ItemTable, space: TextSpace) -> Voted:
    """The batch's votes (`Voted`); votes on papers missing from `rated_papers` are ignored
    (unknown papers). Flat, C-level passes (map, numpy), not a loop per vote: a batch holds tens
    of thousands of votes, and this runs in every batch. A paper is told apart by its table row,
    or for a paper newer than the model by its id."""
    rated = [paper for profile in profiles for paper in profile.rated_papers]
    ids = list(map(PAPER_ID, rated))
    counts = [len(profile.rated_papers) for profile in profiles]
    at = iter(ids)
    vote_list: list[int] = []
    for profile, n in zip(profiles, counts, strict=True):
        vote_list.extend(map(profile.votes.get, islice(at, n), repeat(0, n)))
    vote = np.array(vote_list)  # as given: a vote of 1.5 is neither 👍 nor 👎
    owner = np.repeat(np.arange(len(profiles)), counts)
    keep = np.flatnonzero((vote == UP) | (vote == -UP))
    code = items.codes(ids)[keep]
    fresh = np.flatnonzero(code < 0)
    if fresh.size:  # new to the model: -1, -2, ... by id
        new: dict[str, int] = {}
        code[fresh] = [-1 - new.setdefault(ids[i], len(new)) for i in keep[fresh].tolist()]
    _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    order = np.argsort(first)  # columns are numbered in order of first vote
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    firsts = first[order].tolist()
    papers = list(map(rated.__getitem__, keep[firsts].tolist()))
    codes = np.maximum(code[firsts], -1)
    texts = [text for profile in profiles for text in profile.interests]
    return Voted(
        papers=papers,
        codes=codes,
        rows=items.rows(papers, space, codes),
        owner=owner[keep],
        column=rank[inverse].astype(np.int64, copy=False).reshape(-1),
        up=vote[keep] == UP,
        interests=(
            space.transform_texts(texts)
            if texts
            else sp.csr_matrix((0, space.size), dtype=np.float32)
        ),
        interest_owner=np.repeat(np.arange(len(profiles)), [len(p.interests) for p in profiles]),
    )


def _als_users(
    liked: sp.csr_matrix,
    disliked: sp.csr_matrix,
    codes: np.ndarray,
    items: ItemTable,
    settings: ModelSettings,
) -> np.ndarray:
    """(m, f) ALS user vectors: the exact least-squares user step against the fixed paper
    factors, each 👍 weighed as in training (alpha x the paper's BM25 factor x the user's idf)
    and each 👎 a preference of 0 at `dislike_weight` times that confidence. The factors are
    read from the table by row (`codes`, the voted papers' rows, -1 newer than the model):
    a paper newer than the model has none, so its weight is 0 and it is left out, and copying
    the factors of every voted paper first cost as much as the solves' own gathers."""
    m, f = liked.shape[0], items.als.shape[1]
    if f == 0:
        return np.zeros((m, 0), dtype=np.float32)
    idf = als.user_idf(np.diff(liked.indptr), len(items.paper_ids))
    # each user's 👍 then their 👎 (a paper has one vote, so never in both), as flat arrays
    owner = np.concatenate([_owners(liked), _owners(disliked)])
    order = np.argsort(owner, kind="stable")
    owner = owner[order]
    cols = np.concatenate([liked.indices, disliked.indices])[order]
    wanted = (np.arange(owner.size) < liked.nnz)[order]
    scale = np.where(wanted, 1.0, settings.dislike_weight)
    code = codes[cols]
    weight = np.where(code >= 0, items.als_weight[code], np.float32(0.0))
    conf = settings.als_alpha * weight * idf[owner] * scale
    keep = conf > 0  # papers without ALS factors (and 👎 at weight 0) add nothing
    return als.solve_users(
        items.als_inverse,
        items.als,
        items.als_solved,
        code[keep],
        conf[keep].astype(np.float64),
        wanted[keep].astype(np.float64),
        np.bincount(owner[keep], minlength=m),
    )


def _owners(matrix: sp.csr_matrix) -> np.ndarray:
    """(nnz,) int64 the row of each stored entry of a CSR matrix."""
    return np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))


def _indicator(owner: np.ndarray, column: np.ndarray, m: int, n: int) -> sp.csr_matrix:
    """(m, n) float32 0/1: user `owner[i]` voted paper `column[i]`."""
    matrix = sp.csr_matrix((np.ones(owner.size, np.float32), (owner, column)), shape=(m, n))
    matrix.data[:] = 1.0  # a paper listed twice is still one vote
    return matrix


def _side(
    indicator: sp.csr_matrix,
    rows: ItemRows,
    items: ItemTable,
    scale: np.ndarray | None = None,
    interest_text: sp.csr_matrix | None = None,
    interest_vectors: np.ndarray | None = None,
    interest_topics: np.ndarray | None = None,
) -> Side:
    """Sums over the voted papers (indicator (m, n) 0/1 over `rows`), plus declared interests
    worth `scale` (m,) papers each: their unit TF-IDF rows (m, V), vectors (m, d) and unit
    vectors in the terms-only space (m, t). The terms-only direction is then whitened, which
    turns its cosine into a least-squares fit, and the TF-IDF profile's terms weighed by that
    fit's diagonal (recommender.whitening)."""
    votes = np.asarray(indicator.sum(axis=1), dtype=np.float32).ravel()
    count = votes.copy()
    unit = np.asarray(indicator @ rows.unit, dtype=np.float32)
    topics = np.asarray(indicator @ rows.topics, dtype=np.float32)
    total = np.asarray(indicator @ rows.vectors, dtype=np.float32)
    text = unit_sparse_rows(sparse_product(indicator, rows.text))
    if (
        scale is not None
        and interest_text is not None
        and interest_text.nnz  # nobody in the batch declared one: nothing to add
        and interest_vectors is not None
    ):
        text = text + sp.diags(scale) @ interest_text
        unit = unit + scale[:, None] * unit_rows(interest_vectors)
        if interest_topics is not None:
            topics = topics + scale[:, None] * interest_topics
        total = total + scale[:, None] * interest_vectors
        count = count + scale
    text = sp.csr_matrix(text, dtype=np.float32)
    text.data *= items.term_weights[text.indices]
    mean = total / np.maximum(count, 1e-9)[:, None]
    mean[count == 0] = 0.0
    return Side(
        votes=votes,
        count=count,
        unit=unit_rows(unit),
        topics=items.whitening.apply(unit_rows(topics), count),
        mean=mean.astype(np.float32),
        text=text,
        readers=sparse_product(indicator, rows.readers),
    )


def represent(
    profiles: Sequence[UserProfile],
    items: ItemTable,
    space: TextSpace,
    settings: ModelSettings,
    votes: Voted | None = None,
) -> UserSide:
    """The like and dislike sides of every profile, from its votes on `rated_papers` and its
    interests. Votes on papers missing from `rated_papers` are ignored (unknown papers).
    `votes` is `voted(profiles, ...)` when the caller has it already."""
    m = len(profiles)
    votes = voted(profiles, items, space) if votes is None else votes
    rows, n = votes.rows, len(votes.papers)
    liked = _indicator(votes.owner[votes.up], votes.column[votes.up], m, n)
    disliked = _indicator(votes.owner[~votes.up], votes.column[~votes.up], m, n)
    likes = np.asarray(liked.sum(axis=1), dtype=np.float32).ravel()
    interest_text = _interest_text(votes, m)
    scale = (settings.interest_weight * fading(likes)).astype(np.float32)
    scale[interest_text.getnnz(axis=1) == 0] = 0.0
    interest_vectors, _ = items.from_terms(interest_text)
    interest_topics = items.topics_of(interest_text)
    return UserSide(
        liked=_side(liked, rows, items, scale, interest_text, interest_vectors, interest_topics),
        disliked=_side(disliked, rows, items),
        als=_als_users(liked, disliked, votes.codes, items, settings),
    )


def fading(likes: np.ndarray) -> np.ndarray:
    """2 / (2 + 👍) of each user: how much what is known of them besides their own 👍 still
    counts against it. Declared interests fade by it (`represent`); the scoring leans on
    popularity and away from co-readership by it (recommender.scoring.few_likes)."""
    return 2.0 / (2.0 + likes)


def _interest_text(votes: Voted, m: int) -> sp.csr_matrix:
    """(m, V) one unit row per user: the sum of their interests' TF-IDF rows, normalised (an
    empty row for a user without any)."""
    owner = votes.interest_owner
    each = sp.csr_matrix(
        (np.ones(owner.size, np.float32), (owner, np.arange(owner.size))), shape=(m, owner.size)
    )
    return sp.csr_matrix(normalize(sp.csr_matrix(each @ votes.interests)), dtype=np.float32)
