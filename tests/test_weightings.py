"""Tests of sk_imbalance._decisions.weightings: candidates' logits on one scale."""

import numpy as np
import pytest
from scipy.special import expit, logit
from sklearn.linear_model import LogisticRegression

from sk_imbalance._decisions.calibration import prior_shift
from sk_imbalance._decisions.weightings import distinct, logit_shift, scale_offsets


def test_logit_shift_is_the_prior_shift_with_its_sign_turned():
    weights = np.array([[0.6, 3.0], [1.0, 1.0], [2.0, 0.5]])
    np.testing.assert_allclose(logit_shift(weights), -prior_shift(weights))
    np.testing.assert_allclose(logit_shift(weights)[1], 0.0)


def test_softmax_shift_is_the_log_class_weight():
    np.testing.assert_allclose(
        logit_shift(np.array([0.5, 1.0, 4.0]), "softmax"), np.log([0.5, 1.0, 4.0])
    )


def test_offsets_move_a_weighted_fit_onto_the_reference_scale():
    """A weighted and an unweighted logistic fit agree once moved by the offsets.

    The weighted cross-entropy's minimiser is the unweighted log-odds plus
    ln(w1 / w0): on a well-specified logistic model the two fits' logits
    differ by that shift (up to sampling), so the unweighted fit moved onto
    the weighted scale scores rows as the weighted fit does.
    """
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20000, 1))
    y = (rng.random(20000) < expit(2.0 * X[:, 0] - 3.0)).astype(int)
    w1 = 8.0
    plain = LogisticRegression(C=1e6).fit(X, y)
    weighted = LogisticRegression(C=1e6, class_weight={0: 1.0, 1: w1}).fit(X, y)
    none, balanced = np.ones((1, 2)), np.array([[1.0, w1]])
    offsets = scale_offsets([none, balanced], reference=balanced)
    np.testing.assert_array_equal(offsets[1], 0.0)
    np.testing.assert_allclose(offsets[0], np.log(w1))
    moved = plain.decision_function(X) + offsets[0, 0]
    gap = np.abs(moved - weighted.decision_function(X))
    assert np.quantile(gap, 0.99) < 0.15
    # and the unmoved logits do not agree
    assert np.median(np.abs(plain.decision_function(X) - moved)) > 2.0


def test_a_candidate_under_the_reference_is_not_moved_even_by_rounding():
    reference = np.array([[0.51, 24.7], [0.7, 1.9]])
    offsets = scale_offsets([reference.copy(), np.ones((2, 2))], reference)
    assert np.all(offsets[0] == 0.0)
    np.testing.assert_allclose(offsets[1], np.log(reference[:, 1] / reference[:, 0]))


@pytest.mark.parametrize("link", ["sigmoid", "softmax"])
def test_moving_there_and_back_is_the_identity(link):
    a = (
        np.array([[0.6, 3.0], [1.0, 2.0]])
        if link == "sigmoid"
        else np.array([2.0, 1, 1])
    )
    b = np.ones_like(a)
    there = scale_offsets([a], reference=b, link=link)[0]
    back = scale_offsets([b], reference=a, link=link)[0]
    np.testing.assert_allclose(there + back, 0.0, atol=1e-12)
    p = np.array([0.1, 0.7])
    if link == "sigmoid":  # probabilities round-trip through the two shifts
        np.testing.assert_allclose(expit(logit(p) + there + back), p)


def test_distinct_groups_equal_weightings_in_order_of_appearance():
    a, b = np.array([[1.0, 2.0]]), np.ones((1, 2))
    unique, index = distinct([a, b, a.copy(), b])
    assert len(unique) == 2
    np.testing.assert_array_equal(unique[0], a)
    np.testing.assert_array_equal(index, [0, 1, 0, 1])
