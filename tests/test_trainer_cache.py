"""Tests of sk_imbalance._crossfit.trainer_cache."""

import keras
import numpy as np
import pytest
from _networks import fold_mlp, user_heads

from sk_imbalance import WeightedMultiLabelClassifier
from sk_imbalance._crossfit import trainer_cache as cache
from sk_imbalance._nn.losses import HeadwiseLoss


def user_network(meta, units=8):
    """A build function whose every layer is seeded from meta, as documented."""
    seed = meta["seed"]
    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(
                units,
                activation="relu",
                kernel_initializer=keras.initializers.GlorotUniform(seed),
            ),
            keras.layers.Dense(
                meta["n_outputs_"],
                kernel_initializer=keras.initializers.GlorotUniform(
                    None if seed is None else seed + 1
                ),
            ),
        ]
    )


META = {"n_features_in_": 4, "n_outputs_": 3}


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear_trainer_cache()
    yield
    cache.clear_trainer_cache()


def test_configuration_key_ignores_seeds_and_auto_names():
    """Check that two fits of one configuration share a key, other ones do not."""
    first, _ = fold_mlp(4, 3, 2, rng=np.random.default_rng(0))
    second, _ = fold_mlp(4, 3, 2, rng=np.random.default_rng(1))
    assert cache.configuration_key(first, b=1) == cache.configuration_key(second, b=1)
    assert cache.configuration_key(first, b=1) != cache.configuration_key(second, b=2)
    wider, _ = fold_mlp(4, 3, 2, hidden_layer_sizes=(9,))
    assert cache.configuration_key(wider) != cache.configuration_key(first)

    users = [
        user_heads(user_network, META, {}, 2, np.random.default_rng(s))[0]
        for s in range(2)
    ]
    assert cache.configuration_key(users[0]) == cache.configuration_key(users[1])
    other = user_heads(user_network, META, {"units": 5}, 2)[0]
    assert cache.configuration_key(other) != cache.configuration_key(users[0])


def test_acquire_gives_separate_trainers_and_reuses_released_ones():
    """Check that a trainer in use is never shared, and a released one is reused."""
    fresh, _ = fold_mlp(4, 3, 2, rng=np.random.default_rng(0))
    key = cache.configuration_key(fresh)
    loss = HeadwiseLoss()
    first = cache.acquire_trainer(fresh, key, loss, keras.optimizers.Adam)
    second = cache.acquire_trainer(fresh, key, loss, keras.optimizers.Adam)
    assert first is not second
    cache.release_trainer(key, first)
    assert cache.acquire_trainer(fresh, key, loss, keras.optimizers.Adam) is first
    # it holds the fresh model's variables, not a copy of them by reference
    for a, b in zip(fresh.variables, first.model.variables, strict=True):
        assert a is not b
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_cache_keeps_at_most_max_configurations(monkeypatch):
    """Check that the least recently used configurations are dropped."""
    monkeypatch.setattr(cache, "MAX_CONFIGURATIONS", 2)
    fresh, _ = fold_mlp(4, 3, 1)
    loss = HeadwiseLoss()
    for key in ["a", "b", "c"]:
        cache.release_trainer(
            key, cache.acquire_trainer(fresh, key, loss, keras.optimizers.Adam)
        )
    assert list(cache._IDLE) == ["b", "c"]


def test_cache_keeps_at_most_max_idle_bytes(monkeypatch):
    """Check that idle trainers are dropped oldest first past the byte budget,
    and a trainer over the budget alone is never kept."""
    fresh, _ = fold_mlp(4, 3, 1)
    loss = HeadwiseLoss()
    trainers = {}
    for key in ["a", "b", "c"]:
        trainers[key] = cache.acquire_trainer(fresh, key, loss, keras.optimizers.Adam)
    size = trainers["a"].nbytes
    # weights (4*128 + 128 + 128*3 + 3) and Adam's two moments, float32
    assert size >= 3 * 4 * (4 * 128 + 128 + 128 * 3 + 3)
    monkeypatch.setattr(cache, "MAX_IDLE_BYTES", 2 * size)
    for key in ["a", "b", "c"]:
        cache.release_trainer(key, trainers[key])
    assert list(cache._IDLE)[-2:] == ["b", "c"] and "a" not in cache._IDLE
    monkeypatch.setattr(cache, "MAX_IDLE_BYTES", size - 1)
    big = cache.acquire_trainer(fresh, "d", loss, keras.optimizers.Adam)
    cache.release_trainer("d", big)
    assert "d" not in cache._IDLE


@pytest.mark.parametrize("model", [None, user_network], ids=["mlp", "build-function"])
def test_reused_trainer_fits_exactly_like_a_fresh_one(
    multilabel_data, fast_params, model
):
    """Check that a cached trainer gives the same fit as a newly compiled one."""
    X, Y = multilabel_data
    params = {**fast_params, "model": model, "cv": 3, "epochs": 4}
    fresh = WeightedMultiLabelClassifier(**params).fit(X, Y)
    assert sum(len(v) for v in cache._IDLE.values()) == 1
    # another seed trains the cached model, then the first seed again
    WeightedMultiLabelClassifier(**{**params, "random_state": 7}).fit(X, Y)
    again = WeightedMultiLabelClassifier(**params).fit(X, Y)
    assert sum(len(v) for v in cache._IDLE.values()) == 1  # one trainer, reused
    # two fits: the same to float32 rounding (bit-equal on one CPU thread count)
    same = dict(rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(again.predict_proba(X), fresh.predict_proba(X), **same)
    np.testing.assert_allclose(again.thresholds_, fresh.thresholds_, **same)
    assert again.history_.keys() == fresh.history_.keys()
    for key, values in fresh.history_.items():
        np.testing.assert_allclose(again.history_[key], values, **same)


def test_carry_optimizer_state_matches_slots_by_variable():
    """Check that a view's optimizer takes the fused model's step count and the
    moments of its own variables, and that unmatched names assign nothing."""
    a = keras.Variable(np.ones((2, 2)), name="a")
    b = keras.Variable(np.ones(3), name="b")
    source, target = keras.optimizers.Adam(), keras.optimizers.Adam()
    source.build([a, b])
    target.build([b])
    source.apply_gradients([(np.full((2, 2), 0.5), a), (np.arange(3.0), b)])
    assert cache.carry_optimizer_state(source, target)
    by_name = {v.name: v.numpy() for v in source.variables}
    for variable in target.variables:
        np.testing.assert_array_equal(variable.numpy(), by_name[variable.name])
    assert int(target.iterations.numpy()) == 1
    other = keras.optimizers.Adam()
    other.build([keras.Variable(np.ones(3), name="c")])
    before = [v.numpy() for v in other.variables]
    assert not cache.carry_optimizer_state(source, other)
    for value, variable in zip(before, other.variables, strict=True):
        np.testing.assert_array_equal(value, variable.numpy())


def test_views_are_compiled_once_and_kept_with_their_trainer(multilabel_data):
    """Check that a fit whose candidates stop at different epochs trains views,
    that the next fit of the configuration reuses them (no new trace), and
    that the kept trainer's size counts their optimizers."""
    X, Y = multilabel_data
    cache.clear_trainer_cache()
    params = dict(
        candidates=[
            {"name": "linear", "hidden_layer_sizes": ()},
            {"name": "small", "hidden_layer_sizes": (8,)},
        ],
        epochs=40, patience=1, batch_size=128, learning_rate=0.05, cv=3,
    )  # fmt: skip
    first = WeightedMultiLabelClassifier(**params, random_state=0).fit(X, Y)
    (kept,) = [t for trainers in cache._IDLE.values() for t in trainers]
    assert kept._views, first.candidates_["n_epochs"]
    views = dict(kept._views)
    size = cache._nbytes([*kept.model.variables, *kept.model.optimizer.variables])
    assert kept.nbytes == size + sum(
        cache._nbytes(v.optimizer.variables) for v in views.values()
    )
    WeightedMultiLabelClassifier(**params, random_state=0).fit(X, Y)
    (again,) = [t for trainers in cache._IDLE.values() for t in trainers]
    assert again is kept and all(again._views[a] is v for a, v in views.items())
    cache.clear_trainer_cache()
