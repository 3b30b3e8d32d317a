"""Tests of sk_imbalance._nn.multiclass_losses against NumPy references."""

import keras
import numpy as np
import pytest

from sk_imbalance._nn.multiclass_losses import (
    CategoricalFocalLoss,
    ExpectedCostLoss,
    WeightedCategoricalCrossentropy,
    expected_cost,
)

RNG = np.random.default_rng(0)
LOGITS = (RNG.normal(size=(16, 4)) * 3).astype("float32")
Y = np.eye(4, dtype="float32")[RNG.integers(0, 4, 16)]
CLASS_WEIGHTS = np.array([0.5, 1.0, 2.0, 4.0])
COST = np.array(
    [[0, 1, 2, 4], [1, 0, 1, 2], [5, 1, 0, 1], [10, 5, 1, 0]], dtype=np.float64
)


def _softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def _row_weights():
    return Y @ CLASS_WEIGHTS


def _numpy_ce(z):
    return -np.sum(Y * np.log(_softmax(z.astype(np.float64))), axis=1)


def test_weighted_cross_entropy_matches_numpy():
    """Check the class-weighted softmax cross-entropy against NumPy."""
    ours = float(WeightedCategoricalCrossentropy(CLASS_WEIGHTS)(Y, LOGITS))
    assert ours == pytest.approx(np.mean(_numpy_ce(LOGITS) * _row_weights()), rel=1e-5)


def test_unweighted_cross_entropy_matches_keras():
    """Check it equals Keras's CategoricalCrossentropy(from_logits=True)."""
    keras_ce = keras.losses.CategoricalCrossentropy(from_logits=True)
    ours = float(WeightedCategoricalCrossentropy()(Y, LOGITS))
    assert ours == pytest.approx(float(keras_ce(Y, LOGITS)), rel=1e-5)


@pytest.mark.parametrize("gamma", [0.0, 1.0, 2.0])
def test_focal_matches_numpy(gamma):
    """Check the focal loss against NumPy; gamma=0 is the cross-entropy."""
    p_t = np.sum(Y * _softmax(LOGITS.astype(np.float64)), axis=1)
    expected = np.mean((1 - p_t) ** gamma * -np.log(p_t) * _row_weights())
    ours = float(CategoricalFocalLoss(CLASS_WEIGHTS, gamma=gamma)(Y, LOGITS))
    assert ours == pytest.approx(expected, rel=1e-4)


@pytest.mark.parametrize("ce_weight", [0.0, 0.5])
def test_expected_cost_matches_numpy(ce_weight):
    """Check sum_k p_k C[y, k] (+ ce_weight x CE) against NumPy."""
    p = _softmax(LOGITS.astype(np.float64))
    expected = np.sum(p * (Y @ COST), axis=1) + ce_weight * _numpy_ce(LOGITS)
    ours = float(ExpectedCostLoss(COST, ce_weight=ce_weight)(Y, LOGITS))
    assert ours == pytest.approx(np.mean(expected), rel=1e-5)


def test_expected_cost_gradient_matches_the_formula():
    """Check d/dz_j = p_j (C[y, j] - sum_k p_k C[y, k]) by central differences."""
    z = LOGITS[:1].astype(np.float64)
    y = Y[:1].astype(np.float64)

    def value(logits):
        return float(keras.ops.convert_to_numpy(expected_cost(y, logits, COST))[0])

    p = _softmax(z)[0]
    row_cost = (y @ COST)[0]
    analytic = p * (row_cost - p @ row_cost)
    step = 1e-6
    numeric = np.array(
        [
            (value(z + step * np.eye(4)[j]) - value(z - step * np.eye(4)[j]))
            / (2 * step)
            for j in range(4)
        ]
    )
    np.testing.assert_allclose(numeric, analytic, rtol=1e-4, atol=1e-8)


def test_losses_are_stable_for_huge_logits():
    """Check finite values for logits of +-1e4."""
    z = np.array([[1e4, -1e4, 0.0, 0.0]], dtype="float32")
    y = np.eye(4, dtype="float32")[[1]]
    for loss in (
        WeightedCategoricalCrossentropy(),
        CategoricalFocalLoss(),
        ExpectedCostLoss(COST),
    ):
        assert np.isfinite(float(loss(y, z)))


@pytest.mark.parametrize(
    "cost, message",
    [(np.ones((2, 3)), "square"), (-np.ones((2, 2)), "non-negative")],
)
def test_expected_cost_rejects_bad_matrices(cost, message):
    """Check the named errors for a non-square or negative cost matrix."""
    with pytest.raises(ValueError, match=message):
        ExpectedCostLoss(cost)


def test_losses_round_trip_their_config():
    """Check get_config / from_config for all three losses."""
    for loss in (
        WeightedCategoricalCrossentropy(CLASS_WEIGHTS),
        CategoricalFocalLoss(CLASS_WEIGHTS, gamma=1.5),
        ExpectedCostLoss(COST, ce_weight=0.25, class_weights=CLASS_WEIGHTS),
    ):
        again = type(loss).from_config(loss.get_config())
        assert float(again(Y, LOGITS)) == pytest.approx(float(loss(Y, LOGITS)))
