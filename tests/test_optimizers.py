"""Tests of sk_imbalance._nn.optimizers: the fused Adam update and the swaps."""

import keras
import numpy as np
import pytest

from sk_imbalance._nn.optimizers import (
    FusedAdam,
    LazyAdam,
    fused_optimizer,
    make_optimizer,
)

tf = pytest.importorskip("tensorflow")
pytestmark = pytest.mark.skipif(
    keras.backend.backend() != "tensorflow", reason="the fused kernel is TensorFlow's"
)


def _adam_reference(start, gradients, lr, beta_1=0.9, beta_2=0.999, eps=1e-7):
    """Adam in float64, as Keras writes it."""
    w, m, v = start.copy(), np.zeros_like(start), np.zeros_like(start)
    for t, g in enumerate(gradients, 1):
        m += (g - m) * (1 - beta_1)
        v += (g * g - v) * (1 - beta_2)
        alpha = lr * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        w -= alpha * m / (np.sqrt(v) + eps)
    return w


@pytest.mark.parametrize("lr", [1e-3, 0.1])
def test_fused_adam_takes_adams_steps(lr):
    """Check 20 steps against float64 Adam and Keras's own Adam (float32)."""
    rng = np.random.default_rng(0)
    start = rng.normal(size=(5, 30, 7)).astype(np.float32)
    gradients = [
        (rng.normal(size=start.shape) * 10.0 ** rng.uniform(-4, 1)).astype(np.float32)
        for _ in range(20)
    ]
    fused_variable, keras_variable = keras.Variable(start), keras.Variable(start)
    fused, plain = FusedAdam(lr), keras.optimizers.Adam(lr)
    for g in gradients:
        fused.apply_gradients([(tf.constant(g), fused_variable)])
        plain.apply_gradients([(tf.constant(g), keras_variable)])
    expected = _adam_reference(start.astype(np.float64), gradients, lr)
    np.testing.assert_allclose(fused_variable.numpy(), expected, rtol=1e-5, atol=1e-6)
    # Keras's float32 arithmetic drifts from float64 by a few ulps per step
    np.testing.assert_allclose(
        fused_variable.numpy(), keras_variable.numpy(), rtol=1e-5, atol=1e-4 * lr
    )
    moved = np.abs(fused_variable.numpy() - start).max()
    assert moved > 10 * lr  # the steps were taken (20 of about lr each)
    assert int(fused.iterations) == 20


def test_fused_adam_keeps_keras_update_for_amsgrad_and_sparse_gradients():
    """Check AMSGrad and IndexedSlices fall back to Keras's update, unchanged."""
    rng = np.random.default_rng(1)
    start = rng.normal(size=(6, 3)).astype(np.float32)
    values = [rng.normal(size=(6, 3)).astype(np.float32) for _ in range(3)]
    for options in ({"amsgrad": True}, {}):
        a, b = keras.Variable(start), keras.Variable(start)
        fused = FusedAdam(0.05, **options)
        plain = keras.optimizers.Adam(0.05, **options)
        for g in values:
            grad = tf.constant(g)
            if not options:  # sparse gradients of every row
                grad = tf.IndexedSlices(grad, tf.range(6), tf.constant([6, 3]))
            fused.apply_gradients([(grad, a)])
            plain.apply_gradients([(grad, b)])
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_make_optimizer_fuses_plain_adam_only():
    """Check 'adam' and Adam instances become FusedAdam with their config."""
    made = make_optimizer("adam", 0.02)
    assert type(made) is FusedAdam
    assert float(made.learning_rate) == pytest.approx(0.02)
    given = keras.optimizers.Adam(learning_rate=0.03, beta_1=0.8, clipvalue=0.5)
    made = make_optimizer(given, None)
    assert type(made) is FusedAdam and made is not given
    assert made.beta_1 == 0.8 and made.clipvalue == 0.5
    assert type(make_optimizer("adam", None, sparse_rows=True)) is LazyAdam
    for other in (
        keras.optimizers.Adam(amsgrad=True),
        keras.optimizers.AdamW(),
        keras.optimizers.SGD(0.1),
    ):
        assert fused_optimizer(other) is other
        assert type(make_optimizer(other, None)) is type(other)


def test_fused_adam_round_trips_its_config():
    """Check get_config / from_config and Keras's serialization by name."""
    made = FusedAdam(learning_rate=0.004, beta_2=0.99, epsilon=1e-6)
    again = FusedAdam.from_config(made.get_config())
    assert again.get_config() == made.get_config()
    restored = keras.optimizers.deserialize(keras.optimizers.serialize(made))
    assert type(restored) is FusedAdam
    assert restored.beta_2 == 0.99
