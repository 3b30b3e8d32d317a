r"""Class-weighted softmax losses computed from logits (groundwork for issue 9).

For a 1-D target with :math:`K` classes, the network outputs logits
:math:`z \in \mathbb{R}^K`, :math:`p = \operatorname{softmax}(z)`, and the
target is one-hot :math:`y`. Every loss is computed from the logits with
``log_softmax``, so it is stable for any :math:`z`, and written with
``keras.ops`` only (every Keras backend):

- weighted cross-entropy, :math:`w_{c(y)} \cdot (-\log p_{c(y)})`;
- focal loss (Lin et al. 2017), :math:`w_{c(y)} (1 - p_{c(y)})^\gamma
  (-\log p_{c(y)})`;
- expected cost, :math:`\sum_k p_k\, C_{c(y), k}` for a cost matrix :math:`C`
  indexed by (true class, predicted class). This is the differentiable form of
  a cost matrix applied to the argmax, which has no gradient: its gradient is
  :math:`\partial / \partial z_j = p_j (C_{c(y), j} - \sum_k p_k C_{c(y), k})`.
  With :math:`C = 1 - I` it is the expected error rate; it is bounded, so it
  is usually combined with the cross-entropy (``ce_weight``).

The Keras ``Loss`` classes take a one-hot ``y_true``, as
``keras.losses.CategoricalCrossentropy`` does.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

__all__ = [
    "softmax_cross_entropy",
    "softmax_focal",
    "expected_cost",
    "expected_cost_with_cross_entropy",
    "WeightedCategoricalCrossentropy",
    "CategoricalFocalLoss",
    "ExpectedCostLoss",
]


def softmax_cross_entropy(y_true, logits):
    r"""Row-wise :math:`-\sum_k y_k \log \operatorname{softmax}(z)_k`."""
    return -ops.sum(y_true * ops.log_softmax(logits, axis=-1), axis=-1)


def softmax_focal(y_true, logits, gamma):
    r"""Row-wise focal loss :math:`-(1 - p_t)^\gamma \log p_t` from logits."""
    log_p = ops.log_softmax(logits, axis=-1)
    log_p_t = ops.sum(y_true * log_p, axis=-1)
    return -ops.power(1.0 - ops.exp(log_p_t), gamma) * log_p_t


def expected_cost(y_true, logits, cost):
    r"""Row-wise expected cost :math:`\sum_k p_k C_{c(y), k}`."""
    probability = ops.softmax(logits, axis=-1)
    row_costs = ops.matmul(y_true, ops.convert_to_tensor(cost, dtype=logits.dtype))
    return ops.sum(probability * row_costs, axis=-1)


def expected_cost_with_cross_entropy(y_true, logits, cost, ce_weight):
    r"""Row-wise expected cost plus ``ce_weight`` times the cross-entropy."""
    loss = expected_cost(y_true, logits, cost)
    if ce_weight:
        loss = loss + ce_weight * softmax_cross_entropy(y_true, logits)
    return loss


class _ClassWeightedLoss(keras.losses.Loss):
    """Holds one weight per class; a row is weighted by its true class's."""

    def __init__(
        self, class_weights=None, name=None, reduction="sum_over_batch_size", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.class_weights = (
            None
            if class_weights is None
            else np.asarray(class_weights, dtype=np.float64).tolist()
        )

    def _row_weights(self, y_true):
        if self.class_weights is None:
            return ops.ones_like(y_true[..., 0])
        weights = ops.convert_to_tensor(self.class_weights, dtype=y_true.dtype)
        return ops.sum(y_true * weights, axis=-1)

    def _row_loss(self, y_true, logits):
        raise NotImplementedError

    def call(self, y_true, y_pred):
        logits = ops.convert_to_tensor(y_pred)
        y_true = ops.cast(y_true, logits.dtype)
        return self._row_loss(y_true, logits) * self._row_weights(y_true)

    def get_config(self):
        return {**super().get_config(), "class_weights": self.class_weights}


@keras.saving.register_keras_serializable(package="sk_imbalance")
class WeightedCategoricalCrossentropy(_ClassWeightedLoss):
    """Softmax cross-entropy from logits, each row weighted by its class."""

    def __init__(
        self, class_weights=None, name="weighted_categorical_crossentropy", **kw
    ):
        super().__init__(class_weights, name=name, **kw)

    def _row_loss(self, y_true, logits):
        return softmax_cross_entropy(y_true, logits)


@keras.saving.register_keras_serializable(package="sk_imbalance")
class CategoricalFocalLoss(_ClassWeightedLoss):
    """Softmax focal loss from logits (Lin et al. 2017), class-weighted."""

    def __init__(self, class_weights=None, gamma=2.0, name="categorical_focal", **kw):
        super().__init__(class_weights, name=name, **kw)
        self.gamma = float(gamma)

    def _row_loss(self, y_true, logits):
        return softmax_focal(y_true, logits, self.gamma)

    def get_config(self):
        return {**super().get_config(), "gamma": self.gamma}


@keras.saving.register_keras_serializable(package="sk_imbalance")
class ExpectedCostLoss(_ClassWeightedLoss):
    r"""Expected misclassification cost, plus ``ce_weight`` times cross-entropy.

    Parameters
    ----------
    cost : array-like of shape (n_classes, n_classes)
        ``cost[i, j]``: the cost of predicting class ``j`` for a row of class
        ``i``; finite and non-negative.
    ce_weight : float, default=1.0
        Weight of the cross-entropy added to the bounded expected cost, which
        alone has vanishing gradients for confident mistakes.
    class_weights : array-like of shape (n_classes,), default=None
    """

    def __init__(
        self, cost, ce_weight=1.0, class_weights=None, name="expected_cost", **kw
    ):
        super().__init__(class_weights, name=name, **kw)
        cost = np.asarray(cost, dtype=np.float64)
        if cost.ndim != 2 or cost.shape[0] != cost.shape[1]:
            raise ValueError(
                f"cost must be a square (n_classes, n_classes) matrix; got shape "
                f"{cost.shape}."
            )
        if not np.all(np.isfinite(cost)) or np.any(cost < 0):
            raise ValueError("cost must hold finite, non-negative values.")
        self.cost = cost.tolist()
        self.ce_weight = float(ce_weight)

    def _row_loss(self, y_true, logits):
        return expected_cost_with_cross_entropy(
            y_true, logits, self.cost, self.ce_weight
        )

    def get_config(self):
        return {**super().get_config(), "cost": self.cost, "ce_weight": self.ce_weight}
