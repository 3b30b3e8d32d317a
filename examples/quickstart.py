"""Quickstart: fit, predict and predict_proba on the yeast data
============================================================

Shows the smallest useful workflow with ``WeightedMultiLabelClassifier``:
standardise the features, fit on MULAN's yeast training split (Elisseeff &
Weston, NIPS 2001; shipped with the package), predict label sets and label
probabilities on the test split, look at the fitted per-label weights
(``label_weights_``) and tuned thresholds (``thresholds_``), and score
macro-F1.

Run it with::

    python examples/quickstart.py              # the estimator's default epochs
    python examples/quickstart.py --epochs 5   # a quick smoke run

It takes about a minute on a 2-core CPU with the default settings.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if __name__ == "__main__":  # a program of its own: hide TensorFlow's start-up lines
    from sk_imbalance._startup import quiet_native_stderr

    _restore_stderr = quiet_native_stderr()

import argparse  # noqa: E402

import numpy as np  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sk_imbalance import WeightedMultiLabelClassifier  # noqa: E402
from sk_imbalance.datasets import load_yeast  # noqa: E402
from sk_imbalance.report import report_table  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or "\n").splitlines()[0])
    parser.add_argument(
        "--epochs",
        type=int,
        default=WeightedMultiLabelClassifier().epochs,
        help="training epochs (default: the estimator's default)",
    )
    args = parser.parse_args(argv)

    train = load_yeast("train")
    X_test, Y_test = load_yeast("test", return_X_y=True)
    print(f"yeast train: X {train.data.shape}, Y {train.target.shape}")

    # Defaults: class_weight="balanced"; threshold="tuned" for scoring="f1_macro"
    # (one threshold per label); calibrated predict_proba.
    model = Pipeline(
        [
            ("scale", StandardScaler()),
            ("clf", WeightedMultiLabelClassifier(epochs=args.epochs, random_state=0)),
        ]
    )
    model.fit(train.data, train.target)
    clf = model.named_steps["clf"]

    Y_pred = model.predict(X_test)  # 0/1 matrix, shape (917, 14)
    proba = model.predict_proba(X_test)  # probabilities, shape (917, 14)
    print(f"predict: {Y_pred.shape}, predict_proba: {proba.shape}")
    print("first test row, probabilities:", np.round(proba[0], 2))
    print("first test row, predicted labels:", Y_pred[0])

    print("\nlabel   positives  w_neg  w_pos  threshold")
    for j in range(5):
        w_neg, w_pos = clf.label_weights_[j]
        print(
            f"{train.target_names[j]:<7} {train.target[:, j].sum():>9}  "
            f"{w_neg:5.2f}  {w_pos:5.2f}  {clf.thresholds_[j]:9.3f}"
        )
    print(f"... ({clf.n_outputs_} labels in all)")

    # what the decisions are, per label, on the out-of-fold scores
    print("\n" + "\n".join(report_table(clf).splitlines()[:7]))
    print("...")

    macro = f1_score(Y_test, Y_pred, average="macro", zero_division=0)
    print(f"\ntest macro-F1: {macro:.3f}")
    return macro


if __name__ == "__main__":
    try:
        main()
    finally:
        _restore_stderr()
