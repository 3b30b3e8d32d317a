r"""Class weights for a 1-D (binary or multiclass) target.

Every accepted form of ``class_weight`` becomes one array of shape
``(n_classes,)``, in the order of ``classes_``. The named strategies are
the multi-label ones of :mod:`.label_weights`, applied to one row of
:math:`K` classes in place of a label's two:

- ``"balanced"``: :math:`w_c = n / (K n_c)`, scikit-learn's formula;
- ``"balanced_sqrt"``: its square root;
- ``"effective_number"``: :math:`w_c \propto (1 - \beta) / (1 - \beta^{n_c})`
  normalised to sum to :math:`K` (Cui et al. 2019, :math:`\beta = 0.999`).

Pure NumPy, so usable and testable without Keras.

References
----------
Y. Cui, M. Jia, T.-Y. Lin, Y. Song and S. Belongie, "Class-Balanced Loss Based
on Effective Number of Samples", CVPR 2019.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import numpy as np

from .label_weights import LABEL_WEIGHT_STRATEGIES

__all__ = [
    "CLASS_WEIGHT_STRATEGIES",
    "compute_class_weights",
    "check_class_weights",
    "warn_classes_missing_from_folds",
]


#: Named strategies, those of the multi-label weights with K classes in place
#: of a label's two.
CLASS_WEIGHT_STRATEGIES = LABEL_WEIGHT_STRATEGIES


def compute_class_weights(y_index, n_classes, strategy="balanced"):
    """Weights of the classes of an encoded 1-D target.

    Parameters
    ----------
    y_index : ndarray of shape (n_samples,)
        Class indices in ``[0, n_classes)``.
    n_classes : int
    strategy : {"balanced", "balanced_sqrt", "effective_number"}

    Returns
    -------
    ndarray of shape (n_classes,)
        Finite and positive; a class with no row is counted as one.

    Examples
    --------
    >>> compute_class_weights([0, 0, 0, 1], 2)
    array([0.66666667, 2.        ])
    """
    counts = np.bincount(np.asarray(y_index), minlength=n_classes).astype(float)
    # one row of K classes; a class with no row counts as one, in n too
    n_samples = np.maximum(counts, 1.0).sum()
    return CLASS_WEIGHT_STRATEGIES[strategy](counts[np.newaxis], n_samples)[0]


def check_class_weights(class_weight, y, y_index, classes):
    """Turn any accepted ``class_weight`` into an array of shape ``(n_classes,)``.

    Parameters
    ----------
    class_weight : None, str, dict, array-like or callable
        - None: every weight is one;
        - str: a strategy of :func:`compute_class_weights`;
        - dict ``{class label: weight}``, as scikit-learn's; classes not
          listed weigh one;
        - array-like of shape ``(n_classes,)``, in the order of ``classes``;
        - callable: ``class_weight(y)`` returns a dict or an array.
    y : ndarray of shape (n_samples,)
        The target as given to ``fit``.
    y_index : ndarray of shape (n_samples,)
        Its class indices.
    classes : ndarray of shape (n_classes,)

    Returns
    -------
    ndarray of shape (n_classes,), dtype float64
    """
    n_classes = len(classes)
    if class_weight is None:
        return np.ones(n_classes)
    if isinstance(class_weight, str):
        if class_weight not in CLASS_WEIGHT_STRATEGIES:
            raise ValueError(
                f"class_weight={class_weight!r} is not a known strategy; use one of "
                f"{sorted(CLASS_WEIGHT_STRATEGIES)}, None, a dict, an array of "
                "shape (n_classes,) or a callable."
            )
        return compute_class_weights(y_index, n_classes, class_weight)
    if callable(class_weight):
        weights = class_weight(y)
        if isinstance(weights, Mapping):
            return _from_dict(weights, classes)
        return _check_array(weights, n_classes, "the array class_weight(y) returned")
    if isinstance(class_weight, Mapping):
        return _from_dict(class_weight, classes)
    return _check_array(class_weight, n_classes, "class_weight")


def _from_dict(class_weight, classes):
    known = {_key(c): i for i, c in enumerate(classes)}
    weights = np.ones(len(classes))
    unknown = []
    for key, value in class_weight.items():
        if isinstance(key, (bool, np.bool_)) and classes.dtype.kind != "b":
            raise ValueError(
                f"class_weight has the key {key!r}, a bool; the classes are "
                f"{classes.tolist()}. Use the class labels as keys."
            )
        if _key(key) not in known:
            unknown.append(key)
            continue
        try:
            weights[known[_key(key)]] = float(value)
        except (TypeError, ValueError) as error:
            raise ValueError(
                f"class_weight must hold numbers; got {value!r} for class {key!r}."
            ) from error
    if unknown:
        raise ValueError(
            f"class_weight has keys {unknown} that are not classes of y; the "
            f"classes are {classes.tolist()}."
        )
    return _check_array(weights, len(classes), "class_weight")


def _key(value):
    return value.item() if isinstance(value, np.generic) else value


def _check_array(weights, n_classes, name):
    try:
        weights = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must hold numbers; got {weights!r}.") from error
    if weights.shape != (n_classes,):
        raise ValueError(
            f"{name} must have shape ({n_classes},), one weight per class in the "
            f"order of classes_; got shape {weights.shape}."
        )
    if not np.all(np.isfinite(weights)):
        raise ValueError(f"{name} contains NaN or infinity: {weights.tolist()}.")
    if np.any(weights <= 0):
        raise ValueError(
            f"{name} must be positive; got {weights.tolist()}. A class of weight 0 "
            "is never learned: drop its rows instead."
        )
    return weights


def warn_classes_missing_from_folds(splits, y_index, classes):
    """Warn when a class has no row in some head's training rows.

    Such a head never sees the class and scores it low on its held-out rows
    (the weights stay finite: they are computed on all of ``y``).

    Parameters
    ----------
    splits : list of (ndarray, ndarray)
    y_index : ndarray of shape (n_samples,)
    classes : ndarray of shape (n_classes,)
    """
    missing = {}
    for head, (train, _) in enumerate(splits):
        present = np.bincount(y_index[train], minlength=len(classes)) > 0
        for c in np.flatnonzero(~present):
            missing.setdefault(_key(classes[c]), []).append(head)
    if missing:
        listed = ", ".join(f"{c!r} (heads {heads})" for c, heads in missing.items())
        warnings.warn(
            f"Some classes have no training row in some cross-fit heads: {listed}. "
            "Those heads never learn them, and their held-out rows of those "
            "classes are scored low. Give these classes more rows, or use fewer "
            "folds (cv).",
            UserWarning,
            stacklevel=3,
        )
