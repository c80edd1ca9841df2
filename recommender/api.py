"""What the rest of paperbot calls to get a ranker: train one, build the no-model fallback, or
rebuild one from saved arrays. Everything here is pure: papers and votes in, a ranker out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from recommender.domain import Paper, Vote
from recommender.features import fit_corpus
from recommender.model import CollaborativeModel
from recommender.ports import Interests
from recommender.projection import empty_projection, fit_projection
from recommender.ranker import HybridRanker
from recommender.settings import ModelSettings, PickSettings
from recommender.tables import ItemTable, UserTable, empty_users, votes_digest


def _unique(papers: Sequence[Paper]) -> list[Paper]:
    seen: dict[str, Paper] = {}
    for paper in papers:
        seen.setdefault(paper.paper_id, paper)
    return list(seen.values())


def train_ranker(
    papers: Sequence[Paper],
    votes: Sequence[Vote],
    interests: Interests,
    settings: ModelSettings,
    picks: PickSettings,
    seed: int,
) -> HybridRanker:
    """Full fit: term space, LSA, and LightFM on every 👍 (👎 act through the blend).

    Declared `interests` are not training data for LightFM: they are mapped into the term space at
    ranking time (from each UserProfile), so a new interest counts at once without a retrain.
    The parameter stays so a future user-feature model needs no change at the call sites."""
    del interests
    papers = _unique(papers)
    space, basis, text, lsa = fit_corpus(papers, settings, seed)
    paper_index = {p.paper_id: i for i, p in enumerate(papers)}
    by_user: dict[str, dict[str, int]] = defaultdict(dict)
    for vote in votes:
        if vote.vote:
            by_user[vote.user_key][vote.paper_id] = vote.vote
    user_keys = sorted(by_user)
    rows, cols, data = [], [], []
    for u, key in enumerate(user_keys):
        for paper_id, value in by_user[key].items():
            if paper_id in paper_index:
                rows.append(u)
                cols.append(paper_index[paper_id])
                data.append(float(value))
    interactions = sp.csr_matrix(
        (np.asarray(data, dtype=np.float32), (rows, cols)), shape=(len(user_keys), len(papers))
    )
    likes = np.asarray((interactions > 0).sum(axis=0), dtype=np.float32).ravel()
    if not user_keys or not likes.any():
        return content_ranker(papers, picks, settings, seed)
    factors = CollaborativeModel(settings, seed).fit(interactions)
    item_cf, item_bias = factors.item_vectors.copy(), factors.item_bias.copy()
    projection = empty_projection()
    if settings.projection_alpha > 0:
        warm, cold = np.flatnonzero(likes > 0), np.flatnonzero(likes == 0)
        projection = fit_projection(text, item_cf, item_bias, warm, settings.projection_alpha)
        if projection.dim and cold.size:  # papers nobody liked yet: predicted from their text
            item_cf[cold], item_bias[cold] = projection.predict(text[cold])
    items = ItemTable(
        paper_ids=np.array([p.paper_id for p in papers], dtype=str),
        text=text,
        cf=item_cf,
        cf_bias=item_bias,
        likes=likes,
        lsa=lsa,
        projection=projection,
    )
    users = UserTable(
        user_keys=np.array(user_keys, dtype=str),
        cf=factors.user_vectors,
        digests=np.array([votes_digest(by_user[k]) for k in user_keys], dtype=np.int64),
    )
    return HybridRanker(
        settings=settings, picks=picks, space=space, basis=basis, items=items, users=users
    )


def content_ranker(
    papers: Sequence[Paper],
    picks: PickSettings,
    settings: ModelSettings | None = None,
    seed: int = 0,
) -> HybridRanker:
    """The fallback when no model file exists (or it is corrupt): content + interests + trending,
    no LightFM. Same ranking code as the hybrid, with the collaborative signal absent."""
    settings = settings or ModelSettings()
    papers = _unique(papers)
    space, basis, text, lsa = fit_corpus(papers, settings, seed)
    items = ItemTable(
        paper_ids=np.array([p.paper_id for p in papers], dtype=str),
        text=text,
        cf=np.zeros((len(papers), 0), dtype=np.float32),
        cf_bias=np.zeros(len(papers), dtype=np.float32),
        likes=np.zeros(len(papers), dtype=np.float32),
        lsa=lsa,
        projection=empty_projection(),
    )
    ranker = HybridRanker(
        settings=settings, picks=picks, space=space, basis=basis, items=items, users=empty_users(0)
    )
    ranker.version = "content"
    return ranker
