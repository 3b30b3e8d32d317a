"""Pickling and joblib persistence of WeightedMultiLabelClassifier."""

import pickle
import subprocess
import sys

import joblib
import keras
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.utils.validation import check_is_fitted

from sk_imbalance import WeightedMultiLabelClassifier


def build_sigmoid_network(meta, units=8):
    """A user build function (Sequential, dropout, final sigmoid)."""
    model = keras.Sequential()
    model.add(keras.Input(shape=(meta["n_features_in_"],)))
    model.add(keras.layers.Dense(units, activation="relu"))
    model.add(keras.layers.Dropout(0.3))
    model.add(keras.layers.Dense(meta["n_outputs_"], activation="sigmoid"))
    return model


def _assert_same_fitted_estimator(restored, clf, X):
    """The restored estimator predicts exactly as the original one."""
    assert type(restored) is type(clf)
    assert restored.get_params() == clf.get_params()
    assert isinstance(restored.model_, keras.Model)
    assert restored.model_ is not clf.model_
    assert np.array_equal(restored.predict_proba(X), clf.predict_proba(X))
    assert np.array_equal(restored.predict(X), clf.predict(X))
    np.testing.assert_array_equal(restored.thresholds_, clf.thresholds_)
    np.testing.assert_array_equal(restored.label_weights_, clf.label_weights_)
    assert restored.n_outputs_ == clf.n_outputs_
    assert restored.n_features_in_ == clf.n_features_in_


def test_pickle_round_trip_keeps_predictions(fast_params, multilabel_data):
    """Check that a pickled and unpickled estimator predicts identically."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(**fast_params).fit(X, Y)

    restored = pickle.loads(pickle.dumps(clf))

    _assert_same_fitted_estimator(restored, clf, X)
    # the original still works after being pickled
    assert clf.predict(X).shape == Y.shape


def test_pickle_round_trip_cross_fit_ensemble(fast_params, multilabel_data):
    """Check that the cross-fit ensemble pickles and predicts identically."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(**{**fast_params, "cv": 2}).fit(X, Y)
    assert clf.model_.name == "cross_fit_ensemble"

    restored = pickle.loads(pickle.dumps(clf))

    assert restored.model_.name == "cross_fit_ensemble"
    _assert_same_fitted_estimator(restored, clf, X)


@pytest.fixture(scope="module")
def sparse_fits():
    """Models trained on CSR rows (the first layer on the non-zeros), fitted
    once per module: ``{multiclass: (clf, X)}``."""
    import scipy.sparse as sp

    from sk_imbalance import WeightedMultiClassClassifier

    X = sp.random(150, 400, density=0.03, format="csr", random_state=0)
    fits = {}
    for multiclass in (False, True):
        y = np.random.default_rng(0).integers(0, 3 if multiclass else 2, size=150)
        Estimator = (
            WeightedMultiClassClassifier if multiclass else WeightedMultiLabelClassifier
        )
        clf = Estimator(
            hidden_layer_sizes=(8,), epochs=3, cv=2, sparse_layer=True, random_state=0
        ).fit(X, y)
        fits[multiclass] = (clf, X)
    return fits


def test_pickled_models_load_in_a_fresh_process(
    fast_params, multilabel_data, sparse_fits, tmp_path
):
    """Check that a fresh Python process unpickles the heads and predicts the
    same: a dense cross-fit ensemble, and both estimators trained on CSR rows
    (one process for all three: each process pays TensorFlow's import)."""
    import scipy.sparse as sp

    X, Y = multilabel_data
    dense = WeightedMultiLabelClassifier(**{**fast_params, "cv": 3}).fit(X, Y)
    cases = [(dense, X)] + [sparse_fits[multiclass] for multiclass in (False, True)]
    lines = ["import pickle, numpy as np, scipy.sparse as sp"]
    for i, (clf, rows) in enumerate(cases):
        (tmp_path / f"{i}.pkl").write_bytes(pickle.dumps(clf))
        if sp.issparse(rows):
            sp.save_npz(tmp_path / f"{i}.npz", rows)
            load = f"sp.load_npz({str(tmp_path / f'{i}.npz')!r})"
        else:
            np.save(tmp_path / f"{i}.npy", rows)
            load = f"np.load({str(tmp_path / f'{i}.npy')!r})"
        np.save(tmp_path / f"expected{i}.npy", clf.predict_proba(rows))
        lines += [
            f"clf = pickle.loads(open({str(tmp_path / f'{i}.pkl')!r}, 'rb').read())",
            f"P = clf.predict_proba({load})",
            f"np.testing.assert_array_equal(P, np.load("
            f"{str(tmp_path / f'expected{i}.npy')!r}))",
            f"print('ok {i}')",
        ]
    done = subprocess.run(
        [sys.executable, "-c", "\n".join(lines)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.stdout.split() == ["ok", "0", "ok", "1", "ok", "2"], done.stderr[-2000:]


def test_joblib_round_trip_keeps_predictions(fast_params, multilabel_data, tmp_path):
    """Check that joblib.dump then joblib.load gives identical predictions."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(**fast_params).fit(X, Y)
    path = tmp_path / "clf.joblib"

    joblib.dump(clf, path)
    restored = joblib.load(path)

    _assert_same_fitted_estimator(restored, clf, X)


def test_pickle_round_trip_focal_loss_and_build_function(fast_params, multilabel_data):
    """Check that a focal-loss estimator with a user build function round-trips."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(
        model=build_sigmoid_network,
        model_kwargs={"units": 8},
        loss="focal",
        focal_gamma=1.0,
        **fast_params,
    ).fit(X, Y)

    restored = pickle.loads(pickle.dumps(clf))

    _assert_same_fitted_estimator(restored, clf, X)
    assert restored.model is build_sigmoid_network
    head = restored.model_.get_layer("head_0")
    assert head.layers[-1].get_config()["activation"] == "linear"


def test_pickle_unfitted_estimator(fast_params):
    """Check that an unfitted estimator pickles, keeps its params and stays unfitted."""
    clf = WeightedMultiLabelClassifier(
        model=build_sigmoid_network, class_weight="effective_number", **fast_params
    )

    restored = pickle.loads(pickle.dumps(clf))

    assert restored.get_params() == clf.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(restored)


def _empty_estimator():
    return WeightedMultiLabelClassifier.__new__(WeightedMultiLabelClassifier)


class _PickledWithState:
    """Pickles as a WeightedMultiLabelClassifier whose state is ``state``.

    Unpickling it calls ``WeightedMultiLabelClassifier.__setstate__(state)``,
    as unpickling a real estimator does.
    """

    def __init__(self, state):
        self.state = state

    def __reduce__(self):
        return _empty_estimator, (), self.state


@pytest.mark.parametrize(
    "model_state",
    [
        {"format": "sk_imbalance.keras_model.v0", "config": {}, "weights": []},
        {"config": {}, "weights": []},
        b"raw bytes of some other serialiser",
    ],
    ids=["unknown-format-tag", "no-format-tag", "not-a-dict"],
)
def test_unpickle_rejects_unknown_model_format(fast_params, model_state):
    """Check that unpickling a state with a foreign model_ entry raises a ValueError."""
    state = dict(WeightedMultiLabelClassifier(**fast_params).__dict__)
    state["model_"] = model_state
    payload = pickle.dumps(_PickledWithState(state))

    with pytest.raises(ValueError, match="unknown network format") as excinfo:
        pickle.loads(payload)
    assert "another version of sk_imbalance" in str(excinfo.value)


def test_skops_round_trip_trusts_only_our_class(fast_params, multilabel_data, tmp_path):
    """Check a Pipeline through skops.io: one untrusted type, ours; same output."""
    sio = pytest.importorskip("skops.io")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, Y = multilabel_data
    pipe = make_pipeline(
        StandardScaler(), WeightedMultiLabelClassifier(**fast_params)
    ).fit(X, Y)
    path = tmp_path / "model.skops"
    sio.dump(pipe, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert untrusted == [
        "sk_imbalance._estimator.multilabel.WeightedMultiLabelClassifier"
    ]
    loaded = sio.load(path, trusted=untrusted)
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    np.testing.assert_array_equal(loaded.predict(X), pipe.predict(X))


@pytest.mark.parametrize("swapped_in", [b"EvilLayer", b"Lambda"])
def test_skops_refuses_a_tampered_file(
    fast_params, multilabel_data, tmp_path, swapped_in
):
    """Check that a layer class swapped for an unknown one, or for a Lambda, is
    refused with a named error instead of being built."""
    sio = pytest.importorskip("skops.io")
    import zipfile

    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(**fast_params).fit(X, Y)
    path, tampered = tmp_path / "model.skops", tmp_path / "tampered.skops"
    sio.dump(clf, path)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "schema.json":
                assert b"FoldDense" in data
                data = data.replace(b"FoldDense", swapped_in)
            target.writestr(item, data)
    trusted = ["sk_imbalance._estimator.multilabel.WeightedMultiLabelClassifier"]
    with pytest.raises(ValueError, match="cannot be rebuilt in Keras's safe mode"):
        sio.load(tampered, trusted=trusted)


def test_multiclass_skops_and_pickle_round_trip(tmp_path):
    """Check WeightedMultiClassClassifier with string classes and a cost matrix
    through skops (one untrusted type, ours) and pickle: same outputs."""
    sio = pytest.importorskip("skops.io")
    from sk_imbalance import WeightedMultiClassClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 4))
    y = np.array(["low", "mid", "high"])[np.digitize(X[:, 0], [-0.5, 1.0])]
    clf = WeightedMultiClassClassifier(
        loss="expected_cost",
        cost=[[0, 1, 2], [1, 0, 1], [2, 1, 0]],
        hidden_layer_sizes=(8,),
        epochs=3,
        cv=3,
        random_state=0,
    ).fit(X, y)
    path = tmp_path / "multiclass.skops"
    sio.dump(clf, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert untrusted == [
        "sk_imbalance._estimator.multiclass.WeightedMultiClassClassifier"
    ]
    for loaded in (sio.load(path, trusted=untrusted), pickle.loads(pickle.dumps(clf))):
        np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
        np.testing.assert_allclose(loaded.predict_proba(X), clf.predict_proba(X))


@pytest.mark.parametrize("multiclass", [False, True])
def test_sparse_trained_model_round_trips_through_pickle_and_skops(
    multiclass, sparse_fits, tmp_path
):
    """Check that a model trained on CSR rows (the first layer on the non-zeros)
    comes back from pickle and skops (one untrusted type, ours) with the same
    predictions, given sparse or dense X (a fresh process: above)."""
    sio = pytest.importorskip("skops.io")

    clf, X = sparse_fits[multiclass]
    assert clf.model_.input[0].name.startswith("entry_ids")
    path = tmp_path / "sparse.skops"
    sio.dump(clf, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert untrusted == [f"{type(clf).__module__}.{type(clf).__name__}"]
    for loaded in (sio.load(path, trusted=untrusted), pickle.loads(pickle.dumps(clf))):
        np.testing.assert_array_equal(loaded.predict(X), clf.predict(X))
        np.testing.assert_array_equal(loaded.predict_proba(X), clf.predict_proba(X))
        np.testing.assert_allclose(
            loaded.predict_proba(X.toarray()), clf.predict_proba(X), rtol=1e-6
        )


@pytest.fixture(scope="module")
def skops_files(tmp_path_factory, multilabel_data):
    """A tiny fitted Pipeline (StandardScaler + estimator) and its estimator,
    dumped with skops: (pipe, X, pipe_path, estimator_path)."""
    sio = pytest.importorskip("skops.io")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(
        hidden_layer_sizes=(4,), epochs=2, batch_size=256, cv=2, random_state=0
    )
    pipe = make_pipeline(StandardScaler(), clf).fit(X, Y)
    folder = tmp_path_factory.mktemp("skops")
    sio.dump(pipe, folder / "pipe.skops")
    sio.dump(pipe[-1], folder / "estimator.skops")
    return pipe, X, folder / "pipe.skops", folder / "estimator.skops"


def test_load_skops_loads_estimators_and_a_pipeline(skops_files):
    """Check that load_skops trusts exactly the two estimator classes, and loads a
    fitted estimator, a Pipeline (also from bytes) and the multiclass class."""
    sio = pytest.importorskip("skops.io")
    from sk_imbalance import WeightedMultiClassClassifier, load_skops
    from sk_imbalance._estimator.persistence import SKOPS_TRUSTED

    classes = (WeightedMultiLabelClassifier, WeightedMultiClassClassifier)
    assert set(SKOPS_TRUSTED) == {f"{c.__module__}.{c.__qualname__}" for c in classes}
    pipe, X, pipe_path, estimator_path = skops_files
    for loaded in (load_skops(pipe_path), load_skops(pipe_path.read_bytes())):
        np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    Z = pipe[0].transform(X)
    estimator = load_skops(estimator_path)
    np.testing.assert_array_equal(estimator.predict_proba(Z), pipe[-1].predict_proba(Z))
    multiclass = WeightedMultiClassClassifier(epochs=3)
    assert load_skops(sio.dumps(multiclass)).get_params() == multiclass.get_params()


def _crafted_copy(path, target, module, name, args):
    """Copy the estimator's skops file with its ``verbose`` replaced by a node that
    calls ``module.name(*args)`` at load (skops's ConstructorFromReduceNode)."""
    import io
    import json
    import zipfile

    sio = pytest.importorskip("skops.io")
    arguments = json.loads(
        zipfile.ZipFile(io.BytesIO(sio.dumps(tuple(args)))).read("schema.json")
    )
    for key in ("protocol", "_skops_version"):
        del arguments[key]
    call = {
        "__class__": name,
        "__module__": module,
        "__loader__": "ConstructorFromReduceNode",
        "content": arguments,
        "__id__": 1,
    }
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "schema.json":
                schema = json.loads(data)
                schema["content"]["content"]["verbose"] = call
                data = json.dumps(schema).encode()
            out.writestr(item, data)
    return target


@pytest.mark.parametrize(
    "module, name, args",
    [
        ("sk_imbalance.report", "_optional_import", ("no_such_module", "CALLED")),
        ("sk_imbalance._utils.startup", "quiet_native_stderr", ()),
    ],
)
def test_load_skops_refuses_a_file_that_calls_a_library_function(
    skops_files, tmp_path, module, name, args
):
    """Check that a crafted file naming a library function is refused by
    load_skops before the call, where trusting every listed type calls it."""
    sio = pytest.importorskip("skops.io")
    from skops.io.exceptions import UntrustedTypesFoundException

    from sk_imbalance import load_skops

    *_, estimator_path = skops_files
    crafted = _crafted_copy(
        estimator_path, tmp_path / "crafted.skops", module, name, args
    )
    listed = sio.get_untrusted_types(file=crafted)
    assert f"{module}.{name}" in listed
    if name == "_optional_import":  # the file really calls it when trusted
        with pytest.raises(ImportError, match="CALLED"):
            sio.load(crafted, trusted=listed)
    with pytest.raises(UntrustedTypesFoundException, match=f"{module}.{name}"):
        load_skops(crafted)
    with pytest.raises(ValueError, match=rf"trusted=\['{module}.{name}'\]"):
        load_skops(crafted, trusted=[f"{module}.{name}"])
