"""Property-based tests: any input either fits cleanly or gets a named error.

Hypothesis generates shapes, dtypes, sparsity, label patterns (all-zero and
all-one columns, a single row, one label, a 1-D binary target) and extreme
but finite magnitudes. Each case must either fit and give finite
probabilities strictly inside (0, 1) with the right shape and dtype, and
0/1 predictions of the target's shape, or raise a ``ValueError``,
``TypeError`` or ``FloatingPointError`` whose message names the problem; never
an error from inside TensorFlow and never a NaN.
"""

import os
import warnings

import numpy as np
import pytest
import scipy.sparse as sp

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from sk_imbalance import WeightedMultiLabelClassifier  # noqa: E402

#: Examples per property; each is one tiny fit (a few tenths of a second).
#: SK_IMBALANCE_HYPOTHESIS_EXAMPLES=500 runs a longer hunt.
MAX_EXAMPLES = int(os.environ.get("SK_IMBALANCE_HYPOTHESIS_EXAMPLES", "25"))
NAMED_ERRORS = (ValueError, TypeError, FloatingPointError)

_FAST = dict(
    hidden_layer_sizes=(4,),
    epochs=2,
    patience=None,
    batch_size=64,
    cv=2,
    random_state=0,
)


@st.composite
def problems(draw):
    """(X, Y) with generated shape, dtype, sparsity, magnitude and labels."""
    n_samples = draw(st.integers(1, 30))
    n_features = draw(st.integers(1, 3))
    n_labels = draw(st.integers(1, 3))
    scale = draw(st.sampled_from([1e-30, 1e-6, 1.0, 1e6, 1e20, 1e30, 1e38]))
    dtype = draw(st.sampled_from([np.float32, np.float64, np.int64]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features)) * scale
    if dtype is np.int64:
        X = np.clip(np.round(X), -(2**62), 2**62).astype(np.int64)
    else:
        X = X.astype(dtype)
    pattern = draw(st.sampled_from(["random", "zero_column", "one_column", "all_zero"]))
    Y = (rng.random((n_samples, n_labels)) < draw(st.floats(0.05, 0.95))).astype(int)
    if pattern == "zero_column":
        Y[:, 0] = 0
    elif pattern == "one_column":
        Y[:, 0] = 1
    elif pattern == "all_zero":
        Y[:] = 0
    target = draw(st.sampled_from(["indicator", "binary_1d"]))
    y = Y[:, 0] if target == "binary_1d" else Y
    if draw(st.booleans()):
        X = sp.csr_matrix(X)
    return X, y


def _check_named(error):
    """The error is one of ours or scikit-learn's, with a message."""
    assert isinstance(error, NAMED_ERRORS), f"{type(error).__name__}: {error}"
    assert str(error).strip(), "an error without a message"
    assert "tensorflow" not in type(error).__module__


@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(problems())
def test_any_input_fits_cleanly_or_gets_a_named_error(problem):
    """Check finite, well-shaped output or a named error, whatever the input."""
    X, y = problem
    clf = WeightedMultiLabelClassifier(**_FAST)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rare-label warnings are expected
            clf.fit(X, y)
            proba = clf.predict_proba(X)
            predicted = clf.predict(X)
    except NAMED_ERRORS as error:
        _check_named(error)
        return
    n_samples = X.shape[0]
    n_outputs = 2 if np.ndim(y) == 1 else y.shape[1]
    assert proba.shape == (n_samples, n_outputs)
    assert proba.dtype == np.float64
    assert np.all(np.isfinite(proba))
    assert np.all((proba > 0) & (proba < 1))
    assert predicted.shape == np.shape(y)
    assert set(np.unique(predicted)) <= {0, 1}


@st.composite
def multiclass_problems(draw):
    """(X, y) for the multiclass estimator: 1 to 4 classes of ints or strings."""
    X, _ = draw(problems())
    n_samples = X.shape[0]
    n_classes = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    y = rng.integers(0, n_classes, size=n_samples)
    if draw(st.booleans()):
        y = np.array(["ant", "bee", "cat", "dog"])[y]
    return X, y


@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(multiclass_problems())
def test_multiclass_any_input_fits_cleanly_or_gets_a_named_error(problem):
    """Check WeightedMultiClassClassifier: probabilities that sum to 1, predictions
    among the classes, or a named error, whatever the input."""
    from sk_imbalance import WeightedMultiClassClassifier

    X, y = problem
    clf = WeightedMultiClassClassifier(**_FAST)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # classes missing from folds warn
            clf.fit(X, y)
            proba = clf.predict_proba(X)
            predicted = clf.predict(X)
    except NAMED_ERRORS as error:
        _check_named(error)
        return
    assert proba.shape == (X.shape[0], len(np.unique(y)))
    assert np.all(np.isfinite(proba)) and np.all(proba >= 0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(predicted) <= set(np.unique(y))
