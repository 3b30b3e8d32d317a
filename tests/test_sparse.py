"""Tests of sk_imbalance._nn.sparse_layer: the first layer on sparse rows."""

import keras
import numpy as np
import pytest
import scipy.sparse as sp
from _networks import fold_mlp

from sk_imbalance._crossfit.encoding import encode_rows, entry_chunks
from sk_imbalance._nn.layers import FoldDense
from sk_imbalance._nn.optimizers import LazyAdam, lazy_optimizer
from sk_imbalance._nn.sparse_layer import (
    SparseFoldDense,
    is_sparse_model,
    sparse_heads,
    sparse_inputs,
)


def _csr(n=40, d=30, density=0.15, seed=0):
    X = sp.random(n, d, density=density, format="csr", random_state=seed)
    X.data = X.data.astype(np.float32) * 2 - 1
    X = X.astype(np.float32).tolil()
    X[3] = 0  # an empty row
    X = X.tocsr()
    X.eliminate_zeros()
    return X


def _dense_blocks_from_entries(entries, n_slots, n_heads, d):
    """Rebuild (n, k, d) dense rows from the entries (the padding row dropped)."""
    ids, values, slots, slot_rows = entries
    out = np.zeros((n_slots * n_heads, n_heads * d + 1))
    np.add.at(out, (slots, ids), values)
    assert np.all(out[:, -1] == 0)  # padding entries carry zero
    blocks = out[:, :-1].reshape(n_slots, n_heads, n_heads, d)
    return blocks, slot_rows


def test_encode_rows_carries_each_slots_row_and_pads_to_a_bucket():
    """Check that the entries of slot (b, j) are row index[b, j] in head j's block."""
    X = _csr()
    k, d = 3, X.shape[1]
    index = np.random.default_rng(0).integers(0, X.shape[0], size=(7, k))
    index[0, 1] = 3  # an empty row
    entries = encode_rows(X, index, k)
    ids, values, slots, slot_rows = entries
    assert ids.dtype == np.int32 and values.dtype == np.float32
    assert len(ids) == len(values) == len(slots) >= X[index.ravel()].nnz
    assert slot_rows.shape == (7,)
    blocks, _ = _dense_blocks_from_entries(entries, 7, k, d)
    dense = X.toarray()
    for b in range(7):
        for j in range(k):
            for other in range(k):
                expected = dense[index[b, j]] if other == j else np.zeros(d)
                np.testing.assert_array_equal(blocks[b, j, other], expected)
    padding = ids == k * d
    assert np.all(values[padding] == 0)
    # at most 1/16 more entries than the non-zeros (and at least 8)
    assert len(ids) <= max(8, int(np.ceil(X[index.ravel()].nnz * 17 / 16)))


def test_encode_rows_of_only_empty_rows():
    """Check that a batch with no non-zero still gives valid (all padding) entries."""
    X = sp.csr_matrix((5, 4), dtype=np.float32)
    ids, values, slots, slot_rows = encode_rows(X, np.zeros((2, 2), int), 2)
    assert np.all(ids == 8) and np.all(values == 0) and slot_rows.shape == (2,)


def test_entry_chunks_bound_the_non_zeros_of_each_chunk():
    """Check that chunks cover every position once, each within the budget."""
    X = _csr(n=200, d=50, density=0.3)
    rows = np.random.default_rng(1).integers(-1, 200, size=(150, 2))
    chunks = entry_chunks(X, rows, budget=60)
    covered = np.concatenate([np.arange(150)[c] for c in chunks])
    np.testing.assert_array_equal(covered, np.arange(150))
    lengths = np.diff(X.indptr)[np.maximum(rows, 0)].sum(axis=1)
    for chunk in chunks:
        assert lengths[chunk].sum() <= 60 or chunk.stop - chunk.start == 1


def test_sparse_fold_dense_is_fold_dense_on_the_non_zeros():
    """Check the same seed draws the same kernel, and the outputs agree."""
    X = _csr()
    k, d, u = 3, X.shape[1], 5
    dense_layer = FoldDense(k, u, "tanh", seed=7)
    sparse_layer = SparseFoldDense(k, d, u, "tanh", seed=7)
    index = np.random.default_rng(2).integers(0, X.shape[0], size=(9, k))
    blocks = X.toarray()[index]  # (9, k, d)
    expected = keras.ops.convert_to_numpy(dense_layer(blocks))
    got = keras.ops.convert_to_numpy(sparse_layer(encode_rows(X, index, k)))
    kernel = keras.ops.convert_to_numpy(sparse_layer.kernel)
    np.testing.assert_array_equal(
        kernel[:-1].reshape(k, d, u), keras.ops.convert_to_numpy(dense_layer.kernel)
    )
    assert np.all(kernel[-1] == 0)  # the padding row
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="IndexedSlices are TensorFlow's"
)
def test_sparse_fold_dense_gradient_touches_only_the_batchs_rows():
    """Check the kernel's gradient is IndexedSlices over the touched rows only."""
    import tensorflow as tf

    X = _csr()
    k, d = 2, X.shape[1]
    layer = SparseFoldDense(k, d, 4)
    index = np.array([[0, 1], [2, 5]])
    entries = encode_rows(X, index, k)
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(layer(entries) ** 2)
    grad = tape.gradient(loss, layer.kernel.value)
    assert isinstance(grad, tf.IndexedSlices)
    touched = set(np.unique(grad.indices.numpy()))
    expected = {j * d + c for (b, j), r in np.ndenumerate(index) for c in X[r].indices}
    assert touched - {k * d} == expected


def _adam_reference(w, grads, lr=0.1, b1=0.9, b2=0.999, eps=1e-7, lazy=True):
    """NumPy (lazy) Adam on a table ``w`` with per-step dense gradients."""
    w, m, v = w.copy(), np.zeros_like(w), np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        rows = np.any(g != 0, axis=1) if lazy else np.ones(len(w), bool)
        m[rows] = b1 * m[rows] + (1 - b1) * g[rows]
        v[rows] = b2 * v[rows] + (1 - b2) * g[rows] ** 2
        alpha = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        w[rows] -= alpha * m[rows] / (np.sqrt(v[rows]) + eps)
    return w


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="IndexedSlices are TensorFlow's"
)
def test_lazy_adam_updates_only_touched_rows_as_adam_would():
    """Check LazyAdam against a NumPy reference: duplicates summed, others frozen."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    start = rng.normal(size=(6, 3)).astype(np.float32)
    variable = keras.Variable(start)
    optimizer = LazyAdam(learning_rate=0.1)
    optimizer.build([variable])
    steps = [([0, 2, 2], rng.normal(size=(3, 3))), ([2, 5], rng.normal(size=(2, 3)))]
    dense = []
    for rows, values in steps:
        grad = tf.IndexedSlices(tf.constant(values, tf.float32), tf.constant(rows))
        optimizer.apply_gradients([(grad, variable)])
        full = np.zeros((6, 3))
        np.add.at(full, rows, values)
        dense.append(full)
    expected = _adam_reference(start.astype(np.float64), dense)
    np.testing.assert_allclose(variable.numpy(), expected, rtol=1e-5)
    np.testing.assert_array_equal(variable.numpy()[[1, 3, 4]], start[[1, 3, 4]])
    # with every row touched each step, it is Adam
    adam_variable, lazy_variable = keras.Variable(start), keras.Variable(start)
    adam, lazy = keras.optimizers.Adam(0.1), LazyAdam(0.1)
    adam.build([adam_variable])
    lazy.build([lazy_variable])
    for _ in range(3):
        values = rng.normal(size=(6, 3)).astype(np.float32)
        adam.apply_gradients([(tf.constant(values), adam_variable)])
        lazy.apply_gradients(
            [(tf.IndexedSlices(tf.constant(values), tf.range(6)), lazy_variable)]
        )
    np.testing.assert_allclose(
        lazy_variable.numpy(), adam_variable.numpy(), rtol=1e-4, atol=1e-5
    )


def test_lazy_optimizer_swaps_plain_adam_only():
    """Check Adam becomes LazyAdam with its config; others are kept."""
    made = lazy_optimizer(keras.optimizers.Adam(learning_rate=0.03, beta_1=0.8))
    assert type(made) is LazyAdam
    assert np.isclose(float(made.learning_rate), 0.03) and made.beta_1 == 0.8
    sgd = keras.optimizers.SGD(0.1)
    assert lazy_optimizer(sgd) is sgd
    amsgrad = keras.optimizers.Adam(amsgrad=True)
    assert lazy_optimizer(amsgrad) is amsgrad
    adamw = keras.optimizers.AdamW()
    assert lazy_optimizer(adamw) is adamw


@pytest.mark.parametrize("hidden", [(6,), ()])
def test_sparse_fold_mlp_computes_the_dense_fold_mlp(hidden):
    """Check that the same rng builds the same network, sparse or dense, both views."""
    X = _csr()
    k, d = 3, X.shape[1]
    dense_train, dense_ensemble = fold_mlp(
        d, 2, k, hidden_layer_sizes=hidden, rng=np.random.default_rng(4)
    )
    sparse_train, sparse_ensemble = fold_mlp(
        d, 2, k, hidden_layer_sizes=hidden, rng=np.random.default_rng(4), sparse=True
    )
    assert is_sparse_model(sparse_train) and is_sparse_model(sparse_ensemble)
    assert not is_sparse_model(dense_train) and sparse_heads(sparse_ensemble) == k
    index = np.random.default_rng(5).integers(0, X.shape[0], size=(8, k))
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(sparse_train(encode_rows(X, index, k))),
        keras.ops.convert_to_numpy(dense_train(X.toarray()[index])),
        rtol=1e-5,
        atol=1e-6,
    )
    rows = np.arange(X.shape[0])
    shared = np.repeat(rows[:, np.newaxis], k, axis=1)
    np.testing.assert_allclose(
        keras.ops.convert_to_numpy(sparse_ensemble(encode_rows(X, shared, k))),
        keras.ops.convert_to_numpy(dense_ensemble(X.toarray())),
        rtol=1e-5,
        atol=1e-6,
    )


def test_sparse_inputs_are_named_entries():
    """Check the four inputs' names and dtypes."""
    names = [t.name for t in sparse_inputs()]
    assert names[0].startswith("entry_ids") and names[3].startswith("slot_rows")
    assert [t.dtype for t in sparse_inputs()][::2] == ["int32", "int32"]


def test_use_sparse_layer_auto_follows_density_and_size():
    """Check "auto": at most 1.5% non-zero (sparse or dense X), or a sparse X too
    big to densify; True and False as given; a user's network never."""
    from sk_imbalance._estimator.sparse_policy import use_sparse_layer

    thin = sp.random(100, 1000, density=0.005, format="csr", random_state=0)
    thick = sp.random(100, 1000, density=0.05, format="csr", random_state=0)
    limit = 2**30
    assert use_sparse_layer(thin, "auto", True, limit)
    assert use_sparse_layer(thin.toarray(), "auto", True, limit)
    assert not use_sparse_layer(thick, "auto", True, limit)
    assert not use_sparse_layer(thick.toarray(), "auto", True, limit)
    assert use_sparse_layer(thick, "auto", True, 100 * 1000 * 4 - 1)  # too big
    assert not use_sparse_layer(thick.toarray(), "auto", True, 1)  # dense: as is
    assert use_sparse_layer(thick, True, True, limit)
    assert not use_sparse_layer(thin, False, True, limit)
    assert not use_sparse_layer(thin, "auto", False, limit)
    with pytest.raises(ValueError, match="sparse_layer=True needs the default"):
        use_sparse_layer(thin, True, False, limit)


@pytest.mark.parametrize("density", [None, 0.1], ids=["default", "patched"])
def test_use_sparse_layer_auto_switches_at_sparse_density(monkeypatch, density):
    """Check "auto": the sparse layer at SPARSE_DENSITY non-zeros, dense one above."""
    from sk_imbalance._estimator import sparse_policy

    if density is not None:
        monkeypatch.setattr(sparse_policy, "SPARSE_DENSITY", density)
    n, d = 50, 400
    at = int(np.floor(sparse_policy.SPARSE_DENSITY * n * d))
    cells = np.random.default_rng(0).permutation(n * d)
    for nnz, expected in [(at, True), (at + 1, False)]:
        X = np.zeros(n * d)
        X[cells[:nnz]] = 1.0
        for given in (X.reshape(n, d), sp.csr_matrix(X.reshape(n, d))):
            assert (
                sparse_policy.use_sparse_layer(given, "auto", True, 2**30) is expected
            )


@pytest.mark.parametrize("setting", [True, "auto"])
def test_estimator_converts_a_mostly_zero_dense_x(setting):
    """Check that a dense X with few non-zeros trains the sparse layer (as CSR)
    and predicts the same from dense or sparse rows."""
    from sk_imbalance import WeightedMultiLabelClassifier

    X = sp.random(120, 600, density=0.004, format="csr", random_state=1).toarray()
    y = np.random.default_rng(0).integers(0, 2, size=120)
    clf = WeightedMultiLabelClassifier(
        hidden_layer_sizes=(4,), epochs=2, cv=2, sparse_layer=setting, random_state=0
    ).fit(X, y)
    assert clf.sparse_layer_ and is_sparse_model(clf.model_)
    np.testing.assert_allclose(
        clf.predict_proba(X), clf.predict_proba(sp.csr_matrix(X)), rtol=1e-6
    )


@pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="IndexedSlices are TensorFlow's"
)
def test_training_step_reaches_lazy_adam_with_sparse_gradients():
    """Check, through compile and train_on_batch, that rows a step did not touch
    keep their moments (dense Adam would decay them by beta_1)."""
    from sk_imbalance._nn.losses import HeadwiseLoss

    X = sp.csr_matrix(np.eye(6, dtype=np.float32))
    train, _ = fold_mlp(
        6,
        1,
        2,
        hidden_layer_sizes=(3,),
        dropout=0,
        rng=np.random.default_rng(0),
        sparse=True,
    )
    optimizer = LazyAdam(0.1)
    train.compile(optimizer=optimizer, loss=HeadwiseLoss("bce"), jit_compile=False)
    y = np.zeros((1, 2, 2), np.float32)
    y[..., 1] = 1.0  # the element weights
    kernel = next(w for w in train.trainable_weights if tuple(w.shape) == (13, 3))
    train.train_on_batch(encode_rows(X, np.array([[0, 1]]), 2), y)
    momentum = optimizer._momentums[optimizer._get_variable_index(kernel)]
    first = momentum.numpy().copy()
    train.train_on_batch(encode_rows(X, np.array([[2, 3]]), 2), y)
    second = momentum.numpy()
    touched_first = [0, 6 + 1]  # head 0's row 0, head 1's row 1
    assert np.any(first[touched_first] != 0)
    np.testing.assert_array_equal(second[touched_first], first[touched_first])
    assert np.any(second[[2, 6 + 3]] != 0)
    np.testing.assert_array_equal(second[12], 0)  # the padding row never moves


#: Two candidates without weight decay (the sparse layer's is the dense one's
#: in expectation only), one with a learning-rate scale.
_TWO = [
    {"hidden_layer_sizes": (), "dropout": 0.0, "learning_rate_scale": 3.0},
    {"hidden_layer_sizes": (8,)},
]


@pytest.mark.parametrize(
    "params",
    [
        {"ensemble": False, "candidates": _TWO},
        {"cv": 0.25, "candidates": _TWO},
        {"hidden_layer_sizes": ()},
        {"hidden_layer_sizes": (8, 4)},
    ],
    ids=["refit", "one-head", "linear", "deep"],
)
@pytest.mark.parametrize("multiclass", [False, True])
def test_sparse_layer_under_every_network_form(params, multiclass):
    """Check the refit, a single hold-out head, a linear network (the sparse
    layer is the logits) and two hidden layers on the sparse path: with SGD
    (no update to a row no batch touches, either way) the sparse layer's fit
    predicts what the dense layer's does."""
    from sk_imbalance import WeightedMultiClassClassifier, WeightedMultiLabelClassifier

    X = sp.random(200, 3000, density=0.005, format="csr", random_state=0)
    rng = np.random.default_rng(0)
    target = rng.integers(0, 3, 200) if multiclass else rng.integers(0, 2, (200, 4))
    Estimator = (
        WeightedMultiClassClassifier if multiclass else WeightedMultiLabelClassifier
    )
    common = dict(
        epochs=2, batch_size=64, optimizer="sgd", learning_rate=0.5, random_state=0
    )
    fits = [
        Estimator(**common, **params, sparse_layer=sparse).fit(X, target)
        for sparse in (True, False)
    ]
    assert fits[0].sparse_layer_ and is_sparse_model(fits[0].model_)
    assert not fits[1].sparse_layer_
    np.testing.assert_allclose(
        fits[0].predict_proba(X), fits[1].predict_proba(X), rtol=1e-4, atol=1e-6
    )


def test_sparse_weight_decay_is_the_dense_penalty_in_expectation():
    """Over batches that cover each head's training rows once, the sparse
    layer's penalty averages lambda * sum ||W_j[r]||^2 over the words head j
    trains on: the dense layer's L2, not one weighted by word frequency."""
    from sk_imbalance._nn.sparse_layer import set_row_penalties

    rng = np.random.default_rng(0)
    n, d, units, k, batch = 24, 30, 3, 2, 4
    X = sp.random(n, d, density=0.15, format="csr", random_state=1, dtype=np.float32)
    train_sets = [rng.permutation(n)[:12], rng.permutation(n)[:12]]
    layer = SparseFoldDense(k, d, units, weight_decay=0.01, scale=2.0, seed=0)
    entries = sparse_inputs()
    set_row_penalties(keras.Model(entries, layer(entries)), X, train_sets)
    penalties = []
    for b in range(12 // batch):
        index = np.stack([t[b * batch : (b + 1) * batch] for t in train_sets], axis=1)
        layer(encode_rows(X, index, k), training=True)
        penalties.append(
            sum(float(keras.ops.convert_to_numpy(v)) for v in layer.losses)
        )
    W = keras.ops.convert_to_numpy(layer.kernel)[:-1].reshape(k, d, units) * 2.0
    expected = 0.0
    for j, rows in enumerate(train_sets):
        seen = np.unique(X[rows].indices)
        expected += 0.01 * np.sum(W[j, seen] ** 2)
    assert len(seen) < d  # some words unseen: they are not penalised
    np.testing.assert_allclose(np.mean(penalties), expected, rtol=1e-5)


def test_use_sparse_layer_takes_numpy_bools_as_bools():
    """Check that np.True_ and np.False_ act as True and False, not as "auto"."""
    from sk_imbalance import WeightedMultiLabelClassifier
    from sk_imbalance._estimator.sparse_policy import use_sparse_layer

    thin = sp.random(100, 1000, density=0.005, format="csr", random_state=0)
    thick = sp.random(100, 1000, density=0.05, format="csr", random_state=0)
    limit = 2**30
    assert use_sparse_layer(thick, np.True_, True, limit) is True  # auto: False
    assert use_sparse_layer(thin, np.False_, True, limit) is False  # auto: True
    with pytest.raises(ValueError, match="sparse_layer=True needs the default"):
        use_sparse_layer(thin, np.True_, False, limit)

    def build(meta):
        return keras.Sequential(
            [keras.Input((meta["n_features_in_"],)), keras.layers.Dense(2)]
        )

    clf = WeightedMultiLabelClassifier(model=build, epochs=1, sparse_layer=np.True_)
    with pytest.raises(ValueError, match="sparse_layer=True needs the default"):
        clf.fit(np.eye(8), np.eye(2, dtype=int)[np.arange(8) % 2])


def _with_stored_zeros(X, n_zeros, seed=0):
    """``X`` (CSR) with ``n_zeros`` explicit zeros stored at empty positions."""
    rng = np.random.default_rng(seed)
    coo = X.tocoo()
    taken = set(zip(coo.row.tolist(), coo.col.tolist(), strict=True))
    extra = set()
    while len(extra) < n_zeros:
        r, c = int(rng.integers(X.shape[0])), int(rng.integers(X.shape[1]))
        if (r, c) not in taken:
            extra.add((r, c))
    rows, cols = np.array(sorted(extra)).T
    padded = sp.csr_matrix(
        (
            np.concatenate([coo.data, np.zeros(n_zeros, coo.data.dtype)]),
            (np.concatenate([coo.row, rows]), np.concatenate([coo.col, cols])),
        ),
        shape=X.shape,
    )
    assert padded.nnz == X.nnz + n_zeros  # the zeros are stored
    return padded


def test_stored_zeros_change_neither_the_layer_nor_the_model():
    """Check that explicit zeros in a CSR X are not non-zeros: "auto" chooses as
    without them, the sparse layer trains the same model, and X is unchanged."""
    from sk_imbalance import WeightedMultiLabelClassifier
    from sk_imbalance._crossfit.encoding import as_csr
    from sk_imbalance._estimator.sparse_policy import use_sparse_layer

    clean = sp.random(100, 1000, density=0.005, format="csr", random_state=0)
    stored = _with_stored_zeros(clean, 2900)  # 3.4% stored, 0.5% non-zero
    assert use_sparse_layer(stored, "auto", True, 2**30)
    data = stored.data.copy()
    assert as_csr(stored).nnz == clean.nnz
    np.testing.assert_array_equal(stored.data, data)  # the caller's X: untouched

    X = sp.random(60, 300, density=0.05, format="csr", random_state=1)
    X.data = X.data.astype(np.float32)
    with_zeros = _with_stored_zeros(X, 600, seed=1)
    data, indices = with_zeros.data.copy(), with_zeros.indices.copy()
    y = np.random.default_rng(0).integers(0, 2, size=(60, 2))
    params = dict(
        hidden_layer_sizes=(4,), epochs=3, cv=2, batch_size=16, random_state=0
    )
    fitted = [
        WeightedMultiLabelClassifier(sparse_layer=True, **params).fit(Z, y)
        for Z in (with_zeros, X)
    ]
    np.testing.assert_array_equal(
        fitted[0].predict_proba(X), fitted[1].predict_proba(X)
    )
    assert with_zeros.nnz == X.nnz + 600
    np.testing.assert_array_equal(with_zeros.data, data)
    np.testing.assert_array_equal(with_zeros.indices, indices)


@pytest.mark.parametrize(
    "floatx, csr_dtype", [("float64", "float64"), ("float16", "float32")]
)
def test_encode_rows_and_as_csr_follow_floatx(floatx, csr_dtype):
    """Check that the CSR copy and the entries' values follow keras floatx (a
    CSR of float16, which scipy.sparse lacks, stays float32)."""
    from sk_imbalance._crossfit.encoding import as_csr

    previous = keras.config.floatx()
    keras.config.set_floatx(floatx)
    try:
        X = as_csr(_csr().toarray())
        ids, values, slots, slot_rows = encode_rows(X, np.array([[0, 1]]), 2)
    finally:
        keras.config.set_floatx(previous)
    assert X.dtype == csr_dtype
    assert values.dtype == floatx and slot_rows.dtype == floatx
    assert ids.dtype == np.int32 and slots.dtype == np.int32
