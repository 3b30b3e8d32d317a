r"""The ensemble is narrower than one head: match the held-out scores to it.

The decisions (calibration map, thresholds) are fitted on out-of-fold scores,
each of which comes from **one** head: the head that held the row out. The
predicting model is the **mean** of the ``k`` heads. On a new row the heads
agree on what they learnt and disagree on their own noise, so the mean's logit
varies less from row to row than one head's. For label :math:`j`, with
:math:`\sigma^2_j` the variance of one head's logit across new rows and
:math:`\tau^2_j` the variance between heads on the same row (each head's own
noise),

.. math::

    \operatorname{Var}(\bar z_j) = \sigma^2_j - (1 - \tfrac1k)\,\tau^2_j,
    \qquad
    \rho_j = \sqrt{\operatorname{Var}(\bar z_j) / \sigma^2_j} \in
    [1/\sqrt{k}, 1].

Where a label was learnt well the heads agree and :math:`\rho_j` is near 1;
where it is mostly noise, the mean's tail is far thinner. Measured as the
median over labels of the test ensemble's logit spread over the out-of-fold
spread (seed 0, the study's four candidates): 0.82 to 0.92 on yeast, emotions
and enron; 0.38 to 0.66 on a synthetic set of 1,000 labels with about 60
positives each (``benchmarks/anchor_study.py``'s ``synth1000``). A
threshold tuned in a single head's tail is then almost never reached by the
ensemble, and one tuned on the body (the network's 0.5) is crossed by a
different number of rows than out of fold: the held-out scores no longer
tell what the ensemble will predict.

:func:`between_head_variance` estimates :math:`\tau^2_j` on the fit rows,
where every head but the one holding the row out was trained on it (the
between-head variance of those heads), and :func:`match_spread` narrows each
label's out-of-fold logits about their mean by :math:`\rho_j` so that they are
spread as the ensemble's scores will be. :math:`\sigma^2_j` is the variance of
the out-of-fold logits. The in-sample heads have seen the row, so they agree
a little more than on new rows: :math:`\rho_j` is a slight over-estimate,
which errs on the side of the uncorrected scores.
"""

from __future__ import annotations

import keras
import numpy as np
from scipy.special import expit, logit

from ._feed import RowFeed

__all__ = ["between_head_variance", "spread_ratio", "match_spread"]

_EPS = np.finfo(np.float64).eps
#: Logits (positions x heads x outputs, per candidate) scored per forward call.
_BLOCK_ELEMENTS = 2**21


def between_head_variance(train_model, X, held_sets, n_outputs):
    """Mean over the fit rows of the variance between the heads that trained on each.

    Parameters
    ----------
    train_model : keras.Model
        Training view, ``(batch, k, ...)`` inputs to ``(batch, c k, m)`` logits.
    X : ndarray, sparse matrix or RowFeed
    held_sets : list of ndarray
        The rows each of the ``k`` heads held out.
    n_outputs : int

    Returns
    -------
    ndarray of shape (c, n_outputs) or None
        None with fewer than 3 heads (no row was trained on by two).
    """
    k = len(held_sets)
    if k < 3:
        return None
    feed = X if isinstance(X, RowFeed) else RowFeed(train_model, X, k)
    n_samples = feed.X.shape[0]
    trained = np.ones((n_samples, k), dtype=bool)
    for j, rows in enumerate(held_sets):
        trained[rows, j] = False
    slots = np.repeat(np.arange(n_samples)[:, np.newaxis], k, axis=1)
    total, rows_counted = 0.0, 0
    for block in _blocks(feed, slots, k * n_outputs):
        logits = keras.ops.convert_to_numpy(
            train_model(feed.inputs(block), training=False)
        ).astype(np.float64)
        logits = logits.reshape(len(block), -1, k, n_outputs)
        mask = trained[block[:, 0]]
        usable = mask.sum(axis=1) >= 2
        logits, mask = logits[usable], mask[usable][:, np.newaxis, :, np.newaxis]
        count = mask.sum(axis=2)
        mean = (logits * mask).sum(axis=2, keepdims=True) / count[:, :, np.newaxis]
        squares = (((logits - mean) ** 2) * mask).sum(axis=2)
        total = total + (squares / (count - 1)).sum(axis=0)
        rows_counted += int(usable.sum())
    if rows_counted == 0:
        return None
    return total / rows_counted


def _blocks(feed, slots, width):
    """Blocks of ``slots`` of at most ``_BLOCK_ELEMENTS / width`` positions, in
    the feed's chunks."""
    step = max(1, _BLOCK_ELEMENTS // width)
    for chunk in feed.chunks(slots):
        positions = np.arange(len(slots))[chunk]
        for start in range(0, len(positions), step):
            yield slots[positions[start : start + step]]


def spread_ratio(oof_logits, between, n_heads):
    r""":math:`\rho = \sqrt{1 - (1 - 1/k)\,\tau^2 / \sigma^2}`, clipped to
    :math:`[1/\sqrt{k}, 1]`.

    Parameters
    ----------
    oof_logits : ndarray of shape (n_held, n_outputs)
        One candidate's out-of-fold logits.
    between : ndarray of shape (n_outputs,)
        Its :math:`\tau^2` (:func:`between_head_variance`).
    n_heads : int

    Returns
    -------
    ndarray of shape (n_outputs,)
    """
    variance = oof_logits.var(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        kept = 1.0 - (1.0 - 1.0 / n_heads) * between / variance
    kept = np.where(variance > 0, kept, 1.0)
    return np.sqrt(np.clip(kept, 1.0 / n_heads, 1.0))


def match_spread(proba, held, between, n_heads):
    """Out-of-fold probabilities narrowed, label by label, to the ensemble's spread.

    Parameters
    ----------
    proba : ndarray of shape (n_samples, n_outputs)
        One candidate's out-of-fold probabilities (NaN-free on ``held``).
    held : ndarray of shape (n_samples,), dtype bool
    between : ndarray of shape (n_outputs,) or None
        None leaves ``proba`` as it is.
    n_heads : int

    Returns
    -------
    proba : ndarray of shape (n_samples, n_outputs)
        The held rows' logits :math:`z` become :math:`\\mu + \\rho (z - \\mu)`,
        :math:`\\mu` their mean and :math:`\\rho` from :func:`spread_ratio`.
    ratio : ndarray of shape (n_outputs,)
    """
    if between is None:
        return proba, np.ones(proba.shape[1])
    Z = logit(np.clip(proba[held], _EPS, 1.0 - _EPS))
    ratio = spread_ratio(Z, between, n_heads)
    centre = Z.mean(axis=0)
    matched = proba.copy()
    matched[held] = expit(centre + ratio * (Z - centre))
    return matched, ratio
