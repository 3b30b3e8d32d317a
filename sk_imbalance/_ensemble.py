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
ensemble pickles like any other network of the estimator.
"""

from __future__ import annotations

import keras
from keras import ops

__all__ = ["ProbabilityAverage", "combine_networks"]


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
    """

    def call(self, inputs):
        logits = ops.stack(list(inputs), axis=0)
        return ops.logsumexp(ops.log_sigmoid(logits), axis=0) - ops.logsumexp(
            ops.log_sigmoid(-logits), axis=0
        )

    def compute_output_shape(self, input_shape):
        return input_shape[0]


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
        network is returned unchanged.
    """
    if len(networks) == 1:
        return networks[0]
    inputs = keras.Input(shape=(n_features,), name="features")
    outputs = []
    for index, network in enumerate(networks):
        network.name = f"network_{index}"
        outputs.append(network(inputs))
    averaged = ProbabilityAverage(name="probability_average")(outputs)
    return keras.Model(inputs, averaged, name="cross_fit_ensemble")
