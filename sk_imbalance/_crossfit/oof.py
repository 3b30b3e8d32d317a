r"""Out-of-fold scoring: what each head says about the rows it held out.

:func:`held_out_slots` pairs every held-out row with the head that held it
out; :func:`out_of_fold_proba` scores them in one pass per candidate;
:func:`between_head_variance` is :math:`\tau^2_j`, the variance between the
heads that trained on a row, which :mod:`sk_imbalance._decisions.spread`
uses to match the held-out scores to the ensemble that predicts.
"""

from __future__ import annotations

import keras
import numpy as np
from scipy.special import softmax

from .._decisions.spread import trained_mask
from .feed import RowFeed

__all__ = ["between_head_variance", "held_out_slots", "out_of_fold_proba"]

#: Logits (positions x heads x outputs, per candidate) scored per forward call.
_BLOCK_ELEMENTS = 2**21


def between_head_variance(train_model, X, train_sets, n_outputs, *, covariance=False):
    r"""Mean over the fit rows of the variance between the heads that trained on each.

    Parameters
    ----------
    train_model : keras.Model
        Training view, ``(batch, k, ...)`` inputs to ``(batch, c k, m)`` logits.
    X : ndarray, sparse matrix or RowFeed
    train_sets : list of ndarray
        The rows each of the ``k`` heads trained on (the splits' training
        rows; a row outside every split is trained on by none).
    n_outputs : int
    covariance : bool, default=False
        Also return, with several candidates, the covariance **between
        candidates** of the heads' deviations from their mean on one row,
        :math:`T_{cd} = \frac{1}{k'-1} \sum_h (z_{ch} - \bar z_c)(z_{dh} -
        \bar z_d)` averaged over the rows (:math:`k'` the heads that trained
        on the row): the part of two candidates' out-of-fold noise they share
        (their heads of one fold trained on the same rows), which their
        ensembles average away together
        (:func:`.._decisions.spread.match_spread_jointly`).

    Returns
    -------
    ndarray of shape (c, n_outputs) or None
        None with fewer than 3 heads, or when no row was trained on by two.
    ndarray of shape (c, c, n_outputs) or None
        Only with ``covariance``: :math:`T` (its diagonal is the first
        result); None with one candidate, or where the first is None.
    """
    k = len(train_sets)
    if k < 3:
        return (None, None) if covariance else None
    feed = X if isinstance(X, RowFeed) else RowFeed(train_model, X, k)
    n_samples = feed.X.shape[0]
    trained = trained_mask(train_sets, n_samples)
    rows = np.flatnonzero(trained.sum(axis=1) >= 2)
    if rows.size == 0:
        return (None, None) if covariance else None
    slots = np.repeat(rows[:, np.newaxis], k, axis=1)
    total, cross = 0.0, 0.0
    for block in _blocks(feed, slots, k * n_outputs):
        logits = keras.ops.convert_to_numpy(
            train_model(feed.inputs(block), training=False)
        ).astype(np.float64)
        logits = logits.reshape(len(block), -1, k, n_outputs)
        mask = trained[block[:, 0]][:, np.newaxis, :, np.newaxis]
        count = mask.sum(axis=2)
        mean = (logits * mask).sum(axis=2, keepdims=True) / count[:, :, np.newaxis]
        deviations = (logits - mean) * mask  # 0 for the heads that did not train
        total = total + ((deviations**2).sum(axis=2) / (count - 1)).sum(axis=0)
        if covariance and logits.shape[1] > 1:
            products = np.einsum("bchm,bdhm->bcdm", deviations, deviations)
            cross = cross + (products / (count[:, np.newaxis] - 1)).sum(axis=0)
    between = total / rows.size
    if not covariance:
        return between
    return between, (cross / rows.size if between.shape[0] > 1 else None)


def _blocks(feed, slots, width):
    """Blocks of ``slots`` of at most ``_BLOCK_ELEMENTS / width`` positions, in
    the feed's chunks."""
    step = max(1, _BLOCK_ELEMENTS // width)
    for chunk in feed.chunks(slots):
        positions = np.arange(len(slots))[chunk]
        for start in range(0, len(positions), step):
            yield slots[positions[start : start + step]]


def held_out_slots(held_sets):
    """Lay the heads' held-out rows side by side: ``(positions, k)``, -1 padded.

    Slot ``[q, j]`` is the ``q``-th row held out by head ``j``, so one forward
    pass of the training view over the slots scores every held-out row with
    its own head.
    """
    length = max(len(rows) for rows in held_sets)
    slots = np.full((length, len(held_sets)), -1, dtype=np.intp)
    for j, rows in enumerate(held_sets):
        slots[: len(rows), j] = rows
    return slots


def out_of_fold_proba(train_model, X, slots, n_outputs, link="sigmoid", offsets=None):
    """Score every held-out row with the heads that held it out.

    Parameters
    ----------
    train_model : keras.Model
        Training view: ``(batch, k, d)`` (or the entries of ``(batch, k)``
        sparse rows, :mod:`.._nn.sparse_layer`) to logits ``(batch, c k, m)``, ``c`` the
        number of candidates (:mod:`.._nn.portfolio`; 1 for one network).
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    slots : ndarray of shape (positions, k)
        From :func:`held_out_slots`.
    n_outputs : int
    link : {"sigmoid", "softmax"}, default="sigmoid"
        Per-output sigmoid probabilities, or one softmax distribution per row.
    offsets : ndarray of shape (c, n_outputs), default=None
        Added to each candidate's logits first: its scale offset
        (:func:`.._decisions.weightings.scale_offsets`).

    Returns
    -------
    ndarray of shape (c, n_samples, n_outputs)
        Per candidate, the mean probability over its heads that held each row
        out; NaN where none did.
    """
    k = slots.shape[1]
    feed = X if isinstance(X, RowFeed) else RowFeed(train_model, X, k)
    n_candidates = None
    total = count = None
    for chunk in feed.chunks(slots):
        block = slots[chunk]
        # the compiled forward pass: called eagerly, the layers' Python costs
        # more than the arithmetic on small data (every epoch scores)
        logits = np.asarray(
            train_model.predict_on_batch(feed.inputs(np.maximum(block, 0))),
            dtype=np.float64,
        )
        if n_candidates is None:
            n_candidates = logits.shape[1] // k
            total = np.zeros((feed.X.shape[0], n_candidates, n_outputs))
            count = np.zeros(feed.X.shape[0])
        # (positions, c, k, m) -> (positions, k, c, m): slot (q, j) holds the
        # c candidates' logits of the row head j held out
        logits = logits.reshape(len(block), n_candidates, k, n_outputs).swapaxes(1, 2)
        if offsets is not None:
            logits = logits + offsets
        if link == "softmax":
            proba = softmax(logits, axis=-1)
        else:
            proba = 0.5 * (1.0 + np.tanh(0.5 * logits))  # sigmoid, overflow-free
        valid = block >= 0
        np.add.at(total, block[valid], proba[valid])
        np.add.at(count, block[valid], 1.0)
    with np.errstate(invalid="ignore"):
        return (total / count[:, np.newaxis, np.newaxis]).transpose(1, 0, 2)
