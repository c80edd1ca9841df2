from __future__ import annotations

import numpy as np

from recommender.domain import Paper
from recommender.features import TextSpace, fit_lsa, paper_tokens, project, words


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


def test_lsa_projects_onto_unit_vectors() -> None:
    rng = np.random.default_rng(0)
    vocabulary = [f"w{i}" for i in range(20)]
    docs = [list(rng.choice(vocabulary, size=5)) for _ in range(30)]
    space = TextSpace.fit(docs, max_terms=20, min_df=1)
    text = space.transform(docs)
    basis = fit_lsa(text, 3, seed=0)
    coords = project(text, basis)
    assert basis.shape == (3, space.size)
    assert np.allclose(np.linalg.norm(coords, axis=1), 1.0, atol=1e-5)
