"""The cross-fit splits: stratified k folds by default, or the user's ``cv``."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
from sklearn.model_selection import KFold, train_test_split

from ..model_selection import MultilabelStratifiedKFold, iterative_stratification

__all__ = ["make_splits"]


def make_splits(cv, n_samples, seed, X=None, y=None, Y=None):
    """Turn ``cv`` into a list of ``(train_rows, held_rows)`` index arrays.

    Parameters
    ----------
    cv : int, float, CV splitter or iterable
        An int ``k >= 2``: k folds, stratified label by label on ``Y``
        (:class:`~sk_imbalance.model_selection.MultilabelStratifiedKFold`
        seeded by ``seed``), shuffled :class:`~sklearn.model_selection.KFold`
        without ``Y``; a float in (0, 1): one hold-out of that fraction,
        stratified the same way; an object with ``split``: its splits of
        ``(X, y)``; an iterable of ``(train, test)`` index pairs.
    n_samples : int
    seed : int
    X, y : array-like, default=None
        Passed to a splitter's ``split``.
    Y : ndarray of shape (n_samples, n_labels), default=None
        The 0/1 target the int and float forms stratify on.

    Returns
    -------
    list of (ndarray, ndarray)
    """
    rows = np.arange(n_samples)
    label = (
        repr(cv)
        if isinstance(cv, Real) or hasattr(cv, "split")
        else f"<{type(cv).__name__} of splits>"
    )
    if isinstance(cv, Integral):
        if cv > n_samples:
            raise ValueError(
                f"cv={cv} folds need at least {cv} samples; got {n_samples}. Use "
                "fewer folds."
            )
        if Y is None:
            splits = KFold(int(cv), shuffle=True, random_state=seed).split(rows)
        else:
            splits = MultilabelStratifiedKFold(int(cv), random_state=seed).split(
                rows, Y
            )
    elif isinstance(cv, Real):
        if Y is None:
            splits = [train_test_split(rows, test_size=float(cv), random_state=seed)]
        else:
            ratios = [1.0 - float(cv), float(cv)]
            fold = iterative_stratification(Y, ratios, np.random.default_rng(seed))
            splits = [(rows[fold == 0], rows[fold == 1])]
    elif hasattr(cv, "split"):
        splits = cv.split(rows if X is None else X, y)
    else:
        splits = cv
    splits = [
        (np.asarray(train, dtype=np.intp), np.asarray(test, dtype=np.intp))
        for train, test in splits
    ]
    if not splits:
        raise ValueError(f"cv={label} gave no split.")
    if not any(test.size for _, test in splits):
        raise ValueError(
            f"cv={label} holds no row out: the held-out rows choose the epoch, "
            "the calibration and the thresholds. Give splits with test rows, "
            "e.g. cv=5."
        )
    for index, (train, test) in enumerate(splits):
        if train.size == 0:
            raise ValueError(f"Split {index} of cv={label} has no training row.")
        if test.size == 0:
            raise ValueError(
                f"Split {index} of cv={label} holds no row out: its head would "
                "join the ensemble unscored, and its epoch would be chosen on "
                "the other heads' rows. Give every split held-out rows."
            )
        for name, part in (("training", train), ("held-out", test)):
            if part.size and (part.min() < 0 or part.max() >= n_samples):
                raise ValueError(
                    f"Split {index} of cv={label} has {name} row indices outside "
                    f"[0, {n_samples}): min {part.min()}, max {part.max()}."
                )
        if np.intersect1d(train, test).size:
            raise ValueError(
                f"Split {index} of cv={label} holds out rows it also trains on."
            )
    return splits
