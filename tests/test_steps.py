"""Tests of the fused view's steps (sk_imbalance._crossfit.steps)."""

import keras
import numpy as np

from sk_imbalance._crossfit.steps import EpochSteps


def _pair():
    """Two compiled copies of one small network with the same weights."""
    models = []
    for _ in range(2):
        model = keras.Sequential(
            [
                keras.Input((3,)),
                keras.layers.Dense(4, activation="relu"),
                keras.layers.Dense(2),
            ]
        )
        model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
        models.append(model)
    models[1].set_weights(models[0].get_weights())
    return models


def test_steps_match_train_on_batch_and_average_each_epoch_apart():
    """Check the weights after every step and the epoch's loss against
    ``train_on_batch`` one step at a time, over two epochs (the second's mean
    must not include the first's steps)."""
    rng = np.random.default_rng(0)
    batches = [
        (
            rng.normal(size=(8, 3)).astype("float32"),
            rng.normal(size=(8, 2)).astype("float32"),
        )
        for _ in range(4)
    ]
    reference, ours = _pair()
    steps = EpochSteps(ours)
    for epoch in range(2):
        steps.begin_epoch()
        assert np.isnan(steps.loss())
        losses = []
        for x, y in batches[2 * epoch : 2 * epoch + 2]:
            losses.append(float(reference.train_on_batch(x, y)))
            steps.step(x, y)
            for a, b in zip(reference.get_weights(), ours.get_weights(), strict=True):
                np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
        np.testing.assert_allclose(steps.loss(), np.mean(losses), rtol=1e-5)


def test_steps_loss_is_nan_when_the_step_diverges():
    """A non-finite step gives a non-finite epoch loss (the divergence check's cue)."""
    model, _ = _pair()
    steps = EpochSteps(model)
    steps.begin_epoch()
    x = np.ones((4, 3), "float32")
    steps.step(x, np.zeros((4, 2), "float32"))
    steps.step(x, np.full((4, 2), np.nan, "float32"))
    assert not np.isfinite(steps.loss())
