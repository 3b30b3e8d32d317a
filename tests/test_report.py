"""Tests of sk_imbalance.report."""

import numpy as np
import pytest
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import precision_recall_fscore_support

from sk_imbalance import WeightedMultiLabelClassifier
from sk_imbalance._decisions.multilabel import decide, fit_decisions
from sk_imbalance.report import label_report, plot_precision_recall, report_table


@pytest.fixture(scope="module")
def fitted():
    X, Y = make_multilabel_classification(n_samples=300, n_classes=6, random_state=0)
    Y[:, 5] = 0
    Y[:3, 5] = 1  # three positives: falls back
    clf = WeightedMultiLabelClassifier(
        hidden_layer_sizes=(8,),
        epochs=3,
        batch_size=64,
        patience=None,
        cv=3,
        random_state=0,
    ).fit(X, Y)
    return clf, X, Y


def test_label_report_matches_a_recomputation():
    """Check every number of the report against scikit-learn on the same data."""
    rng = np.random.default_rng(0)
    Y = (rng.random((400, 5)) < [0.3, 0.2, 0.1, 0.05, 0.005]).astype(int)
    Z = 2.0 * Y + rng.normal(size=Y.shape) - 1.0
    weight = rng.random(400) + 0.5
    decisions = fit_decisions(Y, Z, label_weights=np.ones((5, 2)), sample_weight=weight)
    report = label_report(Y, Z, decisions, sample_weight=weight)
    _, indicator = decide(Z, decisions)
    precision, recall, f1, _ = precision_recall_fscore_support(
        Y, indicator, sample_weight=weight, zero_division=0
    )
    np.testing.assert_allclose(report["precision"], precision)
    np.testing.assert_allclose(report["recall"], recall)
    np.testing.assert_allclose(report["fbeta"], f1)
    np.testing.assert_array_equal(report["n_positives"], Y.sum(axis=0))
    np.testing.assert_array_equal(report["threshold"], decisions.thresholds)
    assert report["status"][4] == "few_positives"


def test_estimator_keeps_the_report(fitted):
    """Check the fitted attribute: one entry per label, and the fallback named."""
    clf, _, Y = fitted
    report = clf.label_report_
    assert set(report) == {
        "label",
        "n_positives",
        "threshold",
        "precision",
        "recall",
        "fbeta",
        "status",
    }
    assert all(len(v) == Y.shape[1] for v in report.values())
    assert report["status"][5] == "few_positives"
    np.testing.assert_array_equal(report["threshold"], clf.thresholds_)


def test_report_table_renders_every_label(fitted):
    """Check the text table: a header, one row per label, names and sorting."""
    clf, _, Y = fitted
    names = [f"tag{j}" for j in range(Y.shape[1])]
    table = report_table(clf, label_names=names, sort_by="n_positives")
    lines = table.splitlines()
    assert len(lines) == 2 + Y.shape[1]
    assert "tag5" in lines[2]  # the rarest label first
    assert "too few positives" in lines[2]


def test_report_table_errors(fitted):
    """Check the errors for an unfitted estimator, bad names and sort keys."""
    clf, _, _ = fitted
    with pytest.raises(ValueError, match="call fit first"):
        report_table(WeightedMultiLabelClassifier())
    with pytest.raises(ValueError, match="label_names has 2 names"):
        report_table(clf, label_names=["a", "b"])
    with pytest.raises(ValueError, match="sort_by='nope'"):
        report_table(clf, sort_by="nope")


def test_report_table_as_frame(fitted):
    """Check the DataFrame form where pandas is installed."""
    pd = pytest.importorskip("pandas")
    clf, _, Y = fitted
    frame = report_table(clf, as_frame=True)
    assert isinstance(frame, pd.DataFrame) and len(frame) == Y.shape[1]


def test_plot_precision_recall_marks_the_chosen_points(fitted):
    """Check one curve per label and a marker at each label's threshold."""
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    clf, X, Y = fitted
    displays = plot_precision_recall(clf, X, Y, labels=[0, 1])
    assert len(displays) == 2
    ax = displays[0].ax_
    markers = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(markers) == 2
    proba = clf.predict_proba(X)
    predicted = proba[:, 0] >= clf.thresholds_[0]
    tp = np.sum(predicted & (Y[:, 0] > 0))
    assert markers[0].get_xdata()[0] == pytest.approx(tp / Y[:, 0].sum())


def test_class_report_and_its_table():
    """Check the multiclass report against scikit-learn and its rendering."""
    from sklearn.metrics import precision_recall_fscore_support

    from sk_imbalance import WeightedMultiClassClassifier
    from sk_imbalance.report import class_report

    rng = np.random.default_rng(0)
    y, pred = rng.integers(0, 3, 60), rng.integers(0, 3, 60)
    report = class_report(y, pred, np.array(["a", "b", "c"]), np.ones(3), np.zeros(3))
    p, r, f, support = precision_recall_fscore_support(y, pred, zero_division=0)
    np.testing.assert_allclose(report["precision"], p)
    np.testing.assert_allclose(report["recall"], r)
    np.testing.assert_allclose(report["f1"], f)
    np.testing.assert_array_equal(report["n_rows"], support)

    X = rng.normal(size=(120, 3))
    labels = np.array(["low", "mid", "high"])[np.digitize(X[:, 0], [-0.3, 0.9])]
    clf = WeightedMultiClassClassifier(
        hidden_layer_sizes=(8,), epochs=3, cv=3, random_state=0
    ).fit(X, labels)
    table = report_table(clf)
    assert table.splitlines()[0].startswith("| class | rows | weight | offset")
    assert len(table.splitlines()) == 2 + 3 and "| high |" in table
    assert clf.class_report_["n_rows"].sum() == 120
    frame = report_table(clf, as_frame=True, sort_by="n_rows")
    assert list(frame.columns)[:2] == ["class", "n_rows"]
