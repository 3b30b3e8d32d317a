"""Shared fixtures: small data and fast estimator settings."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from sklearn.datasets import make_multilabel_classification  # noqa: E402

#: Tiny network, few epochs, large batches: keeps every test fast.
FAST = dict(
    hidden_layer_sizes=(16,),
    epochs=10,
    batch_size=128,
    learning_rate=0.01,
    cv=0.25,
    random_state=0,
)


@pytest.fixture
def fast_params():
    """Fast constructor settings for WeightedMultiLabelClassifier."""
    return dict(FAST)


@pytest.fixture(scope="session")
def multilabel_data():
    """A small multi-label problem: X (300, 20), Y (300, 5)."""
    X, Y = make_multilabel_classification(
        n_samples=300, n_features=20, n_classes=5, n_labels=2, random_state=0
    )
    return X.astype(np.float64), Y
