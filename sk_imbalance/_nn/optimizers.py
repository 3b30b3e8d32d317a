"""Optimizers: fused and lazy Adam, and the user's optimizer made safe.

:class:`FusedAdam` is Adam whose dense update is one TensorFlow kernel
instead of about ten element-wise passes over each weight and its moments.
:class:`LazyAdam` updates only the kernel rows a batch touched, so a step on
the sparse first layer (:mod:`.sparse_layer`) costs what its words cost.
:func:`make_optimizer` builds the optimizer a fit steps with, from an
instance, a class or a name, and refuses the options that would couple the
fold heads or break the laziness (:func:`check_optimizer_options`).
"""

from __future__ import annotations

import keras
from keras import ops

__all__ = [
    "FusedAdam",
    "LazyAdam",
    "fused_optimizer",
    "lazy_optimizer",
    "make_optimizer",
]


def _tensorflow(optimizer):
    """TensorFlow, when ``optimizer``'s own update applies (not AMSGrad); else None."""
    if optimizer.amsgrad or keras.backend.backend() != "tensorflow":
        return None
    import tensorflow as tf

    return tf


def _same_config(cls, optimizer):
    """An instance of ``cls`` with ``optimizer``'s config (its name left out)."""
    config = optimizer.get_config()
    config.pop("name", None)
    return cls.from_config(config)


@keras.saving.register_keras_serializable(package="sk_imbalance")
class FusedAdam(keras.optimizers.Adam):
    r"""Adam whose dense update is TensorFlow's fused ``ApplyAdam`` kernel.

    The update is Adam's, as Keras writes it: with gradient :math:`g` at
    step :math:`t`,

    .. math:: m \leftarrow m + (g - m)(1-\beta_1), \quad
        v \leftarrow v + (g^2 - v)(1-\beta_2), \quad
        w \leftarrow w - \alpha_t \frac{m}{\sqrt{v} + \hat\epsilon},
        \quad \alpha_t = \alpha \frac{\sqrt{1-\beta_2^t}}{1-\beta_1^t}.

    Keras computes it in about ten element-wise operations, each a pass over
    the weight or its moments; ``tf.raw_ops.ResourceApplyAdam`` makes one.
    The fold heads' kernels are large (``k`` heads of every candidate in
    one tensor), so on a CPU those passes were about a fifth to a third of
    a training step (measured in the docs: results, studies, *Implementation
    choices timed*). The result equals Keras's up to float32 rounding (the
    kernel forms :math:`1-\beta_1` and :math:`\alpha_t` in float32).
    Other backends, AMSGrad and ``IndexedSlices`` gradients get Keras's own
    update.

    References
    ----------
    D. P. Kingma and J. Ba, "Adam: A Method for Stochastic Optimization", ICLR
    2015.
    """

    def update_step(self, gradient, variable, learning_rate):
        tf = _tensorflow(self)
        if tf is None or isinstance(gradient, tf.IndexedSlices):
            return super().update_step(gradient, variable, learning_rate)
        dtype = variable.dtype
        step = ops.cast(self.iterations + 1, dtype)
        beta_1, beta_2 = ops.cast(self.beta_1, dtype), ops.cast(self.beta_2, dtype)
        index = self._get_variable_index(variable)
        tf.raw_ops.ResourceApplyAdam(
            var=variable.handle,
            m=self._momentums[index].handle,
            v=self._velocities[index].handle,
            beta1_power=ops.power(beta_1, step),
            beta2_power=ops.power(beta_2, step),
            lr=ops.cast(learning_rate, dtype),
            beta1=beta_1,
            beta2=beta_2,
            epsilon=ops.cast(self.epsilon, dtype),
            grad=ops.cast(gradient, dtype),
            use_locking=False,
            use_nesterov=False,
        )


@keras.saving.register_keras_serializable(package="sk_imbalance")
class LazyAdam(FusedAdam):
    r"""Adam whose sparse (``IndexedSlices``) gradients update only their rows.

    For a row :math:`i` the batch touched, with gradient :math:`g_i` (the sum
    of its duplicates), the update is Adam's:

    .. math:: m_i \leftarrow \beta_1 m_i + (1-\beta_1) g_i, \quad
        v_i \leftarrow \beta_2 v_i + (1-\beta_2) g_i^2, \quad
        w_i \leftarrow w_i - \alpha_t \frac{m_i}{\sqrt{v_i} + \epsilon},

    with Adam's bias-corrected step :math:`\alpha_t`. Rows the batch did not
    touch keep their weights and moments, where dense Adam would decay their
    moments and move them on momentum alone. This is the "lazy" Adam of
    TensorFlow Addons and PyTorch's ``SparseAdam``, as used for embeddings:
    a step costs the touched rows, not the table. Dense gradients (every
    other weight, and every weight on backends without ``IndexedSlices``,
    e.g. JAX) get Adam's dense update unchanged.

    **It is a different optimizer from dense Adam** for rows touched rarely.
    After one touch with gradient :math:`g` (moments at zero), dense Adam
    keeps moving the row for the steps after it, by
    :math:`\alpha\,\beta_1^t (1-\beta_1) / \sqrt{(1-\beta_2)\beta_2^t}`
    at step :math:`t`: in all about :math:`1/(1-\beta_1)` = 10 times the
    lazy step, which moves it once. A row touched every step gets the same
    steps from both. So on the sparse layer a rare word's weight moves about
    ten times less per occurrence than on the dense layer; its gradient, and
    the weight decay's (:class:`SparseFoldDense`), are the dense layer's in
    expectation. Measured end to end on enron, bibtex and tmc2007
    (``benchmarks/sparse_quality.py``; the results page). Dense gradients
    get :class:`FusedAdam`'s update.

    References
    ----------
    D. P. Kingma and J. Ba, "Adam: A Method for Stochastic Optimization", ICLR
    2015.
    """

    def update_step(self, gradient, variable, learning_rate):
        tf = _tensorflow(self)
        if tf is None or not isinstance(gradient, tf.IndexedSlices):
            return super().update_step(gradient, variable, learning_rate)
        dtype = variable.dtype
        rows, position = tf.unique(gradient.indices)
        grad = tf.math.unsorted_segment_sum(
            tf.cast(gradient.values, dtype), position, tf.shape(rows)[0]
        )
        step = ops.cast(self.iterations + 1, dtype)
        beta_1, beta_2 = ops.cast(self.beta_1, dtype), ops.cast(self.beta_2, dtype)
        alpha = (
            ops.cast(learning_rate, dtype)
            * ops.sqrt(1 - ops.power(beta_2, step))
            / (1 - ops.power(beta_1, step))
        )
        index = self._get_variable_index(variable)
        m, v = self._momentums[index], self._velocities[index]
        m_rows = tf.gather(m.value, rows) * beta_1 + (1 - beta_1) * grad
        v_rows = tf.gather(v.value, rows) * beta_2 + (1 - beta_2) * tf.square(grad)
        self.assign(m, tf.IndexedSlices(m_rows, rows))
        self.assign(v, tf.IndexedSlices(v_rows, rows))
        self.assign_sub(
            variable,
            tf.IndexedSlices(alpha * m_rows / (tf.sqrt(v_rows) + self.epsilon), rows),
        )


def fused_optimizer(optimizer):
    """``optimizer``'s fused counterpart, where one exists.

    Plain Adam (not AMSGrad, not AdamW or another subclass) on TensorFlow
    becomes :class:`FusedAdam` with the same config; any other optimizer, or
    any backend but TensorFlow, is returned as it is.
    """
    if (
        type(optimizer) is keras.optimizers.Adam
        and not optimizer.amsgrad
        and keras.backend.backend() == "tensorflow"
    ):
        return _same_config(FusedAdam, optimizer)
    return optimizer


def lazy_optimizer(optimizer):
    """``optimizer``'s lazy counterpart for sparse rows, where one exists.

    Plain Adam (not AMSGrad, not AdamW) becomes :class:`LazyAdam` with the same
    config. Any other optimizer is returned as it is: TensorFlow then applies
    its update to the whole kernel every step, which is correct but costs the
    vocabulary again. Options that would update untouched rows every step
    (``weight_decay``, ``gradient_accumulation_steps``) are refused before
    this, by :func:`~.optimizers.make_optimizer`.
    """
    if type(optimizer) in (keras.optimizers.Adam, FusedAdam) and not optimizer.amsgrad:
        return _same_config(LazyAdam, optimizer)
    return optimizer


#: Why a norm clip is refused, and the fix.
_COUPLES_HEADS = (
    "every head of the fit shares the fused kernels, so the norm is taken over "
    "all heads' gradients and head j's step is scaled by gradients of the rows "
    "it holds out",
    "clip element-wise with clipvalue, or do not clip",
)


#: Optimizer options refused on every network: why, and the fix.
_REFUSED_OPTIONS = {
    "use_ema": (
        "the cross-fit takes its steps one at a time and never swaps the moving "
        "average into the weights (Model.fit's finalize_variable_values), so the "
        "average would be silently ignored",
        "use the optimizer without use_ema",
    ),
    "clipnorm": _COUPLES_HEADS,
    "global_clipnorm": _COUPLES_HEADS,
}


#: Optimizer options refused on sparse rows (a first layer on the non-zeros).
_REFUSED_SPARSE_OPTIONS = {
    "weight_decay": (
        "on sparse rows Keras decays every row of the first layer's kernel every "
        "step, the rows the batch does not touch too, so the step is neither lazy "
        "nor cheap",
        "give a candidate a 'weight_decay' key (an L2 penalty on the rows each "
        "batch touches), e.g. candidates=[{'weight_decay': 1e-4}], or set "
        "sparse_layer=False",
    ),
    "gradient_accumulation_steps": (
        "on sparse rows the accumulated gradient of the first layer's kernel is "
        "dense, so every step updates every row",
        "raise batch_size instead, or set sparse_layer=False",
    ),
}


def check_optimizer_options(optimizer, instance, sparse_rows=False):
    """Refuse the optimizer options that break the heads' independence or laziness.

    ``use_ema`` is refused everywhere (the fit's loop never applies the
    average), ``clipnorm`` and ``global_clipnorm`` too (a norm over fused
    kernels couples the heads); ``clipvalue`` is element-wise and allowed.
    On sparse rows, ``weight_decay`` and ``gradient_accumulation_steps``
    update every row of the first layer each step (:class:`~.optimizers.LazyAdam`
    updates the touched rows only), and are refused there.

    Parameters
    ----------
    optimizer : str or keras.optimizers.Optimizer
        The estimator's ``optimizer``, as given (for the message).
    instance : keras.optimizers.Optimizer
        The optimizer it names.
    sparse_rows : bool, default=False

    Raises
    ------
    ValueError
        Naming the option, its value and the fix.
    """
    config = instance.get_config()
    given = optimizer if isinstance(optimizer, str) else type(instance).__name__
    refused = dict(_REFUSED_OPTIONS)
    if sparse_rows:
        refused.update(_REFUSED_SPARSE_OPTIONS)
    for option, (why, fix) in refused.items():
        value = config.get(option)
        if value:
            raise ValueError(
                f"optimizer={given!r} has {option}={value!r}, which this estimator "
                f"refuses: {why}. Fix: {fix}."
            )


def make_optimizer(optimizer, learning_rate, sparse_rows=False):
    """A fresh optimizer instance from a name or an instance to copy.

    Plain Adam becomes :class:`FusedAdam` (:func:`fused_optimizer`), the
    same update in one kernel a weight. ``sparse_rows=True`` (a network on
    sparse rows) swaps it for :class:`~.optimizers.LazyAdam` instead, which
    updates only the kernel rows a batch touched
    (:func:`~.optimizers.lazy_optimizer`). Options that would couple the
    heads or update untouched rows are refused first
    (:func:`check_optimizer_options`).
    """
    if isinstance(optimizer, str):
        instance = keras.optimizers.get(optimizer)
    elif isinstance(optimizer, keras.optimizers.Optimizer):
        instance = optimizer
    else:
        raise ValueError(
            f"optimizer must be a Keras optimizer name such as 'adam' or a "
            f"keras.optimizers.Optimizer; got {type(optimizer).__name__}."
        )
    check_optimizer_options(optimizer, instance, sparse_rows)
    config = instance.get_config()
    if learning_rate is not None:
        config["learning_rate"] = float(learning_rate)
    made = type(instance).from_config(config)
    return lazy_optimizer(made) if sparse_rows else fused_optimizer(made)
