"""When the first layer works on the non-zeros: the ``sparse_layer`` rule."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

__all__ = ["SPARSE_DENSITY", "use_sparse_layer"]

#: ``sparse_layer="auto"`` works on the non-zeros of an ``X`` at most this
#: dense. The dense layer's cost grows with the features, the sparse layer's
#: with the non-zeros (gathers and scatters cost more per non-zero than a
#: batched matmul per entry); timed on a CPU with the default network, they
#: cross near 1.5%, where the sparse layer also saves the dense copy of ``X``.
#: Measured in the docs: results, studies, *When the sparse first layer is
#: faster* (``benchmarks/text_scale.py --crossover``).
SPARSE_DENSITY = 0.015


def _nonzeros(X):
    """The number of non-zero values of ``X``, stored zeros left out."""
    return int(np.count_nonzero(X.data if sp.issparse(X) else X))


def use_sparse_layer(X, setting, default_network, dense_limit_bytes):
    """Whether the first layer works on the non-zeros of ``X``.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    setting : {"auto", True, False}
        The estimator's ``sparse_layer`` (a NumPy bool acts as a bool).
        ``"auto"``: yes when ``X`` is at most :data:`SPARSE_DENSITY` dense
        (sparse or dense ``X``; stored zeros do not count), or when it is
        sparse and its dense copy would exceed ``dense_limit_bytes`` (the
        dense layer would then densify every batch).
    default_network : bool
        False for a build function or a ``keras.Model``, which take dense
        rows.
    dense_limit_bytes : int

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        ``setting=True`` with a network of the user's.
    """
    auto = isinstance(setting, str)
    if not default_network:
        if not auto and bool(setting):
            raise ValueError(
                "sparse_layer=True needs the default network (model=None); a build "
                "function or keras.Model passed as model= receives dense rows. Use "
                "sparse_layer='auto' (or False) with your own network."
            )
        return False
    if auto:
        n_samples, n_features = X.shape
        if n_samples == 0 or n_features == 0:
            return False
        nnz = _nonzeros(X)
        too_big = sp.issparse(X) and n_samples * n_features * 4 > dense_limit_bytes
        return nnz <= SPARSE_DENSITY * n_samples * n_features or too_big
    return bool(setting)
