r"""Calibrated probabilities from a network trained on a weighted loss.

A sigmoid output trained on binary cross-entropy with weight :math:`w_+` on
the positives and :math:`w_-` on the negatives estimates the odds of the
*weighted* problem: at the optimum

.. math:: \operatorname{logit} q = \operatorname{logit} p + \ln(w_+ / w_-),

where :math:`p` is the probability of a positive (King & Zeng 2001, Elkan
2001). With ``class_weight="balanced"`` the network's 0.5 is therefore the
label's prior, not an even chance, and its probabilities lean toward the
positives. Two maps undo this, per label, on the network's logit :math:`z`:

- the **analytic shift** :math:`p = \sigma(z - \ln(w_+/w_-))`;
- a **Platt map** :math:`p = \sigma(a z + b)` (Platt 1999) fitted on the
  out-of-fold logits by penalised maximum likelihood, the penalty pulling
  :math:`(a, b)` toward the analytic shift :math:`(1, -\ln(w_+/w_-))`:

  .. math:: \min_{a, b} \sum_i s_i \left[\log(1 + e^{a z_i + b}) - y_i (a z_i
     + b)\right] + \frac{\lambda}{2}\left[(a - 1)^2 + (b - b_0)^2\right]

  With many positives the data decide (the map also corrects the
  over-confidence of an over-fitted network, and the focal loss, whose
  shift has no closed form that depends on the weights alone); with few,
  the prior does.

The maps are monotone in :math:`z` for :math:`a > 0`, so per-label decisions
found on either scale are the same decisions.

References
----------
G. King and L. Zeng, "Logistic Regression in Rare Events Data", Political
Analysis 9(2), 2001. C. Elkan, "The Foundations of Cost-Sensitive Learning",
IJCAI 2001. J. Platt, "Probabilistic Outputs for Support Vector Machines and
Comparisons to Regularized Likelihood Methods", 1999.
"""

from __future__ import annotations

import numpy as np
from scipy.special import expit, log_expit

__all__ = ["PRIOR_STRENGTH", "prior_shift", "fit_platt", "apply_calibration"]

#: Penalty :math:`\lambda` of the Platt map, in units of one row's curvature at
#: p = 1/2 times four (a pseudo-count of rows).
PRIOR_STRENGTH = 10.0
#: Slopes are kept at least this large, so the map stays increasing.
_MIN_SLOPE = 1e-3


def prior_shift(label_weights):
    r"""Intercept of the analytic shift, :math:`-\ln(w_+ / w_-)` per label.

    Parameters
    ----------
    label_weights : ndarray of shape (n_labels, 2)
        ``[w_neg, w_pos]`` per label, as ``label_weights_``.

    Returns
    -------
    ndarray of shape (n_labels,)
    """
    label_weights = np.asarray(label_weights, dtype=np.float64)
    return -np.log(label_weights[:, 1] / label_weights[:, 0])


def _penalised_nll(Z, Y, weight, slope, intercept, offset, strength):
    """Objective of :func:`fit_platt` per label."""
    S = Z * slope + intercept
    nll = weight @ (-(Y * log_expit(S) + (1 - Y) * log_expit(-S)))
    penalty = 0.5 * strength * ((slope - 1.0) ** 2 + (intercept - offset) ** 2)
    return nll + penalty


def fit_platt(
    Z, Y, offset, *, strength=PRIOR_STRENGTH, sample_weight=None, max_iter=50
):
    r"""Per-label Platt maps pulled toward the analytic shift.

    Damped Newton steps on the objective in the module docstring, all labels at
    once: each step solves every label's 2 x 2 system in closed form and halves
    the step of a label whose objective would rise.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_labels)
        Out-of-fold logits.
    Y : ndarray of shape (n_samples, n_labels)
        0/1 truth.
    offset : ndarray of shape (n_labels,)
        :math:`b_0`, the analytic shift's intercept (:func:`prior_shift`).
    strength : float, default=PRIOR_STRENGTH
        :math:`\lambda`; ``np.inf`` returns the analytic shift itself.
    sample_weight : ndarray of shape (n_samples,), default=None
    max_iter : int, default=50

    Returns
    -------
    slope, intercept : ndarray of shape (n_labels,)
    """
    offset = np.asarray(offset, dtype=np.float64)
    slope = np.ones_like(offset)
    intercept = offset.copy()
    if np.isinf(strength) or Z.shape[0] == 0:
        return slope, intercept
    Z = np.asarray(Z, dtype=np.float64)
    Y = (np.asarray(Y) > 0).astype(np.float64)
    weight = (
        np.ones(Z.shape[0])
        if sample_weight is None
        else np.asarray(sample_weight, dtype=np.float64)
    )
    # curvature of log(1 + e^s) is at most 1/4: lambda rows' worth is lambda/4
    ridge = strength / 4.0
    objective = _penalised_nll(Z, Y, weight, slope, intercept, offset, ridge)
    for _ in range(max_iter):
        P = expit(Z * slope + intercept)
        residual = P - Y
        curvature = P * (1.0 - P)
        g_a = weight @ (residual * Z) + ridge * (slope - 1.0)
        g_b = weight @ residual + ridge * (intercept - offset)
        h_aa = weight @ (curvature * Z * Z) + ridge
        h_ab = weight @ (curvature * Z)
        h_bb = weight @ curvature + ridge
        determinant = h_aa * h_bb - h_ab**2
        step_a = (h_bb * g_a - h_ab * g_b) / determinant
        step_b = (h_aa * g_b - h_ab * g_a) / determinant
        scale = np.ones_like(slope)
        for _ in range(20):
            trial_a = np.maximum(slope - scale * step_a, _MIN_SLOPE)
            trial_b = intercept - scale * step_b
            trial = _penalised_nll(Z, Y, weight, trial_a, trial_b, offset, ridge)
            worse = trial > objective + 1e-12 * np.abs(objective)
            if not worse.any():
                break
            scale = np.where(worse, scale / 2.0, scale)
        accepted = ~worse
        slope = np.where(accepted, trial_a, slope)
        intercept = np.where(accepted, trial_b, intercept)
        improvement = objective - np.where(accepted, trial, objective)
        objective = np.where(accepted, trial, objective)
        if np.all(improvement <= 1e-10 * (1.0 + np.abs(objective))):
            break
    return slope, intercept


def apply_calibration(Z, slope, intercept):
    """Calibrated probabilities :math:`\\sigma(a z + b)`, label by label.

    Parameters
    ----------
    Z : ndarray of shape (n_samples, n_labels)
        Logits.
    slope, intercept : ndarray of shape (n_labels,)

    Returns
    -------
    ndarray of shape (n_samples, n_labels)
    """
    return expit(np.asarray(Z, dtype=np.float64) * slope + intercept)
