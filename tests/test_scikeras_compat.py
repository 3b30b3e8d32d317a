"""Build functions written for scikeras work unchanged in WeightedMultiLabelClassifier.

scikeras is an optional extra: the tests that use it skip without it.

For a multi-label indicator target, scikeras's ``KerasClassifier`` passes
``meta["n_outputs_"] == 1`` and ``meta["n_classes_"] == n_labels`` (see
``scikeras.utils.transformers.ClassifierLabelEncoder``), so a build function
in its style sizes the sigmoid output with ``meta["n_classes_"]``.
"""

import keras
import numpy as np
import pytest

from sk_imbalance import WeightedMultiLabelClassifier

#: meta keys a scikeras-style classifier build function may read.
SCIKERAS_META_KEYS = (
    "n_features_in_",
    "n_classes_",
    "target_type_",
    "n_outputs_expected_",
)


def get_model(hidden_layer_sizes, meta, compile_kwargs):
    """A build function in scikeras's documented style, for a multi-label target."""
    model = keras.Sequential()
    model.add(keras.Input(shape=(meta["n_features_in_"],)))
    for units in hidden_layer_sizes:
        model.add(keras.layers.Dense(units, activation="relu"))
    model.add(keras.layers.Dense(meta["n_classes_"], activation="sigmoid"))
    return model


class _Recorded(Exception):
    """Raised by a recording build function once it has seen ``meta``."""


def _record_meta(seen):
    def build(meta):
        seen.update(meta)
        raise _Recorded

    return build


def _string_binary_target(Y):
    return np.where(Y[:, 0] == 1, "yes", "no")


def test_scikeras_kerasclassifier_fits_get_model(multilabel_data):
    """Check that scikeras's KerasClassifier fits get_model on a multi-label Y."""
    wrappers = pytest.importorskip("scikeras.wrappers")
    X, Y = multilabel_data
    clf = wrappers.KerasClassifier(
        model=get_model,
        model__hidden_layer_sizes=(16,),
        loss="binary_crossentropy",
        optimizer="adam",
        epochs=2,
        batch_size=128,
        random_state=0,
        verbose=0,
    ).fit(X, Y)

    assert clf.model_.output_shape == (None, Y.shape[1])
    assert clf.predict(X).shape == Y.shape
    assert clf.predict_proba(X).shape == Y.shape


@pytest.mark.parametrize("target", ["multilabel", "binary"])
def test_weighted_multilabel_classifier_meta_has_scikeras_keys(
    fast_params, multilabel_data, target
):
    """Check that build functions get the meta values scikeras gives them."""
    wrappers = pytest.importorskip("scikeras.wrappers")
    X, Y = multilabel_data
    y = Y if target == "multilabel" else _string_binary_target(Y)

    theirs, ours = {}, {}
    with pytest.raises(_Recorded):
        wrappers.KerasClassifier(
            model=_record_meta(theirs), loss="binary_crossentropy", random_state=0
        ).fit(X, y)
    with pytest.raises(_Recorded):
        WeightedMultiLabelClassifier(model=_record_meta(ours), **fast_params).fit(X, y)

    expected = {key: theirs[key] for key in SCIKERAS_META_KEYS}
    assert {key: ours.get(key, "<missing>") for key in SCIKERAS_META_KEYS} == expected


def test_weighted_multilabel_classifier_fits_scikeras_build_function(
    fast_params, multilabel_data
):
    """Check that the scikeras-style get_model, unchanged, fits in our estimator."""
    X, Y = multilabel_data
    params = {**fast_params, "hidden_layer_sizes": (128,)}  # must not be used
    clf = WeightedMultiLabelClassifier(
        model=get_model, model_kwargs={"hidden_layer_sizes": (16,)}, **params
    ).fit(X, Y)

    assert clf.model_.output_shape == (None, Y.shape[1])
    head = clf.model_.get_layer("head_0")
    assert [layer.units for layer in head.layers] == [16, Y.shape[1]]
    assert clf.predict(X).shape == Y.shape


def build_sigmoid_network(meta):
    """A build function ending in a sigmoid, sized with our documented n_outputs_."""
    model = keras.Sequential()
    model.add(keras.Input(shape=(meta["n_features_in_"],)))
    model.add(keras.layers.Dense(16, activation="relu"))
    model.add(keras.layers.Dense(meta["n_outputs_"], activation="sigmoid"))
    return model


def test_weighted_multilabel_classifier_final_sigmoid_becomes_logits(
    fast_params, multilabel_data
):
    """Check that a final sigmoid is made linear and predict_proba is in (0, 1)."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(model=build_sigmoid_network, **fast_params)
    clf.fit(X, Y)

    head = clf.model_.get_layer("head_0")
    assert head.layers[-1].get_config()["activation"] == "linear"
    logits = np.asarray(clf.model_(X.astype(np.float32)))
    assert logits.min() < 0  # a sigmoid output would be in [0, 1]
    proba = clf.predict_proba(X)
    assert proba.shape == Y.shape
    assert proba.min() < 0.5  # the sigmoid is applied once, not twice
    # huge inputs saturate the logits: probabilities must still be strictly inside
    extreme = clf.predict_proba(np.vstack([X * 1e6, -X * 1e6]))
    assert extreme.shape == (2 * X.shape[0], Y.shape[1])
    assert np.all(extreme > 0)
    assert np.all(extreme < 1)


def _network_ending_in(*last_layers, extra_units=0):
    def build(meta):
        model = keras.Sequential()
        model.add(keras.Input(shape=(meta["n_features_in_"],)))
        model.add(keras.layers.Dense(8, activation="relu"))
        for layer in last_layers:
            model.add(layer)
        return model

    return build


def test_weighted_multilabel_classifier_rejects_wrong_output_width(
    fast_params, multilabel_data
):
    """Check that a build function with the wrong output width raises a ValueError."""
    X, Y = multilabel_data
    n_labels = Y.shape[1]
    build = _network_ending_in(keras.layers.Dense(n_labels + 1, activation="sigmoid"))

    clf = WeightedMultiLabelClassifier(model=build, **fast_params)
    with pytest.raises(ValueError, match=rf"{n_labels + 1} units.*{n_labels} label"):
        clf.fit(X, Y)


@pytest.mark.parametrize(
    "make_last_layers",
    [
        pytest.param(
            lambda n: [keras.layers.Dense(n, activation="softmax")], id="dense-softmax"
        ),
        pytest.param(
            lambda n: [keras.layers.Dense(n, activation="relu")], id="dense-relu"
        ),
        pytest.param(
            lambda n: [keras.layers.Dense(n), keras.layers.Activation("softmax")],
            id="activation-layer-softmax",
        ),
        pytest.param(
            lambda n: [keras.layers.Dense(n), keras.layers.Softmax()],
            id="softmax-layer",
        ),
        pytest.param(
            lambda n: [keras.layers.Dense(n), keras.layers.ReLU()], id="relu-layer"
        ),
    ],
)
def test_weighted_multilabel_classifier_rejects_non_sigmoid_output(
    fast_params, multilabel_data, make_last_layers
):
    """Check that a network ending in softmax or relu raises a ValueError."""
    X, Y = multilabel_data
    build = _network_ending_in(*make_last_layers(Y.shape[1]))

    clf = WeightedMultiLabelClassifier(model=build, **fast_params)
    with pytest.raises(ValueError, match="must end in 'sigmoid' or 'linear'"):
        clf.fit(X, Y)


def test_weighted_multilabel_classifier_clones_keras_model_instance(
    fast_params, multilabel_data
):
    """Check that a keras.Model passed as model= is cloned and left untouched by fit."""
    X, Y = multilabel_data
    network = keras.Sequential(
        [
            keras.Input(shape=(X.shape[1],)),
            keras.layers.Dense(16, activation="relu"),
            keras.layers.Dense(Y.shape[1], activation="sigmoid"),
        ]
    )
    weights_before = [w.copy() for w in network.get_weights()]

    clf = WeightedMultiLabelClassifier(model=network, **fast_params).fit(X, Y)

    assert clf.model is network
    assert clf.model_ is not network
    weights_after = network.get_weights()
    assert len(weights_after) == len(weights_before)
    for before, after in zip(weights_before, weights_after, strict=True):
        assert np.array_equal(before, after)
    assert network.layers[-1].get_config()["activation"] == "sigmoid"
    assert not any(
        np.array_equal(mine, theirs)
        for mine, theirs in zip(clf.model_.get_weights(), weights_before, strict=True)
    )
    assert clf.predict_proba(X).shape == Y.shape
