"""Sparse rows as the entries the sparse first layer reads.

:func:`encode_rows` turns rows of a CSR matrix, one slot per row and head,
into the four flat arrays of :data:`~sk_imbalance._nn.sparse_layer.ENTRY_NAMES`
(the layout is described in :mod:`sk_imbalance._nn.sparse_layer`);
:func:`entry_chunks` cuts many rows into forward calls of a bounded number of
entries; :func:`as_csr` is the CSR copy they read.
"""

from __future__ import annotations

import math

import keras
import numpy as np
import scipy.sparse as sp

__all__ = ["ENTRY_BUDGET", "encode_rows", "entry_chunks", "as_csr"]

#: Entries per forward call when scoring many rows (out of fold, predict):
#: each gathers ``units`` floats, so 2**17 entries of 128 units is 64 MiB.
ENTRY_BUDGET = 2**17


def _padded_length(n):
    """``n`` rounded up to a bucket: a multiple of ``2**(bit_length(n) - 4)``."""
    n = max(int(n), 8)
    step = 2 ** max(n.bit_length() - 4, 0)
    return step * math.ceil(n / step)


def _csr_dtype():
    """``keras.config.floatx()``, or float32 where scipy.sparse cannot hold it.

    scipy.sparse has no float16 or bfloat16; such a matrix is kept in float32
    and its values are cast to floatx in :func:`encode_rows`.
    """
    floatx = np.dtype(keras.config.floatx())
    return floatx if floatx.itemsize >= 4 else np.dtype(np.float32)


def as_csr(X):
    """``X`` as a CSR matrix of Keras's float type, without stored zeros.

    A dense array is converted. An explicitly stored zero would count as a
    non-zero (for ``sparse_layer="auto"``) and, on the sparse layer, as a
    touched kernel row (:class:`LazyAdam` would move it); stored zeros are
    therefore dropped, on a copy: the caller's matrix is never changed.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n_samples, n_features)
        Of dtype ``keras.config.floatx()`` (float32 for a float type
        scipy.sparse lacks); ``X`` itself when nothing needs changing.
    """
    X = sp.csr_matrix(X) if not sp.issparse(X) else X.tocsr()
    X = X.astype(_csr_dtype(), copy=False)
    if X.nnz and not X.data.all():
        X = X.copy()
        X.eliminate_zeros()
    return X


def encode_rows(X, index, n_heads):
    """The entries of the slots ``index``: the four inputs of a sparse network.

    Parameters
    ----------
    X : scipy.sparse.csr_matrix of shape (n_samples, n_features)
    index : ndarray of int, shape (n, n_heads)
        Slot ``(b, j)`` holds row ``index[b, j]`` of ``X`` for head ``j``.
    n_heads : int

    Returns
    -------
    list of ndarray
        ``[entry_ids, entry_values, entry_slots, slot_rows]``, see the module
        docstring; the first three padded to a bucketed length.
    """
    index = np.asarray(index, dtype=np.intp).reshape(-1, n_heads)
    rows = index.ravel()
    starts = X.indptr[rows]
    lengths = X.indptr[rows + 1] - starts
    total = int(lengths.sum())
    size = _padded_length(total)
    n_features = X.shape[1]
    floatx = keras.config.floatx()
    ids = np.full(size, n_heads * n_features, dtype=np.int32)
    values = np.zeros(size, dtype=floatx)
    slots = np.zeros(size, dtype=np.int32)
    if total:
        slot = np.repeat(np.arange(rows.size, dtype=np.int64), lengths)
        offsets = np.cumsum(lengths) - lengths
        position = starts[slot] + np.arange(total) - offsets[slot]
        ids[:total] = X.indices[position] + (slot % n_heads) * n_features
        values[:total] = X.data[position]
        slots[:total] = slot
    return [ids, values, slots, np.zeros(index.shape[0], dtype=floatx)]


def entry_chunks(X, rows, budget=ENTRY_BUDGET):
    """Split ``rows`` (positions of slots, ``(n, k)``) into chunks of bounded entries.

    A chunk holds consecutive positions whose non-zeros over all heads add up
    to at most ``budget`` (one position at least), so the gathered rows of a
    forward call stay bounded whatever the rows' lengths.

    Parameters
    ----------
    X : scipy.sparse.csr_matrix
    rows : ndarray of int, shape (n, k)
    budget : int

    Returns
    -------
    list of slice
    """
    lengths = np.diff(X.indptr)[np.maximum(rows, 0)].sum(axis=1)
    cumulative = np.cumsum(lengths)
    chunks, start = [], 0
    while start < len(rows):
        base = cumulative[start - 1] if start else 0
        stop = int(np.searchsorted(cumulative, base + budget, side="right"))
        stop = max(stop, start + 1)
        chunks.append(slice(start, stop))
        start = stop
    return chunks
