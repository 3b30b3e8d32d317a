"""Tests of sk_imbalance._nn.layers."""

import keras
import numpy as np
import pytest
from _networks import fold_mlp, user_heads
from scipy.special import expit

from sk_imbalance._crossfit.feed import predict_logits
from sk_imbalance._estimator.persistence import model_from_state, model_to_state
from sk_imbalance._nn.builders import copy_variables
from sk_imbalance._nn.layers import FoldDense, LogitAverage, ProbabilityAverage

META = {
    "n_features_in_": 4,
    "n_outputs_": 3,
    "n_outputs_expected_": 1,
    "n_classes_": 3,
    "target_type_": "multilabel-indicator",
    "classes_": None,
    "seed": None,
}


def user_network(meta):
    """A build function with a hidden layer, seeded from meta as documented."""
    init = keras.initializers.GlorotUniform(seed=meta["seed"])
    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(8, activation="tanh", kernel_initializer=init),
            keras.layers.Dense(meta["n_outputs_"], activation="sigmoid"),
        ]
    )


def _per_head_logits(ensemble_model, X):
    """Each head's logits from the ensemble view: input of its average layer."""
    average = ensemble_model.get_layer("logit_average")
    heads = keras.Model(ensemble_model.input, average.input)
    logits = heads(X.astype("float32"))
    if isinstance(logits, (list, tuple)):  # a build function's heads, side by side
        return np.stack([keras.ops.convert_to_numpy(z) for z in logits], axis=1)
    return keras.ops.convert_to_numpy(logits)


def _views(kind, n_heads, seed=0):
    rng = np.random.default_rng(seed)
    if kind == "mlp":
        return fold_mlp(4, 3, n_heads, hidden_layer_sizes=(8, 6), rng=rng)
    return user_heads(user_network, META, {}, n_heads, rng)


def test_fold_dense_draws_each_head_at_a_single_dense_layers_scale():
    """Check that each head has a Dense layer's Glorot scale, not a shrunk one."""
    layer = FoldDense(5, 200, seed=0)
    layer.build((None, 5, 300))
    kernel = keras.ops.convert_to_numpy(layer.kernel)
    dense = keras.layers.Dense(
        200, kernel_initializer=keras.initializers.GlorotUniform(0)
    )
    dense.build((None, 300))
    single_std = np.std(keras.ops.convert_to_numpy(dense.kernel))
    for head in kernel:
        assert np.std(head) == pytest.approx(single_std, rel=0.03)
    assert np.abs(kernel).max() <= np.sqrt(6 / 500) + 1e-7
    # the heads start apart
    assert not np.allclose(kernel[0], kernel[1])


@pytest.mark.parametrize("shared_input", [False, True])
def test_fold_dense_applies_each_heads_own_kernel(shared_input):
    """Check that head j's output is x_j W_j + b_j, for per-head or shared rows."""
    layer = FoldDense(3, 2, activation="relu", seed=1)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(6, 4) if shared_input else (6, 3, 4)).astype("float32")
    out = keras.ops.convert_to_numpy(layer(X))
    layer.bias.assign(rng.normal(size=(3, 2)).astype("float32"))
    out = keras.ops.convert_to_numpy(layer(X))
    kernel = keras.ops.convert_to_numpy(layer.kernel)
    bias = keras.ops.convert_to_numpy(layer.bias)
    for j in range(3):
        rows = X if shared_input else X[:, j]
        expected = np.maximum(rows @ kernel[j] + bias[j], 0)
        np.testing.assert_allclose(out[:, j], expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("kind", ["mlp", "user"])
def test_training_view_heads_only_see_their_own_slot(kind):
    """Check that changing head 1's rows leaves head 0's logits unchanged."""
    train_model, _ = _views(kind, 3)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(5, 3, 4)).astype("float32")
    changed = X.copy()
    changed[:, 1] += 10.0
    before = keras.ops.convert_to_numpy(train_model(X, training=False))
    after = keras.ops.convert_to_numpy(train_model(changed, training=False))
    assert before.shape == (5, 3, 3)
    np.testing.assert_array_equal(after[:, [0, 2]], before[:, [0, 2]])
    assert not np.allclose(after[:, 1], before[:, 1])


@pytest.mark.parametrize("kind", ["mlp", "user"])
def test_ensemble_view_averages_the_heads_logits(kind):
    """Check that the ensemble view is the mean of the heads' logits.

    That is the ensemble the held-out scores are matched to (``_decisions.spread``); the
    mean probability would sit higher in the negative tail.
    """
    train_model, ensemble_model = _views(kind, 3)
    X = np.random.default_rng(3).normal(size=(7, 4)).astype("float32")
    per_head = keras.ops.convert_to_numpy(
        train_model(np.repeat(X[:, np.newaxis], 3, axis=1), training=False)
    )
    np.testing.assert_allclose(_per_head_logits(ensemble_model, X), per_head, rtol=1e-5)
    expected = per_head.astype(np.float64).mean(axis=1)
    np.testing.assert_allclose(predict_logits(ensemble_model, X), expected, atol=1e-5)


def test_user_heads_are_one_network_per_head_with_own_seed():
    """Check that a build function gives k separate networks with different weights."""
    train_model, ensemble_model = _views("user", 3)
    heads = [ensemble_model.get_layer(f"head_{j}") for j in range(3)]
    assert len({id(h) for h in heads}) == 3
    kernels = [h.layers[0].get_weights()[0] for h in heads]
    assert not np.allclose(kernels[0], kernels[1])
    # the final sigmoid was switched to logits
    assert heads[0].layers[-1].get_config()["activation"] == "linear"
    # the same seed gives the same heads
    _, again = _views("user", 3)
    np.testing.assert_array_equal(
        again.get_layer("head_2").get_weights()[0], heads[2].get_weights()[0]
    )


def test_probability_average_is_logit_of_mean_probability():
    """Check that the layer returns logit(mean of the sigmoids)."""
    rng = np.random.default_rng(0)
    logits = [rng.normal(scale=3, size=(6, 2)).astype("float32") for _ in range(4)]
    out = keras.ops.convert_to_numpy(ProbabilityAverage()(logits))
    expected = np.mean([expit(z.astype(np.float64)) for z in logits], axis=0)
    np.testing.assert_allclose(expit(out), expected, rtol=1e-5)
    stacked = keras.ops.convert_to_numpy(ProbabilityAverage()(np.stack(logits, 1)))
    np.testing.assert_allclose(stacked, out, rtol=1e-6)


def test_logit_average_is_the_weighted_mean_of_logits():
    """Check the mean of logits, its weights, and one head passed through."""
    rng = np.random.default_rng(1)
    logits = rng.normal(scale=3, size=(6, 4, 2)).astype("float32")
    out = keras.ops.convert_to_numpy(LogitAverage()(logits))
    np.testing.assert_allclose(out, logits.mean(axis=1), rtol=1e-6, atol=1e-6)
    weights = [1.0, 0.0, 3.0, 4.0]
    weighted = keras.ops.convert_to_numpy(
        LogitAverage(weights)(list(logits.swapaxes(0, 1)))
    )
    expected = np.tensordot(logits, np.array(weights) / 8.0, axes=([1], [0]))
    np.testing.assert_allclose(weighted, expected, rtol=1e-5, atol=1e-6)
    single = keras.ops.convert_to_numpy(LogitAverage()(logits[:, :1]))
    np.testing.assert_array_equal(single, logits[:, 0])


def test_probability_average_is_stable_for_large_logits_and_one_head():
    """Check that huge logits stay finite and one head passes through unchanged."""
    logits = np.array([[[80.0, -80.0, 500.0]], [[90.0, -90.0, 600.0]]], "float32")
    out = keras.ops.convert_to_numpy(ProbabilityAverage()(logits.transpose(1, 0, 2)))
    assert np.all(np.isfinite(out))
    assert out[0, 0] > 70 and out[0, 1] < -70 and out[0, 2] > 400
    single = keras.ops.convert_to_numpy(
        ProbabilityAverage()(logits[:1].transpose(1, 0, 2))
    )
    np.testing.assert_array_equal(single, logits[0])


@pytest.mark.parametrize("kind", ["mlp", "user"])
@pytest.mark.parametrize("n_heads", [1, 5])
def test_ensemble_view_round_trips_through_model_state(kind, n_heads):
    """Check that the ensemble view is rebuilt from its config with equal outputs."""
    _, ensemble_model = _views(kind, n_heads)
    X = np.random.default_rng(2).normal(size=(7, 4)).astype("float32")
    restored = model_from_state(model_to_state(ensemble_model))
    np.testing.assert_array_equal(
        predict_logits(restored, X), predict_logits(ensemble_model, X)
    )


def test_copy_variables_copies_weights_and_seed_states_and_checks_shapes():
    """Check that every variable is copied, and that mismatched models are refused."""
    source, _ = _views("mlp", 2, seed=0)
    target, _ = _views("mlp", 2, seed=1)
    copy_variables(source, target)
    for a, b in zip(source.variables, target.variables, strict=True):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    other, _ = _views("mlp", 3)
    with pytest.raises(RuntimeError, match="same variables"):
        copy_variables(source, other)


def test_softmax_average_is_the_mean_probability():
    """Check softmax(output) equals the heads' mean softmax, also for huge logits."""
    from sk_imbalance._nn.layers import SoftmaxAverage

    rng = np.random.default_rng(0)
    logits = (rng.normal(size=(6, 3, 4)) * 5).astype("float32")
    logits[0, 0] = [500.0, -500.0, 0.0, 0.0]
    out = keras.ops.convert_to_numpy(SoftmaxAverage()(logits)).astype(np.float64)
    z = logits.astype(np.float64)
    soft = np.exp(z - z.max(axis=-1, keepdims=True))
    soft /= soft.sum(axis=-1, keepdims=True)
    mean = soft.mean(axis=1)
    got = np.exp(out - out.max(axis=-1, keepdims=True))
    got /= got.sum(axis=-1, keepdims=True)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(got, mean, rtol=1e-4, atol=1e-6)
    single = keras.ops.convert_to_numpy(SoftmaxAverage()(logits[:, :1]))
    np.testing.assert_array_equal(single, logits[:, 0])
