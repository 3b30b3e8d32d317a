"""Tests of sk_imbalance.model_selection (iterative stratification)."""

from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.model_selection import GridSearchCV, KFold, cross_val_score

from sk_imbalance.model_selection import (
    MultilabelStratifiedKFold,
    _repair,
    iterative_stratification,
)

DATA = Path(__file__).parent / "data"


def _enron_labels():
    saved = np.load(DATA / "enron_train_labels.npz")
    n_samples, n_labels = saved["shape"]
    return np.unpackbits(saved["Y"], axis=1)[:, :n_labels].astype(int)


def _gaps(Y, splits, k):
    """(label, fold) pairs where a label with >= k positives has none held out."""
    eligible = Y.sum(axis=0) >= k
    return sum(int(np.sum(eligible & (Y[test].sum(axis=0) == 0))) for _, test in splits)


def _rare_labels(seed, n=300, n_labels=40):
    """Many rare labels (3 to 12 positives), some co-occurring."""
    rng = np.random.default_rng(seed)
    Y = np.zeros((n, n_labels), dtype=int)
    for j in range(n_labels):
        Y[rng.choice(n, rng.integers(3, 13), replace=False), j] = 1
    Y[:, 1] |= Y[:, 0]  # label 1 contains label 0
    return Y


def test_every_label_with_k_positives_is_in_every_fold_on_enron():
    """Check the stratification on enron's real labels, where KFold leaves gaps."""
    Y = _enron_labels()
    X = np.zeros((len(Y), 1))
    plain = list(KFold(5, shuffle=True, random_state=0).split(X))
    assert _gaps(Y, plain, 5) > 0  # the problem the splitter solves
    for seed in range(5):
        splits = list(MultilabelStratifiedKFold(5, random_state=seed).split(X, Y))
        assert _gaps(Y, splits, 5) == 0


@pytest.mark.parametrize("seed", range(10))
def test_every_label_with_k_positives_is_in_every_fold_synthetic(seed):
    """Check the guarantee on synthetic rare, nested labels."""
    Y = _rare_labels(seed)
    splits = list(
        MultilabelStratifiedKFold(5, random_state=seed).split(np.zeros((300, 1)), Y)
    )
    assert _gaps(Y, splits, 5) == 0


def test_folds_partition_the_rows_with_even_sizes_and_shares():
    """Check a partition, fold sizes near n/k and label shares near 1/k."""
    Y = _enron_labels()
    splits = list(MultilabelStratifiedKFold(5, random_state=0).split(Y, Y))
    tests = np.concatenate([test for _, test in splits])
    np.testing.assert_array_equal(np.sort(tests), np.arange(len(Y)))
    for train, test in splits:
        assert np.intersect1d(train, test).size == 0
        assert abs(len(test) - len(Y) / 5) <= 0.02 * len(Y)
    counts = Y.sum(axis=0)
    deviation = np.mean(
        [np.abs(Y[test].sum(axis=0) - counts / 5).mean() for _, test in splits]
    )
    plain = np.mean(
        [
            np.abs(Y[test].sum(axis=0) - counts / 5).mean()
            for _, test in KFold(5, shuffle=True, random_state=0).split(Y)
        ]
    )
    assert deviation < plain / 3


def test_the_deal_follows_the_paper_on_a_small_case():
    """Check Algorithm 1 by hand: the rarest label is dealt first, one per fold."""
    Y = np.array([[1, 0], [1, 0], [0, 1], [0, 1], [0, 1], [0, 1]])
    fold = iterative_stratification(Y, [0.5, 0.5], np.random.default_rng(0))
    assert sorted(fold[:2]) == [0, 1]  # label 0's two rows split
    assert sorted(fold[2:].tolist()) == [0, 0, 1, 1]


def test_repair_fills_a_fold_by_a_swap():
    """Check that a label missing from a fold gets a positive by a swap."""
    Y = np.array([[1], [1], [0], [0]])
    fold = np.array([0, 0, 1, 1])  # fold 1 has none of the label
    repaired = _repair(Y, fold.copy(), 2, 2)
    assert sorted(repaired[Y[:, 0] == 1].tolist()) == [0, 1]
    assert np.bincount(repaired).tolist() == [2, 2]


def test_same_seed_same_folds_and_sparse_input():
    """Check determinism under a seed and that a sparse Y gives the same folds."""
    Y = _rare_labels(0)
    cv = MultilabelStratifiedKFold(5, random_state=3)
    dense = [t.tolist() for _, t in cv.split(Y, Y)]
    again = [t.tolist() for _, t in cv.split(Y, Y)]
    sparse = [t.tolist() for _, t in cv.split(Y, sp.csr_matrix(Y))]
    assert dense == again == sparse


@pytest.mark.parametrize(
    "n_splits, message", [(1, "n_splits must be an int >= 2"), (50, "more than")]
)
def test_bad_n_splits(n_splits, message):
    """Check the errors for too few and too many folds."""
    with pytest.raises(ValueError, match=message):
        list(MultilabelStratifiedKFold(n_splits).split(np.zeros((10, 1)), np.eye(10)))


def test_works_as_cv_of_scikit_learn_tools():
    """Check that it plugs into cross_val_score and GridSearchCV as cv=."""
    from sklearn.neighbors import KNeighborsClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    Y = (rng.random((120, 4)) < 0.3).astype(int)
    cv = MultilabelStratifiedKFold(3, random_state=0)
    assert cv.get_n_splits() == 3
    scores = cross_val_score(KNeighborsClassifier(), X, Y, cv=cv)
    assert scores.shape == (3,)
    GridSearchCV(KNeighborsClassifier(), {"n_neighbors": [3, 5]}, cv=cv).fit(X, Y)
