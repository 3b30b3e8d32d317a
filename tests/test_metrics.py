"""Tests of sk_imbalance.metrics."""

import numpy as np
import pytest
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import fbeta_score
from sklearn.model_selection import GridSearchCV

from sk_imbalance import WeightedMultiLabelClassifier
from sk_imbalance._decisions.scores import fbeta_average, precision_at_k
from sk_imbalance.metrics import precision_at_k_scorer


def _brute_force_precision_at_k(Y, S, k):
    """Count, row by row, the true labels among the k best (lower index wins ties)."""
    total = 0.0
    for y, s in zip(Y, S, strict=True):
        ranked = sorted(range(len(s)), key=lambda j: (-s[j], j))[:k]
        total += sum(y[j] for j in ranked) / k
    return total / len(Y)


@pytest.mark.parametrize("k", [1, 3, 10, 12])
def test_precision_at_k_matches_brute_force(k):
    """Check precision@k against a brute-force count, ties included."""
    rng = np.random.default_rng(k)
    Y = (rng.random((60, 10)) < 0.3).astype(int)
    S = np.round(rng.random((60, 10)), 1)  # many ties
    assert precision_at_k(Y, S, k) == pytest.approx(
        _brute_force_precision_at_k(Y, S, k)
    )


def test_precision_at_k_weights_rows():
    """Check that sample_weight weights each row's precision."""
    Y = np.array([[1, 0], [0, 1]])
    S = np.array([[0.9, 0.1], [0.9, 0.1]])  # right on row 0, wrong on row 1
    assert precision_at_k(Y, S, 1, sample_weight=[3, 1]) == pytest.approx(0.75)


@pytest.mark.parametrize("k", [0, -1, 1.5, True, "3"])
def test_precision_at_k_rejects_bad_k(k):
    """Check that k must be a positive int."""
    with pytest.raises(ValueError, match="k="):
        precision_at_k(np.eye(3), np.eye(3), k)


def test_precision_at_k_rejects_mismatched_shapes():
    """Check the error for y_true and y_score of different shapes."""
    with pytest.raises(ValueError, match="same 2-D shape"):
        precision_at_k(np.eye(3), np.eye(3)[:, :2])


@pytest.mark.parametrize("average", ["macro", "micro", "samples"])
@pytest.mark.parametrize("beta", [0.5, 1.0, 2.0])
@pytest.mark.parametrize("weighted", [False, True])
def test_fbeta_average_matches_scikit_learn(average, beta, weighted):
    """Check the vectorised averages against sklearn's fbeta_score."""
    rng = np.random.default_rng(0)
    Y = (rng.random((80, 7)) < 0.3).astype(int)
    Y_pred = (rng.random((80, 7)) < 0.3).astype(int)
    Y[:, 6] = Y_pred[:, 6] = 0  # a label with no positive and no prediction
    Y[:3] = Y_pred[:3] = 0  # rows with neither
    weights = rng.random(80) + 0.1 if weighted else None
    expected = fbeta_score(
        Y, Y_pred, beta=beta, average=average, sample_weight=weights, zero_division=0
    )
    assert fbeta_average(Y, Y_pred, beta, average, weights) == pytest.approx(expected)


def test_fbeta_average_rejects_unknown_average():
    """Check the error for an average that is not macro, micro or samples."""
    with pytest.raises(ValueError, match="average='weighted'"):
        fbeta_average(np.eye(2), np.eye(2), average="weighted")


def test_precision_at_k_scorer_in_grid_search():
    """Check that the scorer ranks labels by predict_proba inside GridSearchCV."""
    X, Y = make_multilabel_classification(n_samples=150, n_classes=5, random_state=0)
    search = GridSearchCV(
        WeightedMultiLabelClassifier(
            hidden_layer_sizes=(8,),
            epochs=2,
            batch_size=64,
            patience=None,
            cv=2,
            random_state=0,
        ),
        {"top_k": [1, 2]},
        scoring=precision_at_k_scorer(k=2),
        cv=2,
    ).fit(X, Y)
    clf = search.best_estimator_
    expected = precision_at_k(Y, clf.predict_proba(X), 2)
    assert precision_at_k_scorer(k=2)(clf, X, Y) == pytest.approx(expected)
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))


@pytest.mark.parametrize("k", [1, 3, 12])
def test_keras_precision_at_k_matches_numpy(k):
    """Check the Keras metric against precision_at_k, over two batches."""
    from sk_imbalance.metrics import PrecisionAtK

    rng = np.random.default_rng(k)
    Y = (rng.random((50, 10)) < 0.3).astype("float32")
    S = rng.random((50, 10)).astype("float32")  # no ties
    metric = PrecisionAtK(k=k)
    metric.update_state(Y[:20], S[:20])
    metric.update_state(Y[20:], S[20:])
    assert float(metric.result()) == pytest.approx(precision_at_k(Y, S, k), rel=1e-6)
    metric.reset_state()
    assert float(metric.result()) == 0.0


def test_keras_precision_at_k_in_compile_and_config():
    """Check that the metric compiles into a model and round-trips its config."""
    import keras

    from sk_imbalance.metrics import PrecisionAtK

    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6)])
    model.compile(optimizer="sgd", loss="mse", metrics=[PrecisionAtK(k=2)])
    rng = np.random.default_rng(0)
    X, Y = rng.random((32, 4)), (rng.random((32, 6)) < 0.3).astype("float32")
    logs = model.evaluate(X, Y, verbose=0, return_dict=True)
    expected = precision_at_k(Y, model.predict(X, verbose=0), 2)
    assert logs["precision_at_k"] == pytest.approx(expected, abs=1e-6)
    assert PrecisionAtK.from_config(PrecisionAtK(k=4).get_config()).k == 4
