"""Tests of sk_imbalance._estimator.callbacks (scikit-learn's callback API)."""

import numpy as np
import pytest
from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_imbalance import WeightedMultiLabelClassifier
from sk_imbalance._estimator.callbacks import HAS_SKLEARN_CALLBACKS

pytestmark = pytest.mark.skipif(
    not HAS_SKLEARN_CALLBACKS, reason="scikit-learn < 1.9 has no callback API"
)


class Recorder:
    """A FitCallback that records every task it is shown."""

    def __init__(self, stop_after_epoch=None):
        self.stop_after_epoch = stop_after_epoch
        self.begun, self.ended = [], []

    def setup(self, estimator, context):
        self.set_up = True

    def teardown(self, estimator, context):
        self.torn_down = True

    def on_fit_task_begin(self, estimator, context, *, metadata=None):
        self.begun.append((context.task_name, dict(metadata or {})))

    def on_fit_task_end(self, estimator, context, *, metadata=None):
        self.ended.append((context.task_name, dict(metadata or {})))
        return (
            context.task_name == "epoch"
            and self.stop_after_epoch is not None
            and metadata["epoch"] >= self.stop_after_epoch
        )


@pytest.fixture(scope="module")
def data():
    return make_multilabel_classification(n_samples=150, n_classes=4, random_state=0)


def _estimator(**params):
    return WeightedMultiLabelClassifier(
        **{
            "hidden_layer_sizes": (8,),
            "epochs": 3,
            "patience": None,
            "cv": 3,
            "random_state": 0,
            **params,
        }
    )


def test_fit_reports_every_epoch_and_every_fold(data):
    """Check the task tree: fit, then per epoch, one task per fold."""
    X, Y = data
    recorder = Recorder()
    _estimator().set_callbacks(recorder).fit(X, Y)
    assert recorder.set_up and recorder.torn_down
    names = [name for name, _ in recorder.ended]
    assert names.count("epoch") == 3 and names.count("fold") == 3 * 3
    assert names[-1] == "fit"
    folds = [meta for name, meta in recorder.ended if name == "fold"]
    assert sorted({meta["fold"] for meta in folds}) == [0, 1, 2]
    assert all(meta["n_train"] + meta["n_held_out"] == len(X) for meta in folds)
    assert all(np.isfinite(meta["loss"]) for meta in folds)
    # the last epoch is scored (patience=None scores the last only)
    assert "oof_score" in [m for n, m in recorder.ended if n == "epoch"][-1]


def test_a_callback_can_stop_the_fit(data):
    """Check that on_fit_task_end returning True for an epoch ends training."""
    X, Y = data
    clf = _estimator(epochs=20).set_callbacks(Recorder(stop_after_epoch=2)).fit(X, Y)
    assert len(clf.history_["loss"]) == 2
    assert np.all(np.isfinite(clf.predict_proba(X)))


def test_grid_search_propagates_a_progress_bar(data):
    """Check GridSearchCV(...).set_callbacks(ProgressBar()) runs through our fits."""
    pytest.importorskip("rich")
    from sklearn.callback import ProgressBar

    X, Y = data
    search = GridSearchCV(
        make_pipeline(StandardScaler(), _estimator(epochs=2)),
        {"weightedmultilabelclassifier__class_weight": [None, "balanced"]},
        cv=2,
    ).set_callbacks(ProgressBar())
    search.fit(X, Y)
    assert search.best_estimator_[-1].n_epochs_ == 2


def test_no_callbacks_no_change(data):
    """Check that a fit without callbacks is the same fit with a recorder."""
    X, Y = data
    plain = _estimator().fit(X, Y).predict_proba(X)
    recorded = _estimator().set_callbacks(Recorder()).fit(X, Y).predict_proba(X)
    # two fits: the same to float32 rounding (bit-equal on one CPU thread count)
    np.testing.assert_allclose(plain, recorded, rtol=1e-5, atol=1e-6)


def test_multiclass_estimator_reports_and_stops_too():
    """Check the shared core: WeightedMultiClassClassifier's task tree and stop."""
    from sk_imbalance import WeightedMultiClassClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 4))
    y = np.array(["a", "b", "c"])[np.digitize(X[:, 0], [-0.5, 0.8])]
    recorder = Recorder(stop_after_epoch=2)
    clf = WeightedMultiClassClassifier(
        hidden_layer_sizes=(8,), epochs=5, cv=3, random_state=0
    )
    clf.set_callbacks(recorder).fit(X, y)
    names = [name for name, _ in recorder.ended]
    assert names.count("epoch") == 2 and names.count("fold") == 2 * 3
    assert names[-1] == "fit" and len(clf.history_["loss"]) == 2
