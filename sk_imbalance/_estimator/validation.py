"""Validation of targets, sample weights and the estimator's parameters.

Each check raises a ``ValueError`` that names the parameter or the problem,
the value received and, where possible, the fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils.multiclass import check_classification_targets, type_of_target

from .params import ParameterTypeError

__all__ = [
    "EncodedTarget",
    "encode_target",
    "check_sample_weight",
    "check_cv",
    "check_threshold",
    "check_threshold_scoring",
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
    target : EncodedTarget or ndarray of shape (n_samples,)
        An encoded target, or the class indices of a 1-D one: the rows with
        a positive weight must then hold at least two classes.

    Returns
    -------
    ndarray of shape (n_samples,) or None
        Rescaled to mean 1.
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
    if isinstance(target, np.ndarray):
        weighted = target[sample_weight > 0]
    elif target.classes is not None:
        weighted = target.Y[sample_weight > 0, 0]
    else:
        weighted = None
    if weighted is not None:
        if weighted.min() == weighted.max():
            raise ValueError(
                "All samples with a positive sample_weight belong to one class; a "
                "classifier needs samples of at least 2 classes."
            )
    # only relative weights matter; mean 1 keeps the loss within float32 (1e30 or
    # 1e-300 everywhere would overflow or vanish) and gives the calibration's
    # penalty its meaning in rows
    return sample_weight / sample_weight.mean()


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


_CV_EXPECTED = (
    "an int >= 2 (folds of cross-fitting), a float in (0, 1) (the held-out "
    "fraction), a CV splitter such as KFold(5), or an iterable of (train, test) "
    "index arrays"
)


def check_cv(name, value):
    """Check ``cv``: an int >= 2, a float in (0, 1), a splitter or splits."""
    if isinstance(value, bool | np.bool_ | str) or not (
        isinstance(value, Real)
        or hasattr(value, "split")
        or isinstance(value, Iterable)
    ):
        raise ParameterTypeError(
            f"{name} must be {_CV_EXPECTED}; got {value!r} of type "
            f"{type(value).__name__}."
        )
    if isinstance(value, Integral):
        valid = value >= 2
    elif isinstance(value, Real):
        valid = 0 < value < 1
    else:
        valid = True
    if not valid:
        raise ValueError(f"{name} must be {_CV_EXPECTED}; got {value!r}.")


def check_threshold(name, threshold):
    """Check ``threshold``: a rule's name, a float in (0, 1) or one per label.

    One per label is any 1-D array-like: a list, a tuple, an ndarray, a
    pandas Series (anything with ``__array__``).
    """
    array_like = isinstance(threshold, list | tuple) or hasattr(threshold, "__array__")
    if not (isinstance(threshold, str | Real) or array_like) or isinstance(
        threshold, bool | np.bool_
    ):
        raise ParameterTypeError(
            f"{name} must be 'tuned', 'top_k', a float in (0, 1) or a 1-D array "
            f"of floats in (0, 1); got {threshold!r} of type "
            f"{type(threshold).__name__}."
        )
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
        shown = (
            threshold
            if isinstance(threshold, Real)
            else np.asarray(threshold, dtype=object).tolist()
        )
        raise ValueError(
            f"threshold={shown!r} must be 'tuned', 'top_k', a float in "
            "(0, 1) or a 1-D array of floats in (0, 1), one per label."
        )


def check_threshold_scoring(threshold, scoring):
    """The pairing of ``threshold`` and ``scoring`` (each checked alone first)."""
    is_top_k = isinstance(threshold, str) and threshold == "top_k"
    if scoring == "precision_at_k" and not is_top_k:
        raise ValueError(
            "scoring='precision_at_k' judges each row's top_k labels, which only "
            f"threshold='top_k' predicts; got threshold={threshold!r}. Set "
            "threshold='top_k', or choose an F-measure scoring such as 'f1_macro'."
        )
