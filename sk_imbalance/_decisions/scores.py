"""F-beta averages and precision@k in NumPy.

The F-beta averages match :func:`sklearn.metrics.fbeta_score` with
``zero_division=0`` and are vectorised for the out-of-fold monitor, which
computes one per epoch. :mod:`sk_imbalance.metrics` re-exports them.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

from .thresholds import fbeta_from_counts, label_counts, macro_fbeta, top_k_predict

__all__ = ["fbeta_average", "precision_at_k", "combine_weights"]

AVERAGES = ("macro", "micro", "samples")


def fbeta_average(Y, Y_pred, beta=1.0, average="macro", sample_weight=None):
    r"""F-beta of 0/1 multi-label predictions, averaged as scikit-learn does.

    - ``"macro"``: the mean over labels of each label's F-beta;
    - ``"micro"``: one F-beta of the true, false and predicted positives
      pooled over labels:
      :math:`\frac{(1+\beta^2)\sum_j TP_j}{\beta^2 \sum_j P_j + \sum_j \hat P_j}`;
    - ``"samples"``: the (sample-weighted) mean over rows of each row's F-beta.

    An undefined F-beta (no positive and nothing predicted) counts 0, as with
    ``zero_division=0``.

    Parameters
    ----------
    Y, Y_pred : ndarray of shape (n_samples, n_labels)
    beta : float, default=1.0
    average : {"macro", "micro", "samples"}, default="macro"
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    float
    """
    if average not in AVERAGES:
        raise ValueError(f"average={average!r} is not one of {AVERAGES}.")
    if average == "samples":
        Y, Y_pred = np.asarray(Y) > 0, np.asarray(Y_pred) > 0
        per_row = fbeta_from_counts(
            np.count_nonzero(Y & Y_pred, axis=1),
            np.count_nonzero(Y, axis=1),
            np.count_nonzero(Y_pred, axis=1),
            beta,
        )
        return float(np.average(per_row, weights=sample_weight))
    if average == "macro":
        return macro_fbeta(Y, Y_pred, beta, sample_weight)
    micro_counts = [c.sum() for c in label_counts(Y, Y_pred, sample_weight)]
    return float(fbeta_from_counts(*micro_counts, beta))


def precision_at_k(y_true, y_score, k=1, sample_weight=None):
    r"""Precision at k: the share of each row's k top-scored labels that are true.

    .. math:: P@k = \frac{1}{n} \sum_{i=1}^{n} \frac{1}{k}
        \sum_{j \in \text{top}_k(s_i)} y_{ij}

    Ties among scores are broken by the lower label index, as
    :func:`~sk_imbalance.top_k_predict` does. With ``k`` above the number of
    labels every label is taken and the denominator stays ``k``, the usual
    convention of extreme classification.

    Parameters
    ----------
    y_true : array-like of shape (n_samples, n_labels)
        0/1 indicator matrix.
    y_score : array-like of shape (n_samples, n_labels)
        Scores or probabilities.
    k : int, default=1
    sample_weight : array-like of shape (n_samples,), default=None

    Returns
    -------
    float

    References
    ----------
    K. Bhatia et al., "The extreme classification repository: multi-label
    datasets and code", 2016.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_imbalance.metrics import precision_at_k
    >>> precision_at_k(np.array([[1, 0, 1]]), np.array([[0.9, 0.8, 0.1]]), k=2)
    0.5
    """
    if not isinstance(k, Integral) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k={k!r} must be an int >= 1.")
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score, dtype=np.float64)
    if y_true.ndim != 2 or y_true.shape != y_score.shape:
        raise ValueError(
            "precision_at_k needs y_true and y_score of the same 2-D shape "
            f"(n_samples, n_labels); got {y_true.shape} and {y_score.shape}."
        )
    hits = np.count_nonzero((top_k_predict(y_score, k) > 0) & (y_true > 0), axis=1)
    return float(np.average(hits / k, weights=sample_weight))


def combine_weights(sample_weight, row_weight):
    """``sample_weight * row_weight``, either of them None (all ones)."""
    if row_weight is None:
        return sample_weight
    if sample_weight is None:
        return np.asarray(row_weight, dtype=np.float64)
    return np.asarray(sample_weight, dtype=np.float64) * row_weight
