"""Tests of sk_imbalance._ensemble."""

import keras
import numpy as np
import pytest
from scipy.special import expit

from sk_imbalance._ensemble import ProbabilityAverage, combine_networks, fuse_mlps
from sk_imbalance._network import build_mlp, predict_logits
from sk_imbalance._persistence import model_from_state, model_to_state


def _networks(n, n_features=4, n_outputs=3, hidden_layer_sizes=(8,)):
    """Default MLPs, as the estimator builds them."""
    meta = {"n_features_in_": n_features, "n_outputs_": n_outputs}
    return [build_mlp({**meta, "seed": seed}, hidden_layer_sizes) for seed in range(n)]


def _user_networks(n, n_features=4, n_outputs=3):
    """Networks of a user's build function: not fused, nested."""
    return [
        keras.Sequential(
            [
                keras.Input((n_features,)),
                keras.layers.Dense(8, activation="tanh"),
                keras.layers.Dense(n_outputs),
            ]
        )
        for _ in range(n)
    ]


def test_probability_average_is_logit_of_mean_probability():
    """Check that the layer returns logit(mean of the sigmoids)."""
    rng = np.random.default_rng(0)
    logits = [rng.normal(scale=3, size=(6, 2)).astype("float32") for _ in range(4)]
    out = keras.ops.convert_to_numpy(ProbabilityAverage()(logits))
    expected = np.mean([expit(z.astype(np.float64)) for z in logits], axis=0)
    np.testing.assert_allclose(expit(out), expected, rtol=1e-5)


def test_probability_average_is_stable_for_large_logits():
    """Check that huge logits give finite results with the right sign."""
    logits = [np.array([[80.0, -80.0, 500.0]], "float32")] * 2 + [
        np.array([[90.0, -90.0, 600.0]], "float32")
    ]
    out = keras.ops.convert_to_numpy(ProbabilityAverage()(logits))
    assert np.all(np.isfinite(out))
    assert out[0, 0] > 70 and out[0, 1] < -70 and out[0, 2] > 400


def test_probability_average_takes_an_ensemble_axis():
    """Check that a (n, k, m) tensor gives the same result as a list of k."""
    rng = np.random.default_rng(3)
    logits = [rng.normal(size=(5, 2)).astype("float32") for _ in range(3)]
    from_list = keras.ops.convert_to_numpy(ProbabilityAverage()(logits))
    stacked = keras.ops.convert_to_numpy(ProbabilityAverage()(np.stack(logits, 1)))
    np.testing.assert_allclose(stacked, from_list, rtol=1e-6)


@pytest.mark.parametrize(
    "make, first_layers",
    [
        (lambda: _networks(3), ["features", "fused_dense_0", "fused_dense_1"]),
        (
            lambda: _networks(3, hidden_layer_sizes=(8, 6)),
            ["features", "fused_dense_0", "fused_dense_1", "fused_dense_2"],
        ),
        (
            lambda: _user_networks(3),
            ["features", "network_0", "network_1", "network_2"],
        ),
    ],
    ids=["default-mlp-fused", "deep-mlp-fused", "user-network-nested"],
)
def test_combine_networks_predicts_mean_probability(make, first_layers):
    """Check that the joined model averages its networks' probabilities."""
    networks = make()
    X = np.random.default_rng(1).normal(size=(10, 4)).astype("float32")
    expected = np.mean([expit(predict_logits(n, X)) for n in networks], axis=0)
    joined = combine_networks(networks, 4)
    assert joined.name == "cross_fit_ensemble"
    assert [layer.name for layer in joined.layers[: len(first_layers)]] == first_layers
    np.testing.assert_allclose(expit(predict_logits(joined, X)), expected, rtol=1e-5)


@pytest.mark.parametrize("activation", ["gelu", "tanh"])
def test_fuse_mlps_keeps_the_hidden_activation(activation):
    """Check that a default MLP with another activation fuses to equal outputs."""
    meta = {"n_features_in_": 4, "n_outputs_": 3}
    networks = [
        build_mlp({**meta, "seed": seed}, (8,), activation=activation)
        for seed in range(2)
    ]
    X = np.random.default_rng(4).normal(size=(6, 4)).astype("float32")
    expected = np.mean([expit(predict_logits(n, X)) for n in networks], axis=0)
    fused = fuse_mlps(networks, 4)
    np.testing.assert_allclose(expit(predict_logits(fused, X)), expected, rtol=1e-5)
    restored = model_from_state(model_to_state(fused))
    np.testing.assert_array_equal(predict_logits(restored, X), predict_logits(fused, X))


def test_fuse_mlps_rejects_other_networks_and_mixed_shapes():
    """Check that fusing needs default MLPs of one architecture."""
    with pytest.raises(ValueError, match="default MLPs"):
        fuse_mlps(_user_networks(2), 4)
    mixed = _networks(1) + _networks(1, hidden_layer_sizes=(5,))
    with pytest.raises(ValueError, match="one architecture"):
        fuse_mlps(mixed, 4)
    # mixed architectures are still joined, nested
    assert combine_networks(mixed, 4).layers[1].name == "network_0"


def test_combine_networks_single_network_is_unchanged():
    """Check that one network is returned as it is, not wrapped."""
    (network,) = _networks(1)
    assert combine_networks([network], 4) is network


@pytest.mark.parametrize("n_networks", [2, 5])
@pytest.mark.parametrize("make", [_networks, _user_networks], ids=["fused", "nested"])
def test_combine_networks_round_trips_through_model_state(n_networks, make):
    """Check that the joined model is rebuilt from its config with equal outputs."""
    joined = combine_networks(make(n_networks), 4)
    X = np.random.default_rng(2).normal(size=(7, 4)).astype("float32")
    restored = model_from_state(model_to_state(joined))
    np.testing.assert_array_equal(
        predict_logits(restored, X), predict_logits(joined, X)
    )
