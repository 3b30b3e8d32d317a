"""Per-label weighted losses computed from logits.

Both losses take the network's *logits* ``z`` (no sigmoid on the last layer),
which keeps them numerically stable for any ``z``. They are written with
``keras.ops`` only, so they run on every Keras backend, and they are
registered as serialisable Keras objects.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from .multiclass_losses import (
    expected_cost_with_cross_entropy,
    softmax_cross_entropy,
    softmax_focal,
)

__all__ = [
    "WeightedBinaryCrossentropy",
    "WeightedFocalLoss",
    "HeadwiseLoss",
    "element_weights",
]


def _stable_bce_from_logits(y_true, logits):
    r"""Element-wise binary cross-entropy computed from logits.

    .. math:: \ell(y, z) = \max(z, 0) - z\,y + \log\left(1 + e^{-|z|}\right)

    which equals :math:`-y \log\sigma(z) - (1-y)\log(1-\sigma(z))` without
    overflowing for large :math:`|z|`.
    """
    return ops.relu(logits) - logits * y_true + ops.log1p(ops.exp(-ops.abs(logits)))


def _focal_from_logits(y_true, logits, gamma):
    r"""Element-wise focal loss :math:`(1 - p_t)^\gamma \ell(y, z)` from logits."""
    probability = ops.sigmoid(logits)
    p_t = y_true * probability + (1.0 - y_true) * (1.0 - probability)
    return ops.power(1.0 - p_t, gamma) * _stable_bce_from_logits(y_true, logits)


class _LabelWeightedLoss(keras.losses.Loss):
    """Base class: holds ``[w_neg, w_pos]`` per label and averages over labels."""

    def __init__(
        self, label_weights=None, name=None, reduction="sum_over_batch_size", dtype=None
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.label_weights = (
            None
            if label_weights is None
            else np.asarray(label_weights, dtype=np.float64).tolist()
        )

    def _element_weights(self, y_true):
        """Weight of each element: ``w_pos`` where y=1, ``w_neg`` where y=0."""
        if self.label_weights is None:
            return ops.ones_like(y_true)
        weights = ops.convert_to_tensor(self.label_weights, dtype=y_true.dtype)
        return y_true * weights[:, 1] + (1.0 - y_true) * weights[:, 0]

    def _element_loss(self, y_true, logits):
        raise NotImplementedError

    def call(self, y_true, y_pred):
        logits = ops.convert_to_tensor(y_pred)
        y_true = ops.cast(y_true, logits.dtype)
        loss = self._element_loss(y_true, logits) * self._element_weights(y_true)
        return ops.mean(loss, axis=-1)

    def get_config(self):
        config = super().get_config()
        config["label_weights"] = self.label_weights
        return config


@keras.saving.register_keras_serializable(package="sk_imbalance")
class WeightedBinaryCrossentropy(_LabelWeightedLoss):
    r"""Binary cross-entropy with a weight per label and class, from logits.

    For a row with labels :math:`y_j` and logits :math:`z_j`,

    .. math:: L = \frac{1}{m} \sum_{j=1}^{m}
        \left[y_j\, w^{+}_j + (1 - y_j)\, w^{-}_j\right] \ell(y_j, z_j)

    where :math:`\ell` is the binary cross-entropy computed stably from the
    logit and :math:`m` the number of labels.

    Parameters
    ----------
    label_weights : array-like of shape (n_labels, 2), default=None
        ``[w_neg, w_pos]`` per label; None means all ones (plain BCE).
    name : str, default="weighted_binary_crossentropy"
    reduction : str, default="sum_over_batch_size"
    dtype : str, default=None
    """

    def __init__(
        self,
        label_weights=None,
        name="weighted_binary_crossentropy",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(label_weights, name=name, reduction=reduction, dtype=dtype)

    def _element_loss(self, y_true, logits):
        return _stable_bce_from_logits(y_true, logits)


@keras.saving.register_keras_serializable(package="sk_imbalance")
class WeightedFocalLoss(_LabelWeightedLoss):
    r"""Focal loss (Lin et al., 2017) with a weight per label and class, from logits.

    With :math:`p_j = \sigma(z_j)` and :math:`p_{t,j} = y_j p_j + (1-y_j)(1-p_j)`,

    .. math:: L = \frac{1}{m} \sum_{j=1}^{m}
        \left[y_j\, w^{+}_j + (1 - y_j)\, w^{-}_j\right]
        (1 - p_{t,j})^{\gamma}\, \ell(y_j, z_j)

    The label weights play the role of the paper's :math:`\alpha_t`;
    :math:`\gamma = 0` gives back :class:`WeightedBinaryCrossentropy`.

    Parameters
    ----------
    label_weights : array-like of shape (n_labels, 2), default=None
    gamma : float, default=2.0
        Focusing parameter; larger values down-weight easy examples more.
    name : str, default="weighted_focal_loss"
    reduction : str, default="sum_over_batch_size"
    dtype : str, default=None

    References
    ----------
    T.-Y. Lin, P. Goyal, R. Girshick, K. He and P. Dollár, "Focal Loss for Dense
    Object Detection", ICCV 2017.
    """

    def __init__(
        self,
        label_weights=None,
        gamma=2.0,
        name="weighted_focal_loss",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(label_weights, name=name, reduction=reduction, dtype=dtype)
        self.gamma = float(gamma)

    def _element_loss(self, y_true, logits):
        return _focal_from_logits(y_true, logits, self.gamma)

    def get_config(self):
        config = super().get_config()
        config["gamma"] = self.gamma
        return config


#: Names accepted by the estimator's ``loss`` parameter.
LOSSES = {"bce": WeightedBinaryCrossentropy, "focal": WeightedFocalLoss}


def element_weights(Y, label_weights, sample_weight=None):
    r"""The weight of every element of ``Y`` in the loss.

    .. math:: w_{ij} = s_i \left[y_{ij} w^{+}_j + (1 - y_{ij}) w^{-}_j\right]

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_labels)
        0/1 targets.
    label_weights : ndarray of shape (n_labels, 2)
        ``[w_neg, w_pos]`` per label.
    sample_weight : ndarray of shape (n_samples,) or None

    Returns
    -------
    ndarray of shape (n_samples, n_labels), dtype float32
    """
    W = np.where(Y > 0, label_weights[:, 1], label_weights[:, 0])
    if sample_weight is not None:
        W = W * np.asarray(sample_weight)[:, np.newaxis]
    with np.errstate(over="ignore"):  # the caller refuses non-finite weights
        return W.astype(np.float32)


#: Kinds of :class:`HeadwiseLoss` on sigmoid outputs (one loss per element).
SIGMOID_KINDS = ("bce", "focal")
#: Kinds of :class:`HeadwiseLoss` on softmax outputs (one loss per row).
SOFTMAX_KINDS = ("cross_entropy", "softmax_focal", "expected_cost")


@keras.saving.register_keras_serializable(package="sk_imbalance")
class HeadwiseLoss(keras.losses.Loss):
    r"""The loss of ``k`` heads at once, with weights carried by the target.

    ``y_true`` has shape ``(batch, k, 2m)``: the 0/1 targets of each head's rows
    followed by their weights :math:`w` (:func:`element_weights`); ``y_pred``
    holds the logits, ``(batch, k, m)``. The loss is the sum over heads of each
    head's own loss. For the sigmoid kinds (one output per label),

    .. math:: L = \frac{1}{B} \sum_{b=1}^{B} \sum_{h=1}^{k} \frac{1}{m}
        \sum_{j=1}^{m} w_{bhj}\, \ell(y_{bhj}, z_{bhj})

    so each head's gradient is exactly that of :class:`WeightedBinaryCrossentropy`
    (or :class:`WeightedFocalLoss`) on its own batch. For the softmax kinds
    (one-hot targets of ``m`` classes), the row's weight is the sum of its
    element weights (the weight of its true class times its sample weight)
    and its loss is a row loss of :mod:`.multiclass_losses`:

    .. math:: L = \frac{1}{B} \sum_{b=1}^{B} \sum_{h=1}^{k}
        \Big(\sum_j w_{bhj}\Big)\, \ell(y_{bh}, z_{bh})

    The weights travel with the data, not in the loss, so one compiled
    training step serves every fit whatever its class weights.

    Parameters
    ----------
    kind : {"bce", "focal", "cross_entropy", "softmax_focal", "expected_cost"}
        The first two for sigmoid outputs, the others for softmax outputs.
    gamma : float, default=2.0
        Focusing parameter of the focal kinds.
    cost : array-like of shape (m, m), default=None
        Cost matrix of ``"expected_cost"``, indexed (true, predicted); see
        :class:`~.multiclass_losses.ExpectedCostLoss`.
    ce_weight : float, default=1.0
        Weight of the cross-entropy added to ``"expected_cost"``.
    """

    def __init__(
        self,
        kind="bce",
        gamma=2.0,
        cost=None,
        ce_weight=1.0,
        name="headwise_loss",
        reduction="sum_over_batch_size",
        dtype=None,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        kinds = SIGMOID_KINDS + SOFTMAX_KINDS
        if kind not in kinds:
            raise ValueError(f"kind={kind!r} is not one of {list(kinds)}.")
        if (kind == "expected_cost") != (cost is not None):
            raise ValueError("cost is needed by kind='expected_cost', and only by it.")
        self.kind = kind
        self.gamma = float(gamma)
        self.cost = None if cost is None else np.asarray(cost, float).tolist()
        self.ce_weight = float(ce_weight)

    @property
    def link(self):
        """``"sigmoid"`` or ``"softmax"``: the output the logits feed."""
        return "softmax" if self.kind in SOFTMAX_KINDS else "sigmoid"

    def call(self, y_true, y_pred):
        logits = ops.convert_to_tensor(y_pred)
        y_true = ops.cast(y_true, logits.dtype)
        m = logits.shape[-1]
        targets, weights = y_true[..., :m], y_true[..., m:]
        if self.link == "softmax":
            if self.kind == "softmax_focal":
                loss = softmax_focal(targets, logits, self.gamma)
            elif self.kind == "expected_cost":
                loss = expected_cost_with_cross_entropy(
                    targets, logits, self.cost, self.ce_weight
                )
            else:
                loss = softmax_cross_entropy(targets, logits)
            return ops.sum(loss * ops.sum(weights, axis=-1), axis=-1)
        if self.kind == "focal":
            loss = _focal_from_logits(targets, logits, self.gamma)
        else:
            loss = _stable_bce_from_logits(targets, logits)
        return ops.sum(ops.mean(loss * weights, axis=-1), axis=-1)

    def get_config(self):
        return {
            **super().get_config(),
            "kind": self.kind,
            "gamma": self.gamma,
            "cost": self.cost,
            "ce_weight": self.ce_weight,
        }
