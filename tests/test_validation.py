"""Tests of sk_imbalance._estimator.validation: bad input gets a clear ValueError."""

import numpy as np
import pytest

from sk_imbalance import WeightedMultiLabelClassifier
from sk_imbalance._estimator.validation import check_sample_weight, encode_target

X = np.random.default_rng(0).random((20, 3))
Y = (np.random.default_rng(1).random((20, 2)) < 0.4).astype(int)
Y[:2] = [[1, 1], [0, 0]]


def _fit(X_fit=X, Y_fit=Y, **kwargs):
    params = dict(epochs=1, hidden_layer_sizes=(4,), threshold=0.5)
    params.update(kwargs.pop("params", {}))
    return WeightedMultiLabelClassifier(**params).fit(X_fit, Y_fit, **kwargs)


X_NAN = X.copy()
X_NAN[0, 0] = np.nan
X_INF = X.copy()
X_INF[1, 1] = np.inf


@pytest.mark.parametrize(
    "X_fit, Y_fit, kwargs, message",
    [
        (X_NAN, Y, {}, "Input X contains NaN"),
        (X_INF, Y, {}, "Input X contains infinity"),
        (X, Y * 2, {}, r"0/1 indicator matrix .* got values \[0, 2\]"),
        (X, np.arange(20) % 3, {}, "Only binary classification is supported"),
        (X, np.ones(20), {}, "only one class"),
        (X, Y[:15], {}, "inconsistent numbers of samples"),
        (X[:0], Y[:0], {}, "0 sample"),
        (X, Y, {"sample_weight": -np.ones(20)}, "sample_weight must be non-negative"),
        (X, Y, {"sample_weight": np.ones(5)}, r"sample_weight must have shape \(20,\)"),
        (X, Y, {"sample_weight": np.zeros(20)}, "sample_weight sums to zero"),
        (X, np.full((20, 2), 0.5), {}, "Unknown label type"),
    ],
)
def test_fit_bad_input_raises_value_error(X_fit, Y_fit, kwargs, message):
    """Check that bad X, Y or sample_weight raise a ValueError naming the problem."""
    with pytest.raises(ValueError, match=message):
        _fit(X_fit, Y_fit, **kwargs)


def test_predict_wrong_number_of_features_raises():
    """Check that predicting with the wrong feature count names both counts."""
    clf = _fit()
    with pytest.raises(ValueError, match="X has 2 features, but .* is expecting 3"):
        clf.predict(X[:, :2])
    with pytest.raises(ValueError, match="Input X contains NaN"):
        clf.predict_proba(X_NAN)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes must be a tuple"),
        ({"candidates": [{"units": 8}]}, r"candidates\[0\] has unknown key"),
        ({"candidates": []}, r"candidates=\[\] has no candidate"),
        (
            {"dropout": 1.0},
            r"dropout must be None or a finite float in \[0, 1\); got 1.0",
        ),
        ({"class_weight": "sqrt"}, "class_weight must be 'auto', None, one of"),
        ({"loss": "hinge"}, "loss must be one of 'bce', 'focal'; got 'hinge'"),
        ({"epochs": 0}, r"epochs must be an int in \[1, inf\); got 0"),
        ({"threshold": "f2"}, "threshold='f2' is not supported"),
        ({"threshold": 1.5}, r"must be .* a float in \(0, 1\)"),
        ({"threshold": [0.5, 0.5, 0.5]}, "threshold has 3 values but Y has 2"),
        ({"cv": 1}, "cv must be an int >= 2"),
        ({"cv": 1.5}, "cv must be"),
        ({"patience": 0}, "patience must be None or an int"),
        ({"learning_rate": -1}, "learning_rate must be None or a finite float in"),
        ({"learning_rate": float("inf")}, "learning_rate must be None or a finite"),
        ({"focal_gamma": float("inf")}, "focal_gamma must be a finite float in"),
        ({"beta": float("inf")}, r"beta must be a finite float in \(0, inf\); got inf"),
        ({"beta": float("nan")}, "beta must be a finite float"),
        ({"top_k": 0}, "top_k must be an int in"),
        ({"threshold": "f1"}, "threshold='f1' is now spelled threshold='tuned'"),
        ({"threshold": "fbeta"}, "scoring='fbeta_macro'"),
        ({"scoring": "f1"}, "scoring must be one of 'f1_macro'"),
        ({"scoring": "roc_auc"}, "scoring must be one of .*; got 'roc_auc'"),
        ({"scoring": "precision_at_k"}, "only threshold='top_k' predicts"),
        ({"calibration": "isotonic"}, "calibration must be one of 'platt', 'shift'"),
        ({"min_positives": 0}, r"min_positives must be an int in \[1, inf\); got 0"),
        ({"shrinkage": -1.0}, "shrinkage must be a finite float in"),
        ({"shrinkage": float("nan")}, "shrinkage must be a finite float in"),
        ({"max_predicted_ratio": 0}, "max_predicted_ratio must be None or a"),
        ({"verbose": -1}, "verbose must be an int"),
        ({"model_kwargs": {"units": 8}}, "model_kwargs=.* is for a build function"),
        ({"cv": [(np.arange(10), np.array([10**6]))]}, "indices outside"),
        ({"cv": [(np.arange(10), np.arange(0))]}, "holds no row out"),
        (
            {"cv": [(np.arange(10), np.arange(10, 20)), (np.arange(20), [])]},
            "Split 1 of cv=.* holds no row out",
        ),
        ({"sparse_layer": "yes"}, "sparse_layer must be 'auto', True or False"),
        (
            {"sparse_layer": True, "model": lambda meta: None},
            "sparse_layer=True needs the default network",
        ),
    ],
)
def test_fit_bad_parameters_raise_value_error(params, message):
    """Check that bad hyper-parameters are refused in fit, naming the parameter."""
    clf = WeightedMultiLabelClassifier(**params)  # __init__ does not validate
    with pytest.raises(ValueError, match=message):
        clf.fit(X, Y)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"epochs": "10"}, "epochs must be an int .* got '10' of type str"),
        ({"epochs": 10.0}, "got 10.0 of type float"),
        ({"batch_size": 2.5}, "batch_size must be an int"),
        ({"epochs": True}, "got True of type bool"),
        ({"dropout": "0.2"}, "dropout must be None or a finite float"),
        ({"learning_rate": [0.1]}, "learning_rate must be None or a finite float"),
        ({"hidden_layer_sizes": 64}, "hidden_layer_sizes must be a tuple"),
        ({"candidates": "linear"}, "candidates must be None .* or a list"),
        ({"loss": None}, "loss must be one of 'bce', 'focal'; got None of type"),
        ({"scoring": 1}, "scoring must be one of"),
        ({"calibration": True}, "calibration must be one of"),
        ({"ensemble": "yes"}, "ensemble must be True or False; got 'yes'"),
        ({"model_kwargs": [1]}, "model_kwargs must be None or a dict"),
        ({"threshold": {"a": 0.5}}, "threshold must be 'tuned', 'top_k'"),
        ({"threshold": None}, "threshold must be"),
        ({"optimizer": 3}, "optimizer must be a Keras optimizer name or instance"),
        ({"random_state": "0"}, "random_state must be None, an int"),
        ({"cv": "5"}, "cv must be an int >= 2"),
        ({"sparse_layer": 1}, "sparse_layer must be 'auto', True or False; got 1"),
    ],
)
def test_fit_wrong_parameter_types_raise_type_error(params, message):
    """Check that a parameter of the wrong type raises a TypeError naming it.

    The error is also a ValueError, as scikit-learn's InvalidParameterError.
    """
    clf = WeightedMultiLabelClassifier(**params)
    with pytest.raises(TypeError, match=message) as caught:
        clf.fit(X, Y)
    assert isinstance(caught.value, ValueError)


def test_every_parameter_is_declared_once():
    """Check that the constraints cover exactly the parameters of __init__."""
    declared = set(WeightedMultiLabelClassifier._parameter_constraints)
    assert declared == set(WeightedMultiLabelClassifier().get_params())


def test_top_k_with_binary_target_raises():
    """Check that top-k is refused for a 1-D binary target."""
    with pytest.raises(ValueError, match="threshold='top_k' needs a multi-label Y"):
        _fit(Y_fit=Y[:, 0], params={"threshold": "top_k"})


def test_encode_target_binary_any_labels():
    """Check that a 1-D binary target of any two labels is encoded as one column."""
    target = encode_target(np.array(["b", "a", "b"]))
    np.testing.assert_array_equal(target.classes, ["a", "b"])
    np.testing.assert_array_equal(target.Y[:, 0], [1, 0, 1])


def test_check_sample_weight_one_weighted_class_raises():
    """Check that a binary fit whose positive weights cover one class is refused."""
    target = encode_target(np.array([0, 0, 1, 1]))
    with pytest.raises(ValueError, match="belong to one class"):
        check_sample_weight([1.0, 1.0, 0.0, 0.0], 4, target)


def test_weights_that_diverge_in_the_last_step_raise():
    """Check the case hypothesis found: a finite loss, then NaN weights.

    X around 1e19 with an all-positive label: the last update makes the weights
    NaN while the reported loss is still finite; the held-out predictions
    reveal it, and fit raises instead of returning NaN probabilities.
    """
    X_big = np.array([[3.455842e19], [8.216182e19]], dtype=np.float32)
    # seed 1: the seed under which this data diverges in the last step (others
    # train to finite, useless, output; either way never NaN)
    clf = WeightedMultiLabelClassifier(
        hidden_layer_sizes=(4,), epochs=2, patience=None, cv=2, random_state=1
    )
    with pytest.warns(UserWarning), pytest.raises(FloatingPointError, match="diverged"):
        clf.fit(X_big, np.array([[1], [1]]))


def test_predict_on_extreme_rows_is_finite():
    """Check that rows far outside the training scale still get probabilities."""
    clf = WeightedMultiLabelClassifier(
        hidden_layer_sizes=(4,), epochs=2, patience=None, cv=2, random_state=0
    ).fit(X, Y)
    proba = clf.predict_proba(X * 1e37)
    assert np.all(np.isfinite(proba)) and np.all((proba > 0) & (proba < 1))


def test_features_around_1e20_raise_a_named_divergence():
    """Check that X around 1e20 (finite in float32) is an error, not NaN output.

    Adam's second moment overflows float32 on such inputs; the estimator must
    say so and name the fix rather than return NaN probabilities.
    """
    clf = WeightedMultiLabelClassifier(
        hidden_layer_sizes=(8,), epochs=5, patience=None, cv=2, random_state=1
    )
    with pytest.raises(FloatingPointError, match="diverged.*scale the features"):
        clf.fit(X * 1e20, Y)


@pytest.mark.parametrize("scale", [1e-300, 1e30])
def test_sample_weight_scale_does_not_matter(scale):
    """Check that uniform weights of any magnitude fit like no weights.

    sample_weight is rescaled to mean 1, so 1e30 cannot overflow float32 and
    1e-300 cannot vanish in it.
    """
    params = dict(hidden_layer_sizes=(4,), epochs=2, patience=None, cv=2)
    plain = WeightedMultiLabelClassifier(**params, random_state=0).fit(X, Y)
    weighted = WeightedMultiLabelClassifier(**params, random_state=0).fit(
        X, Y, sample_weight=np.full(len(X), scale)
    )
    np.testing.assert_allclose(
        weighted.predict_proba(X), plain.predict_proba(X), rtol=1e-5, atol=1e-7
    )


def test_threshold_accepts_any_one_dimensional_array_like():
    """Check one threshold per label as a pandas Series (or a tuple) works as the
    same ndarray does, and a bad Series is refused by name."""
    pd = pytest.importorskip("pandas")
    params = dict(hidden_layer_sizes=(4,), epochs=2, cv=2, random_state=0)
    reference = WeightedMultiLabelClassifier(threshold=np.array([0.3, 0.6]), **params)
    expected = reference.fit(X, Y).predict_proba(X)
    for given in (pd.Series([0.3, 0.6], index=["a", "b"]), (0.3, 0.6)):
        clf = WeightedMultiLabelClassifier(threshold=given, **params).fit(X, Y)
        np.testing.assert_array_equal(clf.thresholds_, [0.3, 0.6])
        proba = clf.predict_proba(X)
        np.testing.assert_array_equal(clf.predict(X), proba >= [0.3, 0.6])
        # two fits: the same to float32 rounding (bit-equal on one CPU thread count)
        np.testing.assert_allclose(proba, expected, rtol=1e-5, atol=1e-6)
    with pytest.raises(ValueError, match="threshold=.* must be 'tuned'"):
        WeightedMultiLabelClassifier(threshold=pd.Series([0.5, 1.5])).fit(X, Y)
    with pytest.raises(ValueError, match="threshold has 3 values but Y has 2"):
        WeightedMultiLabelClassifier(threshold=pd.Series([0.5] * 3)).fit(X, Y)
