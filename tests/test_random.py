"""Tests of sk_imbalance._utils.rng: random_state as scikit-learn reads it."""

import numpy as np
import pytest

from sk_imbalance import WeightedMultiClassClassifier, WeightedMultiLabelClassifier
from sk_imbalance._utils.rng import generator
from sk_imbalance.model_selection import MultilabelStratifiedKFold


def test_generator_none_draws_from_numpys_global_random_state():
    """Check None: one draw from NumPy's global RandomState, so np.random.seed
    fixes it; an int or a RandomState leaves the global state alone."""
    np.random.seed(3)  # noqa: NPY002
    first = generator(None).random(4)
    np.random.seed(3)  # noqa: NPY002
    np.testing.assert_array_equal(generator(None).random(4), first)
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    a = generator(7).random(4)
    generator(np.random.RandomState(7)).random(4)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002
    np.testing.assert_array_equal(generator(7).random(4), a)


@pytest.mark.parametrize("multiclass", [False, True])
def test_np_random_seed_makes_unseeded_fits_reproducible(multiclass):
    """Check scikit-learn's convention end to end: with random_state=None,
    np.random.seed(0) at the top of a script gives the same fit twice."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    y = (X[:, 0] + rng.normal(size=120) > 0.5).astype(int)
    Estimator = (
        WeightedMultiClassClassifier if multiclass else WeightedMultiLabelClassifier
    )
    params = dict(hidden_layer_sizes=(8,), epochs=3, batch_size=64, cv=3)
    probas = []
    for _ in range(2):
        np.random.seed(0)  # noqa: NPY002
        probas.append(Estimator(**params).fit(X, y).predict_proba(X))
    # two fits: the same to float32 rounding (bit-equal on one CPU thread count)
    np.testing.assert_allclose(probas[0], probas[1], rtol=1e-5, atol=1e-6)
    np.random.seed(1)  # noqa: NPY002
    other = Estimator(**params).fit(X, y).predict_proba(X)
    assert not np.allclose(other, probas[0], rtol=1e-3)


def test_splitter_none_follows_np_random_seed():
    """Check MultilabelStratifiedKFold(random_state=None) under np.random.seed."""
    Y = np.random.default_rng(1).integers(0, 2, size=(60, 3))
    folds = []
    for _ in range(2):
        np.random.seed(5)  # noqa: NPY002
        cv = MultilabelStratifiedKFold(3)
        folds.append([test.tolist() for _, test in cv.split(Y, Y)])
    assert folds[0] == folds[1]
