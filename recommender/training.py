"""What the rest of paperbot calls to get a ranker: train one, or build the no-model fallback.
Everything here is pure: papers and votes in, a ranker out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from recommender import als
from recommender.domain import Paper, Vote
from recommender.features import feature_columns, fit_corpus, item_features, term_rows
from recommender.lightfm_hybrid import CollaborativeModel
from recommender.ranker import HybridRanker
from recommender.settings import ModelSettings, PickSettings
from recommender.tables import ItemTable, content_table

Interests = Mapping[str, Sequence[str]]  # user_key -> declared interests


def _unique(papers: Sequence[Paper]) -> list[Paper]:
    seen: dict[str, Paper] = {}
    for paper in papers:
        seen.setdefault(paper.paper_id, paper)
    return list(seen.values())


def like_matrix(papers: Sequence[Paper], votes: Sequence[Vote]) -> sp.csr_matrix:
    """(readers, papers) float32 0/1: each user's current 👍 on known papers, users in sorted
    order of user_key (only users with at least one such like are rows)."""
    return liked_by(papers, votes)[0]


def liked_by(papers: Sequence[Paper], votes: Sequence[Vote]) -> tuple[sp.csr_matrix, list[str]]:
    """`like_matrix` and the user_key of each of its rows."""
    index = {p.paper_id: i for i, p in enumerate(papers)}
    current: dict[str, dict[str, int]] = defaultdict(dict)
    for vote in votes:
        current[vote.user_key][vote.paper_id] = vote.vote
    cells = [
        (key, index[paper_id])
        for key in sorted(current)
        for paper_id, value in current[key].items()
        if value > 0 and paper_id in index
    ]
    keys = sorted({key for key, _ in cells})
    row = {key: r for r, key in enumerate(keys)}
    rows = [row[key] for key, _ in cells]
    cols = [c for _, c in cells]
    data = np.ones(len(cells), dtype=np.float32)
    return sp.csr_matrix((data, (rows, cols)), shape=(len(keys), len(papers))), keys


def train_ranker(
    papers: Sequence[Paper],
    votes: Sequence[Vote],
    interests: Interests,
    settings: ModelSettings,
    picks: PickSettings,
    seed: int,
) -> HybridRanker:
    """Full fit: term space, LightFM with item features (identity + terms) on every 👍, and ALS
    on the same 👍 (recommender.als).

    👎 and declared `interests` are not LightFM training data: they act on the user side at
    ranking time (recommender.users), so a new vote or interest counts at once without a
    retrain. The parameter stays so a future user-feature model needs no change at the callers."""
    del interests
    papers = _unique(papers)
    space, text = fit_corpus(papers, settings)
    likes, readers = liked_by(papers, votes)
    if likes.nnz == 0:
        return content_ranker(papers, picks, settings)
    columns = feature_columns(text, settings.feature_terms)
    features = item_features(text, columns, settings.identity_weight)
    factors = CollaborativeModel(settings, seed).fit(likes, features)
    terms = term_rows(text, columns)
    vectors, bias = factors.by_terms_where_unliked(likes, terms)
    term_vectors, term_bias = factors.term_part()
    co_reading, weights, inverse = _als(likes, settings, seed)
    topics = _topic_vectors(likes, terms, settings, seed)
    items = ItemTable(
        paper_ids=np.array([p.paper_id for p in papers], dtype=str),
        text=text,
        vectors=vectors,
        bias=bias,
        term_columns=columns,
        term_vectors=term_vectors,
        term_bias=term_bias,
        readers=sp.csr_matrix(normalize(sp.csr_matrix(likes.T)), dtype=np.float32),
        als=co_reading,
        als_weight=weights,
        als_inverse=inverse,
        reader_keys=np.array(readers, dtype=str),
        topic_vectors=topics,
    )
    return HybridRanker(settings=settings, picks=picks, space=space, items=items)


def _als(
    likes: sp.csr_matrix, settings: ModelSettings, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """ALS paper factors (n, f), their BM25 weights (n,) and the shared (f, f) inverse; f = 0
    when `als_factors` is 0. The trained user factors are dropped: users are solved from their
    votes at ranking time (recommender.users), training users included."""
    n, f = likes.shape[1], settings.als_factors
    if f == 0:
        return np.zeros((n, 0), np.float32), np.zeros(n, np.float32), np.zeros((0, 0))
    k1, b = settings.als_bm25_k1, settings.als_bm25_b
    confidences = als.weigh_likes(likes, "bm25", k1, b)
    # in units of a typical 👍's confidence, so that the same setting means the same for a team
    # of five as for a library of thousands (implicit's own regularisation is absolute)
    regularization = settings.als_regularization * settings.als_alpha * confidences.data.mean()
    _, paper_factors = als.fit(confidences, settings.als_settings(seed, regularization))
    weights = als.paper_weights(likes, k1, b)
    return paper_factors, weights, als.gram_inverse(paper_factors, regularization)


def _topic_vectors(
    likes: sp.csr_matrix, terms: sp.csr_matrix, settings: ModelSettings, seed: int
) -> np.ndarray:
    """(T, d) the term embeddings of a LightFM trained on the same 👍 with the papers' terms
    as their only features; (0, 0) when `topics_weight` is 0 or there are no terms.

    It is there for what words mean to readers, not for who read what, so beyond
    `topics_max_likes` 👍 it learns from a seeded sample of them: that bounds its fit, which
    otherwise costs as much as the hybrid's, at a library of millions of votes
    (bench/bench_recommender.py). The measured gains (docs/evaluation.md) are on CiteULike-t's
    135k 👍, all used; what the sample costs in quality at scale is not measured."""
    if not settings.topics_weight or terms.shape[1] == 0:
        return np.zeros((0, 0), dtype=np.float32)
    return (
        CollaborativeModel(settings, seed + 1)
        .fit(_sample(likes, settings, seed), terms)
        .feature_vectors
    )


def _sample(likes: sp.csr_matrix, settings: ModelSettings, seed: int) -> sp.csr_matrix:
    """`likes` with at most `topics_max_likes` of its entries, drawn without replacement."""
    if likes.nnz <= settings.topics_max_likes:
        return likes
    coo = likes.tocoo()
    keep = np.sort(np.random.default_rng(seed).choice(coo.nnz, settings.topics_max_likes, False))
    return sp.csr_matrix((coo.data[keep], (coo.row[keep], coo.col[keep])), shape=likes.shape)


def content_ranker(
    papers: Sequence[Paper], picks: PickSettings, settings: ModelSettings | None = None
) -> HybridRanker:
    """The fallback when no model file exists (or it is corrupt): text + interests + trending,
    no LightFM. Same ranking code as the hybrid, with the learned signals absent."""
    settings = settings or ModelSettings()
    papers = _unique(papers)
    space, text = fit_corpus(papers, settings)
    items = content_table(np.array([p.paper_id for p in papers], dtype=str), text)
    ranker = HybridRanker(settings=settings, picks=picks, space=space, items=items)
    ranker.version = "content"
    return ranker
