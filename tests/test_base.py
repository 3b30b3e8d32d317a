"""Tests of what the two estimators share (sk_imbalance._base)."""

import numpy as np
import pytest

from sk_imbalance import WeightedMultiClassClassifier, WeightedMultiLabelClassifier
from sk_imbalance._base import COMMON_CONSTRAINTS, CrossFitClassifier, take_rows


@pytest.mark.parametrize(
    "estimator", [WeightedMultiLabelClassifier, WeightedMultiClassClassifier]
)
def test_each_estimator_declares_every_parameter_once(estimator):
    """Check constraints == get_params, the shared ones included, on the base."""
    declared = set(estimator._parameter_constraints)
    assert declared == set(estimator().get_params())
    assert set(COMMON_CONSTRAINTS) <= declared
    assert issubclass(estimator, CrossFitClassifier)


@pytest.mark.parametrize(
    "estimator", [WeightedMultiLabelClassifier, WeightedMultiClassClassifier]
)
def test_shared_constraints_give_the_same_error_in_both(estimator):
    """Check a shared parameter's error is the same text in both estimators."""
    X, y = np.zeros((6, 2)), np.array([0, 1, 0, 1, 0, 1])
    with pytest.raises(TypeError, match="epochs"):
        estimator(epochs="10").fit(X, y)
    with pytest.raises(ValueError, match="model_kwargs"):
        estimator(model_kwargs={"units": 2}).fit(X, y)


def test_take_rows_passes_none_through():
    """Check take_rows on an array and on None (no sample_weight)."""
    np.testing.assert_array_equal(take_rows(np.arange(5), [1, 3]), [1, 3])
    assert take_rows(None, [1, 3]) is None
