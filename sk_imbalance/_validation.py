"""Validation of targets, sample weights and the estimator's parameters.

Each check raises a ``ValueError`` that names the parameter or the problem,
the value received and, where possible, the fix.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from ._decisions import CALIBRATIONS, SCORINGS
from ._label_weights import LABEL_WEIGHT_STRATEGIES
from ._losses import LOSSES

__all__ = [
    "EncodedTarget",
    "encode_target",
    "check_sample_weight",
    "check_params",
    "check_float32_range",
]

#: Names of threshold rules; "f1" and "fbeta" were the names before 0.1's
#: ``scoring`` and are answered with the new spelling.
THRESHOLD_RULES = ("tuned", "top_k")
_RENAMED_THRESHOLDS = {
    "f1": "threshold='tuned' (the default) with scoring='f1_macro'",
    "fbeta": "threshold='tuned' with scoring='fbeta_macro' and beta",
}


@dataclass
class EncodedTarget:
    """A target turned into the 0/1 float matrix the network trains on.

    Attributes
    ----------
    Y : ndarray of shape (n_samples, n_outputs)
        0/1 indicator matrix.
    classes : ndarray of shape (2,) or None
        Class labels of a 1-D binary target; None for a multi-label one.
    dtype : numpy.dtype
        dtype of the target passed to ``fit``, which ``predict`` returns.
    """

    Y: np.ndarray
    classes: np.ndarray | None
    dtype: np.dtype


def encode_target(y):
    """Check a classification target and encode it as a 0/1 matrix.

    Parameters
    ----------
    y : ndarray of shape (n_samples,) or (n_samples, n_labels)
        A 1-D binary target with any two class labels, or a 2-D 0/1 indicator
        matrix (one column per label).

    Returns
    -------
    EncodedTarget
    """
    check_classification_targets(y)
    y = np.asarray(y)
    if y.ndim == 2:
        values = np.unique(y)
        if not np.all(np.isin(values, [0, 1])):
            raise ValueError(
                "Y must be a 0/1 indicator matrix of shape (n_samples, n_labels); "
                f"got values {values[:10].tolist()}. Encode label sets with "
                "sklearn.preprocessing.MultiLabelBinarizer."
            )
        return EncodedTarget(y.astype(np.float32), None, y.dtype)
    target_type = type_of_target(y, input_name="y")
    classes = np.unique(y)
    if classes.size < 2:
        raise ValueError(
            f"y has only one class ({classes.tolist()}); a binary classifier needs "
            "samples of 2 classes."
        )
    if target_type != "binary":
        raise ValueError(
            "Only binary classification is supported for a 1-D y. The type of the "
            f"target is {target_type} ({classes.size} classes). For multi-label "
            "data pass a 0/1 indicator "
            "matrix (sklearn.preprocessing.MultiLabelBinarizer); for multiclass "
            "data use a softmax classifier."
        )
    Y = (y == classes[1]).astype(np.float32)[:, np.newaxis]
    return EncodedTarget(Y, classes, y.dtype)


def check_sample_weight(sample_weight, n_samples, target):
    """Validate ``sample_weight`` and return it as float64, or None.

    Parameters
    ----------
    sample_weight : array-like of shape (n_samples,) or None
    n_samples : int
    target : EncodedTarget

    Returns
    -------
    ndarray of shape (n_samples,) or None
    """
    if sample_weight is None:
        return None
    sample_weight = np.asarray(sample_weight, dtype=np.float64)
    if sample_weight.ndim == 0:
        sample_weight = np.full(n_samples, float(sample_weight))
    if sample_weight.shape != (n_samples,):
        raise ValueError(
            f"sample_weight must have shape ({n_samples},) to match X; got shape "
            f"{sample_weight.shape}."
        )
    if not np.all(np.isfinite(sample_weight)):
        raise ValueError("sample_weight contains NaN or infinity.")
    if np.any(sample_weight < 0):
        raise ValueError(
            f"sample_weight must be non-negative; got min {sample_weight.min()!r}."
        )
    if sample_weight.sum() <= 0:
        raise ValueError("sample_weight sums to zero: no sample would be used.")
    if target.classes is not None:
        weighted = target.Y[sample_weight > 0, 0]
        if weighted.min() == weighted.max():
            raise ValueError(
                "All samples with a positive sample_weight belong to one class; a "
                "binary classifier needs samples of 2 classes."
            )
    return sample_weight


#: Largest magnitude the network's float32 arithmetic can hold.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_float32_range(X, name="X"):
    """Refuse values that are finite in float64 but infinite in float32.

    The network computes in float32: a value above about 3.4e38 in magnitude
    passes scikit-learn's finiteness check and then becomes infinity, and the
    probabilities NaN.

    Parameters
    ----------
    X : ndarray or sparse matrix
    name : str, default="X"
    """
    values = X.data if sp.issparse(X) else np.asarray(X)
    if values.dtype == np.float64 and values.size:
        largest = float(np.max(np.abs(values)))
        if largest > FLOAT32_MAX:
            raise ValueError(
                f"{name} has a value of magnitude {largest:.3g}, beyond float32's "
                f"range ({FLOAT32_MAX:.3g}), in which the network computes. Scale "
                f"{name}, e.g. with StandardScaler in a Pipeline."
            )


def _is_int(value, low):
    return isinstance(value, Integral) and not isinstance(value, bool) and value >= low


def _is_real(value):
    return isinstance(value, Real) and not isinstance(value, bool)


def _is_finite(value, low, *, strict, none=False):
    """A real number in (low, inf) or [low, inf); None too when ``none``."""
    if value is None:
        return none
    if not _is_real(value) or not value < np.inf:
        return False
    return value > low if strict else value >= low


def _is_cv(value):
    if isinstance(value, bool | np.bool_ | str):
        return False
    if isinstance(value, Integral):
        return value >= 2
    if isinstance(value, Real):
        return 0 < value < 1
    return hasattr(value, "split") or isinstance(value, Iterable)


def _check_threshold(threshold):
    if isinstance(threshold, str):
        if threshold in _RENAMED_THRESHOLDS:
            raise ValueError(
                f"threshold={threshold!r} is now spelled "
                f"{_RENAMED_THRESHOLDS[threshold]}: `threshold` names the rule's "
                "form and `scoring` the objective it maximises."
            )
        if threshold not in THRESHOLD_RULES:
            raise ValueError(
                f"threshold={threshold!r} is not supported; use 'tuned', "
                "'top_k', a float in (0, 1) or an array of one float per label."
            )
        return
    values = np.asarray(threshold, dtype=object)
    try:
        values = values.astype(np.float64)
    except (TypeError, ValueError):
        values = None
    if values is None or values.ndim > 1 or not np.all((values > 0) & (values < 1)):
        raise ValueError(
            f"threshold={threshold!r} must be 'tuned', 'top_k', a float in "
            "(0, 1) or a 1-D array of floats in (0, 1), one per label."
        )


def _check_scoring(threshold, scoring):
    if not isinstance(scoring, str) or scoring not in SCORINGS:
        raise ValueError(
            f"scoring={scoring!r} is not supported; use one of {list(SCORINGS)}."
        )
    is_top_k = isinstance(threshold, str) and threshold == "top_k"
    if scoring == "precision_at_k" and not is_top_k:
        raise ValueError(
            "scoring='precision_at_k' judges each row's top_k labels, which only "
            f"threshold='top_k' predicts; got threshold={threshold!r}. Set "
            "threshold='top_k', or choose an F-measure scoring such as 'f1_macro'."
        )


def check_params(estimator):
    """Validate the estimator's hyper-parameters; raise on the first bad one."""
    p = estimator.get_params(deep=False)
    checks: dict[str, tuple[Callable, str]] = {
        "hidden_layer_sizes": (
            lambda v: isinstance(v, (tuple, list)) and all(_is_int(u, 1) for u in v),
            "a tuple of positive ints, e.g. (64,) or (128, 64)",
        ),
        "dropout": (lambda v: _is_real(v) and 0 <= v < 1, "a float in [0, 1)"),
        "model_kwargs": (
            lambda v: v is None or isinstance(v, Mapping),
            "None or a dict",
        ),
        "class_weight": (
            lambda v: (
                v is None or not isinstance(v, str) or v in LABEL_WEIGHT_STRATEGIES
            ),
            f"None, one of {sorted(LABEL_WEIGHT_STRATEGIES)}, a dict, an array of "
            "shape (n_labels, 2) or a callable",
        ),
        "loss": (lambda v: v in LOSSES, f"one of {sorted(LOSSES)}"),
        "focal_gamma": (
            lambda v: _is_finite(v, 0, strict=False),
            "a finite float >= 0",
        ),
        "learning_rate": (
            lambda v: _is_finite(v, 0, strict=True, none=True),
            "None or a finite float > 0",
        ),
        "epochs": (lambda v: _is_int(v, 1), "an int >= 1"),
        "batch_size": (lambda v: _is_int(v, 1), "an int >= 1"),
        "beta": (lambda v: _is_finite(v, 0, strict=True), "a finite float > 0"),
        "top_k": (lambda v: _is_int(v, 1), "an int >= 1"),
        "patience": (
            lambda v: v is None or _is_int(v, 1),
            "None (train every epoch) or an int >= 1 (epochs without a better "
            "out-of-fold score before training stops)",
        ),
        "cv": (
            _is_cv,
            "an int >= 2 (folds of cross-fitting), a float in (0, 1) (the held-out "
            "fraction), a CV splitter such as KFold(5), or an iterable of "
            "(train, test) index arrays",
        ),
        "ensemble": (lambda v: isinstance(v, (bool, np.bool_)), "True or False"),
        "calibration": (
            lambda v: v is None or (isinstance(v, str) and v in CALIBRATIONS),
            "'platt', 'shift' or None",
        ),
        "min_positives": (lambda v: _is_int(v, 1), "an int >= 1"),
        "shrinkage": (
            lambda v: _is_finite(v, 0, strict=False),
            "a finite float >= 0 (0: no shrinkage)",
        ),
        "max_predicted_ratio": (
            lambda v: _is_finite(v, 0, strict=True, none=True),
            "None (no cap) or a finite float > 0",
        ),
        "verbose": (lambda v: _is_int(v, 0), "0, 1 or 2"),
    }
    for name, (is_valid, expected) in checks.items():
        if not is_valid(p[name]):
            raise ValueError(f"{name} must be {expected}; got {p[name]!r}.")
    _check_threshold(p["threshold"])
    _check_scoring(p["threshold"], p["scoring"])
