"""Multiclass softmax with class weights on a long-tailed problem
==============================================================

The question users ask: "my multiclass data is imbalanced; how do I put
class weights into a softmax network's loss, and what are the pitfalls?"
``WeightedMultiClassClassifier`` weights each class in the loss, undoes the
weights' shift of the probabilities (calibration on out-of-fold scores), and
predicts with logit adjustment (Menon et al., ICLR 2021): the most probable
class relative to its prior.

The data: scikit-learn's digits made long-tailed, as in CIFAR-LT: the
training classes shrink geometrically from 150 rows to 3 (imbalance ratio
50); the test split has 30 rows of every class.

Run it with::

    python examples/multiclass.py             # the estimator's default epochs
    python examples/multiclass.py --epochs 3  # a quick smoke run

It takes about ten seconds on a 2-core CPU.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if __name__ == "__main__":  # a program of its own: hide TensorFlow's start-up lines
    from sk_imbalance._startup import quiet_native_stderr

    _restore_stderr = quiet_native_stderr()

import argparse  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402
from sklearn.metrics import balanced_accuracy_score, f1_score  # noqa: E402

from sk_imbalance import WeightedMultiClassClassifier  # noqa: E402
from sk_imbalance.report import report_table  # noqa: E402


def long_tailed_digits(rho=50, n_max=150, n_test=30, seed=0):
    """Digits with a geometric long-tailed training split and a balanced test."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    rng = np.random.default_rng(seed)
    train, test = [], []
    for rank, c in enumerate(rng.permutation(10)):
        rows = rng.permutation(np.flatnonzero(y == c))
        test.append(rows[:n_test])
        train.append(rows[n_test : n_test + round(n_max * rho ** (-rank / 9))])
    train, test = np.concatenate(train), np.concatenate(test)
    return X[train], y[train], X[test], y[test]


def main(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or "\n").splitlines()[0])
    parser.add_argument(
        "--epochs",
        type=int,
        default=WeightedMultiClassClassifier().epochs,
        help="training epochs (default: the estimator's default)",
    )
    args = parser.parse_args(argv)
    X, y, X_test, y_test = long_tailed_digits()
    print("training rows per class:", np.bincount(y).tolist())
    rows = {
        "unweighted softmax, argmax": dict(
            class_weight=None, decision="argmax", calibration=None
        ),
        "class weights, network's argmax": dict(decision="argmax", calibration=None),
        "defaults (weights + logit adjustment)": {},
    }
    print(f"\n{'model':<40}{'macro-F1':>9}{'bal. acc.':>11}")
    scores = {}
    for name, params in rows.items():
        clf = WeightedMultiClassClassifier(epochs=args.epochs, random_state=0, **params)
        pred = clf.fit(X, y).predict(X_test)
        scores[name] = f1_score(y_test, pred, average="macro")
        print(
            f"{name:<40}{scores[name]:9.3f}"
            f"{balanced_accuracy_score(y_test, pred):11.3f}"
        )
    print("\nThe defaults, per class on the out-of-fold rows:")
    print(report_table(clf))
    print(
        "probabilities of the first test row:",
        np.round(clf.predict_proba(X_test[:1]), 2),
    )
    return scores


if __name__ == "__main__":
    try:
        main()
    finally:
        _restore_stderr()
