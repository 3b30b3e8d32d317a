"""WeightedMultiLabelClassifier inside scikit-learn's tools.

Every fit costs about a second of Keras overhead, so the searches below use two
candidates and two folds each; together the two grid searches still cover every
``class_weight`` strategy and both losses.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone, is_classifier
from sklearn.exceptions import NotFittedError
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    cross_val_score,
)
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import get_tags
from sklearn.utils.validation import check_is_fitted

from sk_imbalance import WeightedMultiLabelClassifier


def _candidates(grid):
    """The parameter combinations of a list-of-dicts grid, as dicts."""
    return [
        {name: values[0] for name, values in candidate.items()} for candidate in grid
    ]


def test_clone_returns_unfitted_copy_with_equal_params(fast_params, multilabel_data):
    """Check that clone of a fitted estimator is unfitted and has equal params."""
    X, Y = multilabel_data
    clf = WeightedMultiLabelClassifier(
        class_weight="balanced_sqrt", loss="focal", focal_gamma=1.5, **fast_params
    ).fit(X, Y)

    copy = clone(clf)

    assert copy is not clf
    assert copy.get_params() == clf.get_params()
    assert not hasattr(copy, "model_")
    assert not hasattr(copy, "thresholds_")
    with pytest.raises(NotFittedError):
        check_is_fitted(copy)
    with pytest.raises(NotFittedError):
        copy.predict(X)


def test_get_params_set_params_round_trip(fast_params):
    """Check that get_params fed to set_params on a default estimator round-trips."""
    params = WeightedMultiLabelClassifier(
        class_weight="effective_number",
        loss="focal",
        scoring="fbeta_macro",
        beta=2.0,
        model_kwargs={"units": 8},
        **fast_params,
    ).get_params()

    other = WeightedMultiLabelClassifier()
    returned = other.set_params(**params)

    assert returned is other
    assert other.get_params() == params
    assert other.class_weight == "effective_number"
    assert other.hidden_layer_sizes == (16,)


def test_pipeline_set_params_reaches_nested_step(fast_params):
    """Check that Pipeline.set_params(clf__...) sets the wrapped estimator's params."""
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("clf", WeightedMultiLabelClassifier(**fast_params)),
        ]
    )

    pipe.set_params(clf__class_weight="balanced_sqrt", clf__loss="focal")

    assert pipe.named_steps["clf"].class_weight == "balanced_sqrt"
    assert pipe.named_steps["clf"].loss == "focal"
    deep = pipe.get_params(deep=True)
    assert deep["clf__class_weight"] == "balanced_sqrt"
    assert deep["clf__loss"] == "focal"
    assert clone(pipe).get_params()["clf__class_weight"] == "balanced_sqrt"


def test_weighted_multilabel_classifier_is_multilabel_classifier():
    """Check that is_classifier is True and the tags declare multi-label support."""
    clf = WeightedMultiLabelClassifier()

    assert is_classifier(clf)
    tags = get_tags(clf)
    assert tags.estimator_type == "classifier"
    assert tags.classifier_tags.multi_label is True
    assert tags.target_tags.multi_output is True


@pytest.mark.parametrize(
    "scoring, param_grid",
    [
        (
            "f1_macro",
            [
                {"class_weight": [None], "loss": ["focal"]},
                {"class_weight": ["balanced_sqrt"], "loss": ["bce"]},
            ],
        ),
        (
            "roc_auc",
            [
                {"class_weight": ["balanced"], "loss": ["focal"]},
                {"class_weight": ["effective_number"], "loss": ["bce"]},
            ],
        ),
    ],
)
def test_grid_search_gives_finite_scores(
    fast_params, multilabel_data, scoring, param_grid
):
    """Check that GridSearchCV over class_weight and loss scores every candidate."""
    X, Y = multilabel_data
    search = GridSearchCV(
        WeightedMultiLabelClassifier(**fast_params),
        param_grid,
        scoring=scoring,
        cv=2,
        error_score="raise",
    ).fit(X, Y)

    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (len(param_grid),)
    assert np.all(np.isfinite(scores))
    assert np.all((scores >= 0) & (scores <= 1))
    assert search.best_params_ in _candidates(param_grid)
    assert search.best_estimator_.predict(X).shape == Y.shape


def test_pipeline_fit_predict_shapes(fast_params, multilabel_data):
    """Check that a StandardScaler + classifier Pipeline fits and predicts Y's shape."""
    X, Y = multilabel_data
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("clf", WeightedMultiLabelClassifier(**fast_params)),
        ]
    ).fit(X, Y)

    assert pipe.predict(X).shape == Y.shape
    proba = pipe.predict_proba(X)
    assert proba.shape == Y.shape
    assert np.all((proba > 0) & (proba < 1))


def test_pipeline_cross_val_score_is_finite(fast_params, multilabel_data):
    """Check that cross_val_score of the Pipeline with f1_macro gives finite scores."""
    X, Y = multilabel_data
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            ("clf", WeightedMultiLabelClassifier(**fast_params)),
        ]
    )

    scores = cross_val_score(pipe, X, Y, cv=2, scoring="f1_macro", error_score="raise")

    assert scores.shape == (2,)
    assert np.all(np.isfinite(scores))
    assert np.all(scores > 0)


def test_randomized_search_runs_in_parallel_workers(fast_params, multilabel_data):
    """Check that RandomizedSearchCV with n_jobs=2 gives finite scores."""
    X, Y = multilabel_data
    distributions = {
        "class_weight": [None, "balanced", "balanced_sqrt", "effective_number"],
        "loss": ["bce", "focal"],
    }
    search = RandomizedSearchCV(
        WeightedMultiLabelClassifier(**fast_params),
        distributions,
        n_iter=2,
        cv=2,
        scoring="f1_macro",
        n_jobs=2,
        refit=False,
        random_state=0,
        error_score="raise",
    ).fit(X, Y)

    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (2,)
    assert np.all(np.isfinite(scores))
    assert search.best_params_["class_weight"] in distributions["class_weight"]
    assert search.best_params_["loss"] in distributions["loss"]


def _frame(X):
    return pd.DataFrame(X, columns=[f"feature_{i}" for i in range(X.shape[1])])


def test_dataframe_input_sets_feature_names_in(fast_params, multilabel_data):
    """Check that fitting on a DataFrame sets feature_names_in_ to its columns."""
    X, Y = multilabel_data
    frame = _frame(X)

    clf = WeightedMultiLabelClassifier(**fast_params).fit(frame, Y)

    np.testing.assert_array_equal(clf.feature_names_in_, frame.columns.to_numpy())
    assert clf.n_features_in_ == X.shape[1]
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        from_array = clf.predict_proba(X)
    np.testing.assert_array_equal(clf.predict_proba(frame), from_array)


def test_dataframe_with_reordered_columns_is_rejected(fast_params, multilabel_data):
    """Check that predicting on reordered DataFrame columns raises like scikit-learn."""
    X, Y = multilabel_data
    frame = _frame(X)
    clf = WeightedMultiLabelClassifier(**fast_params).fit(frame, Y)

    reordered = frame[frame.columns[::-1]]
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        clf.predict(reordered)
    with pytest.raises(ValueError, match="Feature names must be in the same order"):
        clf.predict_proba(reordered)
    with pytest.warns(UserWarning, match="does not have valid feature names"):
        clf.predict(X)


def _string_binary_target(Y):
    return np.where(Y[:, 0] == 1, "yes", "no")


def test_binary_string_target_predicts_its_classes(fast_params, multilabel_data):
    """Check that a 1-D "no"/"yes" target gives string classes_ and (n, 2) probas."""
    X, Y = multilabel_data
    y = _string_binary_target(Y)

    clf = WeightedMultiLabelClassifier(**fast_params).fit(X, y)

    np.testing.assert_array_equal(clf.classes_, ["no", "yes"])
    y_pred = clf.predict(X)
    assert y_pred.shape == (X.shape[0],)
    assert set(np.unique(y_pred)) <= {"no", "yes"}
    assert y_pred.dtype.kind == "U"
    proba = clf.predict_proba(X)
    assert proba.shape == (X.shape[0], 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_binary_string_target_cross_val_roc_auc_is_finite(fast_params, multilabel_data):
    """Check that cross_val_score with roc_auc on a "no"/"yes" target is finite."""
    X, Y = multilabel_data
    y = _string_binary_target(Y)

    scores = cross_val_score(
        WeightedMultiLabelClassifier(**fast_params),
        X,
        y,
        cv=2,
        scoring="roc_auc",
        error_score="raise",
    )

    assert scores.shape == (2,)
    assert np.all(np.isfinite(scores))
    assert np.all(scores > 0.5)
