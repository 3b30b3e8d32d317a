"""Tests of sk_imbalance._decisions.label_weights."""

import numpy as np
import pytest
from sklearn.utils.class_weight import compute_class_weight

from sk_imbalance import compute_label_weights
from sk_imbalance._decisions.label_weights import check_label_weights

Y = np.array([[1, 0, 1], [0, 0, 1], [0, 1, 1], [0, 1, 0], [0, 0, 1]])


def test_compute_label_weights_balanced_matches_sklearn_per_label():
    """Check that "balanced" equals compute_class_weight applied to each column."""
    weights = compute_label_weights(Y, "balanced")
    for j in range(Y.shape[1]):
        expected = compute_class_weight("balanced", classes=np.array([0, 1]), y=Y[:, j])
        np.testing.assert_allclose(weights[j], expected)


def test_compute_label_weights_sqrt_is_square_root_of_balanced():
    """Check that "balanced_sqrt" is the element-wise root of "balanced"."""
    np.testing.assert_allclose(
        compute_label_weights(Y, "balanced_sqrt"),
        np.sqrt(compute_label_weights(Y, "balanced")),
    )


def test_compute_label_weights_effective_number_formula():
    """Check the Cui et al. weights: 1/E_n normalised to sum to 2 per label."""
    beta = 0.999
    weights = compute_label_weights(Y, "effective_number")
    n_pos = Y.sum(axis=0)
    counts = np.column_stack([Y.shape[0] - n_pos, n_pos]).astype(float)
    inverse = (1 - beta) / (1 - beta**counts)
    np.testing.assert_allclose(weights, 2 * inverse / inverse.sum(1, keepdims=True))
    np.testing.assert_allclose(weights.sum(axis=1), 2.0)
    # the rarer class gets the larger weight, but less than with "balanced"
    assert weights[0, 1] > weights[0, 0]
    balanced = compute_label_weights(Y, "balanced")
    assert weights[0, 1] / weights[0, 0] < balanced[0, 1] / balanced[0, 0]


@pytest.mark.parametrize("strategy", ["balanced", "balanced_sqrt", "effective_number"])
def test_compute_label_weights_missing_class_is_finite_and_warns(strategy):
    """Check that a label with no positive gets finite weights and a warning."""
    Y_missing = np.array([[0, 1], [0, 0], [0, 1]])
    with pytest.warns(UserWarning, match=r"Labels \[0\] have no positive"):
        weights = compute_label_weights(Y_missing, strategy)
    assert np.all(np.isfinite(weights)) and np.all(weights > 0)


def test_compute_label_weights_rejects_unknown_strategy_and_1d():
    """Check that an unknown strategy and a 1-D target are refused."""
    with pytest.raises(ValueError, match="Unknown label-weight strategy 'rare'"):
        compute_label_weights(Y, "rare")
    with pytest.raises(ValueError, match="must be 2-D"):
        compute_label_weights(Y[:, 0], "balanced")


def test_check_label_weights_every_form_gives_n_labels_by_2():
    """Check that None, str, array, dict and callable all give (n_labels, 2)."""
    array = np.array([[1.0, 2.0], [1.0, 3.0], [0.5, 1.0]])
    forms = {
        None: np.ones((3, 2)),
        "balanced": compute_label_weights(Y, "balanced"),
        "array": array,
        "dict": np.array([[1.0, 4.0], [1.0, 1.0], [0.5, 2.0]]),
        "callable": array,
    }
    given = {
        None: None,
        "balanced": "balanced",
        "array": array.tolist(),
        "dict": {0: 4.0, 2: {0: 0.5, 1: 2.0}},
        "callable": lambda Y: array,
    }
    for key, expected in forms.items():
        np.testing.assert_allclose(check_label_weights(given[key], Y), expected)


def test_check_label_weights_binary_dict_uses_class_labels():
    """Check that for a 1-D binary y the dict is keyed by class labels."""
    Y_binary = np.array([[0.0], [1.0], [1.0]])
    weights = check_label_weights(
        {"no": 3.0, "yes": 0.5}, Y_binary, classes=np.array(["no", "yes"])
    )
    np.testing.assert_allclose(weights, [[3.0, 0.5]])
    with pytest.raises(ValueError, match="not classes of y"):
        check_label_weights({"maybe": 1.0}, Y_binary, classes=np.array(["no", "yes"]))


@pytest.mark.parametrize(
    "class_weight, message",
    [
        ("sqrt", "is not a known strategy"),
        (np.ones((2, 2)), r"shape \(n_labels, 2\) = \(3, 2\)"),
        (np.full((3, 2), -1.0), "must be non-negative; got min=-1.0"),
        (np.full((3, 2), np.inf), "contains 6 NaN or infinite value"),
        ({0: float("nan")}, "contains 1 NaN or infinite value"),
        (np.zeros((3, 2)), "weight of 0: the loss would be 0"),
        ({True: 5.0}, "key True is a bool.*write 1, not True"),
        ({5: 1.0}, "dict key 5 is not a label index"),
        (lambda Y: None, "callable returned None"),
        ([["a", "b"]] * 3, "could not be converted"),
    ],
)
def test_check_label_weights_bad_values_raise(class_weight, message):
    """Check that bad class_weight values raise a ValueError naming the problem."""
    with pytest.raises(ValueError, match=message):
        check_label_weights(class_weight, Y)


def test_class_weight_list_of_dicts_is_scikit_learns_multi_output_form():
    """Check the list-of-dicts form, as RandomForestClassifier takes it."""
    Y = np.array([[0, 1, 1], [1, 0, 1]])
    weights = check_label_weights([{0: 1.0, 1: 5.0}, {1: 2.0}, {0: 0.5}], Y)
    np.testing.assert_array_equal(weights, [[1.0, 5.0], [1.0, 2.0], [0.5, 1.0]])


@pytest.mark.parametrize(
    "class_weight, message",
    [
        ([{0: 1.0, 1: 5.0}], "a list of 1 dicts but Y has 3 label"),
        ([{0: 1, 1: 2}, {2: 1}, {}], r"class_weight\[1\] has keys \[2\]"),
        ([{True: 2}, {}, {}], r"class_weight\[0\] has keys \[True\]"),
    ],
)
def test_class_weight_list_of_dicts_errors(class_weight, message):
    """Check the errors for a wrong count of dicts and wrong keys."""
    with pytest.raises(ValueError, match=message):
        check_label_weights(class_weight, np.zeros((4, 3)))
