"""Tests of class weights for a 1-D target (sk_imbalance._decisions.class_weights)."""

import warnings

import numpy as np
import pytest
from sklearn.utils.class_weight import compute_class_weight

from sk_imbalance._decisions.class_weights import (
    check_class_weights,
    compute_class_weights,
    warn_classes_missing_from_folds,
)

Y = np.array(["a", "a", "a", "a", "b", "b", "c"])
CLASSES, Y_INDEX = np.unique(Y, return_inverse=True)


def test_balanced_matches_scikit_learn():
    """Check that "balanced" is scikit-learn's compute_class_weight."""
    expected = compute_class_weight("balanced", classes=CLASSES, y=Y)
    np.testing.assert_allclose(compute_class_weights(Y_INDEX, 3), expected)
    np.testing.assert_allclose(
        compute_class_weights(Y_INDEX, 3, "balanced_sqrt"), np.sqrt(expected)
    )


def test_effective_number_sums_to_the_class_count_and_favours_rare_classes():
    """Check Cui et al.'s weights: normalised to K, decreasing in the count."""
    weights = compute_class_weights(Y_INDEX, 3, "effective_number")
    assert weights.sum() == pytest.approx(3.0)
    assert weights[0] < weights[1] < weights[2]


def test_every_form_gives_one_weight_per_class():
    """Check None, a strategy, a dict by label, an array and a callable."""
    np.testing.assert_allclose(check_class_weights(None, Y, Y_INDEX, CLASSES), 1.0)
    np.testing.assert_allclose(
        check_class_weights({"c": 5.0}, Y, Y_INDEX, CLASSES), [1.0, 1.0, 5.0]
    )
    np.testing.assert_allclose(
        check_class_weights([1.0, 2.0, 3.0], Y, Y_INDEX, CLASSES), [1.0, 2.0, 3.0]
    )
    np.testing.assert_allclose(
        check_class_weights(lambda y: {"a": 0.5}, Y, Y_INDEX, CLASSES),
        [0.5, 1.0, 1.0],
    )
    np.testing.assert_allclose(
        check_class_weights("balanced", Y, Y_INDEX, CLASSES),
        compute_class_weights(Y_INDEX, 3),
    )


@pytest.mark.parametrize(
    "class_weight, message",
    [
        ("inverse", "not a known strategy"),
        ({"z": 2.0}, r"keys \['z'\] that are not classes"),
        ({True: 2.0}, "a bool"),
        ([1.0, 2.0], r"shape \(3,\)"),
        ([1.0, np.nan, 1.0], "NaN or infinity"),
        ([1.0, 0.0, 1.0], "must be positive"),
        ({"a": "heavy"}, "must hold numbers"),
        (lambda y: [1.0], r"class_weight\(y\) returned must have shape"),
    ],
)
def test_bad_class_weights_are_named(class_weight, message):
    """Check that each misreading of class_weight raises a named ValueError."""
    with pytest.raises(ValueError, match=message):
        check_class_weights(class_weight, Y, Y_INDEX, CLASSES)


def test_a_class_missing_from_a_heads_training_rows_warns():
    """Check the warning names the class and the head, and no other case warns."""
    y_index = np.array([0, 0, 0, 1, 1, 1, 2])
    splits = [(np.arange(6), np.array([6])), (np.array([0, 3, 6]), np.arange(1, 3))]
    with pytest.warns(UserWarning, match=r"'c' \(heads \[0\]\)"):
        warn_classes_missing_from_folds(splits, y_index, CLASSES)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warn_classes_missing_from_folds(splits[1:], y_index, CLASSES)
