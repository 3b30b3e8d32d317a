r"""Multi-label stratified folds: iterative stratification.

A plain shuffled ``KFold`` can leave a rare label without a single positive in
a held-out fold; that fold then says nothing about the label's threshold or
score. Iterative stratification (Sechidis, Tsoumakas & Vlahavas 2011) deals
the rows out label by label, rarest first, each row to the fold that still
wants most of that label, so every fold gets its share of every label.

:class:`MultilabelStratifiedKFold` is the splitter; the estimators use it for
an int ``cv`` on a multi-label target, and scikit-learn's
:class:`~sklearn.model_selection.StratifiedKFold` on a binary one.

Written from the paper (Algorithm 1), with one addition: a repair pass that
swaps rows between folds until every label with at least ``n_splits``
positives has a positive in every fold, where a swap that keeps every other
such label covered exists. The greedy deal alone does not guarantee it: a
frequent label processed later can only fill the folds its rows are still
free to go to.

References
----------
K. Sechidis, G. Tsoumakas and I. Vlahavas, "On the Stratification of
Multi-Label Data", ECML PKDD 2011.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np
import scipy.sparse as sp
from sklearn.model_selection import BaseCrossValidator

from ._utils.rng import generator

__all__ = ["MultilabelStratifiedKFold", "iterative_stratification"]


def iterative_stratification(Y, ratios, rng):
    """Assign every row of a 0/1 matrix to a fold, label by label.

    Parameters
    ----------
    Y : {ndarray, sparse matrix} of shape (n_samples, n_labels)
        0/1 indicator matrix.
    ratios : sequence of float
        The share of the rows each fold should get; sums to 1.
    rng : numpy.random.Generator
        Breaks ties.

    Returns
    -------
    fold : ndarray of shape (n_samples,), dtype int
        The fold of each row.
    """
    Y = sp.csr_matrix(Y, dtype=bool)
    Y.eliminate_zeros()
    by_label = Y.tocsc()
    n_samples, n_labels = Y.shape
    ratios = np.asarray(ratios, dtype=np.float64)
    label_count = np.asarray(Y.sum(axis=0)).ravel().astype(np.int64)
    wanted_rows = n_samples * ratios  # c_j
    wanted = np.outer(ratios, label_count)  # c_j^i, shape (folds, labels)
    left = label_count.copy()
    fold = np.full(n_samples, -1, dtype=np.int64)
    tie_break = rng.random(n_labels)

    def best_fold(desire):
        top = np.flatnonzero(desire == desire.max())
        if top.size > 1:
            rows_wanted = wanted_rows[top]
            top = top[rows_wanted == rows_wanted.max()]
        return int(top[0] if top.size == 1 else rng.choice(top))

    while np.any(left > 0):
        # the label with the fewest rows still to deal (ties: random)
        active = np.flatnonzero(left > 0)
        label = active[np.lexsort((tie_break[active], left[active]))[0]]
        rows = by_label.indices[by_label.indptr[label] : by_label.indptr[label + 1]]
        rows = rows[fold[rows] < 0]
        for row in rng.permutation(rows):
            target = best_fold(wanted[:, label])
            fold[row] = target
            labels = Y.indices[Y.indptr[row] : Y.indptr[row + 1]]
            wanted[target, labels] -= 1
            wanted_rows[target] -= 1
            left[labels] -= 1
    for row in rng.permutation(np.flatnonzero(fold < 0)):  # rows without a label
        target = best_fold(wanted_rows)
        fold[row] = target
        wanted_rows[target] -= 1
    return fold


def _repair(Y, fold, n_folds, min_count):
    """Swap rows so that labels with >= min_count positives are in every fold.

    A swap moves one positive of the label from a fold holding two or more of
    it into the fold holding none, and one row back, chosen so that no label
    with >= min_count positives loses its last positive in either fold. Fold
    sizes are unchanged.
    """
    Y = sp.csr_matrix(Y, dtype=bool)
    dense = Y.toarray()
    counts = np.stack([dense[fold == j].sum(axis=0) for j in range(n_folds)])
    protected = dense.sum(axis=0) >= min_count
    for label in np.flatnonzero(protected)[np.argsort(dense.sum(axis=0)[protected])]:
        for empty in np.flatnonzero(counts[:, label] == 0):
            swap = _find_swap(dense, fold, counts, protected, label, empty)
            if swap is None:
                continue
            give, take = swap
            giver = fold[give]
            fold[give], fold[take] = empty, giver
            counts[giver] += dense[take].astype(np.int64) - dense[give]
            counts[empty] += dense[give].astype(np.int64) - dense[take]
    return fold


def _find_swap(dense, fold, counts, protected, label, empty):
    """A (row to move into ``empty``, row to move out of it) pair, or None."""
    outgoing = np.flatnonzero(fold == empty)
    outgoing = outgoing[~dense[outgoing, label]]
    for giver in np.flatnonzero(counts[:, label] >= 2):
        last_in_giver = protected & (counts[giver] == 1)
        last_in_empty = protected & (counts[empty] == 1)
        for give in np.flatnonzero((fold == giver) & dense[:, label]):
            if np.any(dense[give] & last_in_giver):
                continue  # the giver would lose its last positive of a label
            # the row sent back must not take the empty fold's last positive of
            # a label, unless the incoming row brings that label too
            losing = dense[outgoing] & (last_in_empty & ~dense[give])
            fine = outgoing[~losing.any(axis=1)]
            if fine.size:
                return give, fine[np.argmin(dense[fine].sum(axis=1))]
    return None


class MultilabelStratifiedKFold(BaseCrossValidator):
    """K-fold splits of multi-label data, stratified label by label.

    Each fold gets about ``1 / n_splits`` of the rows and of every label's
    positives (iterative stratification, Sechidis et al. 2011), and every
    label with at least ``n_splits`` positives has a positive in every
    held-out fold wherever a swap of rows between folds can give it one.

    Parameters
    ----------
    n_splits : int, default=5
    shuffle : bool, default=True
        Kept for scikit-learn's signature; the deal is randomised either way
        (ties between folds are broken at random), seeded by
        ``random_state``.
    random_state : int, RandomState instance or None, default=None

    Examples
    --------
    >>> import numpy as np
    >>> from sk_imbalance.model_selection import MultilabelStratifiedKFold
    >>> Y = np.array([[1, 0], [1, 0], [0, 1], [0, 1], [1, 1], [0, 0]])
    >>> cv = MultilabelStratifiedKFold(n_splits=2, random_state=0)
    >>> [len(test) for _, test in cv.split(np.zeros((6, 1)), Y)]
    [3, 3]
    """

    def __init__(self, n_splits=5, *, shuffle=True, random_state=None):
        self.n_splits = n_splits
        self.shuffle = shuffle
        self.random_state = random_state

    def get_n_splits(self, X=None, y=None, groups=None):
        return self.n_splits

    def split(self, X, y, groups=None):
        """Generate ``(train, test)`` index arrays.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Only its length is used.
        y : {array-like, sparse matrix} of shape (n_samples, n_labels)
            0/1 indicator matrix (a 1-D binary y is one label).
        groups : ignored
        """
        if not isinstance(self.n_splits, Integral) or self.n_splits < 2:
            raise ValueError(f"n_splits must be an int >= 2; got {self.n_splits!r}.")
        Y = y if sp.issparse(y) else np.asarray(y)
        if Y.ndim == 1:
            Y = Y.reshape(-1, 1)
        n_samples = Y.shape[0]
        if self.n_splits > n_samples:
            raise ValueError(
                f"n_splits={self.n_splits} is more than the {n_samples} samples."
            )
        rng = generator(self.random_state)
        ratios = np.full(self.n_splits, 1.0 / self.n_splits)
        fold = iterative_stratification(Y, ratios, rng)
        fold = _repair(Y, fold, self.n_splits, self.n_splits)
        rows = np.arange(n_samples)
        for j in range(self.n_splits):
            yield rows[fold != j], rows[fold == j]

    def _iter_test_masks(self, X=None, y=None, groups=None):  # pragma: no cover
        for _, test in self.split(X, y, groups):
            mask = np.zeros(len(X), dtype=bool)
            mask[test] = True
            yield mask
