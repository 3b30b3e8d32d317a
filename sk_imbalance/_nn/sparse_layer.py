r"""Sparse input: a first layer that costs the non-zeros, not the vocabulary.

A TF-IDF matrix of a 50,000-word vocabulary has about 60 non-zeros a row. A
dense first layer multiplies every row by the whole ``d x units`` kernel of
every head and Adam then updates all ``k d u`` weights each step. Here the
first layer of every head is an embedding bag over the row's non-zeros,

.. math:: h_{bj} = \phi\Big(\sum_{r \in \operatorname{nz}(x_b)} x_{br}\,
    W_j[r] + c_j\Big),

the same function as ``x_b W_j + c_j`` (:class:`~.layers.FoldDense`), computed
from a gather of the rows :math:`W_j[r]` the batch touches and a segment sum.
Its gradient reaches the kernel as ``IndexedSlices`` (TensorFlow) and
:class:`LazyAdam` updates only those rows, so a step costs what its words
cost.

**The input.** A batch of ``n`` rows for ``k`` heads (slot ``(b, j)``: row
``b`` of head ``j``) is sent as four flat arrays, the *entries*
(:func:`encode_rows`):

- ``entry_ids``: the kernel row of each non-zero, ``j d + r``;
- ``entry_values``: its value :math:`x_{br}`;
- ``entry_slots``: its slot ``b k + j``;
- ``slot_rows``: ``n`` zeros, which carry ``n`` (the number of slots is
  ``n k``).

The entries are padded to a bucketed length (at most 1/16 more), so that a
backend that compiles per shape (JAX) compiles a few shapes per fit. A padding
entry points at the kernel's last row, ``k d``, which is zero and stays zero
(its value is 0, so its gradient is 0).

The training view gives each slot of head ``j`` one of head ``j``'s own
training rows; the ensemble view gives all ``k`` slots of a row that row
(:func:`encode_rows` with the rows repeated per head) and averages the heads.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import ops

from .layers import FoldHeadsLayer

__all__ = [
    "ENTRY_NAMES",
    "SparseFoldDense",
    "set_row_penalties",
    "sparse_inputs",
    "is_sparse_model",
    "sparse_heads",
]

#: Names of the four inputs of a network on sparse rows, in order.
ENTRY_NAMES = ("entry_ids", "entry_values", "entry_slots", "slot_rows")


def sparse_inputs():
    """The four ``keras.Input`` of a network on entries (:data:`ENTRY_NAMES`)."""
    return [
        keras.Input(shape=(), dtype="int32", name="entry_ids"),
        keras.Input(shape=(), dtype=keras.config.floatx(), name="entry_values"),
        keras.Input(shape=(), dtype="int32", name="entry_slots"),
        keras.Input(shape=(), dtype=keras.config.floatx(), name="slot_rows"),
    ]


def is_sparse_model(model):
    """Whether ``model`` takes entries (:func:`sparse_inputs`) rather than rows."""
    names = [getattr(t, "name", "") for t in getattr(model, "inputs", None) or []]
    return len(names) == len(ENTRY_NAMES) and all(
        name.startswith(expected)
        for name, expected in zip(names, ENTRY_NAMES, strict=True)
    )


def sparse_heads(model):
    """The number of heads of a sparse network (its :class:`SparseFoldDense`)."""
    layer = next(_sparse_layers(model), None)
    if layer is None:
        raise ValueError("The network has no SparseFoldDense layer.")
    return layer.n_heads


@keras.saving.register_keras_serializable(package="sk_imbalance")
class SparseFoldDense(FoldHeadsLayer):
    r"""``k`` Dense layers on sparse rows, one per head: an embedding bag each.

    Takes the four entry inputs (:func:`encode_rows`) and returns ``(n, k,
    units)``, slot ``(b, j)`` being

    .. math:: \phi\Big(\sum_{e:\ \text{slot}(e) = bk + j} v_e\, W[\text{id}(e)]
        + c_j\Big),

    which is ``FoldDense``'s :math:`\phi(x_{bj} W_j + c_j)` with ``W`` the
    heads' ``d x units`` kernels stacked into one ``(k d + 1) x units`` kernel
    (row ``k d`` is the padding row: zero, never moved). The forward and
    backward cost grows with the entries times ``units``, not with ``d``.

    Each head's kernel is drawn from Glorot's uniform distribution with the
    fans of one dense layer, :math:`\pm\sqrt{6 / (d + u)}`, as ``FoldDense``:
    with the same seed the two layers start from the same weights.

    ``scale`` is ``FoldDense``'s learning-rate scale. ``weight_decay``
    :math:`\lambda` is an L2 penalty on the kernel rows the batch touches,
    each weighted by the inverse of its word's document frequency in its
    head's training rows, :math:`f_{jr}` (:func:`set_row_penalties`):

    .. math:: \frac{\lambda}{n} \sum_e \frac{\lVert W[\text{id}(e)]
        \rVert^2}{f_{\text{id}(e)}}

    over the batch's entries (``n`` rows per head). A batch of head ``j``
    holds word ``r`` in :math:`n f_{jr}` rows on average, so the expected
    penalty is :math:`\lambda \sum_r \lVert W_j[r] \rVert^2`, the dense
    layer's (``kernel_regularizer=L2(lambda)``), at the cost of the touched
    rows. Unweighted, a word's row would be decayed in proportion to how
    often it occurs: 100 to 1,000 times too weakly for rare words. A word
    that head ``j`` never trains on is never penalised (nor moved by the
    data): it keeps its initial weights, where the dense layer's penalty
    would shrink them to zero.

    Parameters
    ----------
    n_heads : int
    n_features : int
        ``d``, the width of the sparse rows.
    units : int
    activation : str or None, default=None
    seed : int or None, default=None
    weight_decay : float, default=0.0
    scale : float, default=1.0
    """

    def __init__(
        self,
        n_heads,
        n_features,
        units,
        activation=None,
        seed=None,
        weight_decay=0.0,
        scale=1.0,
        **kwargs,
    ):
        super().__init__(
            n_heads, units, activation, seed, weight_decay, scale, **kwargs
        )
        self.n_features = int(n_features)

    def build(self, input_shape):
        k, d, u = self.n_heads, self.n_features, self.units
        draw = self.glorot(d)

        def initializer(shape, dtype=None):
            # the draw of FoldDense's (k, d, u) kernel, then the padding row
            return ops.concatenate(
                [
                    ops.reshape(draw((k, d, u), dtype=dtype), (k * d, u)),
                    ops.zeros((1, u), dtype=dtype),
                ]
            )

        self.kernel = self.add_weight(
            name="kernel", shape=(k * d + 1, u), initializer=initializer
        )
        self.bias = self.add_weight(name="bias", shape=(k, u), initializer="zeros")
        if self.weight_decay:
            # 1 / document frequency of each kernel row in its head's training
            # rows (set_row_penalties); 0 for the padding row
            self.row_penalty = self.add_weight(
                name="row_penalty",
                shape=(k * d + 1,),
                initializer="ones",
                trainable=False,
            )

    def call(self, inputs, training=False):
        ids, values, slots, slot_rows = inputs
        rows, bias = self.scaled(_gather_rows(self.kernel, ids), self.bias)
        if training and self.weight_decay:
            n_rows = ops.cast(ops.shape(slot_rows)[0], rows.dtype)
            penalty = ops.sum(ops.square(rows), axis=-1) * _gather_rows(
                self.row_penalty, ids
            )
            self.add_loss(self.weight_decay * ops.sum(penalty) / n_rows)
        gathered = rows * ops.expand_dims(values, -1)
        n_slots = ops.shape(slot_rows)[0] * self.n_heads
        summed = ops.segment_sum(gathered, slots, num_segments=n_slots)
        summed = ops.reshape(summed, (-1, self.n_heads, self.units))
        return self.activation(summed + bias)

    def compute_output_shape(self, input_shape):
        return (input_shape[3][0], self.n_heads, self.units)

    def get_config(self):
        return {**super().get_config(), "n_features": self.n_features}


def set_row_penalties(model, X, train_sets):
    """Weight each sparse kernel row's L2 penalty by its inverse document frequency.

    For every :class:`SparseFoldDense` of ``model`` with a weight decay, row
    ``j d + r`` (word ``r`` of head ``j``) gets :math:`1 / f_{jr}`, with
    :math:`f_{jr}` the share of head ``j``'s training rows in which ``r`` is
    non-zero (0 where it never is), so that the penalty the batches add is
    the dense layer's in expectation (see :class:`SparseFoldDense`).

    Parameters
    ----------
    model : keras.Model
        A training view on entries.
    X : scipy.sparse.csr_matrix of shape (n_samples, n_features)
    train_sets : list of ndarray
        Each head's training rows.
    """
    layers = [
        layer
        for layer in _sparse_layers(model)
        if layer.weight_decay and layer.n_heads == len(train_sets)
    ]
    if not layers:
        return
    d = X.shape[1]
    weights = np.zeros(len(train_sets) * d + 1)
    for j, rows in enumerate(train_sets):
        counts = np.bincount(X[rows].indices, minlength=d)
        weights[j * d : (j + 1) * d] = np.where(
            counts > 0, len(rows) / np.maximum(counts, 1), 0.0
        )
    for layer in layers:
        layer.row_penalty.assign(weights.astype(layer.row_penalty.dtype))


def _sparse_layers(model):
    """Every :class:`SparseFoldDense` of ``model``, nested models included."""
    for layer in model.layers:
        if isinstance(layer, SparseFoldDense):
            yield layer
        elif isinstance(layer, keras.Model):
            yield from _sparse_layers(layer)


def _gather_rows(kernel, ids):
    """Rows ``ids`` of ``kernel``; on TensorFlow a gather on the variable itself.

    ``ops.take`` reads the whole variable into a tensor first; a scatter into
    the variable later in the same step then copies all of it (copy on write),
    which at vocabulary scale cost more than the rest of the step (measured
    in the docs: results, studies, *Implementation choices timed*).
    TensorFlow's gather on the resource variable reads only the rows, and its
    gradient is ``IndexedSlices``.
    """
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return tf.gather(kernel.value, ids)
    return ops.take(kernel, ids, axis=0)
