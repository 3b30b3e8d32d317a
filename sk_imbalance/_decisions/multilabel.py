r"""From out-of-fold scores to decisions: calibration, thresholds, objective.

One place decides what ``predict`` does, for the estimator's ``fit`` and for
the monitor that chooses the epoch, so both optimise the same objective:

1. **Calibration** (:mod:`.calibration`): a per-label map from the
   network's logit to a probability, fitted on the out-of-fold logits.
2. **Thresholds**, on the calibrated scale, for the objective ``scoring``
   names:

   - ``"f1_macro"`` / ``"fbeta_macro"``: one threshold per label, by the rule
     of :func:`.thresholds.tune_thresholds`, run on the network's own
     (weighted) scale and anchored at its 0.5, then carried through the
     calibration map (a monotone map per label, so the decisions are the
     same);
   - ``"f1_micro"`` / ``"fbeta_micro"``: one common cut-off on the calibrated
     probabilities, optimal for the pooled F-beta;
   - ``"f1_samples"`` / ``"fbeta_samples"``: one common cut-off, optimal for
     the mean per-row F-beta;
   - ``"precision_at_k"``: with ``threshold="top_k"``, no threshold at all.

3. **The objective** of those decisions on the same scores
   (:func:`decision_score`), which the epoch monitor maximises.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import expit, logit

from .calibration import PRIOR_STRENGTH, apply_calibration, fit_platt, prior_shift
from .scores import combine_weights, fbeta_average, precision_at_k
from .thresholds import (
    MAX_ANCHOR_RATIO,
    MAX_PREDICTED_RATIO,
    MIN_POSITIVES,
    SHRINKAGE,
    apply_thresholds,
    global_threshold,
    top_k_predict,
    tune_thresholds,
)

__all__ = [
    "SCORINGS",
    "Decisions",
    "calibration_matters",
    "parse_scoring",
    "to_logits",
    "fit_decisions",
    "decide",
    "decision_score",
    "decision_scorer",
]

#: The objectives ``scoring`` may name: (average, whether ``beta`` applies).
SCORINGS = {
    "f1_macro": ("macro", False),
    "f1_micro": ("micro", False),
    "f1_samples": ("samples", False),
    "fbeta_macro": ("macro", True),
    "fbeta_micro": ("micro", True),
    "fbeta_samples": ("samples", True),
    "precision_at_k": ("precision_at_k", False),
}

# Probabilities are kept strictly inside (0, 1) even where the sigmoid rounds.
_EPS = np.finfo(np.float64).eps


@dataclass
class Decisions:
    """What ``predict`` needs, fitted on out-of-fold scores.

    Attributes
    ----------
    slope, intercept : ndarray of shape (n_labels,)
        Calibration map :math:`\\sigma(a z + b)` of the network's logit.
    thresholds : ndarray of shape (n_labels,) or None
        Cut-offs on the calibrated scale; None for top-k.
    status : ndarray of shape (n_labels,), dtype object
        Why each label has its threshold (see :func:`fit_decisions`).
    """

    slope: np.ndarray
    intercept: np.ndarray
    thresholds: np.ndarray | None
    status: np.ndarray


def calibration_matters(threshold, scoring):
    """Whether the decisions depend on the calibration map.

    Per-label thresholds tuned for the macro average are found on the
    network's own scale and carried through each label's monotone map, so
    they make the same decisions whatever the map; every other rule (a fixed
    cut-off, one common cut-off, top-k across labels) cuts the calibrated
    probabilities. The epoch monitor skips fitting the map when it does not
    matter: a Platt fit per epoch (measured in the docs: results, studies,
    *Implementation choices timed*).
    """
    tuned = isinstance(threshold, str) and threshold == "tuned"
    return not (tuned and SCORINGS[scoring][0] == "macro")


def parse_scoring(scoring, beta):
    """``(average, beta)`` of a ``scoring`` name; ``beta`` is 1 for "f1_*"."""
    average, uses_beta = SCORINGS[scoring]
    return average, (float(beta) if uses_beta else 1.0)


def to_logits(P):
    """Logits of probabilities, clipped away from 0 and 1."""
    return logit(np.clip(np.asarray(P, dtype=np.float64), _EPS, 1.0 - _EPS))


def calibration_map(Z, Y, label_weights, sample_weight, calibration):
    """``(slope, intercept)`` of the calibration named ``calibration``."""
    n_labels = Y.shape[1]
    if calibration is None:
        return np.ones(n_labels), np.zeros(n_labels)
    offset = prior_shift(label_weights)
    if calibration == "shift":
        return np.ones(n_labels), offset
    slope, intercept = fit_platt(
        Z, Y, offset, strength=PRIOR_STRENGTH, sample_weight=sample_weight
    )
    # a label whose fit failed numerically keeps the analytic shift
    failed = ~(np.isfinite(slope) & np.isfinite(intercept))
    slope[failed], intercept[failed] = 1.0, offset[failed]
    return slope, intercept


def fit_decisions(
    Y,
    Z,
    *,
    label_weights,
    sample_weight=None,
    calibration="platt",
    threshold="tuned",
    scoring="f1_macro",
    beta=1.0,
    min_positives=MIN_POSITIVES,
    shrinkage=SHRINKAGE,
    max_predicted_ratio=MAX_PREDICTED_RATIO,
    max_anchor_ratio=MAX_ANCHOR_RATIO,
):
    """Fit the calibration and the thresholds on out-of-fold logits.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_labels)
        Held-out 0/1 truth.
    Z : ndarray of shape (n_samples, n_labels)
        Held-out logits of the network (weighted scale).
    label_weights : ndarray of shape (n_labels, 2)
    sample_weight : ndarray of shape (n_samples,), default=None
    calibration : {"platt", "shift", None}
    threshold : "tuned", "top_k", float or ndarray
        The rule's form; a float or array is a fixed cut-off of the
        calibrated probabilities.
    scoring : str
        A key of :data:`SCORINGS`.
    beta : float
    min_positives, shrinkage, max_predicted_ratio, max_anchor_ratio
        Constants of the per-label rule (:func:`.thresholds.tune_thresholds`).

    Returns
    -------
    Decisions
        ``status`` per label: ``"tuned"``, ``"few_positives"``,
        ``"no_negative"``, ``"no_gain"`` (per-label rule); ``"global"``
        (micro or per-row objective); ``"fixed"``; ``"top_k"``.
    """
    slope, intercept = calibration_map(Z, Y, label_weights, sample_weight, calibration)
    n_labels = Y.shape[1]
    average, beta = parse_scoring(scoring, beta)
    if isinstance(threshold, str) and threshold == "top_k":
        return Decisions(slope, intercept, None, np.full(n_labels, "top_k", object))
    if not isinstance(threshold, str):
        fixed = np.broadcast_to(np.asarray(threshold, np.float64), (n_labels,)).copy()
        return Decisions(slope, intercept, fixed, np.full(n_labels, "fixed", object))
    if average == "macro":
        raw, status = tune_thresholds(
            Y,
            expit(Z),
            beta,
            sample_weight,
            min_positives=min_positives,
            shrinkage=shrinkage,
            max_predicted_ratio=max_predicted_ratio,
            max_anchor_ratio=max_anchor_ratio,
            return_status=True,
        )
        thresholds = apply_calibration(to_logits(raw)[np.newaxis, :], slope, intercept)
        return Decisions(slope, intercept, thresholds[0], status)
    calibrated = apply_calibration(Z, slope, intercept)
    cut, _ = global_threshold(Y, calibrated, beta, sample_weight, average)
    return Decisions(
        slope, intercept, np.full(n_labels, cut), np.full(n_labels, "global", object)
    )


def decide(Z, decisions, top_k=1):
    """Calibrated probabilities and 0/1 decisions from logits.

    Returns
    -------
    proba : ndarray of shape (n_samples, n_labels)
    indicator : ndarray of shape (n_samples, n_labels), dtype int64
    """
    proba = np.clip(
        apply_calibration(Z, decisions.slope, decisions.intercept), _EPS, 1.0 - _EPS
    )
    if decisions.thresholds is None:
        return proba, top_k_predict(proba, top_k)
    return proba, apply_thresholds(proba, decisions.thresholds)


def decision_score(Y, Z, decisions, *, scoring, beta=1.0, top_k=1, sample_weight=None):
    """The objective ``scoring`` names, of the decisions on logits ``Z``."""
    return decision_scorer(
        Y, Z, decisions, scoring=scoring, beta=beta, top_k=top_k,
        sample_weight=sample_weight,
    )()  # fmt: skip


def decision_scorer(Y, Z, decisions, *, scoring, beta=1.0, top_k=1, sample_weight=None):
    """:func:`decision_score` as a function of extra row weights.

    The decisions are applied to ``Z`` once; the returned ``at(row_weight)``
    scores them with ``sample_weight * row_weight`` (``at()``: with
    ``sample_weight`` alone, :func:`decision_score`). Bootstrap counts as
    ``row_weight`` resample the rows with the decisions held fixed
    (:func:`.selection.paired_bootstrap_se`).

    Returns
    -------
    callable
        ``at(row_weight=None) -> float``.
    """
    proba, indicator = decide(Z, decisions, top_k)
    average, beta = parse_scoring(scoring, beta)

    def at(row_weight=None):
        weight = combine_weights(sample_weight, row_weight)
        if average == "precision_at_k":
            return precision_at_k(Y, proba, top_k, weight)
        return fbeta_average(Y, indicator, beta, average, weight)

    return at
