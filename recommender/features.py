"""Paper text as vectors: a bounded TF-IDF term space, and LightFM's item features built on it.

Why our own small TF-IDF instead of sklearn's vectoriser object: the fitted state must be saved as
plain arrays (vocabulary + idf, no pickle) and reloaded by another process, and free-text
interests must land in exactly the same term space as papers. Authors, organisation and keywords
become prefixed tokens (`au:`, `org:`, `kw:`) in the same space, so "same lab" and "same tag" count
as shared terms.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.preprocessing import normalize

from recommender.domain import InvalidInputError, Paper, normalise_title
from recommender.settings import ModelSettings

_WORD = re.compile(r"[a-z][a-z0-9]+")
_KEEP_S = ("ss", "us", "is", "ics")


def _stem(word: str) -> str:
    """Fold simple plurals ("models" -> "model") so interests match abstracts; nothing fancier."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(_KEEP_S):
        return word[:-1]
    return word


def words(text: str) -> list[str]:
    """Lower-cased, stop-word-free, plural-folded words of free text."""
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in ENGLISH_STOP_WORDS]


def paper_tokens(paper: Paper) -> list[str]:
    """The tokens of one paper. The title counts twice: it is the densest summary we have."""
    tokens = words(paper.title) * 2 + words(paper.abstract)
    tokens += ["kw:" + normalise_title(k) for k in paper.keywords if k.strip()]
    tokens += ["au:" + normalise_title(a) for a in paper.authors if a.strip()]
    if paper.organization:
        tokens.append("org:" + normalise_title(paper.organization))
    return tokens


@dataclass(frozen=True)
class TextSpace:
    """A fitted term space. `vocabulary` (V,) str, `idf` (V,) float32."""

    vocabulary: np.ndarray
    idf: np.ndarray
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {t: i for i, t in enumerate(self.vocabulary.tolist())})

    @property
    def size(self) -> int:
        return int(self.vocabulary.shape[0])

    @classmethod
    def fit(cls, docs: Sequence[list[str]], max_terms: int, min_df: int = 2) -> TextSpace:
        """Keep the `max_terms` terms found in the most documents (at least `min_df` of them, and
        in at most half of them once there are ten: words in every paper separate nothing)."""
        df: Counter[str] = Counter()
        for doc in docs:
            df.update(set(doc))
        n_docs = max(len(docs), 1)
        floor = min(min_df, max(1, n_docs // 10))
        ceiling = n_docs // 2 if n_docs >= 10 else n_docs
        kept = [(c, t) for t, c in df.items() if floor <= c <= ceiling]
        if not kept:  # a tiny corpus: keep everything rather than an empty space
            kept = [(c, t) for t, c in df.items()]
        kept.sort(key=lambda ct: (-ct[0], ct[1]))
        kept = kept[:max_terms]
        vocabulary = np.array(sorted(t for _, t in kept) or [""], dtype=str)
        counts = np.array([df.get(t, 0) for t in vocabulary.tolist()], dtype=np.float64)
        idf = (np.log((1.0 + n_docs) / (1.0 + counts)) + 1.0).astype(np.float32)
        return cls(vocabulary=vocabulary, idf=idf)

    def transform(self, docs: Iterable[list[str]]) -> sp.csr_matrix:
        """(n, V) float32, sublinear tf x idf, rows L2-normalised (all-zero rows stay zero)."""
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        index = self._index
        for doc in docs:
            counts = Counter(index[t] for t in doc if t in index)
            indices.extend(counts.keys())
            data.extend(1.0 + math.log(c) for c in counts.values())
            indptr.append(len(indices))
        matrix = sp.csr_matrix(
            (np.asarray(data, dtype=np.float32), np.asarray(indices, dtype=np.int32), indptr),
            shape=(len(indptr) - 1, self.size),
        )
        matrix = matrix @ sp.diags(self.idf)
        return normalize(matrix.tocsr(), norm="l2", copy=False).astype(np.float32)

    def transform_papers(self, papers: Iterable[Paper]) -> sp.csr_matrix:
        return self.transform(paper_tokens(p) for p in papers)

    def transform_texts(self, texts: Iterable[str]) -> sp.csr_matrix:
        """Free text (declared interests) in the same space as papers."""
        return self.transform(words(t) for t in texts)


def fit_corpus(papers: Sequence[Paper], settings: ModelSettings) -> tuple[TextSpace, sp.csr_matrix]:
    """Fit the term space on a corpus: (space, text (n, V) TF-IDF rows).

    Raises InvalidInputError on an empty corpus: there is nothing to rank until papers arrive."""
    if not papers:
        raise InvalidInputError(
            "There are no papers yet: run `paperbot init --sample` or `paperbot ingest ...` first."
        )
    tokens = [paper_tokens(p) for p in papers]
    space = TextSpace.fit(tokens, settings.max_text_terms, settings.min_df)
    return space, space.transform(tokens)


def feature_columns(text: sp.csr_matrix, n_terms: int) -> np.ndarray:
    """(T,) int64 sorted columns of the term space that LightFM learns embeddings for: the
    `n_terms` terms found in the most papers. Bounded because LightFM's cost per epoch grows with
    the features per paper; rare terms add cost and little signal."""
    df = np.diff(sp.csc_matrix(text).indptr)
    n_terms = min(n_terms, int((df > 0).sum()))
    order = np.lexsort((np.arange(df.size), -df))[:n_terms]
    return np.sort(order).astype(np.int64)


def term_rows(text: sp.csr_matrix, columns: np.ndarray) -> sp.csr_matrix:
    """(n, T) float32: the TF-IDF rows restricted to `columns`, each summing to 1 (a paper or an
    interest with none of those terms is an all-zero row). Nothing to restrict (a batch of
    users of whom none declared an interest) is answered at once: every batch asks."""
    if columns.size == 0 or text.nnz == 0:
        return sp.csr_matrix((text.shape[0], columns.size), dtype=np.float32)
    return normalize(sp.csr_matrix(text[:, columns], dtype=np.float32), norm="l1").astype(
        np.float32
    )


def item_features(
    text: sp.csr_matrix, columns: np.ndarray, identity_weight: float
) -> sp.csr_matrix:
    """(n, n + T) float32 LightFM item features: identity (weight `identity_weight`) then the
    paper's terms (the rest), so every row sums to 1 and a known paper's representation is its
    identity's embedding plus the mean embedding of its terms. A paper without any feature term
    keeps all its weight on the identity."""
    terms = term_rows(text, columns)
    has_terms = np.diff(terms.indptr) > 0
    own = np.where(has_terms, identity_weight, 1.0).astype(np.float32)
    identity = sp.diags(own).tocsr()
    rest = sp.diags((1.0 - own).astype(np.float32)) @ terms
    return sp.csr_matrix(sp.hstack([identity, rest], format="csr"), dtype=np.float32)
