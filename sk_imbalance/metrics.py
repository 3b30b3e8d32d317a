r"""Metrics the decisions are judged by: F-beta averages and precision@k.

The F-beta averages match :func:`sklearn.metrics.fbeta_score` with
``zero_division=0`` and are vectorised for the out-of-fold monitor, which
computes one per epoch. :func:`precision_at_k` is the extreme-classification
metric "how many of my k highest-scoring labels are right?", with a scorer for
:class:`~sklearn.model_selection.GridSearchCV`.
"""

from __future__ import annotations

from numbers import Integral

import keras
from keras import ops
from sklearn.metrics import make_scorer

from ._decisions.scores import fbeta_average, precision_at_k

__all__ = ["fbeta_average", "precision_at_k", "precision_at_k_scorer", "PrecisionAtK"]


def precision_at_k_scorer(k=1):
    """A scorer of :func:`precision_at_k` for ``GridSearchCV`` and friends.

    It ranks the labels by the estimator's ``predict_proba``.

    Parameters
    ----------
    k : int, default=1

    Returns
    -------
    callable
        ``scorer(estimator, X, Y)``.

    Examples
    --------
    >>> from sk_imbalance.metrics import precision_at_k_scorer
    >>> scorer = precision_at_k_scorer(k=3)
    """
    if not isinstance(k, Integral) or isinstance(k, bool) or k < 1:
        raise ValueError(f"k={k!r} must be an int >= 1.")
    return make_scorer(precision_at_k, response_method="predict_proba", k=k)


@keras.saving.register_keras_serializable(package="sk_imbalance")
class PrecisionAtK(keras.metrics.Metric):
    """Precision at k as a Keras metric, for a Keras model of your own.

    ``model.compile(metrics=[PrecisionAtK(k=10)])`` reports, per epoch and on
    validation data, the share of each row's ``k`` highest-scoring outputs
    that are true labels (:func:`precision_at_k`). Inside
    :class:`~sk_imbalance.WeightedMultiLabelClassifier` the same number is the
    out-of-fold monitor with ``threshold="top_k", scoring="precision_at_k"``
    (``history_["oof_score"]``, printed with ``verbose=1``).

    Ties among scores are broken by ``keras.ops.top_k``, which may differ
    from :func:`precision_at_k`'s lower-index rule when scores are equal.

    Parameters
    ----------
    k : int, default=1
    name : str, default="precision_at_k"
    """

    def __init__(self, k=1, name="precision_at_k", **kwargs):
        if not isinstance(k, Integral) or isinstance(k, bool) or k < 1:
            raise ValueError(f"k={k!r} must be an int >= 1.")
        super().__init__(name=name, **kwargs)
        self.k = int(k)
        self.hits = self.add_variable(shape=(), initializer="zeros", name="hits")
        self.rows = self.add_variable(shape=(), initializer="zeros", name="rows")

    def update_state(self, y_true, y_pred, sample_weight=None):
        y_true = ops.cast(y_true, "float32")
        k = min(self.k, y_pred.shape[-1])
        _, top = ops.top_k(y_pred, k=k)
        hits = ops.sum(ops.take_along_axis(y_true, top, axis=-1), axis=-1) / self.k
        weight = (
            ops.ones_like(hits)
            if sample_weight is None
            else ops.reshape(ops.cast(sample_weight, "float32"), ops.shape(hits))
        )
        self.hits.assign_add(ops.sum(hits * weight))
        self.rows.assign_add(ops.sum(weight))

    def result(self):
        return ops.divide_no_nan(self.hits, self.rows)

    def reset_state(self):
        self.hits.assign(0.0)
        self.rows.assign(0.0)

    def get_config(self):
        return {**super().get_config(), "k": self.k}
