"""Tests of sk_imbalance._ensemble."""

import keras
import numpy as np
import pytest
from scipy.special import expit

from sk_imbalance._ensemble import ProbabilityAverage, combine_networks
from sk_imbalance._network import build_mlp, predict_logits
from sk_imbalance._persistence import model_from_state, model_to_state


def _networks(n, n_features=4, n_outputs=3):
    meta = {"n_features_in_": n_features, "n_outputs_": n_outputs}
    return [build_mlp({**meta, "seed": seed}, (8,)) for seed in range(n)]


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


def test_combine_networks_predicts_mean_probability():
    """Check that the joined model averages its networks' probabilities."""
    networks = _networks(3)
    X = np.random.default_rng(1).normal(size=(10, 4)).astype("float32")
    expected = np.mean([expit(predict_logits(n, X)) for n in networks], axis=0)
    joined = combine_networks(networks, 4)
    assert joined.name == "cross_fit_ensemble"
    assert [layer.name for layer in joined.layers[1:4]] == [
        "network_0",
        "network_1",
        "network_2",
    ]
    np.testing.assert_allclose(expit(predict_logits(joined, X)), expected, rtol=1e-5)


def test_combine_networks_single_network_is_unchanged():
    """Check that one network is returned as it is, not wrapped."""
    (network,) = _networks(1)
    assert combine_networks([network], 4) is network


@pytest.mark.parametrize("n_networks", [2, 5])
def test_combine_networks_round_trips_through_model_state(n_networks):
    """Check that the joined model is rebuilt from its config with equal outputs."""
    joined = combine_networks(_networks(n_networks), 4)
    X = np.random.default_rng(2).normal(size=(7, 4)).astype("float32")
    restored = model_from_state(model_to_state(joined))
    np.testing.assert_array_equal(
        predict_logits(restored, X), predict_logits(joined, X)
    )
