"""Offline study of the decision rules: calibration maps and threshold rules.

Two steps, so that every rule is scored on the same fitted networks:

``record``
    Fits the default estimator on MULAN's train split of each data set, once
    per seed, and saves what the decisions are made from: the out-of-fold
    probabilities of the cross-fit (on the train split), the ensemble's test
    probabilities, both targets and the label weights. One ``.npz`` per data
    set and seed in ``--scores`` (default ``/tmp/sk_imbalance_scores``).

``score``
    Applies every candidate calibration map and threshold rule to the saved
    scores, choosing everything on the out-of-fold scores only, and reports
    test macro-F1, micro-F1, per-row F1, the ratio to the test oracle (per-label
    thresholds chosen on the test split for the same scores), the mean
    per-label Brier score and the expected calibration error, as the mean
    (and standard deviation) over the seeds.

Run::

    python benchmarks/decision_study.py record [--datasets ...] [--seeds 0,1,2]
    python benchmarks/decision_study.py score [--datasets ...] [--out table.md]

The rules are chosen on the mean over data sets and seeds, never on one test
split; the test columns are reported so the choice can be checked, not made.
Data: ``../shared/data`` (MULAN; citations in ``quality.py``).
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import scipy.sparse  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import sk_imbalance._classifier as classifier_module  # noqa: E402
from sk_imbalance import WeightedMultiLabelClassifier  # noqa: E402
from sk_imbalance.datasets import load_arff  # noqa: E402

DATASETS = ("yeast", "emotions", "enron", "bibtex", "tmc2007")


def load(data, name, subset):
    stem = "tmc2007-500" if name == "tmc2007" else name
    folder = Path(data) / name
    return load_arff(
        folder / f"{stem}-{subset}.arff", folder / f"{stem}.xml", return_X_y=True
    )


def record(args):
    out = Path(args.scores)
    out.mkdir(parents=True, exist_ok=True)
    captured = {}
    original = classifier_module.cross_fit

    def capturing_cross_fit(*a, **k):  # our own module: keep the OOF scores
        result = original(*a, **k)
        captured["result"] = result
        return result

    classifier_module.cross_fit = capturing_cross_fit
    try:
        for name in args.datasets:
            X, Y = load(args.data, name, "train")
            X_test, Y_test = load(args.data, name, "test")
            if not scipy.sparse.issparse(X):
                scaler = StandardScaler().fit(X)
                X, X_test = scaler.transform(X), scaler.transform(X_test)
            for seed in args.seeds:
                start = time.perf_counter()
                clf = WeightedMultiLabelClassifier(random_state=seed).fit(X, Y)
                result = captured["result"]
                np.savez_compressed(
                    out / f"{name}_{seed}.npz",
                    oof=result.proba.astype(np.float32),
                    held=result.held,
                    test=clf.predict_proba(X_test).astype(np.float32),
                    Y=np.asarray(Y, dtype=np.int8),
                    Y_test=np.asarray(Y_test, dtype=np.int8),
                    label_weights=clf.label_weights_,
                    n_epochs=clf.n_epochs_,
                )
                print(
                    f"{name} seed {seed}: {clf.n_epochs_} epochs, "
                    f"{time.perf_counter() - start:.0f} s",
                    flush=True,
                )
    finally:
        classifier_module.cross_fit = original


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=("record", "score"))
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--data", default=str(Path(__file__).parents[2] / "shared/data"))
    parser.add_argument("--scores", default="/tmp/sk_imbalance_scores")
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    args.datasets = args.datasets.split(",")
    args.seeds = [int(s) for s in args.seeds.split(",")]
    if args.step == "record":
        record(args)
    else:
        score(args)


def score(args):
    raise NotImplementedError("the score step follows")


if __name__ == "__main__":
    sys.exit(main())
