"""Tests of sk_imbalance._decisions.calibration."""

import numpy as np
import pytest
from scipy.special import expit, logit

from sk_imbalance._decisions.calibration import (
    apply_calibration,
    fit_platt,
    prior_shift,
)


def _weighted_scores(rng, n, prior, w_pos, w_neg):
    """Logits of the weighted problem's Bayes posterior on 1-D Gaussian data."""
    y = (rng.random(n) < prior).astype(int)
    x = rng.normal(loc=1.5 * y, scale=1.0)
    true_logit = logit(prior) + 1.5 * x - 1.5**2 / 2  # log-odds of N(1.5,1) vs N(0,1)
    return y, true_logit + np.log(w_pos / w_neg), true_logit


def test_prior_shift_is_minus_log_weight_ratio():
    """Check the analytic intercept on a hand-made weight table."""
    weights = np.array([[0.5, 2.0], [1.0, 1.0], [2.0, 0.5]])
    np.testing.assert_allclose(prior_shift(weights), -np.log([4.0, 1.0, 0.25]))


@pytest.mark.parametrize("strength", [np.inf, 10.0, 0.0])
def test_calibration_recovers_a_known_prior_shift(strength):
    """Check that the shifted logits of a weighted problem map back to p.

    The scores are the exact posterior of the weighted problem, logit q =
    logit p + ln(w_pos / w_neg), so the analytic shift is exact and a fitted
    Platt map finds slope 1 and that intercept.
    """
    rng = np.random.default_rng(0)
    prior = 0.05
    w_pos, w_neg = 1 / (2 * prior), 1 / (2 * (1 - prior))  # "balanced"
    y, z, true_logit = _weighted_scores(rng, 40_000, prior, w_pos, w_neg)
    offset = prior_shift(np.array([[w_neg, w_pos]]))
    slope, intercept = fit_platt(z[:, None], y[:, None], offset, strength=strength)
    assert slope[0] == pytest.approx(1.0, abs=0.05)
    assert intercept[0] == pytest.approx(offset[0], abs=0.1)
    p = apply_calibration(z[:, None], slope, intercept)[:, 0]
    np.testing.assert_allclose(p, expit(true_logit), atol=0.02)
    # calibrated: the mean probability matches the positive rate
    assert p.mean() == pytest.approx(y.mean(), abs=0.005)


def test_platt_corrects_over_confidence_the_shift_cannot():
    """Check that the fitted slope shrinks over-confident logits (slope < 1)."""
    rng = np.random.default_rng(1)
    y, _, true_logit = _weighted_scores(rng, 20_000, 0.3, 1.0, 1.0)
    z = 3.0 * true_logit  # three times too confident
    slope, intercept = fit_platt(z[:, None], y[:, None], np.zeros(1), strength=10.0)
    assert slope[0] == pytest.approx(1 / 3, abs=0.03)
    brier_fitted = np.mean(
        (apply_calibration(z[:, None], slope, intercept)[:, 0] - y) ** 2
    )
    brier_raw = np.mean((expit(z) - y) ** 2)
    assert brier_fitted < brier_raw


def test_platt_falls_back_to_the_prior_with_few_positives():
    """Check that a label with two positives stays near the analytic shift."""
    rng = np.random.default_rng(2)
    z = rng.normal(size=(500, 1))
    y = np.zeros((500, 1), dtype=int)
    y[:2] = 1
    offset = np.array([-2.0])
    slope, intercept = fit_platt(z, y, offset, strength=10.0)
    free_slope, free_intercept = fit_platt(z, y, offset, strength=0.0)
    assert abs(intercept[0] - offset[0]) < abs(free_intercept[0] - offset[0])
    assert abs(slope[0] - 1) < abs(free_slope[0] - 1)


def test_platt_is_vectorised_over_labels():
    """Check that fitting labels together equals fitting them one by one."""
    rng = np.random.default_rng(3)
    Z = rng.normal(size=(300, 4)) * 2
    Y = (rng.random((300, 4)) < expit(Z + rng.normal(size=(300, 4)))).astype(int)
    offset = np.array([0.0, -1.0, 0.5, 2.0])
    weight = rng.random(300) + 0.5
    together = fit_platt(Z, Y, offset, sample_weight=weight)
    for j in range(4):
        alone = fit_platt(Z[:, [j]], Y[:, [j]], offset[[j]], sample_weight=weight)
        assert together[0][j] == pytest.approx(alone[0][0], rel=1e-6)
        assert together[1][j] == pytest.approx(alone[1][0], rel=1e-6, abs=1e-9)


def test_platt_keeps_the_map_increasing():
    """Check that anti-correlated scores cannot flip the map's direction."""
    rng = np.random.default_rng(4)
    z = rng.normal(size=(400, 1))
    y = (z < 0).astype(int)  # high score = negative
    slope, _ = fit_platt(z, y, np.zeros(1), strength=0.0)
    assert slope[0] > 0
