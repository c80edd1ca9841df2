from __future__ import annotations

import numpy as np

from recommender.domain import Paper
from recommender.features import (
    TextSpace,
    feature_columns,
    item_features,
    paper_tokens,
    words,
)


def test_words_fold_plurals_and_drop_stop_words() -> None:
    assert words("The Models of Diffusion-based studies") == [
        "model",
        "diffusion",
        "based",
        "study",
    ]


def test_metadata_becomes_prefixed_tokens() -> None:
    paper = Paper(
        "p", "Graphs", keywords=("Machine Learning",), authors=("Ada L.",), organization="ACME Lab"
    )
    tokens = paper_tokens(paper)
    assert {"kw:machine learning", "au:ada l", "org:acme lab"} <= set(tokens)
    assert tokens.count("graph") == 2  # the title counts twice


def test_interests_land_in_the_paper_term_space() -> None:
    docs = [words("graph neural networks"), words("protein folding"), words("graph protein")]
    space = TextSpace.fit(docs, max_terms=10, min_df=1)
    papers = space.transform(docs)
    interest = space.transform_texts(["Neural graph"])
    sims = (papers @ interest.T).toarray().ravel()
    assert sims.argmax() == 0
    assert np.allclose(np.asarray(papers.multiply(papers).sum(axis=1)).ravel(), 1.0)


def test_the_vocabulary_is_bounded_and_unknown_words_are_ignored() -> None:
    docs = [words(f"common term{i} shared{i % 2}") for i in range(20)]
    space = TextSpace.fit(docs, max_terms=3, min_df=1)
    assert space.size == 3
    assert space.transform_texts(["zzz unknown"]).nnz == 0


def test_item_features_are_identity_plus_the_most_common_terms() -> None:
    docs = [["graph", "node"], ["graph", "edge"], ["graph", "node", "rare"], ["protein"]]
    space = TextSpace.fit(docs, max_terms=10, min_df=1)
    text = space.transform(docs)
    columns = feature_columns(text, 2)
    assert [space.vocabulary[c] for c in columns] == ["graph", "node"]
    features = item_features(text, columns, identity_weight=0.5)
    assert features.shape == (4, 4 + 2)
    assert np.allclose(np.asarray(features.sum(axis=1)).ravel(), 1.0)
    dense = features.toarray()
    assert dense[0, 0] == 0.5 and dense[0, 4:].sum() == 0.5
    # "protein" has none of the feature terms: all its weight stays on its identity
    assert dense[3, 3] == 1.0 and dense[3, 4:].sum() == 0.0
