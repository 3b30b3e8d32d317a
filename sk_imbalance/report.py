"""What the decisions are, label by label: a report, a table and a plot.

After ``fit``, :class:`~sk_imbalance.WeightedMultiLabelClassifier` keeps
``label_report_``, a dict of arrays in the spirit of ``cv_results_``: one
entry per label, computed on the out-of-fold scores the thresholds were
chosen on; :class:`~sk_imbalance.WeightedMultiClassClassifier` keeps
``class_report_``, one entry per class. :func:`report_table` renders either
(as text, or as a pandas DataFrame); :func:`candidates_table` renders
``candidates_``, what the held-out folds chose among the candidate networks
and why; and :func:`plot_precision_recall` draws per-label
precision-recall curves on data the user gives, with the chosen cut-offs
marked (matplotlib, the ``plot`` extra).
"""

from __future__ import annotations

import numpy as np

from ._decisions.multiclass import confusion_counts
from ._decisions.multilabel import decide
from ._decisions.thresholds import fbeta_from_counts, label_counts

__all__ = [
    "label_report",
    "class_report",
    "report_table",
    "candidates_table",
    "plot_precision_recall",
]

#: Keys of ``label_report_``, in the order of the table's columns.
REPORT_KEYS = (
    "label",
    "n_positives",
    "threshold",
    "precision",
    "recall",
    "fbeta",
    "status",
)

_STATUS_TEXT = {
    "tuned": "tuned",
    "few_positives": "fallback: too few positives",
    "no_negative": "fallback: no negative",
    "no_gain": "fallback: tuning did not beat the anchor",
    "global": "one cut-off for all labels",
    "fixed": "fixed",
    "top_k": "top-k",
}


def _optional_import(name, message):
    """Import an optional dependency, or raise ImportError with ``message``."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError as error:  # pragma: no cover - depends on the env
        raise ImportError(message) from error


def label_report(Y, Z, decisions, *, beta=1.0, top_k=1, sample_weight=None):
    """Per-label facts of the decisions on out-of-fold logits.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_labels)
        Held-out 0/1 truth.
    Z : ndarray of shape (n_samples, n_labels)
        Held-out logits.
    decisions : Decisions
    beta : float, default=1.0
    top_k : int, default=1
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    dict of ndarray
        ``"label"`` (column index), ``"n_positives"`` (unweighted, held out),
        ``"threshold"`` (calibrated scale; NaN for top-k), ``"precision"``,
        ``"recall"``, ``"fbeta"`` (out of fold, at the decisions; 0 where
        undefined) and ``"status"`` (why the label has its threshold).
    """
    _, indicator = decide(Z, decisions, top_k)
    true_positives, positives, predicted = label_counts(Y, indicator, sample_weight)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(predicted > 0, true_positives / predicted, 0.0)
        recall = np.where(positives > 0, true_positives / positives, 0.0)
    n_labels = Y.shape[1]
    thresholds = (
        np.full(n_labels, np.nan)
        if decisions.thresholds is None
        else np.asarray(decisions.thresholds, dtype=np.float64)
    )
    return {
        "label": np.arange(n_labels),
        "n_positives": np.count_nonzero(np.asarray(Y) > 0, axis=0),
        "threshold": thresholds,
        "precision": precision,
        "recall": recall,
        "fbeta": fbeta_from_counts(true_positives, positives, predicted, beta),
        "status": np.asarray(decisions.status, dtype=object),
    }


#: Keys of ``class_report_``, in the order of the table's columns.
CLASS_REPORT_KEYS = ("class", "n_rows", "weight", "offset", "precision", "recall", "f1")


def class_report(y, predicted, classes, class_weights, offsets, sample_weight=None):
    """Per-class facts of the multiclass decisions on out-of-fold rows.

    Parameters
    ----------
    y, predicted : ndarray of shape (n_samples,)
        Held-out class indices and the decided ones.
    classes : ndarray of shape (n_classes,)
    class_weights, offsets : ndarray of shape (n_classes,)
    sample_weight : ndarray of shape (n_samples,), default=None

    Returns
    -------
    dict of ndarray
        ``"class"``, ``"n_rows"`` (unweighted, held out), ``"weight"`` (in the
        loss), ``"offset"`` (added to the calibrated log-probability),
        ``"precision"``, ``"recall"`` and ``"f1"`` (out of fold; 0 where
        undefined).
    """
    K = len(classes)
    true, pred, tp = confusion_counts(y, predicted, K, sample_weight)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(pred > 0, tp / pred, 0.0)
        recall = np.where(true > 0, tp / true, 0.0)
        f1 = np.where(true + pred > 0, 2 * tp / (true + pred), 0.0)
    return {
        "class": np.asarray(classes),
        "n_rows": np.bincount(y, minlength=K),
        "weight": np.asarray(class_weights, dtype=np.float64),
        "offset": np.asarray(offsets, dtype=np.float64),
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def report_table(estimator, *, label_names=None, sort_by=None, as_frame=False):
    """The fitted estimator's ``label_report_`` (or ``class_report_``) as a table.

    Parameters
    ----------
    estimator : fitted WeightedMultiLabelClassifier or WeightedMultiClassClassifier
    label_names : sequence of str, default=None
        Names to show instead of column indices.
    sort_by : str, default=None
        A key of the report to sort by (ascending), e.g. ``"n_positives"``.
    as_frame : bool, default=False
        Return a :class:`pandas.DataFrame` (pandas must be installed).

    Returns
    -------
    str or pandas.DataFrame
        A Markdown table when ``as_frame`` is False.
    """
    report = getattr(estimator, "label_report_", None)
    keys, first = REPORT_KEYS, "label"
    if report is None and getattr(estimator, "class_report_", None) is not None:
        report, keys, first = estimator.class_report_, CLASS_REPORT_KEYS, "class"
    if report is None:
        raise ValueError(
            "report_table needs a fitted estimator with label_report_ or "
            "class_report_; call fit first."
        )
    columns = {key: np.asarray(report[key]) for key in keys}
    if label_names is not None:
        if len(label_names) != len(columns[first]):
            raise ValueError(
                f"label_names has {len(label_names)} names but the report has "
                f"{len(columns[first])} rows."
            )
        columns[first] = np.asarray(label_names, dtype=object)
    if sort_by is not None:
        if sort_by not in columns:
            raise ValueError(f"sort_by={sort_by!r} is not one of {keys}.")
        order = np.argsort(columns[sort_by], kind="stable")
        columns = {key: value[order] for key, value in columns.items()}
    if as_frame:
        pd = _optional_import(
            "pandas",
            "report_table(as_frame=True) needs pandas; pip install pandas, or call "
            "it with as_frame=False for a text table.",
        )
        return pd.DataFrame(columns)
    if first == "class":
        return _class_table(columns)
    lines = [
        "| label | positives | threshold | precision | recall | F | decision |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for i in range(len(columns["label"])):
        lines.append(
            f"| {columns['label'][i]} | {columns['n_positives'][i]} | "
            f"{columns['threshold'][i]:.4f} | {columns['precision'][i]:.3f} | "
            f"{columns['recall'][i]:.3f} | {columns['fbeta'][i]:.3f} | "
            f"{_STATUS_TEXT.get(columns['status'][i], columns['status'][i])} |"
        )
    return "\n".join(lines)


def candidates_table(estimator, *, as_frame=False):
    """The fitted estimator's ``candidates_`` as a table: what was chosen, and why.

    One row per candidate network: its name and settings, its best
    out-of-fold objective (the ``scoring`` of the decisions fitted on its
    out-of-fold probabilities, the quantity the choice maximises), the epoch
    it kept, and its weight in the predicting blend.

    Parameters
    ----------
    estimator : fitted WeightedMultiLabelClassifier or WeightedMultiClassClassifier
    as_frame : bool, default=False
        Return a :class:`pandas.DataFrame` (pandas must be installed).

    Returns
    -------
    str or pandas.DataFrame
        A Markdown table when ``as_frame`` is False.

    Examples
    --------
    >>> from sk_imbalance.report import candidates_table
    >>> class Fitted:  # what a fit leaves, for the example
    ...     candidates_ = {"name": ["linear", "mlp"], "params": ["()", "(128,)"],
    ...                    "oof_score": [0.41, 0.45], "n_epochs": [30, 12],
    ...                    "weight": [0.0, 1.0]}
    >>> print(candidates_table(Fitted()))
    | candidate | settings | out-of-fold score | epoch | weight |
    |---|---|---:|---:|---:|
    | linear | () | 0.4100 | 30 | 0.00 |
    | mlp | (128,) | 0.4500 | 12 | 1.00 |
    """
    report = getattr(estimator, "candidates_", None)
    if report is None:
        raise ValueError(
            "candidates_table needs a fitted estimator with candidates_; call fit "
            "first."
        )
    if as_frame:
        pd = _optional_import(
            "pandas",
            "candidates_table(as_frame=True) needs pandas; pip install pandas, or "
            "call it with as_frame=False for a text table.",
        )
        return pd.DataFrame(report)
    lines = [
        "| candidate | settings | out-of-fold score | epoch | weight |",
        "|---|---|---:|---:|---:|",
    ]
    for i, name in enumerate(report["name"]):
        lines.append(
            f"| {name} | {report['params'][i]} | {report['oof_score'][i]:.4f} | "
            f"{report['n_epochs'][i]} | {report['weight'][i]:.2f} |"
        )
    return "\n".join(lines)


def _class_table(columns):
    lines = [
        "| class | rows | weight | offset | precision | recall | F1 |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for i in range(len(columns["class"])):
        lines.append(
            f"| {columns['class'][i]} | {columns['n_rows'][i]} | "
            f"{columns['weight'][i]:.3f} | {columns['offset'][i]:+.3f} | "
            f"{columns['precision'][i]:.3f} | {columns['recall'][i]:.3f} | "
            f"{columns['f1'][i]:.3f} |"
        )
    return "\n".join(lines)


def plot_precision_recall(estimator, X, Y, *, labels=None, ax=None):
    """Per-label precision-recall curves on ``(X, Y)``, chosen cut-offs marked.

    Uses :class:`sklearn.metrics.PrecisionRecallDisplay`, one curve per label,
    and marks the precision and recall of each label's threshold on the same
    data with a dot. The legend names each label with its number of positives
    in ``Y`` and sits to the right of the axes, where it hides no curve (a
    rare label's curve runs low, where a legend inside would go): lay the
    figure out with ``layout="constrained"`` or ``fig.tight_layout()`` to
    keep it inside the figure.

    Parameters
    ----------
    estimator : fitted WeightedMultiLabelClassifier
        With tuned or fixed thresholds (not top-k).
    X : array-like of shape (n_samples, n_features)
    Y : array-like of shape (n_samples, n_labels)
    labels : sequence of int, default=None
        Column indices to draw; default: the first ten.
    ax : matplotlib Axes, default=None

    Returns
    -------
    list of sklearn.metrics.PrecisionRecallDisplay
    """
    plt = _optional_import(
        "matplotlib.pyplot",
        "plot_precision_recall needs matplotlib: pip install 'sk_imbalance[plot]'.",
    )
    from sklearn.metrics import PrecisionRecallDisplay

    if getattr(estimator, "thresholds_", None) is None:
        raise ValueError(
            "plot_precision_recall marks each label's threshold; this estimator "
            "predicts with threshold='top_k' and has none."
        )
    Y = np.asarray(Y)
    if Y.ndim != 2:
        raise ValueError(f"Y must be a 2-D indicator matrix; got shape {Y.shape}.")
    proba = estimator.predict_proba(X)
    labels = list(range(min(10, Y.shape[1]))) if labels is None else list(labels)
    if ax is None:
        _, ax = plt.subplots(layout="constrained")
    displays = []
    for j in labels:
        positives = int(np.sum(Y[:, j] > 0))
        display = PrecisionRecallDisplay.from_predictions(
            Y[:, j], proba[:, j], name=f"label {j}, {positives} positives", ax=ax
        )
        predicted = proba[:, j] >= estimator.thresholds_[j]
        true_positives = np.sum(predicted & (Y[:, j] > 0))
        precision = true_positives / max(predicted.sum(), 1)
        recall = true_positives / max((Y[:, j] > 0).sum(), 1)
        ax.plot(recall, precision, "o", color=display.line_.get_color())
        displays.append(display)
    # Outside, on the right: inside, the legend would hide the low curves of
    # the rare labels. The square axes keep to the left of their slot, so
    # that a layout engine's room for the legend stays beside them.
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1), borderaxespad=0)
    ax.set_anchor("W")
    return displays
