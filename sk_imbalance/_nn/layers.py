"""The k fold networks of cross-fitting, stacked into one Keras model.

Cross-fitting trains ``k`` networks ("heads"), head ``j`` on every fold but
fold ``j``. Here the ``k`` heads live in one Keras model whose tensors carry a
head axis:

- the **training view** maps a batch of shape ``(batch, k, n_features)`` (row
  ``[:, j]`` drawn from head ``j``'s own training rows) to logits of shape
  ``(batch, k, n_outputs)``; the heads share no layer, no weight, no
  normalisation statistic and no dropout mask, so a head never sees a row it
  holds out;
- the **ensemble view** maps ``(batch, n_features)`` to the mean of the heads'
  logits, :class:`LogitAverage` (a softmax network: the mean of the heads'
  probabilities, :class:`SoftmaxAverage`); it is the estimator's ``model_``
  and shares the training view's layers.

The default MLP is built fold-stacked from the start (:class:`FoldDense`): each
layer is one batched matmul over the head axis, not ``k`` small ones. On sparse
input its first layer is :class:`~.sparse_layer.SparseFoldDense`, which works on the
rows' non-zeros, and both views take the rows' entries instead of dense rows. A user's
build function is called ``k`` times and its ``k`` models are wired side by side.
"""

from __future__ import annotations

import math

import keras
import numpy as np
from keras import ops

__all__ = [
    "FoldHeadsLayer",
    "FoldDense",
    "HeadSlice",
    "StackHeads",
    "ProbabilityAverage",
    "LogitAverage",
    "SoftmaxAverage",
    "LogitShift",
    "blend_average",
    "head_average",
]


class FoldHeadsLayer(keras.layers.Layer):
    r"""What :class:`FoldDense` and :class:`~.sparse_layer.SparseFoldDense` share.

    ``k`` heads (``n_heads``) of ``units`` outputs each, an ``activation``,
    the ``seed`` of the kernel draw, a ``weight_decay`` and a learning-rate
    ``scale`` :math:`s`: the parameters of :class:`FoldDense`, stored and
    serialised the same way, and the same kernel draw (:meth:`glorot`).
    """

    def __init__(
        self,
        n_heads,
        units,
        activation=None,
        seed=None,
        weight_decay=0.0,
        scale=1.0,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.n_heads = int(n_heads)
        self.units = int(units)
        self.activation = keras.activations.get(activation)
        self.seed = seed
        self.weight_decay = float(weight_decay)
        self.scale = float(scale)

    def glorot(self, n_in):
        r"""Each head's kernel draw: Glorot's uniform with one head's fans.

        :math:`\pm\sqrt{6 / (n_{in} + u)}`, divided by the scale :math:`s`
        (the layer computes with :math:`s` times what it stores).
        """
        limit = math.sqrt(6.0 / (n_in + self.units)) / self.scale
        return keras.initializers.RandomUniform(-limit, limit, seed=self.seed)

    def scaled(self, kernel, bias):
        """The kernel (or its rows) and the bias the layer computes with."""
        if self.scale != 1.0:
            return kernel * self.scale, bias * self.scale
        return kernel, bias

    def get_config(self):
        config = super().get_config()
        config.update(
            n_heads=self.n_heads,
            units=self.units,
            activation=keras.activations.serialize(self.activation),
            seed=self.seed,
            weight_decay=self.weight_decay,
            scale=self.scale,
        )
        return config


@keras.saving.register_keras_serializable(package="sk_imbalance")
class FoldDense(FoldHeadsLayer):
    r"""``k`` independent Dense layers along a head axis.

    Input ``(batch, k, d)`` (each head its own rows) or ``(batch, d)`` (every
    head the same rows); output ``(batch, k, units)``:

    .. math:: h_{bj} = \phi\left(x_{bj} W_j + c_j\right), \qquad
        W \in \mathbb{R}^{k \times d \times u}

    Each head's kernel is drawn from Glorot's uniform distribution with its own
    fans, :math:`\pm\sqrt{6 / (d + u)}`, the scale of a single ``Dense`` layer.
    Keras's ``GlorotUniform`` on a ``(k, d, u)`` kernel would count the head
    axis in the fans and draw weights :math:`\sqrt{k}` times too small.

    **Weight decay and a learning-rate scale** (the portfolio's candidates,
    :mod:`.portfolio`, each carry their own). The layer stores :math:`V` and
    :math:`b` and computes with :math:`W = sV` and :math:`c = sb`; a step of
    Adam, which is invariant to the gradient's scale, moves :math:`V` by about
    the learning rate :math:`\alpha`, so :math:`W` moves by about
    :math:`s\alpha`: a candidate trains at its own learning rate inside one
    optimizer. With ``weight_decay`` :math:`\lambda > 0` the layer adds
    :math:`\lambda \sum_j \lVert W_j \rVert^2` to the loss (an L2 penalty
    on every head's kernel, as ``kernel_regularizer=L2(lambda)`` would).

    Parameters
    ----------
    n_heads : int
        ``k``, the number of heads.
    units : int
        Output units per head.
    activation : str or None, default=None
    seed : int or None, default=None
        Seeds the kernel draw for all heads at once.
    weight_decay : float, default=0.0
        :math:`\lambda`, the L2 penalty on the kernel.
    scale : float, default=1.0
        :math:`s`, the learning-rate scale of the kernel and bias.
    """

    def build(self, input_shape):
        n_in = int(input_shape[-1])
        self.kernel = self.add_weight(
            name="kernel",
            shape=(self.n_heads, n_in, self.units),
            initializer=self.glorot(n_in),
        )
        self.bias = self.add_weight(
            name="bias", shape=(self.n_heads, self.units), initializer="zeros"
        )

    def call(self, inputs, training=False):
        kernel, bias = self.scaled(self.kernel, self.bias)
        if training and self.weight_decay:
            self.add_loss(self.weight_decay * ops.sum(ops.square(kernel)))
        # a batched matmul over the head axis, (k, batch, d) @ (k, d, u): on
        # TensorFlow's CPU kernels it trained faster than einsum (measured in
        # the docs: results, studies, "Implementation choices timed")
        if len(inputs.shape) == 2:
            outputs = ops.matmul(inputs[np.newaxis], kernel)
        else:
            outputs = ops.matmul(ops.transpose(inputs, (1, 0, 2)), kernel)
        return self.activation(ops.transpose(outputs, (1, 0, 2)) + bias)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n_heads, self.units)


@keras.saving.register_keras_serializable(package="sk_imbalance")
class HeadSlice(keras.layers.Layer):
    """Take head ``index``'s rows from a ``(batch, k, d)`` tensor: ``(batch, d)``."""

    def __init__(self, index, **kwargs):
        super().__init__(**kwargs)
        self.index = int(index)

    def call(self, inputs):
        return inputs[:, self.index]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], *input_shape[2:])

    def get_config(self):
        return {**super().get_config(), "index": self.index}


@keras.saving.register_keras_serializable(package="sk_imbalance")
class StackHeads(keras.layers.Layer):
    """Stack ``k`` tensors of shape ``(batch, m)`` into ``(batch, k, m)``."""

    def call(self, inputs):
        return ops.stack(list(inputs), axis=1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0][0], len(input_shape), *input_shape[0][1:])


@keras.saving.register_keras_serializable(package="sk_imbalance")
class ProbabilityAverage(keras.layers.Layer):
    r"""Average the heads' probabilities; return the logit of the mean.

    For logits :math:`z_1, \dots, z_k` of one label, the averaged probability
    :math:`\bar p = \frac{1}{k}\sum_i \sigma(z_i)` is returned as its logit

    .. math:: \operatorname{logit}(\bar p)
        = \operatorname{LSE}_i \log\sigma(z_i) - \operatorname{LSE}_i \log\sigma(-z_i)

    (the :math:`1/k` cancels), computed with log-sum-exp so that it neither
    overflows nor rounds to :math:`\pm\infty` for large :math:`|z|`. With one
    head the logit is passed through unchanged. With weights
    :math:`w_i` (a blend of candidates, :mod:`.portfolio`) the mean is
    :math:`\sum_i w_i \sigma(z_i) / \sum_i w_i`, and :math:`\log w_i` is
    added inside both log-sum-exps (``blend_weights``).

    The input is a list of ``k`` tensors of shape ``(n, m)`` or one tensor of
    shape ``(n, k, m)``; the output has shape ``(n, m)``.
    """

    def __init__(self, blend_weights=None, **kwargs):
        super().__init__(**kwargs)
        self.blend_weights = (
            None if blend_weights is None else [float(w) for w in blend_weights]
        )

    def _weights(self, inputs):
        """``w_i / sum w``, shaped ``(k, 1)`` to broadcast over ``(n, k, m)``;
        None if equal."""
        if self.blend_weights is None:
            return None
        if len(self.blend_weights) != inputs.shape[1]:
            raise ValueError(
                f"{len(self.blend_weights)} weights for {inputs.shape[1]} inputs."
            )
        weights = np.asarray(self.blend_weights)
        return weights[:, np.newaxis] / np.sum(weights)

    def _log_weights(self, inputs):
        """``log w_i`` as a tensor (see :meth:`_weights`); None if equal."""
        weights = self._weights(inputs)
        if weights is None:
            return None
        return ops.convert_to_tensor(np.log(weights), dtype=inputs.dtype)

    def call(self, inputs):
        if isinstance(inputs, (list, tuple)):
            inputs = ops.stack(list(inputs), axis=1)
        if inputs.shape[1] == 1:
            return inputs[:, 0]
        return self._combine(inputs)

    def _combine(self, inputs):
        """The average of ``(n, k, m)`` logits of ``k >= 2`` heads."""
        logw = self._log_weights(inputs)
        positive, negative = ops.log_sigmoid(inputs), ops.log_sigmoid(-inputs)
        if logw is not None:
            positive, negative = positive + logw, negative + logw
        return ops.logsumexp(positive, axis=1) - ops.logsumexp(negative, axis=1)

    def get_config(self):
        return {**super().get_config(), "blend_weights": self.blend_weights}

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, (list, tuple)) and isinstance(
            input_shape[0], (list, tuple)
        ):
            return tuple(input_shape[0])
        return (input_shape[0], input_shape[2])


@keras.saving.register_keras_serializable(package="sk_imbalance")
class LogitAverage(ProbabilityAverage):
    r"""Average the heads' logits: the ensemble of a sigmoid network's heads.

    For logits :math:`z_1, \dots, z_k` of one label the output is

    .. math:: \bar z = \frac{1}{k} \sum_i z_i

    (with weights, :math:`\sum_i w_i z_i / \sum_i w_i`): the normalised
    geometric mean of the heads' odds. The held-out scores that the decisions
    are fitted on are matched to this ensemble (:mod:`.._decisions.spread`): each head's
    offset averages into one constant and the heads' row-to-row noise shrinks
    by :math:`1/k`, which is what the mean of logits does exactly. The mean
    of probabilities (:class:`ProbabilityAverage`) is not: in the negative
    tail, where rare labels' thresholds sit, its logit lies above the mean
    logit by about :math:`(1 - 1/k)\,\tau^2 / 2` (:math:`\tau^2` the
    variance between the heads on one row), so a threshold tuned on the
    matched scores would be crossed by more rows than out of fold.

    The input and output shapes are those of :class:`ProbabilityAverage`.
    """

    def _combine(self, inputs):
        weights = self._weights(inputs)
        if weights is None:
            return ops.mean(inputs, axis=1)
        weights = ops.convert_to_tensor(weights, dtype=inputs.dtype)
        return ops.sum(inputs * weights, axis=1)


@keras.saving.register_keras_serializable(package="sk_imbalance")
class SoftmaxAverage(ProbabilityAverage):
    r"""Average the heads' softmax probabilities; return logits of the mean.

    For class logits :math:`z_1, \dots, z_k` of one row (one vector per head),
    the mean :math:`\bar p = \frac{1}{k}\sum_i \operatorname{softmax}(z_i)`
    is returned as :math:`\log \bar p + \text{const}`:

    .. math:: \operatorname{LSE}_i \operatorname{log\_softmax}(z_i)

    (the :math:`-\log k` is dropped: softmax ignores a constant), so that
    ``softmax`` of the output is the averaged probability. The ensemble view
    of the multiclass estimator; the input and output shapes are those of
    :class:`ProbabilityAverage`.
    """

    def _combine(self, inputs):
        logw = self._log_weights(inputs)
        log_proba = ops.log_softmax(inputs, axis=-1)
        if logw is not None:
            log_proba = log_proba + logw
        return ops.logsumexp(log_proba, axis=1)


@keras.saving.register_keras_serializable(package="sk_imbalance")
class LogitShift(keras.layers.Layer):
    r"""Add a constant to each output's logit: :math:`z_j + o_j`.

    Ends the ensemble view of a candidate trained under another weighting
    than the reference, so that it predicts on the scale the held-out folds
    scored it on (:mod:`sk_imbalance._decisions.weightings`). The offsets are
    constants of the layer's config, not weights.

    Parameters
    ----------
    offset : sequence of float
        One offset per output.
    """

    def __init__(self, offset, **kwargs):
        super().__init__(**kwargs)
        self.offset = [float(o) for o in np.ravel(offset)]

    def call(self, inputs):
        return inputs + ops.convert_to_tensor(
            np.asarray(self.offset, dtype=self.compute_dtype)
        )

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "offset": list(self.offset)}


def blend_average(link, blend_weights=None, name=None):
    """The mean probability of candidates (a blend), sigmoid or softmax."""
    if link == "softmax":
        return SoftmaxAverage(blend_weights, name=name or "softmax_average")
    return ProbabilityAverage(blend_weights, name=name or "probability_average")


def head_average(link, name=None):
    """The ensemble of one network's ``k`` heads: :class:`LogitAverage` for
    sigmoid outputs (what :mod:`.._decisions.spread` models), the mean probability for a
    softmax."""
    if link == "softmax":
        return SoftmaxAverage(name=name or "softmax_average")
    return LogitAverage(name=name or "logit_average")
