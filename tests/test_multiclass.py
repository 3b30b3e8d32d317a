"""Behaviour of WeightedMultiClassClassifier (sk_imbalance._estimator.multiclass)."""

import pickle
import random

import keras
import numpy as np
import pytest
from scipy.special import log_softmax
from sklearn.base import clone
from sklearn.datasets import make_classification
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_imbalance import WeightedMultiClassClassifier, compute_class_weights
from sk_imbalance._crossfit.feed import predict_logits

FAST = dict(
    hidden_layer_sizes=(16,),
    epochs=8,
    batch_size=128,
    learning_rate=0.01,
    cv=3,
    random_state=0,
)


@pytest.fixture(scope="module")
def imbalanced():
    """Four string classes in proportion 70/20/7/3: X (400, 8), y."""
    X, y = make_classification(
        n_samples=400,
        n_features=8,
        n_informative=5,
        n_classes=4,
        weights=[0.7, 0.2, 0.07, 0.03],
        random_state=0,
    )
    return X, np.array(["ant", "bee", "cat", "dog"])[y]


def test_fitted_attributes_and_outputs(imbalanced):
    """Check classes_, weights, priors, the map, the offsets and the outputs."""
    X, y = imbalanced
    clf = WeightedMultiClassClassifier(**FAST).fit(X, y)
    np.testing.assert_array_equal(clf.classes_, ["ant", "bee", "cat", "dog"])
    _, index = np.unique(y, return_inverse=True)
    np.testing.assert_allclose(clf.class_weights_, compute_class_weights(index, 4))
    np.testing.assert_allclose(clf.class_prior_, np.bincount(index) / len(y))
    assert clf.offsets_.shape == clf.calibration_bias_.shape == (4,)
    assert clf.calibration_scale_ > 0
    assert 1 <= clf.n_epochs_ <= 8 and len(clf.history_["oof_score"]) >= 1
    proba = clf.predict_proba(X)
    assert proba.shape == (400, 4) and proba.dtype == np.float64
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_allclose(np.log(proba), clf.predict_log_proba(X), rtol=1e-6)
    pred = clf.predict(X)
    assert set(pred) <= set(clf.classes_)
    # the default rule: calibrated log-probabilities minus the log priors
    expected = clf.classes_[np.argmax(np.log(proba) - np.log(clf.class_prior_), 1)]
    np.testing.assert_array_equal(pred, expected)
    assert np.mean(pred == y) > 0.6


def test_argmax_without_calibration_is_the_weighted_networks_own_argmax(imbalanced):
    """Check decision="argmax", calibration=None against the network's logits."""
    X, y = imbalanced
    clf = WeightedMultiClassClassifier(decision="argmax", calibration=None, **FAST).fit(
        X, y
    )
    logits = predict_logits(clf.model_, X)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[logits.argmax(1)])
    np.testing.assert_allclose(
        clf.predict_log_proba(X), log_softmax(logits, axis=1), atol=1e-10
    )


def test_balanced_weights_predict_the_rare_classes_more_often(imbalanced):
    """Check that the weighted network's argmax predicts rare classes more often
    than the unweighted one's: the class weights reach the loss."""
    X, y = imbalanced
    common = dict(decision="argmax", calibration=None, **{**FAST, "epochs": 20})
    plain = WeightedMultiClassClassifier(class_weight=None, **common).fit(X, y)
    weighted = WeightedMultiClassClassifier(**common).fit(X, y)
    rare = np.isin(y, ["cat", "dog"])
    assert (
        np.isin(weighted.predict(X), ["cat", "dog"]).sum()
        > np.isin(plain.predict(X), ["cat", "dog"]).sum()
    )
    assert (weighted.predict(X)[rare] == y[rare]).mean() >= (
        plain.predict(X)[rare] == y[rare]
    ).mean()


def test_tuned_offsets_beat_no_offsets_out_of_fold(imbalanced):
    """Check the tuned rule's out-of-fold objective is at least the argmax's."""
    X, y = imbalanced
    common = dict(scoring="f1_macro", patience=None, **FAST)
    tuned = WeightedMultiClassClassifier(decision="tuned", **common).fit(X, y)
    argmax = WeightedMultiClassClassifier(
        decision="argmax", calibration=None, **common
    ).fit(X, y)
    # same seed, same epochs: the same network, scored with two rules
    assert tuned.history_["oof_score"][-1] >= argmax.history_["oof_score"][-1]
    assert np.any(tuned.offsets_ != 0)


def test_decision_scorer_weighs_rows_as_repeats(imbalanced):
    """Check the objective under row weights (the weighting choice's
    bootstrap): ``at()`` is the monitored score, and a bootstrap's counts
    score as the rows repeated, with the decisions fitted once."""
    from sk_imbalance._decisions.multiclass import (
        decide_multiclass,
        multiclass_score,
        to_log_proba,
    )

    X, y = imbalanced
    clf = WeightedMultiClassClassifier(decision="tuned", **FAST).fit(X, y)
    y_index = np.searchsorted(clf.classes_, y)
    proba = clf.predict_proba(X)
    at = clf._decision_scorer(y_index, proba, None)
    assert at() == clf._decision_score(y_index, proba, None)
    counts = np.bincount(np.random.default_rng(0).integers(len(y), size=len(y)))
    counts = np.pad(counts, (0, len(y) - len(counts)))
    rows = np.repeat(np.arange(len(y)), counts)
    Z = to_log_proba(proba)
    _, predicted = decide_multiclass(Z, clf._fit_decisions(y_index, Z, None, False))
    repeated = multiclass_score(
        y_index[rows], predicted[rows], len(clf.classes_), clf.scoring
    )
    assert at(counts.astype(float)) == pytest.approx(repeated, rel=1e-12)


@pytest.mark.parametrize(
    "params",
    [
        dict(loss="focal", focal_gamma=1.0),
        dict(loss="expected_cost", cost=1 - np.eye(4), ce_weight=0.5),
        dict(calibration="shift"),
        dict(ensemble=False),
        dict(cv=0.3),
        dict(class_weight={"dog": 10.0}),
        dict(class_weight="effective_number"),
    ],
)
def test_every_loss_and_option_trains(imbalanced, params):
    """Check that each loss and option fits and predicts valid classes."""
    X, y = imbalanced
    clf = WeightedMultiClassClassifier(**{**FAST, **params}).fit(X, y)
    assert set(clf.predict(X)) <= set(clf.classes_)
    assert np.all(np.isfinite(clf.predict_proba(X)))


def test_a_class_absent_from_a_training_fold_warns_and_stays_finite():
    """Check a class with one row: a named warning, finite weights, no crash."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(90, 4))
    y = np.array([0] * 60 + [1] * 29 + [2])
    X[y == 1] += 2.0
    with pytest.warns(UserWarning, match=r"no training row in some cross-fit heads"):
        clf = WeightedMultiClassClassifier(**FAST).fit(X, y)
    assert np.all(np.isfinite(clf.class_weights_))
    assert np.all(np.isfinite(clf.predict_proba(X)))
    assert np.all(np.isfinite(clf.calibration_bias_))


def test_binary_target_and_binary_f1():
    """Check a two-class target with scoring="f1" and a cost matrix."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 4))
    y = np.where(X[:, 0] + 0.5 * rng.normal(size=300) > 1.0, "yes", "no")
    clf = WeightedMultiClassClassifier(
        scoring="f1",
        decision="tuned",
        loss="expected_cost",
        cost=[[0, 1], [4, 0]],
        **FAST,
    ).fit(X, y)
    assert clf.predict_proba(X).shape == (300, 2)
    assert set(clf.predict(X)) <= {"yes", "no"}


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(loss="expected_cost"), "cost and loss='expected_cost' go together"),
        (dict(cost=np.ones((4, 4))), "cost and loss='expected_cost' go together"),
        (dict(loss="expected_cost", cost=np.ones((3, 3))), r"shape \(4, 4\)"),
        (dict(loss="expected_cost", cost=-np.ones((4, 4))), "non-negative"),
        (dict(scoring="f1"), "scoring='f1' is the positive class's F1"),
        (dict(decision="best"), "decision"),
        (dict(class_weight="inverse"), "class_weight"),
        (dict(calibration="isotonic"), "calibration"),
        (dict(model_kwargs={"units": 3}), "model_kwargs"),
    ],
)
def test_bad_parameters_are_named(imbalanced, params, message):
    """Check that each mistake raises a ValueError naming it."""
    X, y = imbalanced
    with pytest.raises(ValueError, match=message):
        WeightedMultiClassClassifier(**{**FAST, **params}).fit(X, y)


def test_bad_targets_are_named(imbalanced):
    """Check multi-label, continuous and one-class targets, and one-class weights."""
    X, y = imbalanced
    with pytest.raises(ValueError, match="WeightedMultiLabelClassifier"):
        WeightedMultiClassClassifier(**FAST).fit(X, np.eye(4)[np.arange(400) % 4])
    with pytest.raises(ValueError, match="Unknown label type"):
        WeightedMultiClassClassifier(**FAST).fit(X, np.linspace(0, 1, 400))
    with pytest.raises(ValueError, match="only one class"):
        WeightedMultiClassClassifier(**FAST).fit(X, np.zeros(400))
    with pytest.raises(ValueError, match="belong to one class"):
        WeightedMultiClassClassifier(**FAST).fit(X, y, sample_weight=(y == "ant") * 1.0)
    with pytest.raises(ValueError, match=r"zero on every row of class\(es\) \['dog'\]"):
        WeightedMultiClassClassifier(**FAST).fit(X, y, sample_weight=(y != "dog") * 1.0)


def test_build_function_ending_in_softmax(imbalanced):
    """Check a scikeras-style build function with meta["n_classes_"]."""
    X, y = imbalanced
    seen = {}

    def build(meta, units=8):
        seen.update(meta)
        return keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dense(units, activation="relu"),
                keras.layers.Dense(meta["n_classes_"], activation="softmax"),
            ]
        )

    clf = WeightedMultiClassClassifier(build, model_kwargs={"units": 6}, **FAST).fit(
        X, y
    )
    assert seen["n_classes_"] == 4 and seen["target_type_"] == "multiclass"
    assert clf.predict_proba(X).shape == (400, 4)


def test_pickle_clone_pipeline_and_grid_search(imbalanced):
    """Check a pickle round trip and the scikit-learn meta-estimators."""
    X, y = imbalanced
    clf = WeightedMultiClassClassifier(**FAST).fit(X, y)
    restored = pickle.loads(pickle.dumps(clf))
    np.testing.assert_array_equal(restored.predict(X), clf.predict(X))
    np.testing.assert_allclose(restored.predict_proba(X), clf.predict_proba(X))
    assert clone(clf).get_params() == clf.get_params()
    search = GridSearchCV(
        make_pipeline(StandardScaler(), WeightedMultiClassClassifier(**FAST)),
        {"weightedmulticlassclassifier__class_weight": [None, "balanced"]},
        cv=2,
        scoring="f1_macro",
    ).fit(X, y)
    assert set(search.predict(X)) <= set(clf.classes_)


def test_same_seed_same_predictions_and_no_global_state(imbalanced):
    """Check reproducibility and that NumPy's and Python's global states stay."""
    X, y = imbalanced
    np_state, py_state = np.random.get_state()[1].copy(), random.getstate()  # noqa: NPY002
    first = WeightedMultiClassClassifier(**FAST).fit(X, y).predict_proba(X)
    second = WeightedMultiClassClassifier(**FAST).fit(X, y).predict_proba(X)
    # two fits: the same to float32 rounding (bit-equal on one CPU thread count)
    np.testing.assert_allclose(first, second, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(np.random.get_state()[1], np_state)  # noqa: NPY002
    assert random.getstate() == py_state


def test_keras_callbacks_see_every_epoch_and_can_stop(imbalanced):
    """Check Keras callbacks on the shared core: epoch logs with the out-of-fold
    score, and EarlyStopping on it ends training."""
    X, y = imbalanced

    class Epochs(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.logs = []

        def on_epoch_end(self, epoch, logs=None):
            self.logs.append(dict(logs or {}))

    seen = Epochs()
    stop = keras.callbacks.EarlyStopping(monitor="oof_score", mode="max", patience=1)
    clf = WeightedMultiClassClassifier(
        callbacks=[seen, stop], **{**FAST, "epochs": 30, "patience": 30}
    ).fit(X, y)
    assert len(seen.logs) == len(clf.history_["loss"]) < 30
    assert all("loss" in logs and "oof_score" in logs for logs in seen.logs)
