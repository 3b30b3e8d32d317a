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
where it is mostly noise (many rare labels), the mean's tail is far thinner. A
threshold tuned in a single head's tail is then almost never reached by the
ensemble, and one tuned on the body (the network's 0.5) is crossed by a
different number of rows than out of fold: the held-out scores no longer
tell what the ensemble will predict.

:func:`between_head_variance` estimates :math:`\tau^2_j` on the fit rows,
where every head but the one holding the row out was trained on it (the
between-head variance of those heads).

Part of a head's noise is an **offset**: a shift :math:`b_h` of its logit
shared by every row (a head stopped early, or a linear head still near its
initial bias). Write one head's logit as :math:`z_h(x) = s(x) + b_h + e_h(x)`,
with :math:`S`, :math:`B` and :math:`E` the variances of the signal, the
offsets and the row-to-row noise. Out of fold, each fold's rows are scored by
a different head, so the offsets spread the held-out logits
(:math:`\sigma^2 = S + B + E`) and :math:`\tau^2 = B + E`; the ensemble's mean
averages the offsets into one constant shift, and varies by
:math:`S + E / k` only. The offsets are not shrunk by :math:`1/k`, as the
formula above assumes, but removed. :func:`remove_head_offsets` shifts each
head's held-out logits to the common mean and estimates :math:`B` (the
variance of the heads' means, less what their sampling alone gives), and
:func:`match_spread` then narrows the result by
:math:`\rho_j = \sqrt{1 - (1 - \tfrac1k) E_j / \sigma'^2_j}`, with
:math:`E_j = \max(\tau^2_j - B_j, 0)` and :math:`\sigma'^2_j` the variance
after the shift.

Removing the offsets matters most where a head is barely trained (a linear
candidate stopped after a few epochs, whose offsets are nearly all of
:math:`\tau^2`): narrowing alone then leaves the matched scores far wider
than the ensemble's (``benchmarks/spread_check.py`` measures the match). On
the MULAN sets the MLPs' :math:`B` is a small part of :math:`\tau^2`.

Several candidates are blended, and a blend depends on how much they
**agree** on a row, not only on how each spreads. Out of fold each row is
scored by one head of each candidate, whose noise is partly its own, so the
held-out candidates agree less than their ensembles will.
:func:`match_spread_jointly` matches them together: the covariance between
candidates of the heads' deviations (measured in the same pass as
:math:`\tau^2`) gives the covariance of their ensembles, and the held-out
logits are moved onto it by the Gaussian optimal transport map. The
estimator does not use it yet: each matched candidate's scores then carry
the others' (a candidate chosen alone is no longer scored as it will
predict), which cost 0.013 macro-F1 on 400-row subsamples of bibtex
(``benchmarks/blend_spread.py``; the docs: results, studies, *The blend's
spread*).

The in-sample heads have seen the row, so they could agree a little more
than on new rows. Measured on test splits, :math:`\tau^2` on new rows was
below the in-sample estimate on some sets and above it on others; the
offsets, not this, were what the narrowing alone got wrong.

Measured in the docs: results, studies, *The spread of the ensemble*.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, logit

__all__ = [
    "trained_mask",
    "splits_partition",
    "remove_head_offsets",
    "spread_ratio",
    "match_spread",
    "match_spread_jointly",
]

_EPS = np.finfo(np.float64).eps


def trained_mask(train_sets, n_samples):
    """``(n_samples, k)`` bool: whether head ``j`` trained on row ``i``.

    Taken from the splits themselves: a row that a head neither trained on
    nor held out (``TimeSeriesSplit``, an iterable of splits that leaves rows
    out) is not counted as trained on.
    """
    trained = np.zeros((n_samples, len(train_sets)), dtype=bool)
    for j, rows in enumerate(train_sets):
        trained[rows, j] = True
    return trained


def splits_partition(train_sets, held_sets, n_samples):
    """Whether the splits partition the rows they use, as k folds do.

    True when every row that some split uses is held out by exactly one head
    and trained on by all the others: ``KFold``, the default stratified
    folds, ``GroupKFold``, on all rows or a subset. Only then do the heads'
    held-out means differ by their offsets and by sampling alone
    (:func:`remove_head_offsets`). Ordered splits (``TimeSeriesSplit``) and
    splits that hold some rows out of no fold, or train a head on part of
    what it does not hold out, are not partitions: there, the folds' means
    also differ by what the folds hold.
    """
    k = len(held_sets)
    held_count = np.zeros(n_samples, dtype=np.intp)
    for rows in held_sets:
        np.add.at(held_count, rows, 1)
    trained_count = trained_mask(train_sets, n_samples).sum(axis=1)
    used = (held_count > 0) | (trained_count > 0)
    return bool(np.all(held_count[used] == 1) and np.all(trained_count[used] == k - 1))


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


def remove_head_offsets(Z, groups):
    r"""Shift each head's held-out logits to the common mean; estimate :math:`B`.

    Parameters
    ----------
    Z : ndarray of shape (n_held, n_outputs)
        Out-of-fold logits of the held rows.
    groups : list of ndarray
        Per head, the positions in ``Z`` of the rows it held out. A row held
        out by several heads is shifted by the mean of their offsets.

    Returns
    -------
    shifted : ndarray of shape (n_held, n_outputs)
        ``Z`` with head :math:`h`'s rows moved by :math:`\bar z - \bar z_h`.
    offset_variance : ndarray of shape (n_outputs,)
        :math:`B`: the variance between the heads' means (``ddof=1``), less
        the mean of their squared standard errors, clipped at 0. Zeros with
        fewer than two non-empty heads.
    """
    groups = [g for g in groups if len(g)]
    if len(groups) < 2:
        return Z, np.zeros(Z.shape[1])
    centre = Z.mean(axis=0)
    means = np.stack([Z[g].mean(axis=0) for g in groups])
    errors = np.stack([Z[g].var(axis=0) / len(g) for g in groups]).mean(axis=0)
    shift, count = np.zeros_like(Z), np.zeros(Z.shape[0])
    for g, mean in zip(groups, means, strict=True):
        shift[g] += centre - mean
        count[g] += 1
    shifted = Z + shift / np.maximum(count, 1)[:, np.newaxis]
    offset_variance = np.maximum(means.var(axis=0, ddof=1) - errors, 0.0)
    return shifted, offset_variance


def match_spread(proba, held_sets, between, *, train_sets):
    """Out-of-fold probabilities matched, label by label, to the ensemble's spread.

    Parameters
    ----------
    proba : ndarray of shape (n_samples, n_outputs)
        One candidate's out-of-fold probabilities (NaN-free on the held rows).
    held_sets : list of ndarray
        The rows each of the ``k`` heads held out.
    between : ndarray of shape (n_outputs,) or None
        Its :math:`\\tau^2` (:func:`between_head_variance`). None leaves
        ``proba`` as it is.
    train_sets : list of ndarray
        The rows each head trained on. Offsets are removed only when the
        splits partition the rows (:func:`splits_partition`); otherwise the
        heads' held-out means also differ by what their folds hold (ordered
        splits, rows left out), which is not an offset of the heads, and the
        held-out logits are narrowed as they are.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_outputs)
        The held rows' logits, each head's shifted to the common mean
        (:func:`remove_head_offsets`), become :math:`\\mu + \\rho (z - \\mu)`,
        :math:`\\mu` their mean and :math:`\\rho` from :func:`spread_ratio`
        with the row-to-row part of :math:`\\tau^2`: the distribution of the
        mean of the heads' logits, which is what the ensemble predicts
        (:class:`~.._nn.layers.LogitAverage`).
    ratio : ndarray of shape (n_outputs,)
    """
    if between is None:
        return proba, np.ones(proba.shape[1])
    held, Z, row_part = _held_logits(proba, held_sets, between, train_sets)
    ratio = spread_ratio(Z, row_part, len(held_sets))
    centre = Z.mean(axis=0)
    matched = proba.copy()
    matched[held] = expit(centre + ratio * (Z - centre))
    return matched, ratio


def _held_logits(proba, held_sets, between, train_sets):
    """The held rows, their offset-free logits and the row-to-row part of
    :math:`\\tau^2` (:func:`match_spread`'s first step)."""
    held = np.zeros(proba.shape[0], dtype=bool)
    for rows in held_sets:
        held[rows] = True
    position = np.cumsum(held) - 1
    Z = logit(np.clip(proba[held], _EPS, 1.0 - _EPS))
    offsets = np.zeros(Z.shape[1])
    if splits_partition(train_sets, held_sets, proba.shape[0]):
        Z, offsets = remove_head_offsets(Z, [position[rows] for rows in held_sets])
    return held, Z, np.maximum(between - offsets, 0.0)


def match_spread_jointly(probas, held_sets, betweens, between_cov, *, train_sets):
    r"""Several candidates' out-of-fold probabilities, matched together.

    :func:`match_spread` matches each candidate's held-out scores to its own
    ensemble's spread. A blend of candidates also depends on how much they
    **agree** on a row, and out of fold they agree less than their ensembles
    do: each row's score comes from one head per candidate, and that head's
    noise is averaged away in the ensemble. Per label, with :math:`z` the
    candidates' offset-free held-out logits (covariance :math:`S`, between
    candidates) and :math:`T` the covariance between candidates of the heads'
    row-to-row deviations (:func:`.._crossfit.oof.between_head_variance`
    with ``covariance=True``, scaled to the row-to-row part each candidate's
    :func:`match_spread` uses), the candidates' ensembles have covariance

    .. math:: S' = S - (1 - \tfrac1k)\,T,

    its diagonal that of :func:`match_spread` (each :math:`\rho_c^2 S_{cc}`,
    :math:`\rho_c` clipped as :func:`spread_ratio` clips it). The held-out
    logits are moved onto it by the Gaussian optimal transport map
    (Olkin and Pukelsheim, 1982), the linear map that moves them least:

    .. math::

        \tilde z = \mu + A (z - \mu), \qquad
        A = S^{-1/2} \bigl(S^{1/2} S' S^{1/2}\bigr)^{1/2} S^{-1/2}.

    Each candidate's matched scores keep the spread :func:`match_spread`
    gives them; what changes is that the candidates now agree on a row as
    much as their ensembles will, so a blend of them is distributed as the
    blend that predicts. But each candidate's matched scores then carry the
    others': a candidate blended alone is not scored as it will predict.
    ``benchmarks/blend_spread.py`` measures it; the estimator does not use
    it (the docs: results, studies, *The blend's spread*).

    Parameters
    ----------
    probas : list of ndarray of shape (n_samples, n_outputs)
        Each candidate's out-of-fold probabilities.
    held_sets : list of ndarray
    betweens : list of ndarray of shape (n_outputs,)
        Each candidate's :math:`\tau^2`.
    between_cov : ndarray of shape (n_candidates, n_candidates, n_outputs)
        :math:`T`, unscaled (its diagonal is ``betweens``).
    train_sets : list of ndarray

    Returns
    -------
    list of ndarray of shape (n_samples, n_outputs)

    References
    ----------
    I. Olkin and F. Pukelsheim, "The distance between two random vectors with
    given dispersion matrices", Linear Algebra and its Applications 48,
    257-263, 1982.
    """
    k = len(held_sets)
    logits, row_part, ratios = [], [], []
    for proba, between in zip(probas, betweens, strict=True):
        held, Z, part = _held_logits(proba, held_sets, between, train_sets)
        logits.append(Z)
        row_part.append(part)
        ratios.append(spread_ratio(Z, part, k))
    Z = np.stack(logits, axis=-1)  # (n_held, m, c)
    between = np.stack(betweens, axis=-1)  # (m, c)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(between > 0, np.sqrt(np.stack(row_part, -1) / between), 0.0)
    T = np.moveaxis(between_cov, -1, 0) * scale[:, :, None] * scale[:, None, :]
    centre = Z.mean(axis=0)  # (m, c)
    deviations = Z - centre
    S = np.einsum("nmc,nmd->mcd", deviations, deviations) / Z.shape[0]
    target = S - (1.0 - 1.0 / k) * T
    variance = np.einsum("mcc->mc", S)
    diagonal = np.stack(ratios, axis=-1) ** 2 * variance
    c = Z.shape[-1]
    target[:, np.arange(c), np.arange(c)] = diagonal
    A = _transport(S, target)
    moved = centre + np.einsum("mcd,nmd->nmc", A, deviations)
    # a label some candidate does not vary on keeps its own matching
    alone = centre + np.stack(ratios, axis=-1) * deviations
    moved = np.where((variance > 0).all(axis=1)[:, None], moved, alone)
    matched = [proba.copy() for proba in probas]
    for i, proba in enumerate(matched):
        proba[held] = expit(moved[..., i])
    return matched


def _psd_root(S, power):
    """Stacked symmetric matrices to ``power`` (eigenvalues clipped at 0)."""
    values, vectors = np.linalg.eigh(S)
    values = np.clip(values, 0.0, None)
    with np.errstate(divide="ignore"):
        powered = np.where(values > 0, values**power, 0.0)
    return np.einsum("mij,mj,mkj->mik", vectors, powered, vectors)


def _transport(S, target):
    """The Gaussian optimal transport maps from covariances ``S`` to ``target``."""
    root = _psd_root(S, 0.5)
    inverse = _psd_root(S, -0.5)
    middle = _psd_root(np.einsum("mij,mjk,mkl->mil", root, target, root), 0.5)
    return np.einsum("mij,mjk,mkl->mil", inverse, middle, inverse)
