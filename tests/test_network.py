"""Tests of sk_imbalance._nn.builders."""

import keras
import numpy as np
import pytest
import scipy.sparse as sp
from _networks import fold_mlp

from sk_imbalance._crossfit import feed as _feed
from sk_imbalance._crossfit.feed import predict_logits
from sk_imbalance._nn.builders import build_network
from sk_imbalance._nn.optimizers import make_optimizer

META = {"n_features_in_": 4, "n_outputs_": 3, "seed": 0}


def test_build_network_switches_sigmoid_to_logits():
    """Check that a user model ending in sigmoid is turned into a logit model."""

    def build(meta):
        return keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(meta["n_outputs_"], activation="sigmoid"),
            ]
        )

    model = build_network(build, META, {})
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
        build_network(build, META, {})


@pytest.mark.parametrize(
    "tail",
    [
        lambda: [keras.layers.Lambda(lambda t: t * 1.0)],
        lambda: [keras.layers.Reshape((3,)), keras.layers.Identity()],
        lambda: [keras.layers.Dropout(0.1)],
    ],
)
@pytest.mark.parametrize("as_layer", [False, True])
def test_build_network_rejects_a_sigmoid_that_is_not_last(tail, as_layer):
    """Check that weightless layers after the sigmoid are refused, by name."""
    head = (
        [keras.layers.Dense(3), keras.layers.Activation("sigmoid", name="probs")]
        if as_layer
        else [keras.layers.Dense(3, activation="sigmoid", name="probs")]
    )

    def build(meta):
        return keras.Sequential([keras.Input((4,)), *head, *tail()])

    with pytest.raises(ValueError, match="sigmoid in layer 'probs' is followed by"):
        build_network(build, META, {})


def test_build_network_accepts_a_hidden_sigmoid():
    """Check that a sigmoid followed by a layer with weights is a hidden layer."""

    def build(meta):
        return keras.Sequential(
            [
                keras.Input((4,)),
                keras.layers.Dense(8, activation="sigmoid"),
                keras.layers.Dense(3),
            ]
        )

    model = build_network(build, META, {})
    assert model(np.zeros((2, 4), dtype="float32")).shape == (2, 3)


def test_build_network_rejects_unknown_model_kwargs_and_non_models():
    """Check that unknown build-function arguments and non-models are refused."""

    def build(meta, units=4):
        return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3)])

    with pytest.raises(ValueError, match=r"model_kwargs has keys \['width'\]"):
        build_network(build, META, {"width": 3})
    with pytest.raises(ValueError, match="returned str, not a keras.Model"):
        build_network(lambda meta: "model", META, {})
    with pytest.raises(ValueError, match="model must be None, a keras.Model"):
        build_network(42, META, {})


def test_predict_logits_matches_model_and_sparse():
    """Check that chunked direct calls equal the model's output, dense or sparse."""
    _, model = fold_mlp(4, 3, 2, hidden_layer_sizes=(8,))
    X = np.random.default_rng(0).random((30, 4))
    expected = keras.ops.convert_to_numpy(model(X.astype("float32")))
    dense = predict_logits(model, X)
    assert dense.dtype == np.float64
    np.testing.assert_allclose(dense, expected, rtol=1e-6)
    np.testing.assert_allclose(predict_logits(model, sp.csr_matrix(X)), dense)


def test_predict_logits_does_not_depend_on_the_chunks(monkeypatch):
    """Check that a byte budget of a few rows gives the one-call logits."""
    _, model = fold_mlp(40, 3, 2, hidden_layer_sizes=(8,))
    X = np.random.default_rng(0).random((30, 40)).astype("float32")
    expected = keras.ops.convert_to_numpy(model(X))
    monkeypatch.setattr(_feed, "CHUNK_BYTES", 7 * 40 * 4)
    assert len(_feed.RowFeed(model, X, 1).chunks(np.arange(30))) == 5
    # float32 tolerance: a row's logits may differ by an ulp with its chunk
    for X_in in (X, sp.csr_matrix(X)):
        np.testing.assert_allclose(
            predict_logits(model, X_in), expected, rtol=1e-5, atol=1e-6
        )


def test_make_optimizer_copies_and_sets_learning_rate():
    """Check that a fresh optimizer is made with the requested learning rate."""
    given = keras.optimizers.SGD(learning_rate=0.5, momentum=0.9)
    made = make_optimizer(given, 0.01)
    assert made is not given and isinstance(made, keras.optimizers.SGD)
    assert float(made.learning_rate) == pytest.approx(0.01)
    assert made.get_config()["momentum"] == pytest.approx(0.9)
    with pytest.raises(ValueError, match="optimizer must be"):
        make_optimizer(3, 0.01)


def test_build_network_switches_softmax_to_logits_for_the_softmax_link():
    """Check a multiclass build function: softmax switched off, sigmoid refused."""

    def build(meta, activation="softmax"):
        return keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(meta["n_outputs_"], activation=activation),
            ]
        )

    model = build_network(build, META, {}, link="softmax")
    assert model.layers[-1].activation.__name__ == "linear"
    with pytest.raises(ValueError, match="multiclass network must end in 'softmax'"):
        build_network(build, META, {"activation": "sigmoid"}, link="softmax")
    with pytest.raises(ValueError, match="multi-label network must end in 'sigmoid'"):
        build_network(build, META, {})


def test_build_network_rejects_a_softmax_layer_followed_by_weightless_layers():
    """Check that an Activation('softmax') before a Reshape is refused by name."""

    def build(meta):
        return keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(meta["n_outputs_"]),
                keras.layers.Activation("softmax", name="probs"),
                keras.layers.Reshape((meta["n_outputs_"],)),
            ]
        )

    with pytest.raises(ValueError, match="softmax in layer 'probs' is followed by"):
        build_network(build, META, {}, link="softmax")


@pytest.mark.parametrize(
    "optimizer, sparse_rows, option",
    [
        (keras.optimizers.Adam(use_ema=True), False, "use_ema=True"),
        (keras.optimizers.Adam(clipnorm=1.0), False, "clipnorm=1.0"),
        (keras.optimizers.SGD(global_clipnorm=2.0), False, "global_clipnorm=2.0"),
        (keras.optimizers.Adam(weight_decay=0.01), True, "weight_decay=0.01"),
        ("adamw", True, "weight_decay=0.004"),
        (
            keras.optimizers.Adam(gradient_accumulation_steps=2),
            True,
            "gradient_accumulation_steps=2",
        ),
    ],
)
def test_make_optimizer_refuses_options_that_couple_heads_or_break_laziness(
    optimizer, sparse_rows, option
):
    """Check that each refused option is named with its value and a fix."""
    with pytest.raises(ValueError, match=rf"optimizer=.* has {option}.*Fix: "):
        make_optimizer(optimizer, None, sparse_rows=sparse_rows)


def test_make_optimizer_keeps_element_wise_options():
    """Check clipvalue everywhere, and weight decay on dense rows, are accepted."""
    clipped = make_optimizer(keras.optimizers.Adam(clipvalue=0.5), None, True)
    assert clipped.clipvalue == 0.5
    decayed = make_optimizer(keras.optimizers.AdamW(weight_decay=0.01), None)
    assert decayed.weight_decay == 0.01


def test_estimator_refuses_a_clipnorm_optimizer_before_training():
    """Check that fit raises before a single training step is taken."""
    from sk_imbalance import WeightedMultiLabelClassifier

    class Steps(keras.callbacks.Callback):
        batches = 0

        def on_train_batch_end(self, batch, logs=None):
            Steps.batches += 1

    X = np.random.default_rng(0).random((20, 4))
    Y = np.eye(2, dtype=int)[np.arange(20) % 2]
    est = WeightedMultiLabelClassifier(
        hidden_layer_sizes=(4,),
        epochs=2,
        cv=2,
        optimizer=keras.optimizers.Adam(clipnorm=1.0),
        callbacks=[Steps()],
        random_state=0,
    )
    with pytest.raises(ValueError, match="optimizer='Adam' has clipnorm=1.0"):
        est.fit(X, Y)
    assert Steps.batches == 0
