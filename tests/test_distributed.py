"""Grid search on a real distributed engine: joblib's dask backend.

Skipped when ``distributed`` is not installed (the ``dask`` extra).
"""

import numpy as np
import pytest
from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import GridSearchCV

from sk_imbalance import WeightedMultiClassClassifier, WeightedMultiLabelClassifier

distributed = pytest.importorskip("distributed")


def test_grid_search_under_dask_gives_the_serial_scores():
    """Check GridSearchCV on a 2-process LocalCluster against a serial run, for
    both estimators."""
    import joblib

    X, Y = make_multilabel_classification(n_samples=120, n_classes=3, random_state=0)
    y = Y.argmax(axis=1)  # a 3-class target for the multiclass estimator
    small = dict(hidden_layer_sizes=(8,), epochs=3, patience=None, cv=2, random_state=0)
    search = GridSearchCV(
        WeightedMultiLabelClassifier(**small),
        {"class_weight": [None, "balanced"]},
        cv=2,
        scoring="f1_macro",
    )
    multiclass = GridSearchCV(
        WeightedMultiClassClassifier(**small),
        {"class_weight": [None, "balanced"]},
        cv=2,
        scoring="f1_macro",
    )
    serial = search.fit(X, Y).cv_results_["mean_test_score"]
    serial_multiclass = multiclass.fit(X, y).cv_results_["mean_test_score"]
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            env={"TF_NUM_INTEROP_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1"},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with distributed.get_task_stream(client) as stream:
            with joblib.parallel_config(backend="dask"):
                on_dask = search.fit(X, Y).cv_results_["mean_test_score"]
                on_dask_multiclass = multiclass.fit(X, y).cv_results_["mean_test_score"]
        assert len(client.scheduler_info()["workers"]) == 2
        # the 8 fits (2 estimators x 2 candidates x 2 splits) ran on the workers
        assert len({task["worker"] for task in stream.data}) >= 1
        assert len(stream.data) >= 8
    np.testing.assert_allclose(on_dask, serial, rtol=0, atol=1e-12)
    np.testing.assert_allclose(
        on_dask_multiclass, serial_multiclass, rtol=0, atol=1e-12
    )
