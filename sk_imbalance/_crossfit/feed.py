"""How rows of ``X`` reach a network: dense blocks, or sparse entries.

A network built on rows (``FoldDense``, a user's build function) takes dense
float blocks of shape ``index.shape + (d,)``; sparse ``X`` is densified once
if small, else one block at a time. A network built on sparse rows
(:class:`~.._nn.sparse_layer.SparseFoldDense`) takes the entries of the rows
(:func:`~.encoding.encode_rows`), and nothing of size ``n x d`` is made.

Either way, scoring many rows (out of fold, ``predict``) runs in chunks whose
size is bounded: dense blocks by their bytes (:data:`CHUNK_BYTES`, and a
number of rows), entries by their number of non-zeros.
"""

from __future__ import annotations

import keras
import numpy as np
import scipy.sparse as sp

from .._nn.sparse_layer import is_sparse_model, sparse_heads
from .encoding import as_csr, encode_rows, entry_chunks

__all__ = [
    "predict_logits",
    "RowFeed",
    "CHUNK_BYTES",
    "DENSIFY_BYTES",
    "DENSE_CHUNK",
    "chunk_rows",
]

#: Sparse X is densified once for a network on dense rows when its float32
#: copy is at most this many bytes; above, one batch at a time (gathering rows
#: from CSR each step cost more than the training step itself on tmc2007).
DENSIFY_BYTES = 512 * 2**20

#: Positions of dense rows per forward call when scoring many rows, at most
#: (the hidden layers' outputs grow with the rows, whatever the features).
DENSE_CHUNK = 2048

#: Bytes of one dense block when scoring many rows: a chunk has
#: ``max(1, CHUNK_BYTES // (width * itemsize))`` positions at most, ``width``
#: the features times the heads a position feeds, ``itemsize`` the larger of
#: ``X``'s and ``keras.config.floatx()``'s (the block is gathered in ``X``'s
#: dtype, then cast). 64 MiB keeps :data:`DENSE_CHUNK` positions of 5 heads up
#: to 1,638 float32 features (819 float64), and 8,192 rows of one up to 2,048;
#: a dense ``X`` of 100,000 float32 columns gets 33 positions of 5 heads (one
#: at least, whatever the width) instead of blocks of 4 GB.
CHUNK_BYTES = 64 * 2**20


def chunk_rows(width, itemsize, max_rows):
    """Positions per dense chunk: at most ``max_rows`` and :data:`CHUNK_BYTES`.

    Parameters
    ----------
    width : int
        Values per position (features times heads).
    itemsize : int
        Bytes per value.
    max_rows : int

    Returns
    -------
    int
        ``min(max_rows, max(1, CHUNK_BYTES // (width * itemsize)))``.
    """
    per_row = max(int(width), 1) * int(itemsize)
    return int(min(max_rows, max(1, CHUNK_BYTES // per_row)))


class RowFeed:
    """Rows of ``X`` as the inputs of ``model``, for slots of ``n_heads`` heads.

    Parameters
    ----------
    model : keras.Model
        A network on dense rows or on entries
        (:func:`~.._nn.sparse_layer.is_sparse_model`).
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    n_heads : int
        Columns of the index arrays :meth:`inputs` takes (for entries).
    densify : bool, default=True
        For a network on dense rows, densify sparse ``X`` once if its copy
        fits :data:`DENSIFY_BYTES` (for training, which reads every row many
        times); False densifies each block as it is asked for.
    """

    def __init__(self, model, X, n_heads, densify=True):
        self.sparse = is_sparse_model(model)
        self.n_heads = int(n_heads)
        if self.sparse:
            self.X = as_csr(X)
        else:
            itemsize = np.dtype(keras.config.floatx()).itemsize
            small = X.shape[0] * X.shape[1] * itemsize <= DENSIFY_BYTES
            if densify and sp.issparse(X) and small:
                X = X.toarray()
            self.X = X

    def inputs(self, index):
        """The model's inputs for the rows ``index``.

        Parameters
        ----------
        index : ndarray of int
            Shape ``(n, n_heads)`` for a training view (slot ``(b, j)`` is head
            ``j``'s row) or ``(n,)`` for a network on plain rows.

        Returns
        -------
        ndarray or list of ndarray
        """
        if self.sparse:
            return encode_rows(self.X, index, self.n_heads)
        block = self.X[np.ravel(index)]
        if sp.issparse(block):
            block = block.toarray()
        block = np.asarray(block, dtype=keras.config.floatx())
        return block.reshape(*np.shape(index), self.X.shape[1])

    def chunks(self, index, max_rows=DENSE_CHUNK):
        """Slices of the positions of ``index`` to score one forward call each.

        Parameters
        ----------
        index : ndarray of int, shape (n, n_heads) or (n,)
            Rows per slot; negative entries are padding (scored as row 0).
        max_rows : int, default=DENSE_CHUNK
            Positions per dense chunk at most; fewer where their block would
            exceed :data:`CHUNK_BYTES` (:func:`chunk_rows`).

        Returns
        -------
        list of slice
        """
        index = np.asarray(index)
        if self.sparse:
            return entry_chunks(self.X, index.reshape(len(index), -1))
        width = int(np.prod(index.shape[1:], dtype=np.int64)) * self.X.shape[1]
        itemsize = max(
            np.dtype(self.X.dtype).itemsize,
            np.dtype(keras.config.floatx()).itemsize,
        )
        step = chunk_rows(width, itemsize, max_rows)
        return [slice(start, start + step) for start in range(0, len(index), step)]


#: Rows per direct model call at predict time, at most: fewer where their
#: dense block would exceed :data:`.feed.CHUNK_BYTES` (wide ``X``).
PREDICT_CHUNK = 8192


def predict_logits(network, X):
    """Logits of ``X`` in float64, calling the model directly.

    ``model.predict`` sets up a data pipeline and a compiled function on every
    call, which costs tens of milliseconds even for one row; a direct call in
    chunks costs one forward pass. Dense chunks hold :data:`PREDICT_CHUNK`
    rows, fewer where their block would exceed :data:`.feed.CHUNK_BYTES`. A
    network on sparse rows (:mod:`.._nn.sparse_layer`) is given the entries of each
    chunk, every head the same rows; its chunks are bounded by their
    non-zeros.

    Parameters
    ----------
    network : keras.Model
    X : ndarray or sparse matrix of shape (n_samples, n_features)

    Returns
    -------
    logits : ndarray of shape (n_samples, n_outputs), dtype float64
    """
    rows = np.arange(X.shape[0])
    if is_sparse_model(network):
        n_heads = sparse_heads(network)
        rows = np.repeat(rows[:, np.newaxis], n_heads, axis=1)
        feed = RowFeed(network, X, n_heads)
        chunks = feed.chunks(rows)
    else:
        feed = RowFeed(network, X, 1, densify=False)
        chunks = feed.chunks(rows, max_rows=PREDICT_CHUNK)
    logits = [
        keras.ops.convert_to_numpy(network(feed.inputs(rows[chunk]), training=False))
        for chunk in chunks
    ]
    return np.concatenate(logits).astype(np.float64, copy=False)
