r"""Calibration and decisions of a softmax network trained on a weighted loss.

A softmax network trained with class weights :math:`w_c` learns the class
probabilities of the *weighted* problem, :math:`q_c \propto w_c\, p_c`: its
logits are :math:`z_c = \log p_c + \log w_c + \text{const}` at the optimum
(the multiclass form of King & Zeng's prior correction). Two things are done
with the out-of-fold logits :math:`z` of a fit:

**Calibration** (``predict_proba``). The analytic shift
:math:`\log p = \operatorname{log\_softmax}(z - \log w)` undoes the weighting;
bias-corrected temperature scaling (BCTS, Alexandari et al. 2020) fits

.. math:: \log p = \operatorname{log\_softmax}(a z + b), \qquad
    \min_{a, b} \sum_i s_i \left[\operatorname{LSE}(a z_i + b) - a z_{i y_i}
    - b_{y_i}\right] + \frac{\lambda}{2}\left[(a - 1)^2 + \lVert b - b_0
    \rVert^2\right]

by L-BFGS, the penalty (``PRIOR_STRENGTH`` rows' worth) pulling it toward the
shift :math:`(1, -\log w)`: one temperature for the network's confidence and
one bias per class for its prior.

**Decisions** (``predict``): :math:`\hat y = \arg\max_c (\log p_c + o_c)` with
per-class offsets :math:`o`:

- ``"argmax"``: :math:`o = 0`, the most probable class (accuracy's Bayes rule
  for calibrated :math:`p`);
- ``"balanced"``: :math:`o = -\log \pi`, with :math:`\pi` the training
  priors: post-hoc logit adjustment (Menon et al. 2021), the Bayes rule for
  the balanced error;
- ``"tuned"``: :math:`o` chosen on the out-of-fold scores for the objective
  (macro-F1, balanced accuracy, accuracy, or a binary target's F1) by
  coordinate ascent. For one
  class :math:`c` and the others' offsets fixed, row :math:`i` is predicted
  :math:`c` exactly when :math:`o_c > m_i = \max_{j \ne c}(\log p_{ij} + o_j)
  - \log p_{ic}`, so sorting the margins :math:`m_i` lays out every
  distinct decision; the confusion counts of all of them are cumulative
  sums, and the best is taken exactly (midpoint of its interval). Rounds
  over the classes repeat until no offset moves. The ascent starts from an
  anchor (logit adjustment), and each class's move away from it is shrunk
  by :math:`m_c / (m_c + k)`, :math:`m_c` its rows.

Offsets act on :math:`a z + b` as :math:`o / a` does on :math:`z`, so tuned
decisions do not depend on the calibration (with :math:`a > 0`).

References
----------
G. King and L. Zeng, "Logistic Regression in Rare Events Data", 2001.
A. Alexandari, A. Kundaje and A. Shrikumar, "Maximum Likelihood with
Bias-Corrected Calibration is Hard-To-Beat at Label Shift Adaptation", ICML
2020. A. K. Menon et al., "Long-tail learning via logit adjustment", ICLR 2021.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_softmax, logsumexp

from .calibration import _MIN_SLOPE, PRIOR_STRENGTH
from .thresholds import shrink_toward

__all__ = [
    "MULTICLASS_SCORINGS",
    "DECISION_RULES",
    "MulticlassDecisions",
    "class_scores",
    "confusion_counts",
    "multiclass_score",
    "fit_bcts",
    "tune_offsets",
    "fit_multiclass_decisions",
    "decide_multiclass",
    "to_log_proba",
]

#: Objectives of the tuned offsets and the epoch monitor.
MULTICLASS_SCORINGS = ("f1_macro", "balanced_accuracy", "accuracy", "f1")
#: Forms of the decision rule.
DECISION_RULES = ("tuned", "balanced", "argmax")
#: Most coordinate-ascent rounds over the classes.
MAX_ROUNDS = 10


@dataclass
class MulticlassDecisions:
    """A fitted calibration map and decision offsets.

    Attributes
    ----------
    scale : float
        :math:`a`.
    bias : ndarray of shape (n_classes,)
        :math:`b`; calibrated log-probabilities are ``log_softmax(a z + b)``.
    offsets : ndarray of shape (n_classes,)
        Added to the calibrated log-probabilities before the argmax.
    """

    scale: float
    bias: np.ndarray
    offsets: np.ndarray


def to_log_proba(P):
    """Log of probabilities, floored at the smallest positive float64."""
    return np.log(np.maximum(np.asarray(P, dtype=np.float64), np.finfo(float).tiny))


def _class_metric(tp, predicted, true, scoring, total):
    """Each class's term of the objective, elementwise (see :func:`_sweep`)."""
    if scoring == "accuracy":
        return tp / total
    if scoring == "balanced_accuracy":
        return np.divide(tp, true, out=np.zeros_like(tp), where=true > 0)
    denominator = predicted + true
    return np.divide(
        2.0 * tp, denominator, out=np.zeros_like(tp), where=denominator > 0
    )


def _class_shares(true, scoring):
    """How much each class's term counts in the objective."""
    K = true.size
    if scoring == "accuracy":
        return np.ones(K)
    if scoring == "f1":
        return np.eye(K)[-1]
    present = (true > 0).astype(float)
    return present / present.sum()


def class_scores(tp, predicted, true, scoring):
    """The objective from per-class confusion counts.

    Parameters
    ----------
    tp, predicted, true : ndarray of shape (n_classes,)
        Weighted true positives, predicted counts and true counts.
    scoring : {"f1_macro", "balanced_accuracy", "accuracy", "f1"}
        ``"f1"`` is the F1 of the last class (a binary target's positive
        class).

    Returns
    -------
    float
        Classes without a true row are left out of the two averages, as
        scikit-learn leaves out of ``balanced_accuracy_score`` the classes
        absent from ``y_true``.
    """
    terms = _class_metric(
        tp, predicted, true, scoring, true.sum(axis=-1, keepdims=True)
    )
    return (_class_shares(true, scoring) * terms).sum(axis=-1)


def confusion_counts(y, predicted, n_classes, sample_weight=None):
    """Weighted true counts, predicted counts and true positives per class."""
    weight = np.ones(len(y)) if sample_weight is None else sample_weight
    true = np.bincount(y, weight, minlength=n_classes)
    pred = np.bincount(predicted, weight, minlength=n_classes)
    tp = np.bincount(y, weight * (y == predicted), minlength=n_classes)
    return true, pred, tp


def multiclass_score(y, predicted, n_classes, scoring, sample_weight=None):
    """The objective of class indices ``predicted`` against ``y``."""
    true, pred, tp = confusion_counts(y, predicted, n_classes, sample_weight)
    return class_scores(tp, pred, true, scoring)


def fit_bcts(Z, y, offset, *, strength=PRIOR_STRENGTH, sample_weight=None):
    """Bias-corrected temperature scaling pulled toward the analytic shift.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_classes)
        Out-of-fold logits (log-probabilities).
    y : ndarray of shape (n_samples,)
        Class indices.
    offset : ndarray of shape (n_classes,)
        :math:`b_0 = -\\log w`.
    strength : float, default=PRIOR_STRENGTH
        :math:`\\lambda` in rows' worth; ``np.inf`` returns the shift itself.
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    scale : float
    bias : ndarray of shape (n_classes,)
        The shift itself where the optimiser fails.
    """
    offset = np.asarray(offset, dtype=np.float64)
    if np.isinf(strength) or Z.shape[0] == 0:
        return 1.0, offset.copy()
    n, K = Z.shape
    weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    onehot = np.zeros((n, K))
    onehot[np.arange(n), y] = 1.0
    ridge = strength / 4.0  # a row's curvature is at most 1/4, as in fit_platt

    def objective(theta):
        a, b = theta[0], theta[1:]
        U = a * Z + b
        lse = logsumexp(U, axis=1)
        value = weight @ (lse - (U * onehot).sum(axis=1))
        value += 0.5 * ridge * ((a - 1.0) ** 2 + np.sum((b - offset) ** 2))
        G = weight[:, np.newaxis] * (np.exp(U - lse[:, np.newaxis]) - onehot)
        gradient = np.concatenate(
            [[np.sum(G * Z) + ridge * (a - 1.0)], G.sum(axis=0) + ridge * (b - offset)]
        )
        return value, gradient

    start = np.concatenate([[1.0], offset])
    bounds = [(_MIN_SLOPE, None)] + [(None, None)] * K  # the map stays increasing
    with np.errstate(over="ignore", invalid="ignore"):
        result = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds)
    if not np.all(np.isfinite(result.x)):
        return 1.0, offset.copy()
    return float(result.x[0]), result.x[1:]


def _sweep(L, offsets, c, y, weight, true, scoring):
    r"""The best offset of class ``c`` with the others fixed; see the module doc.

    The objective is a weighted sum of per-class terms (:func:`_class_metric`),
    and moving row ``i`` from its alternative class :math:`a_i` to ``c``
    changes only the terms of :math:`a_i` and ``c``. With the rows sorted by
    margin, the objective of every state is a cumulative sum of those
    changes plus class ``c``'s term: :math:`O(n \log n)` per sweep, whatever
    the number of classes.

    Returns ``(offset, score)``; the current offset if no state beats it.
    """
    n, K = L.shape
    others = L + offsets
    others[:, c] = -np.inf
    alternative = others.argmax(axis=1)
    margin = others[np.arange(n), alternative] - L[:, c]
    order = np.argsort(margin, kind="stable")
    margin, alternative = margin[order], alternative[order]
    w, truth = weight[order], y[order]
    hit = (alternative == truth) * w
    total = weight.sum()
    share = _class_shares(true, scoring)
    predicted0 = np.bincount(alternative, w, minlength=K)
    tp0 = np.bincount(alternative, hit, minlength=K)
    # weight (and hits) each alternative class has lost once row i has moved:
    # a cumulative sum within the rows of each alternative class
    by_class = np.argsort(alternative, kind="stable")
    starts = np.searchsorted(alternative[by_class], np.arange(K))
    lost, lost_hit = np.empty(n), np.empty(n)
    for values, out in ((w, lost), (hit, lost_hit)):
        running = np.cumsum(values[by_class])
        before_group = np.concatenate([[0.0], running])[starts]
        out[by_class] = running - before_group[alternative[by_class]]
    a_true = true[alternative]
    after = _class_metric(
        tp0[alternative] - lost_hit,
        predicted0[alternative] - lost,
        a_true,
        scoring,
        total,
    )
    before = _class_metric(
        tp0[alternative] - lost_hit + hit,
        predicted0[alternative] - lost + w,
        a_true,
        scoring,
        total,
    )
    change = np.concatenate([[0.0], np.cumsum(share[alternative] * (after - before))])
    gained = np.concatenate([[0.0], np.cumsum(w)])
    gained_hit = np.concatenate([[0.0], np.cumsum(w * (truth == c))])
    start_terms = share * _class_metric(tp0, predicted0, true, scoring, total)
    scores = (
        start_terms.sum()
        - start_terms[c]
        + change
        + share[c] * _class_metric(gained_hit, gained, true[c], scoring, total)
    )
    # a state is reachable only between two distinct margins
    valid = np.ones(n + 1, dtype=bool)
    valid[1:n] = margin[1:] > margin[:-1]
    current = int(np.searchsorted(margin, offsets[c], side="left"))
    best = np.flatnonzero(valid & (scores >= scores[valid].max() - 1e-12))
    state = int(best[np.argmin(np.abs(best - current))])
    if scores[state] <= scores[current] + 1e-12:
        return offsets[c], scores[current]
    if state == 0:
        return margin[0] - 1.0, scores[state]
    if state == n:
        return margin[-1] + 1.0, scores[state]
    return 0.5 * (margin[state - 1] + margin[state]), scores[state]


def tune_offsets(
    L,
    y,
    scoring,
    *,
    start=None,
    shrinkage=0.0,
    sample_weight=None,
    max_rounds=MAX_ROUNDS,
):
    """Per-class offsets maximising ``scoring`` of ``argmax(L + o)``.

    Parameters
    ----------
    L : ndarray of shape (n_samples, n_classes)
        Scores (logits or log-probabilities).
    y : ndarray of shape (n_samples,)
        Class indices.
    scoring : {"f1_macro", "balanced_accuracy", "accuracy", "f1"}
    start : ndarray of shape (n_classes,), default=None
        The anchor :math:`o^0` the ascent starts from (zeros if None).
    shrinkage : float, default=0.0
        Pseudo-count :math:`k`: class :math:`c`'s offset is pulled back
        toward the anchor, :math:`o_c = o^0_c + \frac{m_c}{m_c + k}(o^*_c -
        o^0_c)` with :math:`m_c` its rows in ``y``, so that classes with few
        rows keep the anchor. The shrunk offsets are kept only if they score
        at least the anchor on these rows.
    sample_weight : ndarray of shape (n_samples,), default=None
    max_rounds : int, default=MAX_ROUNDS

    Returns
    -------
    ndarray of shape (n_classes,)
        Each round visits every class once; the objective never decreases.
        Not centred: the offsets keep the anchor's level, which the
        shrinkage is relative to (a common shift changes no decision).
    """
    L = np.asarray(L, dtype=np.float64)
    n, K = L.shape
    weight = np.ones(n) if sample_weight is None else np.asarray(sample_weight, float)
    true = np.bincount(y, weight, minlength=K)
    anchor = np.zeros(K) if start is None else np.asarray(start, dtype=np.float64)
    offsets = anchor.copy()
    for _ in range(max_rounds):
        moved = False
        for c in range(K):
            value, _ = _sweep(L, offsets, c, y, weight, true, scoring)
            if value != offsets[c]:
                offsets[c], moved = value, True
        if not moved:
            break
    if shrinkage:
        offsets = shrink_toward(anchor, offsets, np.bincount(y, minlength=K), shrinkage)

        def score(o):
            return multiclass_score(y, np.argmax(L + o, axis=1), K, scoring, weight)

        if score(offsets) < score(anchor):
            offsets = anchor
    return offsets


def fit_multiclass_decisions(
    y,
    Z,
    *,
    class_weights,
    priors,
    sample_weight=None,
    calibration="bcts",
    decision="tuned",
    scoring="f1_macro",
    shrinkage=0.0,
):
    """Fit the calibration map and the decision offsets on out-of-fold logits.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Class indices of the held-out rows.
    Z : ndarray of shape (n_samples, n_classes)
        Their out-of-fold logits.
    class_weights : ndarray of shape (n_classes,)
    priors : ndarray of shape (n_classes,)
        Class frequencies of the training target (``"balanced"``'s :math:`\\pi`).
    sample_weight : ndarray of shape (n_samples,), default=None
    calibration : {"bcts", "shift"} or None
    decision : {"tuned", "balanced", "argmax"}
    scoring : {"f1_macro", "balanced_accuracy", "accuracy", "f1"}
    shrinkage : float, default=0.0
        Of the tuned offsets toward logit adjustment (:func:`tune_offsets`).

    Returns
    -------
    MulticlassDecisions
    """
    shift = -np.log(np.asarray(class_weights, dtype=np.float64))
    K = Z.shape[1]
    if calibration == "bcts":
        scale, bias = fit_bcts(Z, y, shift, sample_weight=sample_weight)
    elif calibration == "shift":
        scale, bias = 1.0, shift
    else:
        scale, bias = 1.0, np.zeros(K)
    if decision == "tuned":
        # start from logit adjustment under the analytic shift, on z's scale
        anchor = shift - np.log(priors)
        raw = tune_offsets(
            Z,
            y,
            scoring,
            start=anchor,
            shrinkage=shrinkage,
            sample_weight=sample_weight,
        )
        offsets = scale * raw - bias
    elif decision == "balanced":
        offsets = -np.log(priors)
    else:
        offsets = np.zeros(K)
    return MulticlassDecisions(scale, np.asarray(bias, float), offsets - offsets.mean())


def decide_multiclass(Z, decisions):
    """Calibrated log-probabilities and decided class indices.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_classes)
    decisions : MulticlassDecisions

    Returns
    -------
    log_proba : ndarray of shape (n_samples, n_classes)
    predicted : ndarray of shape (n_samples,), dtype intp
    """
    log_proba = log_softmax(decisions.scale * Z + decisions.bias, axis=1)
    return log_proba, np.argmax(log_proba + decisions.offsets, axis=1)
