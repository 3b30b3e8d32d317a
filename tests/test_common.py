"""scikit-learn's estimator checks over both estimators."""

import pytest
from sklearn.utils.estimator_checks import (
    estimator_checks_generator,
    parametrize_with_checks,
)

from sk_imbalance import WeightedMultiClassClassifier, WeightedMultiLabelClassifier

_CHECK_SETTINGS = dict(
    hidden_layer_sizes=(16,), epochs=25, batch_size=64, learning_rate=0.01, dropout=0.0
)

# Stochastic mini-batch training with a held-out split cannot make a weight of
# 2 equal to a duplicated row, nor a weight of 0 equal to a dropped row: the
# loss is averaged over mini-batches and the split of rows changes.
_SAMPLE_WEIGHT_XFAIL = {
    "check_sample_weight_equivalence_on_dense_data": (
        "mini-batch SGD with a mean loss is not equivalent to repeating rows"
    ),
    "check_sample_weight_equivalence_on_sparse_data": (
        "mini-batch SGD with a mean loss is not equivalent to repeating rows"
    ),
}

# The check permutes its rows with NumPy's unseeded global state and compares
# at rtol=1e-7, below float32's epsilon (1.19e-7): a row's float32 logits may
# change by an ulp with its place in a forward call (the kernels' blocking,
# thread count, GPU), and one ulp of a logit of 4.2, times the calibration
# slope, already fails it. So it fails by chance; non-strict, as it mostly
# passes. test_base.py checks the order at a float32 tolerance, seeded.
_FLOAT32_XFAIL = {
    "check_methods_sample_order_invariance": (
        "rtol=1e-7 is below float32's epsilon: an ulp of a logit with the row's "
        "place in the batch fails it by chance"
    ),
}

# Expected failures whatever the decision rule.
_ALWAYS_XFAIL = {**_SAMPLE_WEIGHT_XFAIL, **_FLOAT32_XFAIL}

# With tuned thresholds, predict is by design not predict_proba > 0.5.
_TUNED_XFAIL = {
    **_ALWAYS_XFAIL,
    # Non-strict: on this check's data the threshold gate keeps 0.5 for the
    # blobs, so it passes (XPASS) today; a tuned cut-off would make it fail.
    "check_classifiers_train": (
        "predict applies tuned thresholds, so it need not be argmax(predict_proba)"
    ),
    "check_classifier_multioutput": (
        "predict applies tuned thresholds, so it is not predict_proba.round()"
    ),
    # class_weight={0: 1000, 1: 1e-4} on noisy blobs: the thresholds (and the
    # epoch) are chosen for the positive class's F1 on held-out rows, which the
    # weights do not change, so predict does not follow the weights' bias.
    "check_class_weight_classifiers": (
        "tuned thresholds maximise the positive class's F1 whatever class_weight"
    ),
}


@parametrize_with_checks(
    [WeightedMultiLabelClassifier(cv=0.25, **_CHECK_SETTINGS)],
    expected_failed_checks=lambda estimator: _TUNED_XFAIL,
)
def test_estimator_checks(estimator, check):
    """Check that the estimator with tuned thresholds passes the estimator checks."""
    check(estimator)


def _fixed_threshold_checks():
    """The checks that tuned thresholds fail by design, at a fixed 0.5 cut-off.

    Without early stopping too: the epoch chosen on held-out F1 would override
    the class weights that check_class_weight_classifiers tests in the loss.
    """
    estimator = WeightedMultiLabelClassifier(
        threshold=0.5, calibration=None, patience=None, **_CHECK_SETTINGS
    )
    for est, check in estimator_checks_generator(estimator, legacy=True):
        name = getattr(check, "func", check).__name__
        if name in _TUNED_XFAIL and name not in _ALWAYS_XFAIL:
            yield pytest.param(est, check, id=name)


@pytest.mark.parametrize("estimator, check", list(_fixed_threshold_checks()))
def test_estimator_checks_fixed_threshold(estimator, check):
    """Check that at a fixed 0.5 cut-off, predict agrees with predict_proba."""
    check(estimator)


# WeightedMultiClassClassifier: the default rule calibrates the probabilities
# back from the class weights' shift and then divides by the class priors.
_MULTICLASS_XFAIL = {
    **_ALWAYS_XFAIL,
    # class_weight={0: 1000, 1: 1e-4, ...} must make predict favour class 0; the
    # calibration undoes that shift of the probabilities by design (and logit
    # adjustment then divides by the priors), so the weights change the
    # network's training but not the decision rule.
    "check_class_weight_classifiers": (
        "predict_proba undoes the class weights' prior shift by design"
    ),
}


@parametrize_with_checks(
    [WeightedMultiClassClassifier(cv=0.25, **_CHECK_SETTINGS)],
    expected_failed_checks=lambda estimator: _MULTICLASS_XFAIL,
)
def test_multiclass_estimator_checks(estimator, check):
    """Check the multiclass estimator's defaults against the estimator checks."""
    check(estimator)


def _multiclass_network_argmax_checks():
    """check_class_weight_classifiers with the weighted network's own argmax."""
    estimator = WeightedMultiClassClassifier(
        decision="argmax", calibration=None, patience=None, **_CHECK_SETTINGS
    )
    for est, check in estimator_checks_generator(estimator, legacy=True):
        name = getattr(check, "func", check).__name__
        if name == "check_class_weight_classifiers":
            yield pytest.param(est, check, id=name)


@pytest.mark.parametrize("estimator, check", list(_multiclass_network_argmax_checks()))
def test_multiclass_estimator_checks_network_argmax(estimator, check):
    """Check that without calibration the class weights steer predict."""
    check(estimator)
