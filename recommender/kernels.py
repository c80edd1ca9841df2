"""Compiled loops (numba) for the sparse products numpy and scipy have no fitting routine for.

- `dense_product`: sparse times sparse into a *dense* result. scipy's product of two sparse
  matrices builds a sparse result (a counting pass, then the product, then the copy to dense),
  yet a user's TF-IDF profile touches most of the day's candidates, so that result is dense
  anyway and its bookkeeping cost more than the multiplications;
- `sparse_product`: sparse times sparse into a sparse result in one pass (a user's profile,
  the sum of their papers' rows), without scipy's counting pass;
- `unit_sparse_rows`: a sparse matrix's rows scaled to length 1, in place, with the very sums
  of scikit-learn's `normalize` (a user's TF-IDF profile), which held the GIL for its loop;
- `top_columns`: each row's best few columns (the shortlist MMR chooses from). numpy's
  argpartition sorts a negated copy of all the scores to find 30 of 2,500, and held the GIL
  for it; one pass that keeps the few best so far cost a quarter of that;
- `add_standardised`: a sparse signal of the blend (recommender.scoring) made, standardised
  per user and summed into the scores a user at a time, while the user's row is in cache:
  made whole first, standardising it took six passes over memory and three arrays the size
  of the scores, for each of the four sparse signals.
All release the GIL, so the ranker's batches run them on every core at once (docs/evaluation.md,
budgets). They compile on first use, for the types they are called with (about a second, once
a process; `warm_up`), and are not cached on disk: numba writes its cache inside the call that
compiles, where a full or read-only disk would fail a person's request.
"""

from __future__ import annotations

import numba
import numpy as np
import scipy.sparse as sp


def warm_up() -> None:
    """Compile the kernels for the types the ranker calls them with (float32 values, int32
    indices), so that the first person served after a start does not wait for numba (about a
    second): `paperbot serve` calls this on a thread of its own while the platforms connect."""
    tiny = sp.csr_matrix(np.ones((1, 1), dtype=np.float32))
    dense_product(tiny, tiny)
    sparse_product(tiny, tiny)
    unit_sparse_rows(sparse_product(tiny, tiny))
    top_columns(np.ones((1, 2), dtype=np.float32), 1)
    add_standardised(np.zeros((1, 1), dtype=np.float32), tiny, tiny, 1.0, 0.0)


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
        _scatter_row(lptr, lind, lval, rptr, rind, rval, u, out[u])


@numba.njit(nogil=True, cache=False)
def _scatter_row(lptr, lind, lval, rptr, rind, rval, u, row):  # type: ignore[no-untyped-def]
    """row += left[u] @ right: `_scatter` for one row, shared with `_add_z`. The indices are
    read as unsigned (CSR's never are negative): numba wraps a negative index around, a test and
    an add on every access of the innermost loop, and without them the text product of a batch
    took about 16% less."""
    for j in range(lptr[u], lptr[u + 1]):
        t = np.uintp(lind[j])
        weight = lval[j]
        for i in range(rptr[t], rptr[t + 1]):
            row[np.uintp(rind[i])] += weight * rval[i]


def sparse_product(left: sp.csr_matrix, right: sp.csr_matrix) -> sp.csr_matrix:
    """(m, n) float32 CSR `left` (m, k) @ `right` (k, n), both CSR: each result row gathered in
    one pass through a dense accumulator (scipy counts the result's size in a pass of its own
    first). A row's entries come in the order its terms were first met; each sums its terms
    in the left row's stored order, in float32."""
    left = sp.csr_matrix(left, dtype=np.float32)
    right = sp.csr_matrix(right, dtype=np.float32)
    m, n = left.shape[0], right.shape[1]
    bound = int(np.diff(right.indptr)[left.indices].sum())  # every product, before merging
    indptr = np.zeros(m + 1, dtype=np.int64)
    indices = np.empty(bound, dtype=np.int32 if n < 2**31 else np.int64)
    data = np.empty(bound, dtype=np.float32)
    if bound:
        _gather(left.indptr, left.indices, left.data, right.indptr, right.indices, right.data,
                n, indptr, indices, data)  # fmt: skip
    size = int(indptr[-1])
    return sp.csr_matrix((data[:size], indices[:size], indptr), shape=(m, n))


@numba.njit(nogil=True, cache=False)
def _gather(lptr, lind, lval, rptr, rind, rval, n, indptr, indices, data):  # type: ignore[no-untyped-def]
    """The rows of left @ right into (indptr, indices, data): a dense (n,) accumulator and the
    list of columns touched, reset after each row, so a row costs its products, not n."""
    acc = np.zeros(n, dtype=np.float32)
    seen = np.zeros(n, dtype=np.bool_)
    size = 0
    for u in range(lptr.size - 1):
        start = size
        for j in range(lptr[u], lptr[u + 1]):
            p = lind[j]
            weight = lval[j]
            for i in range(rptr[p], rptr[p + 1]):
                t = rind[i]
                if not seen[t]:
                    seen[t] = True
                    indices[size] = t
                    size += 1
                acc[t] += weight * rval[i]
        for s in range(start, size):
            t = indices[s]
            data[s] = acc[t]
            acc[t] = 0.0
            seen[t] = False
        indptr[u + 1] = size


def unit_sparse_rows(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """`matrix` (CSR, float32) with each row scaled to length 1, in place, and returned; rows
    without a nonzero stay as they are. The same numbers as sklearn.preprocessing.normalize:
    each row's squares (float32) summed in float64 in stored order, each entry divided by the
    square root."""
    _unit_rows(matrix.indptr, matrix.data)
    return matrix


@numba.njit(nogil=True, cache=False)
def _unit_rows(indptr, data):  # type: ignore[no-untyped-def]
    for u in range(indptr.size - 1):
        total = 0.0
        for j in range(indptr[u], indptr[u + 1]):
            total += data[j] * data[j]
        if total == 0.0:
            continue
        norm = np.sqrt(total)
        for j in range(indptr[u], indptr[u + 1]):
            data[j] /= norm


def top_columns(scores: np.ndarray, m: int) -> np.ndarray:
    """(B, min(m, n)) int64 the columns of each row of `scores` (B, n) with the highest values,
    best first by (value, column): of equal values the lower column, NaN as -inf."""
    scores = np.ascontiguousarray(scores)
    out = np.empty((scores.shape[0], min(m, scores.shape[1])), dtype=np.int64)
    if out.size:
        _best(scores, out)
    return out


@numba.njit(nogil=True, cache=False)
def _best(scores, out):  # type: ignore[no-untyped-def]
    """Each row in one pass, keeping its best m so far sorted in `out`: the first m by
    insertion, then a later column only when it beats the m-th (most of them do not)."""
    m = out.shape[1]
    values = np.empty(m, dtype=scores.dtype)
    for r in range(scores.shape[0]):
        row, columns = scores[r], out[r]
        for c in range(m):
            v = row[c]
            _insert(values, columns, c, v if v == v else -np.inf, c)
        floor = values[m - 1]
        for c in range(m, row.shape[0]):
            if row[c] > floor:
                _insert(values, columns, m, row[c], c)
                floor = values[m - 1]


@numba.njit(nogil=True, cache=False)
def _insert(values, columns, size, value, column):  # type: ignore[no-untyped-def]
    """Put (value, column) into the first `size` entries, sorted by value descending, after
    the equal ones (lower columns); the last entry falls off when all m are taken."""
    j = size
    while j > 0 and values[j - 1] < value:
        if j < values.shape[0]:
            values[j] = values[j - 1]
            columns[j] = columns[j - 1]
        j -= 1
    if j < values.shape[0]:
        values[j] = value
        columns[j] = column


def add_standardised(
    total: np.ndarray,
    left: sp.csr_matrix,
    right: sp.csr_matrix,
    weight: float | np.ndarray,
    no_spread: float,
    raw: np.ndarray | None = None,
) -> None:
    """total (m, n) float32 += `weight` (a number, or (m,) one per row) x the per-row z-scores
    of `left` (m, k) @ `right` (k, n), both CSR, in place; a row whose standard deviation is
    at most `no_spread` adds nothing. The very numbers of recommender.scoring's `standardise`
    of `dense_product`: the same product, numpy's pairwise float32 sums (`_pairwise`) for the
    mean and the spread, and float32 steps in numpy's order. `raw`, (m, n) float32 zeros when
    given, receives the product itself (the like-side text, which exploration reads)."""
    if raw is None:
        raw = np.zeros((0, total.shape[1]), dtype=np.float32)
    if left.nnz and right.nnz and total.shape[1]:
        left = sp.csr_matrix(left, dtype=np.float32)
        right = sp.csr_matrix(right, dtype=np.float32)
        weights = np.empty(total.shape[0], dtype=np.float32)
        weights[:] = weight
        _add_z(left.indptr, left.indices, left.data, right.indptr, right.indices, right.data,
               weights, np.float32(no_spread), total, raw)  # fmt: skip


@numba.njit(nogil=True, cache=False)
def _add_z(lptr, lind, lval, rptr, rind, rval, weights, no_spread, total, raw):  # type: ignore[no-untyped-def]
    """Each row: its product into a row buffer (or `raw`'s row), then the mean, the centred
    values and their squares' mean, as numpy computes them from the whole array, then the
    weighted z-scores added to the total. Three small buffers, reused for every row."""
    n = total.shape[1]
    scratch = np.zeros(n, dtype=np.float32)
    centred = np.empty(n, dtype=np.float32)
    squares = np.empty(n, dtype=np.float32)
    for u in range(total.shape[0]):
        row = raw[u] if raw.shape[0] else scratch
        if not raw.shape[0]:
            row[:] = 0.0
        _scatter_row(lptr, lind, lval, rptr, rind, rval, u, row)
        mean = np.float32(np.float64(_pairwise(row, 0, n)) / n)  # numpy's mean: sum / count
        for j in range(n):
            centred[j] = row[j] - mean
            squares[j] = centred[j] * centred[j]
        std = np.float32(np.sqrt(_pairwise(squares, 0, n) / np.float32(n)))
        if std > no_spread:
            out = total[u]
            weight = weights[u]
            for j in range(n):
                out[j] += np.float32(centred[j] / std) * weight


@numba.njit(nogil=True, cache=False)
def _pairwise(values, start, n):  # type: ignore[no-untyped-def]
    """The float32 sum of values[start : start + n] in numpy's own order (its pairwise sum:
    eight running sums over blocks of at most 128, halves above that), so the z-scores equal
    numpy's to the bit and no pick moves with the rounding."""
    if n < 8:
        total = np.float32(0.0)
        for i in range(start, start + n):
            total += values[i]
        return total
    if n > 128:
        half = n // 2
        half -= half % 8
        return _pairwise(values, start, half) + _pairwise(values, start + half, n - half)
    at = np.uintp(start)  # unsigned offsets, as in `_scatter_row`: half the time
    s0, s1, s2, s3 = (
        values[at],
        values[at + np.uintp(1)],
        values[at + np.uintp(2)],
        values[at + np.uintp(3)],
    )
    s4, s5, s6, s7 = (
        values[at + np.uintp(4)],
        values[at + np.uintp(5)],
        values[at + np.uintp(6)],
        values[at + np.uintp(7)],
    )
    end = np.uintp(start + n - n % 8)
    at += np.uintp(8)
    while at < end:
        s0 += values[at]
        s1 += values[at + np.uintp(1)]
        s2 += values[at + np.uintp(2)]
        s3 += values[at + np.uintp(3)]
        s4 += values[at + np.uintp(4)]
        s5 += values[at + np.uintp(5)]
        s6 += values[at + np.uintp(6)]
        s7 += values[at + np.uintp(7)]
        at += np.uintp(8)
    total = ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    for i in range(end, start + n):
        total += values[i]
    return total
