"""Tests of sk_imbalance._network."""

import keras
import numpy as np
import pytest
import scipy.sparse as sp

from sk_imbalance._network import (
    _ShuffledBatches,
    build_mlp,
    build_network,
    make_optimizer,
    predict_logits,
)

META = {"n_features_in_": 4, "n_outputs_": 3, "seed": 0}


def test_build_mlp_outputs_logits_of_right_width():
    """Check that the default MLP ends in a linear layer with one unit per label."""
    model = build_mlp(META, hidden_layer_sizes=(8, 4), dropout=0.1)
    assert model.output_shape == (None, 3)
    assert model.layers[-1].activation.__name__ == "linear"


def test_build_mlp_same_seed_same_weights():
    """Check that a seed fixes the initial weights without any global seed."""
    first = build_mlp(META, hidden_layer_sizes=(8,))
    second = build_mlp(META, hidden_layer_sizes=(8,))
    for a, b in zip(first.get_weights(), second.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_build_network_switches_sigmoid_to_logits():
    """Check that a user model ending in sigmoid is turned into a logit model."""

    def build(meta):
        return keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(meta["n_outputs_"], activation="sigmoid"),
            ]
        )

    model = build_network(build, META, {}, {})
    x = np.random.default_rng(0).normal(size=(5, 4)).astype("float32") * 10
    out = keras.ops.convert_to_numpy(model(x))
    kernel, bias = model.layers[-1].get_weights()
    assert model.layers[-1].activation.__name__ == "linear"
    np.testing.assert_allclose(out, x @ kernel + bias, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "units, activation, message",
    [
        (2, "sigmoid", "has 2 units but the target has 3"),
        (3, "softmax", "activation 'softmax'"),
    ],
)
def test_build_network_rejects_bad_output(units, activation, message):
    """Check that a wrong output width or activation raises a clear ValueError."""

    def build(meta):
        return keras.Sequential(
            [keras.Input((4,)), keras.layers.Dense(units, activation=activation)]
        )

    with pytest.raises(ValueError, match=message):
        build_network(build, META, {}, {})


def test_build_network_rejects_unknown_model_kwargs_and_non_models():
    """Check that unknown build-function arguments and non-models are refused."""

    def build(meta, units=4):
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])

    with pytest.raises(ValueError, match=r"model_kwargs has keys \['width'\]"):
        build_network(build, META, {"width": 3}, {})
    with pytest.raises(ValueError, match="returned str, not a keras.Model"):
        build_network(lambda meta: "model", META, {}, {})
    with pytest.raises(ValueError, match="model must be None, a keras.Model"):
        build_network(42, META, {}, {})


def test_shuffled_batches_cover_every_row_once_and_densify_sparse():
    """Check that one epoch of batches covers each row once, dense, in float32."""
    X = sp.csr_matrix(np.arange(20, dtype=float).reshape(10, 2))
    Y = np.arange(10, dtype=float)[:, None]
    batches = _ShuffledBatches(X, Y, np.ones(10), 3, np.random.default_rng(0))
    seen = np.concatenate([batches[i][1][:, 0] for i in range(len(batches))])
    assert sorted(seen.tolist()) == list(range(10))
    x_batch, _, w_batch = batches[0]
    assert isinstance(x_batch, np.ndarray) and x_batch.dtype == np.float32
    assert w_batch.shape == (3,)


def test_predict_logits_matches_model_and_sparse():
    """Check that chunked direct calls equal the model's output, dense or sparse."""
    model = build_mlp(META, hidden_layer_sizes=(8,))
    X = np.random.default_rng(0).random((30, 4))
    expected = keras.ops.convert_to_numpy(model(X.astype("float32")))
    dense = predict_logits(model, X)
    assert dense.dtype == np.float64
    np.testing.assert_allclose(dense, expected, rtol=1e-6)
    np.testing.assert_allclose(predict_logits(model, sp.csr_matrix(X)), dense)


def test_make_optimizer_copies_and_sets_learning_rate():
    """Check that a fresh optimizer is made with the requested learning rate."""
    given = keras.optimizers.SGD(learning_rate=0.5, momentum=0.9)
    made = make_optimizer(given, 0.01)
    assert made is not given and isinstance(made, keras.optimizers.SGD)
    assert float(made.learning_rate) == pytest.approx(0.01)
    assert made.get_config()["momentum"] == pytest.approx(0.9)
    with pytest.raises(ValueError, match="optimizer must be"):
        make_optimizer(3, 0.01)
