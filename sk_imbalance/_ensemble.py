"""The cross-fit ensemble: k networks that predict as one Keras model.

With k-fold cross-fitting, the estimator trains k networks, each on k-1 folds,
and tunes its thresholds on their out-of-fold scores. By default those same k
networks then predict together: their sigmoid probabilities are averaged
(bagging over the folds, as AutoGluon does with its "bagged" models), so the
thresholds are applied to scores of the very networks they were tuned on,
rather than to a network refitted on all the data whose scores are more
confident than the out-of-fold ones.

The k networks are joined into one ``keras.Model`` ending in
:class:`ProbabilityAverage`, so ``predict`` stays one forward call and the
ensemble pickles like any other network of the estimator. When they are all
the estimator's default MLP, they are fused exactly into one wide MLP (see
:func:`fuse_mlps`): a nested call dispatches every layer of every network from
Python, which made ``predict`` about six times slower than one network's.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops
from scipy.linalg import block_diag

__all__ = ["ProbabilityAverage", "combine_networks", "fuse_mlps"]


@keras.saving.register_keras_serializable(package="sk_imbalance")
class ProbabilityAverage(keras.layers.Layer):
    r"""Average the probabilities of several logit outputs; return a logit.

    For logits :math:`z_1, \dots, z_k` of one label, the averaged probability
    :math:`\bar p = \frac{1}{k}\sum_i \sigma(z_i)` is returned as its logit

    .. math:: \operatorname{logit}(\bar p)
        = \log \sum_i \sigma(z_i) - \log \sum_i \sigma(-z_i)
        = \operatorname{LSE}_i \log\sigma(z_i) - \operatorname{LSE}_i \log\sigma(-z_i)

    (the :math:`1/k` cancels), computed with log-sum-exp so that it neither
    overflows nor rounds to :math:`\pm\infty` for large :math:`|z|`.

    The input is either a list of ``k`` tensors of shape ``(n, m)`` or one
    tensor of shape ``(n, k, m)``; the output has shape ``(n, m)``.
    """

    def call(self, inputs):
        if isinstance(inputs, (list, tuple)):
            inputs = ops.stack(list(inputs), axis=1)
        return ops.logsumexp(ops.log_sigmoid(inputs), axis=1) - ops.logsumexp(
            ops.log_sigmoid(-inputs), axis=1
        )

    def compute_output_shape(self, input_shape):
        if isinstance(input_shape, (list, tuple)) and isinstance(
            input_shape[0], (list, tuple)
        ):
            return tuple(input_shape[0])
        return (input_shape[0], input_shape[2])


def combine_networks(networks, n_features):
    """Join networks that output logits into one model averaging their probabilities.

    Parameters
    ----------
    networks : list of keras.Model
        Each maps ``(n_samples, n_features)`` to logits of shape
        ``(n_samples, n_outputs)``. They are renamed ``network_0``,
        ``network_1``, ... so that their names are unique in the joined model.
    n_features : int

    Returns
    -------
    keras.Model
        A model whose output is the logit of the mean probability; a single
        network is returned unchanged, and default MLPs are fused by
        :func:`fuse_mlps`.
    """
    if len(networks) == 1:
        return networks[0]
    stacks = _mlp_stacks(networks)
    if stacks is not None:
        return _fuse(stacks, n_features)
    inputs = keras.Input(shape=(n_features,), name="features")
    outputs = []
    for index, network in enumerate(networks):
        network.name = f"network_{index}"
        outputs.append(network(inputs))
    averaged = ProbabilityAverage(name="probability_average")(outputs)
    return keras.Model(inputs, averaged, name="cross_fit_ensemble")


def _mlp_layers(network):
    """The Dense layers of a default MLP (``build_mlp``), or None if it is not one.

    A default MLP is an input, then Dense layers with optional Dropout after
    each, the last Dense being linear (logits).
    """
    if network.name != "weighted_multilabel_mlp":
        return None
    dense = []
    for layer in network.layers:
        if isinstance(layer, keras.layers.Dense):
            dense.append(layer)
        elif not isinstance(layer, (keras.layers.InputLayer, keras.layers.Dropout)):
            return None
    if (
        not dense
        or dense[-1].activation is not keras.activations.linear
        or not all(d.use_bias for d in dense)
    ):
        return None
    return dense


def _shape(dense_layers):
    """(units, activation function) of each Dense layer."""
    return tuple((d.units, d.activation) for d in dense_layers)


def _mlp_stacks(networks):
    """The Dense layers of each network if all are default MLPs of one shape."""
    stacks = [_mlp_layers(network) for network in networks]
    if any(stack is None for stack in stacks):
        return None
    return stacks if len({_shape(stack) for stack in stacks}) == 1 else None


def fuse_mlps(networks, n_features):
    r"""Fuse k default MLPs of one architecture into one wide MLP, exactly.

    Layer :math:`l` of the fused network holds the k networks' layers side by
    side: the first kernel is :math:`[W^{(1)}_1 \cdots W^{(1)}_k]` (every
    network reads the same input), the later ones are block-diagonal
    :math:`\operatorname{diag}(W^{(l)}_1, \dots, W^{(l)}_k)`, the biases are
    concatenated. The last layer's ``k * n_outputs`` logits are reshaped to
    ``(k, n_outputs)`` and averaged as probabilities by
    :class:`ProbabilityAverage`. Dropout is dropped: it is the identity at
    prediction. The output equals that of the nested ensemble up to float
    rounding, with a handful of layer calls instead of a few per network.

    Parameters
    ----------
    networks : list of keras.Model
        Default MLPs (``build_mlp``) with the same layer sizes and activations.
    n_features : int

    Returns
    -------
    keras.Model
        Named ``cross_fit_ensemble``; its output holds logits.

    Raises
    ------
    ValueError
        If the networks are not default MLPs of one architecture.
    """
    stacks = [_mlp_layers(network) for network in networks]
    if any(stack is None for stack in stacks):
        raise ValueError("fuse_mlps needs default MLPs (built by build_mlp).")
    if len({_shape(stack) for stack in stacks}) != 1:
        shapes = [[(units, f.__name__) for units, f in _shape(s)] for s in stacks]
        raise ValueError(f"fuse_mlps needs one architecture; got {shapes}.")
    return _fuse(stacks, n_features)


def _fuse(stacks, n_features):
    """Build the fused MLP from the Dense layers of each network (see fuse_mlps)."""
    k = len(stacks)
    inputs = keras.Input(shape=(n_features,), name="features")
    x = inputs
    for depth, first in enumerate(stacks[0]):
        kernels, biases = zip(*(s[depth].get_weights() for s in stacks), strict=True)
        kernel = np.concatenate(kernels, axis=1) if depth == 0 else block_diag(*kernels)
        layer = keras.layers.Dense(
            k * first.units,
            activation=first.activation,
            name=f"fused_dense_{depth}",
        )
        x = layer(x)
        layer.set_weights([kernel, np.concatenate(biases)])
    n_outputs = stacks[0][-1].units
    x = keras.layers.Reshape((k, n_outputs), name="per_network_logits")(x)
    averaged = ProbabilityAverage(name="probability_average")(x)
    return keras.Model(inputs, averaged, name="cross_fit_ensemble")
