"""Compiled loops (numba) for the products numpy and scipy have no routine for.

The only one: a sparse matrix times a sparse matrix into a *dense* result. scipy's product of
two sparse matrices builds a sparse result (a counting pass, then the product, then the copy
to dense), yet a user's TF-IDF profile touches most of the day's candidates, so that result is
dense anyway and its bookkeeping cost more than the multiplications (docs/evaluation.md,
budgets). Compiled lazily on first use, for the types it is called with; `nogil` lets the
ranker's batches run it on every core at once.
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp


def dense_product(left: sp.csr_matrix, right: sp.csr_matrix) -> np.ndarray:
    """(m, n) float32 `left` (m, k) @ `right` (k, n), both CSR. Each output entry sums its
    terms in the left row's stored order, in float32."""
    out = np.zeros((left.shape[0], right.shape[1]), dtype=np.float32)
    if left.nnz and right.nnz:
        left = sp.csr_matrix(left, dtype=np.float32)
        right = sp.csr_matrix(right, dtype=np.float32)
        _scatter(left.indptr, left.indices, left.data, right.indptr, right.indices, right.data, out)
    return out


@numba.njit(nogil=True, cache=False)
def _scatter(lptr, lind, lval, rptr, rind, rval, out):  # type: ignore[no-untyped-def]
    """out[u] += left[u, t] * right[t] for every stored left[u, t]: the work is the stored
    pairs that meet, nothing per zero of the result."""
    for u in range(out.shape[0]):
        row = out[u]
        for j in range(lptr[u], lptr[u + 1]):
            t = lind[j]
            weight = lval[j]
            for i in range(rptr[t], rptr[t + 1]):
                row[rind[i]] += weight * rval[i]
