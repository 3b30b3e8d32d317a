"""Behaviour of WeightedMultiLabelClassifier (sk_imbalance._estimator.multilabel)."""

import pickle
import random

import keras
import numpy as np
import pytest
import scipy.sparse as sp
from scipy.special import expit
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import f1_score, roc_auc_score
from sklearn.model_selection import KFold

# TensorFlow exposes only the setter publicly; the getter is read, never changed.
from tensorflow.python.framework.config import is_op_determinism_enabled

from sk_imbalance import (
    WeightedMultiClassClassifier,
    WeightedMultiLabelClassifier,
    compute_label_weights,
)


def test_classifier_fitted_attributes_and_output_types(multilabel_data, fast_params):
    """Check fitted attributes, predict_proba's dtype and range, predict's dtype."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(**fast_params).fit(X, Y.astype(bool))
    assert isinstance(clf.model_, keras.Model)
    assert clf.label_weights_.shape == (5, 2)
    assert clf.thresholds_.shape == (5,)
    assert np.all((clf.thresholds_ > 0) & (clf.thresholds_ < 1))
    assert clf.n_features_in_ == 20 and clf.n_outputs_ == 5
    assert len(clf.classes_) == 5
    assert len(clf.history_["loss"]) == fast_params["epochs"]
    proba = clf.predict_proba(X)
    assert proba.dtype == np.float64 and proba.shape == Y.shape
    assert np.all((proba > 0) & (proba < 1))
    Y_pred = clf.predict(X)
    assert Y_pred.dtype == bool and Y_pred.shape == Y.shape
    np.testing.assert_array_equal(Y_pred, proba >= clf.thresholds_)


def test_classifier_label_weights_come_from_the_data_given_to_fit(
    multilabel_data, fast_params
):
    """Check that label_weights_ are recomputed from each fit's labels."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(**fast_params)
    clf.fit(X[:150], Y[:150])
    first = clf.label_weights_.copy()
    np.testing.assert_allclose(first, compute_label_weights(Y[:150]))
    clf.fit(X[150:], Y[150:])
    np.testing.assert_allclose(clf.label_weights_, compute_label_weights(Y[150:]))
    assert not np.allclose(first, clf.label_weights_)


def test_classifier_binary_target_is_one_dimensional(fast_params):
    """Check that a 1-D binary y gives one output and a 1-D prediction."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 4))
    y = np.where(X[:, 0] + 0.1 * rng.normal(size=200) > 0.8, "pos", "neg")
    clf = WeightedMultiLabelClassifier(**{**fast_params, "epochs": 60}).fit(X, y)
    assert clf.n_outputs_ == 1
    np.testing.assert_array_equal(clf.classes_, ["neg", "pos"])
    pred = clf.predict(X)
    assert pred.shape == (200,) and set(pred) <= {"neg", "pos"}
    proba = clf.predict_proba(X)
    assert proba.shape == (200, 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert roc_auc_score(y == "pos", proba[:, 1]) > 0.85
    assert f1_score(y, pred, pos_label="pos") > 0.5


def test_classifier_cross_fitted_thresholds(multilabel_data, fast_params):
    """Check that an int cv tunes on out-of-fold scores of a k-head ensemble."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(**{**fast_params, "cv": 3, "patience": None})
    clf.fit(X, Y)
    assert clf.thresholds_.shape == (5,)
    assert not np.allclose(clf.thresholds_, 0.5)
    assert len(clf.history_["loss"]) == fast_params["epochs"]
    assert clf.n_epochs_ == fast_params["epochs"]
    # the three cross-fitted heads predict together, in one model
    assert clf.model_.name == "cross_fit_ensemble"
    averaged = clf.model_.get_layer("logit_average")
    per_head = keras.Model(clf.model_.input, averaged.input)
    logits = np.asarray(per_head(X.astype(np.float32)), dtype=np.float64)
    assert logits.shape == (X.shape[0], 3, 5)
    # predict_proba is the calibration map of the mean of the heads' logits
    calibrated = expit(
        clf.calibration_slope_ * logits.mean(axis=1) + clf.calibration_intercept_
    )
    np.testing.assert_allclose(clf.predict_proba(X), calibrated, rtol=1e-4)


def test_classifier_early_stopping_keeps_best_epoch(multilabel_data, fast_params):
    """Check that the chosen epoch is the best of the out-of-fold curve."""
    X, Y = multilabel_data
    params = {**fast_params, "cv": 3, "epochs": 40, "patience": 3}
    clf = WeightedMultiLabelClassifier(**params).fit(X, Y)
    curve = clf.history_["oof_score"]
    assert len(curve) == len(clf.history_["loss"])
    assert clf.n_epochs_ == int(np.argmax(curve)) + 1
    trained = len(curve)
    # stopped by patience: no better epoch in the last `patience` epochs
    assert trained == params["epochs"] or trained - clf.n_epochs_ == 3


def test_classifier_ensemble_false_trains_one_network_on_all_data(
    multilabel_data, fast_params
):
    """Check that ensemble=False keeps the thresholds but predicts with one new head."""
    X, Y = multilabel_data
    params = {**fast_params, "cv": 3}
    ensemble = WeightedMultiLabelClassifier(**params).fit(X, Y)
    refitted = WeightedMultiLabelClassifier(**params, ensemble=False).fit(X, Y)
    # the same seed gives the same folds, out-of-fold curve and epoch; the
    # ensemble's decisions see those scores narrowed to its spread (_decisions.spread)
    np.testing.assert_allclose(
        refitted.history_["oof_score"], ensemble.history_["oof_score"], rtol=1e-5
    )
    assert refitted.n_epochs_ == ensemble.n_epochs_
    assert refitted.model_.get_layer("fold_logits").kernel.shape[0] == 1
    assert not np.allclose(refitted.predict_proba(X), ensemble.predict_proba(X))


@pytest.mark.parametrize("ensemble", [False, True])
def test_classifier_held_out_fraction_gives_one_network(
    multilabel_data, fast_params, ensemble
):
    """Check that a float cv trains a single predicting network."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(**fast_params, ensemble=ensemble).fit(X, Y)
    assert clf.model_.get_layer("fold_logits").kernel.shape[0] == 1
    assert clf.predict(X).shape == Y.shape


@pytest.mark.parametrize(
    "cv",
    [KFold(3, shuffle=True, random_state=0), "iterable"],
    ids=["splitter", "iterable"],
)
def test_classifier_accepts_splitter_and_iterable_cv(multilabel_data, fast_params, cv):
    """Check that cv takes a splitter or (train, test) pairs, as in scikit-learn."""
    X, Y = multilabel_data
    if cv == "iterable":
        cv = list(KFold(4).split(X))
    clf = WeightedMultiLabelClassifier(**{**fast_params, "cv": cv}).fit(X, Y)
    n_heads = 3 if isinstance(cv, KFold) else 4
    assert clf.model_.get_layer("fold_logits").kernel.shape[0] == n_heads
    assert clf.predict(X).shape == Y.shape


@pytest.mark.parametrize(
    "threshold", [0.3, [0.2, 0.3, 0.4, 0.5, 0.6], np.array([0.2, 0.3, 0.4, 0.5, 0.6])]
)
def test_classifier_fixed_thresholds_are_applied(
    multilabel_data, fast_params, threshold
):
    """Check that a fixed float or per-label array is stored and applied."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(**{**fast_params, "threshold": threshold})
    clf.fit(X, Y)
    np.testing.assert_allclose(clf.thresholds_, np.broadcast_to(threshold, (5,)))
    np.testing.assert_array_equal(
        clf.predict(X), clf.predict_proba(X) >= clf.thresholds_
    )


def test_classifier_top_k_gives_k_labels_per_row(multilabel_data, fast_params):
    """Check that threshold='top_k' predicts exactly top_k labels per row."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(
        **{**fast_params, "threshold": "top_k", "top_k": 2}
    ).fit(X, Y)
    assert clf.thresholds_ is None
    np.testing.assert_array_equal(clf.predict(X).sum(axis=1), 2)


def test_classifier_fbeta_favours_recall(multilabel_data, fast_params):
    """Check that F2 tuning gives lower thresholds than F1 tuning.

    With a fixed number of epochs both fits train the same network (the
    objective only steers early stopping), so the thresholds compare.
    """
    X, Y = multilabel_data
    params = {**fast_params, "patience": None}
    f1 = WeightedMultiLabelClassifier(**params).fit(X, Y)
    f2 = WeightedMultiLabelClassifier(
        **{**params, "scoring": "fbeta_macro", "beta": 2.0}
    ).fit(X, Y)
    np.testing.assert_allclose(f1.calibration_slope_, f2.calibration_slope_, rtol=1e-5)
    assert f2.thresholds_.mean() < f1.thresholds_.mean()
    assert f2.predict(X).sum() > f1.predict(X).sum()


def test_classifier_label_without_positive_warns_and_stays_defined(
    multilabel_data, fast_params
):
    """Check that a label with no positive gives finite weights and a threshold."""
    X, Y = multilabel_data
    Y = Y.copy()
    Y[:, 3] = 0
    with pytest.warns(UserWarning, match=r"Labels \[3\] have no positive"):
        clf = WeightedMultiLabelClassifier(**fast_params).fit(X, Y)
    assert np.all(np.isfinite(clf.label_weights_))
    # it keeps the anchor: the weighted network's 0.5, carried through the
    # calibration map (the network's logit 0), raised since it predicts more
    # than 1.5 times the label's (zero) out-of-fold positives
    assert clf.label_report_["status"][3] == "few_positives"
    assert np.isfinite(clf.thresholds_[3])
    assert clf.thresholds_[3] > expit(clf.calibration_intercept_[3])
    assert np.all(np.isfinite(clf.predict_proba(X)))
    with pytest.warns(UserWarning, match=r"Labels \[3\] have no positive"):
        plain = WeightedMultiLabelClassifier(**fast_params, max_anchor_ratio=None).fit(
            X, Y
        )
    assert plain.thresholds_[3] == pytest.approx(expit(plain.calibration_intercept_[3]))


def test_classifier_same_seed_same_predictions(multilabel_data, fast_params):
    """Check that the same random_state gives the same predictions.

    To float32 rounding: TensorFlow is bit-deterministic on one device and
    thread count only (not on GPUs). X moved by one ulp moves these
    probabilities by 3e-7 at most; another seed moves them by tenths.
    """
    X, Y = multilabel_data
    params = {**fast_params, "dropout": 0.3}
    first = WeightedMultiLabelClassifier(**params).fit(X, Y).predict_proba(X)
    second = WeightedMultiLabelClassifier(**params).fit(X, Y).predict_proba(X)
    other = WeightedMultiLabelClassifier(**{**params, "random_state": 1}).fit(X, Y)
    np.testing.assert_allclose(first, second, rtol=1e-5, atol=1e-6)
    assert np.abs(first - other.predict_proba(X)).max() > 1e-2


@pytest.mark.parametrize("random_state", [0, None])
@pytest.mark.parametrize("model", [None, "build_function"])
def test_classifier_leaves_no_global_state_changed(
    multilabel_data, fast_params, model, random_state
):
    """Check that fit, predict and pickling change no global state but, with
    random_state=None, NumPy's global RandomState, by the one draw scikit-learn's
    convention takes from it."""
    X, Y = multilabel_data
    if model == "build_function":
        model = _seeded_build_function
    np_state, py_state = np.random.get_state(), random.getstate()  # noqa: NPY002
    determinism = is_op_determinism_enabled()
    params = {**fast_params, "cv": 3, "model": model, "random_state": random_state}
    clf = WeightedMultiLabelClassifier(**params).fit(X, Y)
    clf.predict(X)
    pickle.loads(pickle.dumps(clf)).predict(X)
    assert is_op_determinism_enabled() == determinism
    assert random.getstate() == py_state
    after = np.random.get_state()  # noqa: NPY002
    if random_state is None:  # one seed drawn per fit
        np.random.set_state(np_state)  # noqa: NPY002
        np.random.randint(np.iinfo(np.int32).max)  # noqa: NPY002
        np_state = np.random.get_state()  # noqa: NPY002
    assert after[0] == np_state[0] and np.array_equal(after[1], np_state[1])
    assert after[2:] == np_state[2:]
    # a plain Keras fit in the same process still works (it fails after scikeras)
    plain = keras.Sequential([keras.Input((20,)), keras.layers.Dense(5)])
    plain.compile(optimizer="sgd", loss="mse")
    plain.fit(X.astype("float32"), Y.astype("float32"), epochs=1, verbose=0)


def _seeded_build_function(meta):
    """A build function whose layers are all seeded from meta["seed"]."""
    seeds = [meta["seed"], meta["seed"] + 1]
    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(
                8,
                activation="relu",
                kernel_initializer=keras.initializers.HeUniform(seeds[0]),
            ),
            keras.layers.Dropout(0.1, seed=seeds[1]),
            keras.layers.Dense(
                meta["n_outputs_"],
                kernel_initializer=keras.initializers.GlorotUniform(seeds[1]),
            ),
        ]
    )


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_classifier_sparse_input_matches_dense(multilabel_data, fast_params, optimizer):
    """Check that CSR input (the first layer on the non-zeros) gives the model
    dense input gives: to float rounding with SGD; with LazyAdam up to the rows
    a batch does not touch, which dense Adam moves on momentum."""
    X, Y = multilabel_data
    params = {**fast_params, "optimizer": optimizer, "sparse_layer": True}
    dense = WeightedMultiLabelClassifier(**{**params, "sparse_layer": False}).fit(X, Y)
    sparse = WeightedMultiLabelClassifier(**params).fit(sp.csr_matrix(X), Y)
    assert sparse.model_.input[0].name.startswith("entry_ids")
    tolerance = dict(rtol=1e-5) if optimizer == "sgd" else dict(atol=1e-3)
    np.testing.assert_allclose(
        sparse.predict_proba(sp.csr_matrix(X)), dense.predict_proba(X), **tolerance
    )
    assert sparse.n_epochs_ == dense.n_epochs_
    # the same fitted network, given dense or sparse rows
    np.testing.assert_allclose(
        sparse.predict_proba(X), sparse.predict_proba(sp.csr_matrix(X)), rtol=1e-6
    )
    np.testing.assert_allclose(
        dense.predict_proba(X), dense.predict_proba(sp.csr_matrix(X)), rtol=1e-6
    )


@pytest.mark.parametrize("multiclass", [False, True])
def test_sparse_fit_and_predict_never_densify_x(monkeypatch, multiclass):
    """Check that no dense copy of sparse X is made in fit, scoring or predict,
    on a vocabulary whose dense copy would be 160 MB (any densifying of the
    full width raises, whatever its size)."""
    rng = np.random.default_rng(0)
    X = sp.random(200, 100_000, density=2e-4, format="csr", random_state=0)
    X = (
        X
        + sp.csr_matrix((np.ones(200), (np.arange(200), np.arange(200))), shape=X.shape)
    ).tocsr()
    y = rng.integers(0, 3 if multiclass else 2, size=200)
    y[:6] = np.arange(6) % (3 if multiclass else 2)

    original = sp.csr_matrix.toarray

    def refuse(matrix, *args, **kwargs):
        if matrix.shape[1] == X.shape[1]:
            raise AssertionError("sparse X was densified")
        return original(matrix, *args, **kwargs)

    monkeypatch.setattr(sp.csr_matrix, "toarray", refuse)
    Estimator = (
        WeightedMultiClassClassifier if multiclass else WeightedMultiLabelClassifier
    )
    clf = Estimator(
        hidden_layer_sizes=(4,), epochs=2, batch_size=64, cv=2, random_state=0
    ).fit(X, y)
    proba = clf.predict_proba(X[:50])
    assert proba.shape[0] == 50 and np.all(np.isfinite(proba))
    assert clf.predict(X).shape == (200,)


def test_classifier_predict_does_not_use_model_predict(multilabel_data, fast_params):
    """Check that predict calls the network directly, not Keras's model.predict."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(**fast_params).fit(X, Y)
    expected = clf.predict(X[:3])

    def refuse(*args, **kwargs):
        raise AssertionError("model.predict was called")

    clf.model_.predict = refuse
    np.testing.assert_array_equal(clf.predict(X[:3]), expected)
    assert clf.predict_proba(X[:1]).shape == (1, 5)


def test_classifier_many_rare_labels_beats_plain_bce():
    """Check that with 300 rare labels ours predicts sensible label sets, BCE@0.5 none.

    The network's scores are weak here (macro-F1 about 0.05), where F1-optimal
    thresholds turn into "predict every row". With the defaults (5-fold
    cross-fit ensemble) the predicted label count stays within a small factor
    of the truth (measured: 16-18 per row for 9.9 true, seeds 0-2; a network
    refitted on all data predicted 43-50). Thirty epochs are trained: with early
    stopping the out-of-fold macro-F1 peaks after the first epoch here, whose
    near-uniform scores give 84 labels per row (test macro-F1 0.046 against
    0.038 after 30 epochs).
    """
    X, Y = make_multilabel_classification(
        n_samples=1200,
        n_features=200,
        n_classes=300,
        n_labels=10,
        allow_unlabeled=False,
        random_state=0,
    )
    X = np.log1p(X)
    X_train, X_test, Y_train, Y_test = X[:900], X[900:], Y[:900], Y[900:]
    common = dict(
        hidden_layer_sizes=(64,),
        epochs=30,
        patience=None,
        batch_size=128,
        learning_rate=0.003,
        dropout=0.0,
        random_state=0,
    )
    plain = WeightedMultiLabelClassifier(class_weight=None, threshold=0.5, **common)
    plain_pred = plain.fit(X_train, Y_train).predict(X_test)
    with pytest.warns(UserWarning, match="no positive"):
        ours = WeightedMultiLabelClassifier(**common).fit(X_train, Y_train)
    ours_pred = ours.predict(X_test)
    plain_f1 = f1_score(Y_test, plain_pred, average="macro", zero_division=0)
    ours_f1 = f1_score(Y_test, ours_pred, average="macro", zero_division=0)
    assert plain_pred.sum(axis=1).mean() < 0.5  # plain BCE predicts almost nothing
    assert np.all(ours_pred.sum(axis=1) > 0)
    assert ours_f1 > plain_f1 + 0.03
    true_per_row = Y_test.sum(axis=1).mean()
    assert ours_pred.sum(axis=1).mean() < 2.5 * true_per_row


def test_classifier_refuses_values_beyond_float32(multilabel_data, fast_params):
    """Check that values finite in float64 but not in float32 get a named error."""
    X, Y = multilabel_data
    huge = X.copy()
    huge[0, 0] = 1e39
    with pytest.raises(ValueError, match="X has a value of magnitude 1e\\+39"):
        WeightedMultiLabelClassifier(**fast_params).fit(huge, Y)
    with pytest.raises(ValueError, match="float32"):
        WeightedMultiLabelClassifier(**fast_params).fit(sp.csr_matrix(huge), Y)
    with pytest.raises(ValueError, match="sample_weight times the class weights"):
        WeightedMultiLabelClassifier(
            **fast_params, class_weight=np.full((Y.shape[1], 2), 1e38)
        ).fit(X, Y, sample_weight=np.r_[10.0, np.ones(len(X) - 1)])
    clf = WeightedMultiLabelClassifier(**fast_params).fit(X, Y)
    with pytest.raises(ValueError, match="beyond float32"):
        clf.predict_proba(huge)


def test_classifier_accepts_a_sparse_indicator_matrix(multilabel_data, fast_params):
    """Check that a sparse Y, as MultiLabelBinarizer(sparse_output=True) gives, fits."""
    X, Y = multilabel_data
    dense = WeightedMultiLabelClassifier(**fast_params).fit(X, Y)
    sparse = WeightedMultiLabelClassifier(**fast_params).fit(X, sp.csr_matrix(Y))
    np.testing.assert_allclose(
        sparse.predict_proba(X), dense.predict_proba(X), rtol=1e-5, atol=1e-6
    )
    assert sparse.predict(X).shape == Y.shape


def test_classifier_micro_scoring_uses_one_cut_off(multilabel_data, fast_params):
    """Check scoring='f1_micro': one common cut-off, named in the report."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(**fast_params, scoring="f1_micro").fit(X, Y)
    assert np.unique(clf.thresholds_).size == 1
    assert set(clf.label_report_["status"]) == {"global"}
    np.testing.assert_array_equal(
        clf.predict(X), (clf.predict_proba(X) >= clf.thresholds_).astype(int)
    )


def test_classifier_precision_at_k_monitor(multilabel_data, fast_params):
    """Check that the top-k rule with precision@k monitors precision@k out of fold."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(
        **{**fast_params, "patience": None},
        threshold="top_k",
        top_k=2,
        scoring="precision_at_k",
    ).fit(X, Y)
    assert clf.thresholds_ is None
    assert 0 < clf.history_["oof_score"][-1] <= 1
    assert np.all(clf.predict(X).sum(axis=1) == 2)


def test_classifier_calibration_none_is_the_weighted_output(
    multilabel_data, fast_params
):
    """Check that calibration=None keeps the network's own probabilities and
    that the macro decisions do not depend on the calibration."""
    X, Y = multilabel_data
    params = {**fast_params, "patience": None}
    platt = WeightedMultiLabelClassifier(**params).fit(X, Y)
    raw = WeightedMultiLabelClassifier(**params, calibration=None).fit(X, Y)
    np.testing.assert_array_equal(raw.calibration_slope_, 1.0)
    np.testing.assert_array_equal(raw.calibration_intercept_, 0.0)
    # two fits agree to float32 rounding: compare where that cannot flip a label
    far = np.abs(raw.predict_proba(X) - raw.thresholds_) > 1e-4
    assert far.mean() > 0.95
    np.testing.assert_array_equal(platt.predict(X)[far], raw.predict(X)[far])
    # balanced weights lean the raw probabilities toward the positives
    assert raw.predict_proba(X).mean() > platt.predict_proba(X).mean()


class _Recorder(keras.callbacks.Callback):
    """Records what a Keras callback is shown."""

    def __init__(self):
        super().__init__()
        self.events, self.epoch_logs, self.batches = [], [], 0

    def on_train_begin(self, logs=None):
        self.events.append("train_begin")

    def on_epoch_begin(self, epoch, logs=None):
        self.events.append(f"epoch_begin {epoch}")

    def on_train_batch_end(self, batch, logs=None):
        self.batches += 1
        assert np.isfinite(logs["loss"])

    def on_epoch_end(self, epoch, logs=None):
        self.events.append(f"epoch_end {epoch}")
        self.epoch_logs.append(dict(logs))

    def on_train_end(self, logs=None):
        self.events.append("train_end")


def test_keras_callbacks_see_every_epoch_and_step(multilabel_data, fast_params):
    """Check the callback contract: the calls, their order, the logs."""
    X, Y = multilabel_data
    recorder = _Recorder()
    params = {**fast_params, "epochs": 3, "patience": 5, "cv": 3}
    clf = WeightedMultiLabelClassifier(**params, callbacks=[recorder]).fit(X, Y)
    assert recorder.events[0] == "train_begin" and recorder.events[-1] == "train_end"
    assert recorder.events[1:3] == ["epoch_begin 0", "epoch_end 0"]
    assert [log["loss"] for log in recorder.epoch_logs] == clf.history_["loss"]
    assert [log["oof_score"] for log in recorder.epoch_logs] == clf.history_[
        "oof_score"
    ]
    steps_per_epoch = -(-200 // min(params["batch_size"], 200))  # each head: 200 rows
    assert recorder.batches == 3 * steps_per_epoch
    # the callback's model is the fused training view of the three heads
    assert recorder.model.output.shape[1:] == (3, Y.shape[1])


def test_keras_early_stopping_is_passed_through(multilabel_data, fast_params):
    """Check that EarlyStopping ends training, on the loss or the oof score."""
    X, Y = multilabel_data
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=0, min_delta=1e9)
    params = {**fast_params, "epochs": 30, "patience": None}
    clf = WeightedMultiLabelClassifier(**params, callbacks=[stop]).fit(X, Y)
    assert len(clf.history_["loss"]) == 2  # epoch 1 sets the best, epoch 2 stops
    assert clf.n_epochs_ == 2 and len(clf.history_["oof_score"]) == 1
    assert np.all(np.isfinite(clf.predict_proba(X)))
    on_oof = keras.callbacks.EarlyStopping(
        monitor="oof_score", mode="max", patience=0, min_delta=1.0
    )
    params = {**fast_params, "epochs": 30, "patience": 20}
    clf = WeightedMultiLabelClassifier(**params, callbacks=[on_oof]).fit(X, Y)
    assert len(clf.history_["oof_score"]) == 2


def test_keras_learning_rate_schedule_stays_in_its_fit(multilabel_data, fast_params):
    """Check a schedule reaches the optimizer and does not leak into later fits."""
    X, Y = multilabel_data
    params = {**fast_params, "patience": None}
    before = WeightedMultiLabelClassifier(**params).fit(X, Y).predict_proba(X)
    frozen = keras.callbacks.LearningRateScheduler(lambda epoch, lr: 0.0)
    still = WeightedMultiLabelClassifier(**params, callbacks=[frozen]).fit(X, Y)
    assert not np.allclose(still.predict_proba(X), before)  # it did not learn
    after = WeightedMultiLabelClassifier(**params).fit(X, Y).predict_proba(X)
    np.testing.assert_allclose(after, before, rtol=1e-5, atol=1e-6)


def test_keras_callbacks_must_be_callbacks(multilabel_data, fast_params):
    """Check the error for something that is not a Keras callback."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(**fast_params, callbacks=[print])
    with pytest.raises(ValueError, match="callbacks must be None or a list"):
        clf.fit(X, Y)
