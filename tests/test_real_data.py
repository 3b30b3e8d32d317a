"""Behaviour on real data: tuned thresholds beat the 0.5 cut-off on yeast.

A regression guard for the default decision rule, on MULAN's standard yeast
split shipped with the package (Elisseeff and Weston, NIPS 2001). The full
comparison against peer tools is ``benchmarks/quality.py``.
"""

import numpy as np
import pytest
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_imbalance import WeightedMultiLabelClassifier
from sk_imbalance._decisions.thresholds import apply_thresholds
from sk_imbalance.datasets import load_yeast


@pytest.fixture(scope="module")
def yeast_model():
    """Default estimator, fewer epochs, fitted on the yeast training split."""
    X_train, Y_train = load_yeast("train", return_X_y=True)
    model = make_pipeline(
        StandardScaler(), WeightedMultiLabelClassifier(epochs=20, random_state=0)
    )
    return model.fit(X_train, Y_train)


def test_classifier_tuned_thresholds_beat_half_on_yeast(yeast_model):
    """Check that tuned thresholds beat 0.5 on the yeast test split by a margin."""
    X_test, Y_test = load_yeast("test", return_X_y=True)
    clf = yeast_model[-1]
    proba = yeast_model.predict_proba(X_test)
    tuned = f1_score(Y_test, yeast_model.predict(X_test), average="macro")
    at_half = f1_score(
        Y_test, apply_thresholds(proba, np.full(14, 0.5)), average="macro"
    )
    assert tuned > at_half + 0.01, (tuned, at_half, clf.thresholds_)
    # the label count stays within a small factor of the truth
    ratio = yeast_model.predict(X_test).sum(axis=1).mean() / Y_test.sum(1).mean()
    assert 0.5 < ratio < 2.0
