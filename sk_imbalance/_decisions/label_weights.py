"""Per-label class weights for multi-label targets.

Every accepted form of ``class_weight`` is turned into one normalised form: an
array of shape ``(n_labels, 2)`` whose row ``j`` holds ``[w_neg, w_pos]`` for
label ``j``. The functions here are pure NumPy, so they can be used and tested
without Keras.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from numbers import Real

import numpy as np

__all__ = ["compute_label_weights", "check_label_weights", "LABEL_WEIGHT_STRATEGIES"]

#: Default ``beta`` of the effective-number strategy (Cui et al., 2019).
EFFECTIVE_NUMBER_BETA = 0.999


def _label_counts(Y):
    """Count negatives and positives of each label.

    Parameters
    ----------
    Y : ndarray of shape (n_samples, n_labels)
        0/1 indicator matrix.

    Returns
    -------
    counts : ndarray of shape (n_labels, 2)
        ``counts[j] = [n_neg_j, n_pos_j]``.
    """
    Y = np.asarray(Y)
    n_pos = Y.sum(axis=0).astype(np.float64)
    n_neg = Y.shape[0] - n_pos
    return np.column_stack([n_neg, n_pos])


def _balanced(counts, n_samples):
    r"""Balanced weights, scikit-learn's formula applied to each label.

    .. math:: w_{c,j} = \frac{n}{K\, n_{c,j}}, \qquad c \in \{\text{neg}, \text{pos}\}

    with :math:`K` = 2 classes per label (the last axis of ``counts``; the
    multiclass estimator passes one row of :math:`K` classes). A count of
    zero is replaced by one so the weight stays finite; that weight
    multiplies no example anyway.
    """
    return n_samples / (counts.shape[-1] * np.maximum(counts, 1.0))


def _balanced_sqrt(counts, n_samples):
    r"""Square root of the balanced weights, a milder correction.

    .. math:: w_{c,j} = \sqrt{\frac{n}{K\, n_{c,j}}}
    """
    return np.sqrt(_balanced(counts, n_samples))


def _effective_number(counts, n_samples, beta=EFFECTIVE_NUMBER_BETA):
    r"""Inverse effective number of samples (Cui et al., 2019).

    The effective number of ``n_c`` samples is
    :math:`E_{n_c} = (1 - \beta^{n_c}) / (1 - \beta)`. Each class of a label is
    weighted by :math:`1 / E_{n_c}`, normalised so that the two weights of a
    label sum to 2 (the number of classes, the last axis of ``counts``), as
    in the paper:

    .. math::
        w_{c,j} = \frac{2 / E_{n_{c,j}}}
                       {1 / E_{n_{\text{neg},j}} + 1 / E_{n_{\text{pos},j}}}

    With ``beta -> 0`` the weights are uniform; with ``beta -> 1`` they approach
    inverse frequency. A count of zero is replaced by one.

    References
    ----------
    Y. Cui, M. Jia, T.-Y. Lin, Y. Song and S. Belongie, "Class-Balanced Loss
    Based on Effective Number of Samples", CVPR 2019.
    """
    counts = np.maximum(counts, 1.0)
    inverse_effective = (1.0 - beta) / (1.0 - np.power(beta, counts))
    return (
        counts.shape[-1]
        * inverse_effective
        / inverse_effective.sum(axis=-1, keepdims=True)
    )


#: Named strategies: each maps ``(counts, n_samples)`` to an ``(n_labels, 2)`` array.
LABEL_WEIGHT_STRATEGIES: dict[str, Callable] = {
    "balanced": _balanced,
    "balanced_sqrt": _balanced_sqrt,
    "effective_number": _effective_number,
}


def compute_label_weights(Y, strategy="balanced"):
    r"""Compute ``[w_neg, w_pos]`` for every label of a multi-label target.

    scikit-learn's :func:`~sklearn.utils.class_weight.compute_class_weight`
    only takes a 1-D target; this is its multi-label counterpart: each column of
    ``Y`` is treated as its own binary problem.

    Parameters
    ----------
    Y : array-like of shape (n_samples, n_labels)
        0/1 indicator matrix.
    strategy : {"balanced", "balanced_sqrt", "effective_number"}, default="balanced"
        - ``"balanced"``: :math:`w_c = n / (2 n_c)`, scikit-learn's formula;
        - ``"balanced_sqrt"``: the square root of the balanced weight;
        - ``"effective_number"``: the class-balanced weights of Cui et al.
          (2019) with :math:`\beta = 0.999`.

    Returns
    -------
    label_weights : ndarray of shape (n_labels, 2)
        ``label_weights[j] = [w_neg_j, w_pos_j]``; always finite and positive.

    Warns
    -----
    UserWarning
        When a label has no positive (or no negative) example. Its weights
        stay finite: the missing class is counted as one example.

    Examples
    --------
    >>> import numpy as np
    >>> from sk_imbalance import compute_label_weights
    >>> Y = np.array([[1, 0], [0, 0], [0, 1], [0, 1]])
    >>> compute_label_weights(Y)
    array([[0.66666667, 2.        ],
           [1.        , 1.        ]])
    """
    Y = np.asarray(Y)
    if Y.ndim != 2:
        raise ValueError(f"Y must be 2-D (n_samples, n_labels), got shape {Y.shape}.")
    if strategy not in LABEL_WEIGHT_STRATEGIES:
        raise ValueError(
            f"Unknown label-weight strategy {strategy!r}; expected one of "
            f"{sorted(LABEL_WEIGHT_STRATEGIES)}."
        )
    counts = _label_counts(Y)
    _warn_single_class_labels(counts)
    return LABEL_WEIGHT_STRATEGIES[strategy](counts, Y.shape[0])


def _warn_single_class_labels(counts):
    """Warn about labels that have no positive or no negative example."""
    missing = np.flatnonzero((counts == 0).any(axis=1))
    if missing.size:
        warnings.warn(
            f"Labels {missing.tolist()} have no positive (or no negative) example "
            "in the data passed to fit; their weights are computed as if the "
            "missing class had one example, and their threshold falls back to "
            "the default.",
            UserWarning,
            stacklevel=3,
        )


def check_label_weights(class_weight, Y, classes=None):
    """Turn any accepted ``class_weight`` into an ``(n_labels, 2)`` array.

    Parameters
    ----------
    class_weight : None, str, dict, array-like of shape (n_labels, 2) or callable
        - ``None``: all weights are one.
        - str: a strategy of :func:`compute_label_weights`.
        - array-like of shape ``(n_labels, 2)``: ``[w_neg, w_pos]`` per label.
        - dict: for a multi-label target, keys are label (column) indices and
          values are either ``w_pos`` (``w_neg`` stays 1) or a pair/dict
          ``{0: w_neg, 1: w_pos}``; labels not listed get ``[1, 1]``. For a
          1-D binary target, keys are the class labels, as in scikit-learn:
          ``{negative_class: w_neg, positive_class: w_pos}``.
        - list of dicts, scikit-learn's multi-output form (as
          ``RandomForestClassifier``'s): one ``{0: w_neg, 1: w_pos}`` per label.
        - callable: ``class_weight(Y)`` returns any of the array forms above.
    Y : ndarray of shape (n_samples, n_labels)
        The 0/1 indicator matrix seen by ``fit``.
    classes : ndarray of shape (2,), default=None
        The class labels of a 1-D binary target, or None for a multi-label one.

    Returns
    -------
    label_weights : ndarray of shape (n_labels, 2), dtype float64
    """
    n_labels = Y.shape[1]
    if class_weight is None:
        weights = np.ones((n_labels, 2))
    elif isinstance(class_weight, str):
        if class_weight not in LABEL_WEIGHT_STRATEGIES:
            raise ValueError(
                f"class_weight={class_weight!r} is not a known strategy; use one of "
                f"{sorted(LABEL_WEIGHT_STRATEGIES)}, None, a dict, an array of "
                "shape (n_labels, 2) or a callable."
            )
        weights = compute_label_weights(Y, class_weight)
    elif isinstance(class_weight, Mapping):
        weights = _weights_from_dict(class_weight, n_labels, classes)
    elif _is_list_of_dicts(class_weight):
        weights = _weights_from_dict_list(class_weight, n_labels)
    elif callable(class_weight):
        weights = class_weight(Y)
        if weights is None:
            raise ValueError(
                "class_weight callable returned None; it must return "
                "an array of shape (n_labels, 2)."
            )
    else:
        weights = class_weight
    return _validate_weight_array(weights, n_labels)


def _is_list_of_dicts(class_weight):
    return (
        isinstance(class_weight, list | tuple)
        and len(class_weight) > 0
        and all(isinstance(item, Mapping) for item in class_weight)
    )


def _weights_from_dict_list(class_weight, n_labels):
    """scikit-learn's multi-output form: one ``{0: w_neg, 1: w_pos}`` per label.

    As ``RandomForestClassifier(class_weight=[{0: 1, 1: 5}, ...])``; a class
    missing from a dict gets weight 1.
    """
    if len(class_weight) != n_labels:
        raise ValueError(
            f"class_weight is a list of {len(class_weight)} dicts but Y has "
            f"{n_labels} label(s); give one {{0: w_neg, 1: w_pos}} dict per label."
        )
    weights = np.ones((n_labels, 2))
    for index, item in enumerate(class_weight):
        unknown = [key for key in item if isinstance(key, bool | np.bool_)] or [
            key for key in item if key not in (0, 1)
        ]
        if unknown:
            raise ValueError(
                f"class_weight[{index}] has keys {unknown!r}; each dict maps the "
                "classes 0 and 1 of its label to weights, e.g. {0: 1.0, 1: 5.0}."
            )
        weights[index] = [item.get(0, 1.0), item.get(1, 1.0)]
    return weights


def _weights_from_dict(class_weight, n_labels, classes):
    """Expand a dict form of ``class_weight`` to an ``(n_labels, 2)`` array."""
    weights = np.ones((n_labels, 2))
    if classes is not None:  # 1-D binary target: keys are class labels
        unknown = set(class_weight) - set(classes.tolist())
        if unknown:
            raise ValueError(
                f"class_weight has keys {sorted(map(str, unknown))} that are not "
                f"classes of y; the classes are {classes.tolist()}."
            )
        for column, label in enumerate(classes.tolist()):
            if label in class_weight:
                weights[0, column] = class_weight[label]
        return weights
    for key, value in class_weight.items():
        if isinstance(key, (bool, np.bool_)):
            raise ValueError(
                f"class_weight dict key {key!r} is a bool; keys of a multi-label "
                f"class_weight are column indices of Y: write {int(key)}, not {key}."
            )
        if not isinstance(key, (int, np.integer)) or not 0 <= key < n_labels:
            raise ValueError(
                f"class_weight dict key {key!r} is not a label index in "
                f"[0, {n_labels}); keys of a multi-label class_weight are column "
                "indices of Y."
            )
        if isinstance(value, Mapping):
            weights[key] = [value.get(0, 1.0), value.get(1, 1.0)]
        elif isinstance(value, Real):
            weights[key, 1] = value
        else:
            weights[key] = np.asarray(value, dtype=np.float64).reshape(2)
    return weights


def _validate_weight_array(weights, n_labels):
    """Check shape, finiteness and sign of a label-weight array."""
    try:
        weights = np.asarray(weights, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"class_weight could not be converted to a float array: {exc}"
        ) from exc
    if weights.shape != (n_labels, 2):
        raise ValueError(
            f"class_weight must give an array of shape (n_labels, 2) = "
            f"({n_labels}, 2) holding [w_neg, w_pos] per label; got shape "
            f"{weights.shape}."
        )
    if not np.all(np.isfinite(weights)):
        raise ValueError(
            f"class_weight contains {np.sum(~np.isfinite(weights))} NaN or infinite "
            "value(s); every weight must be a finite float >= 0."
        )
    if np.any(weights < 0):
        raise ValueError(
            f"class_weight must be non-negative; got min={float(weights.min())!r}."
        )
    if weights.size and not np.any(weights > 0):
        raise ValueError(
            "class_weight gives every label and class a weight of 0: the loss "
            "would be 0 and nothing would be trained."
        )
    return weights
