r"""Sparse input: a first layer that costs the non-zeros, not the vocabulary.

A TF-IDF matrix of a 50,000-word vocabulary has about 60 non-zeros a row. A
dense first layer multiplies every row by the whole ``d x units`` kernel of
every head and Adam then updates all ``k d u`` weights each step. Here the
first layer of every head is an embedding bag over the row's non-zeros,

.. math:: h_{bj} = \phi\Big(\sum_{r \in \operatorname{nz}(x_b)} x_{br}\,
    W_j[r] + c_j\Big),

the same function as ``x_b W_j + c_j`` (:class:`~._heads.FoldDense`), computed
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

import math

import keras
import numpy as np
import scipy.sparse as sp
from keras import ops

__all__ = [
    "ENTRY_NAMES",
    "ENTRY_BUDGET",
    "SparseFoldDense",
    "set_row_penalties",
    "LazyAdam",
    "lazy_optimizer",
    "sparse_inputs",
    "is_sparse_model",
    "sparse_heads",
    "encode_rows",
    "entry_chunks",
    "as_csr",
    "SPARSE_DENSITY",
    "use_sparse_layer",
]

#: Names of the four inputs of a network on sparse rows, in order.
ENTRY_NAMES = ("entry_ids", "entry_values", "entry_slots", "slot_rows")

#: ``sparse_layer="auto"`` works on the non-zeros of an ``X`` at most this
#: dense. Measured on a 2-core CPU, default network, sparse layer's fit time
#: over the dense layer's: 1.96x at 4.5% density, 1.30x at 2.2%, 0.90x at
#: 1.1% and 0.76x at 0.56% (20,000 rows of 22 non-zeros, 3 epochs:
#: ``benchmarks/text_scale.py --crossover 500,1000,2000,4000``), and 0.85x at
#: 1.17% (20,000 rows of 58 non-zeros, 5,000 words, default fit). The dense
#: layer's cost grows with the features, the sparse layer's with the
#: non-zeros; they cross near 1.5%, where the sparse layer also saves the
#: dense copy of ``X``.
SPARSE_DENSITY = 0.015

#: Entries per forward call when scoring many rows (out of fold, predict):
#: each gathers ``units`` floats, so 2**17 entries of 128 units is 64 MiB.
ENTRY_BUDGET = 2**17


def _padded_length(n):
    """``n`` rounded up to a bucket: a multiple of ``2**(bit_length(n) - 4)``."""
    n = max(int(n), 8)
    step = 2 ** max(n.bit_length() - 4, 0)
    return step * math.ceil(n / step)


def _csr_dtype():
    """``keras.config.floatx()``, or float32 where scipy.sparse cannot hold it.

    scipy.sparse has no float16 or bfloat16; such a matrix is kept in float32
    and its values are cast to floatx in :func:`encode_rows`.
    """
    floatx = np.dtype(keras.config.floatx())
    return floatx if floatx.itemsize >= 4 else np.dtype(np.float32)


def as_csr(X):
    """``X`` as a CSR matrix of Keras's float type, without stored zeros.

    A dense array is converted. An explicitly stored zero would count as a
    non-zero (for ``sparse_layer="auto"``) and, on the sparse layer, as a
    touched kernel row (:class:`LazyAdam` would move it); stored zeros are
    therefore dropped, on a copy: the caller's matrix is never changed.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)

    Returns
    -------
    scipy.sparse.csr_matrix of shape (n_samples, n_features)
        Of dtype ``keras.config.floatx()`` (float32 for a float type
        scipy.sparse lacks); ``X`` itself when nothing needs changing.
    """
    X = sp.csr_matrix(X) if not sp.issparse(X) else X.tocsr()
    X = X.astype(_csr_dtype(), copy=False)
    if X.nnz and not X.data.all():
        X = X.copy()
        X.eliminate_zeros()
    return X


def _nonzeros(X):
    """The number of non-zero values of ``X``, stored zeros left out."""
    return int(np.count_nonzero(X.data if sp.issparse(X) else X))


def use_sparse_layer(X, setting, default_network, dense_limit_bytes):
    """Whether the first layer works on the non-zeros of ``X``.

    Parameters
    ----------
    X : ndarray or sparse matrix of shape (n_samples, n_features)
    setting : {"auto", True, False}
        The estimator's ``sparse_layer`` (a NumPy bool acts as a bool).
        ``"auto"``: yes when ``X`` is at most :data:`SPARSE_DENSITY` dense
        (sparse or dense ``X``; stored zeros do not count), or when it is
        sparse and its dense copy would exceed ``dense_limit_bytes`` (the
        dense layer would then densify every batch).
    default_network : bool
        False for a build function or a ``keras.Model``, which take dense
        rows.
    dense_limit_bytes : int

    Returns
    -------
    bool

    Raises
    ------
    ValueError
        ``setting=True`` with a network of the user's.
    """
    auto = isinstance(setting, str)
    if not default_network:
        if not auto and bool(setting):
            raise ValueError(
                "sparse_layer=True needs the default network (model=None); a build "
                "function or keras.Model passed as model= receives dense rows. Use "
                "sparse_layer='auto' (or False) with your own network."
            )
        return False
    if auto:
        n_samples, n_features = X.shape
        if n_samples == 0 or n_features == 0:
            return False
        nnz = _nonzeros(X)
        too_big = sp.issparse(X) and n_samples * n_features * 4 > dense_limit_bytes
        return nnz <= SPARSE_DENSITY * n_samples * n_features or too_big
    return bool(setting)


def encode_rows(X, index, n_heads):
    """The entries of the slots ``index``: the four inputs of a sparse network.

    Parameters
    ----------
    X : scipy.sparse.csr_matrix of shape (n_samples, n_features)
    index : ndarray of int, shape (n, n_heads)
        Slot ``(b, j)`` holds row ``index[b, j]`` of ``X`` for head ``j``.
    n_heads : int

    Returns
    -------
    list of ndarray
        ``[entry_ids, entry_values, entry_slots, slot_rows]``, see the module
        docstring; the first three padded to a bucketed length.
    """
    index = np.asarray(index, dtype=np.intp).reshape(-1, n_heads)
    rows = index.ravel()
    starts = X.indptr[rows]
    lengths = X.indptr[rows + 1] - starts
    total = int(lengths.sum())
    size = _padded_length(total)
    n_features = X.shape[1]
    floatx = keras.config.floatx()
    ids = np.full(size, n_heads * n_features, dtype=np.int32)
    values = np.zeros(size, dtype=floatx)
    slots = np.zeros(size, dtype=np.int32)
    if total:
        slot = np.repeat(np.arange(rows.size, dtype=np.int64), lengths)
        offsets = np.cumsum(lengths) - lengths
        position = starts[slot] + np.arange(total) - offsets[slot]
        ids[:total] = X.indices[position] + (slot % n_heads) * n_features
        values[:total] = X.data[position]
        slots[:total] = slot
    return [ids, values, slots, np.zeros(index.shape[0], dtype=floatx)]


def entry_chunks(X, rows, budget=ENTRY_BUDGET):
    """Split ``rows`` (positions of slots, ``(n, k)``) into chunks of bounded entries.

    A chunk holds consecutive positions whose non-zeros over all heads add up
    to at most ``budget`` (one position at least), so the gathered rows of a
    forward call stay bounded whatever the rows' lengths.

    Parameters
    ----------
    X : scipy.sparse.csr_matrix
    rows : ndarray of int, shape (n, k)
    budget : int

    Returns
    -------
    list of slice
    """
    lengths = np.diff(X.indptr)[np.maximum(rows, 0)].sum(axis=1)
    cumulative = np.cumsum(lengths)
    chunks, start = [], 0
    while start < len(rows):
        base = cumulative[start - 1] if start else 0
        stop = int(np.searchsorted(cumulative, base + budget, side="right"))
        stop = max(stop, start + 1)
        chunks.append(slice(start, stop))
        start = stop
    return chunks


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
class SparseFoldDense(keras.layers.Layer):
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
        super().__init__(**kwargs)
        self.n_heads = int(n_heads)
        self.n_features = int(n_features)
        self.units = int(units)
        self.activation = keras.activations.get(activation)
        self.seed = seed
        self.weight_decay = float(weight_decay)
        self.scale = float(scale)

    def build(self, input_shape):
        k, d, u = self.n_heads, self.n_features, self.units
        limit = math.sqrt(6.0 / (d + u)) / self.scale
        draw = keras.initializers.RandomUniform(-limit, limit, seed=self.seed)

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
        rows = _gather_rows(self.kernel, ids)
        bias = self.bias
        if self.scale != 1.0:
            rows, bias = rows * self.scale, bias * self.scale
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
        config = super().get_config()
        config.update(
            n_heads=self.n_heads,
            n_features=self.n_features,
            units=self.units,
            activation=keras.activations.serialize(self.activation),
            seed=self.seed,
            weight_decay=self.weight_decay,
            scale=self.scale,
        )
        return config


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
    which at ``k d u`` = 32 M weights cost more than the rest of the step.
    TensorFlow's gather on the resource variable reads only the rows, and its
    gradient is ``IndexedSlices``.
    """
    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        return tf.gather(kernel.value, ids)
    return ops.take(kernel, ids, axis=0)


@keras.saving.register_keras_serializable(package="sk_imbalance")
class LazyAdam(keras.optimizers.Adam):
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
    (``benchmarks/sparse_quality.py``; the results page).

    References
    ----------
    D. P. Kingma and J. Ba, "Adam: A Method for Stochastic Optimization", ICLR
    2015.
    """

    def update_step(self, gradient, variable, learning_rate):
        if self.amsgrad or keras.backend.backend() != "tensorflow":
            return super().update_step(gradient, variable, learning_rate)
        import tensorflow as tf

        if not isinstance(gradient, tf.IndexedSlices):
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


def lazy_optimizer(optimizer):
    """``optimizer``'s lazy counterpart for sparse rows, where one exists.

    Plain Adam (not AMSGrad, not AdamW) becomes :class:`LazyAdam` with the same
    config. Any other optimizer is returned as it is: TensorFlow then applies
    its update to the whole kernel every step, which is correct but costs the
    vocabulary again. Options that would update untouched rows every step
    (``weight_decay``, ``gradient_accumulation_steps``) are refused before
    this, by :func:`~._network.make_optimizer`.
    """
    if type(optimizer) is keras.optimizers.Adam and not optimizer.amsgrad:
        config = optimizer.get_config()
        config.pop("name", None)
        return LazyAdam.from_config(config)
    return optimizer
