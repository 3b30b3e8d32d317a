"""Tests of sk_imbalance._nn.losses."""

import keras
import numpy as np
import pytest

from sk_imbalance import WeightedBinaryCrossentropy, WeightedFocalLoss
from sk_imbalance._nn.losses import HeadwiseLoss, element_weights
from sk_imbalance._nn.multiclass_losses import (
    CategoricalFocalLoss,
    ExpectedCostLoss,
    WeightedCategoricalCrossentropy,
)

Y_TRUE = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], dtype="float32")
LOGITS = np.array([[2.0, -1.0], [0.5, 3.0], [-1.5, 0.2]], dtype="float32")
COST = [[0.0, 1.0, 2.0], [3.0, 0.0, 1.0], [5.0, 4.0, 0.0]]


def _numpy_bce(y, z):
    p = 1 / (1 + np.exp(-z.astype(np.float64)))
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def test_weighted_bce_unweighted_matches_keras():
    """Check that without weights the loss equals Keras's BCE from logits."""
    ours = float(WeightedBinaryCrossentropy()(Y_TRUE, LOGITS))
    reference = float(keras.losses.BinaryCrossentropy(from_logits=True)(Y_TRUE, LOGITS))
    assert ours == pytest.approx(reference, rel=1e-5)


def test_weighted_bce_applies_neg_and_pos_weights():
    """Check that each element is weighted by w_pos where y=1 and w_neg where y=0."""
    weights = np.array([[0.5, 4.0], [2.0, 3.0]])
    element = _numpy_bce(Y_TRUE, LOGITS)
    w = np.where(Y_TRUE == 1, weights[:, 1], weights[:, 0])
    expected = (element * w).mean()
    assert float(WeightedBinaryCrossentropy(weights)(Y_TRUE, LOGITS)) == pytest.approx(
        expected, rel=1e-5
    )


def test_weighted_bce_is_stable_for_large_logits():
    """Check that huge logits give finite losses (computed from logits)."""
    y = np.array([[1.0, 0.0]], dtype="float32")
    z = np.array([[-200.0, 200.0]], dtype="float32")
    value = float(WeightedBinaryCrossentropy()(y, z))
    assert np.isfinite(value) and value == pytest.approx(200.0, rel=1e-4)


def test_focal_loss_formula_and_gamma_zero():
    """Check the focal loss against NumPy, and that gamma=0 gives back BCE."""
    weights = np.array([[1.0, 2.0], [0.5, 1.5]])
    p = 1 / (1 + np.exp(-LOGITS.astype(np.float64)))
    p_t = np.where(Y_TRUE == 1, p, 1 - p)
    w = np.where(Y_TRUE == 1, weights[:, 1], weights[:, 0])
    expected = (w * (1 - p_t) ** 2 * _numpy_bce(Y_TRUE, LOGITS)).mean()
    focal = float(WeightedFocalLoss(weights, gamma=2.0)(Y_TRUE, LOGITS))
    assert focal == pytest.approx(expected, rel=1e-5)
    bce = float(WeightedBinaryCrossentropy(weights)(Y_TRUE, LOGITS))
    assert float(
        WeightedFocalLoss(weights, gamma=0.0)(Y_TRUE, LOGITS)
    ) == pytest.approx(bce, rel=1e-6)


@pytest.mark.parametrize(
    "loss",
    [
        WeightedBinaryCrossentropy([[1.0, 2.0]]),
        WeightedFocalLoss([[1.0, 2.0]], gamma=1.5),
    ],
)
def test_losses_serialise_round_trip(loss):
    """Check that the losses are registered Keras objects that round trip."""
    config = keras.saving.serialize_keras_object(loss)
    restored = keras.saving.deserialize_keras_object(config)
    assert type(restored) is type(loss)
    assert restored.get_config() == loss.get_config()


def test_element_weights_pick_the_class_weight_and_scale_by_sample_weight():
    """Check w_ij = s_i * (w_pos_j if y_ij else w_neg_j)."""
    weights = np.array([[1.0, 4.0], [0.5, 2.0]])
    W = element_weights(Y_TRUE, weights, np.array([1.0, 2.0, 0.0]))
    np.testing.assert_allclose(W, [[4.0, 0.5], [2.0, 4.0], [0.0, 0.0]])
    assert W.dtype == np.float32


@pytest.mark.parametrize(
    "kind, single",
    [("bce", WeightedBinaryCrossentropy), ("focal", WeightedFocalLoss)],
)
def test_headwise_loss_is_the_sum_of_each_heads_weighted_loss(kind, single):
    """Check that k heads' loss is the sum of their separate weighted losses."""
    rng = np.random.default_rng(0)
    label_weights = np.array([[0.6, 3.0], [0.8, 1.5]])
    Y = (rng.random((4, 3, 2)) > 0.5).astype("float32")  # (batch, heads, labels)
    Z = rng.normal(size=(4, 3, 2)).astype("float32")
    W = np.stack([element_weights(Y[:, h], label_weights) for h in range(3)], axis=1)
    packed = np.concatenate([Y, W], axis=-1)
    total = float(HeadwiseLoss(kind, gamma=2.0)(packed, Z))
    separate = sum(float(single(label_weights)(Y[:, h], Z[:, h])) for h in range(3))
    assert total == pytest.approx(separate, rel=1e-5)
    restored = HeadwiseLoss.from_config(HeadwiseLoss(kind, 1.5).get_config())
    assert (restored.kind, restored.gamma) == (kind, 1.5)
    with pytest.raises(ValueError, match="kind="):
        HeadwiseLoss("hinge")


@pytest.mark.parametrize(
    "kind, single",
    [
        ("cross_entropy", lambda w: WeightedCategoricalCrossentropy(w)),
        ("softmax_focal", lambda w: CategoricalFocalLoss(w, gamma=2.0)),
        ("expected_cost", lambda w: ExpectedCostLoss(COST, 0.5, w)),
    ],
)
def test_headwise_softmax_loss_is_the_sum_of_each_heads_class_weighted_loss(
    kind, single
):
    """Check the softmax kinds: row weight from the packed element weights."""
    rng = np.random.default_rng(1)
    class_weights = np.array([0.5, 2.0, 4.0])
    Y = np.eye(3, dtype="float32")[rng.integers(0, 3, size=(4, 2))]  # (4, 2, 3)
    Z = rng.normal(size=(4, 2, 3)).astype("float32")
    packed = np.concatenate([Y, Y * class_weights], axis=-1)
    loss = HeadwiseLoss(
        kind, gamma=2.0, cost=COST if kind == "expected_cost" else None, ce_weight=0.5
    )
    assert loss.link == "softmax"
    separate = sum(float(single(class_weights)(Y[:, h], Z[:, h])) for h in range(2))
    assert float(loss(packed, Z)) == pytest.approx(separate, rel=1e-5)
    restored = HeadwiseLoss.from_config(loss.get_config())
    assert (restored.kind, restored.cost, restored.ce_weight) == (kind, loss.cost, 0.5)


def test_headwise_loss_cost_goes_with_expected_cost_only():
    """Check that a cost matrix without expected_cost (or the reverse) is refused."""
    with pytest.raises(ValueError, match="cost is needed by kind='expected_cost'"):
        HeadwiseLoss("expected_cost")
    with pytest.raises(ValueError, match="cost is needed"):
        HeadwiseLoss("cross_entropy", cost=COST)
    assert HeadwiseLoss("bce").link == "sigmoid"
