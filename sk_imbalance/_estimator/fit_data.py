"""The data of one fit, as the cross-fit and the decisions take it.

Each estimator validates ``X``, ``y`` and ``sample_weight`` its own way and
returns a :class:`FitData` (``_fit_data``); the ``fit`` both share
(:meth:`~.base.CrossFitClassifier._fit`) trains on ``targets`` and fits the
decisions to ``truth``. :func:`pack_targets` builds ``targets``, the float32
matrix the network's loss reads.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FitData", "pack_targets"]


@dataclass(frozen=True)
class FitData:
    """One fit's data, validated and encoded.

    Attributes
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
        The validated rows.
    y : array-like
        The target handed to ``cv``'s splitter and to the callbacks.
    truth : ndarray of shape (n_samples, n_outputs) or (n_samples,)
        What the decisions are fitted to and scored on: the 0/1 label matrix
        (multi-label) or each row's class index (multiclass).
    indicator : ndarray of shape (n_samples, n_outputs)
        The 0/1 matrix the int and float ``cv`` stratify on.
    targets : ndarray of shape (n_samples, 2 * n_outputs), float32
        ``indicator`` followed by each element's weight in the loss
        (:func:`pack_targets`).
    sample_weight : ndarray of shape (n_samples,) or None
        The checked ``sample_weight``.
    classes : ndarray or None
        The class labels of a 1-D target (what a dict ``class_weight`` is
        keyed by); None for a multi-label one.
    """

    X: object
    y: object
    truth: np.ndarray
    indicator: np.ndarray
    targets: np.ndarray
    sample_weight: np.ndarray | None
    classes: np.ndarray | None = None


def pack_targets(indicator, weights, fix):
    """0/1 targets followed by their element weights, in float32.

    Parameters
    ----------
    indicator : ndarray of shape (n_samples, n_outputs)
        0/1 targets.
    weights : ndarray of shape (n_samples, n_outputs)
        Each element's weight in the loss (class weights times
        ``sample_weight``).
    fix : str
        What the error message tells the user to do when the weights overflow
        float32.

    Returns
    -------
    ndarray of shape (n_samples, 2 * n_outputs), float32
    """
    targets = np.hstack([indicator, weights]).astype(np.float32)
    if not np.all(np.isfinite(targets)):
        raise ValueError(
            "sample_weight times the class weights overflows float32 (the "
            f"network's precision); {fix}"
        )
    return targets
