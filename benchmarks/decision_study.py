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
from _mulan import DATASETS, DEFAULT_DATA, load_split  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import sk_imbalance._estimator.multilabel as classifier_module  # noqa: E402
from sk_imbalance import WeightedMultiLabelClassifier  # noqa: E402
from sk_imbalance._decisions.calibration import (
    apply_calibration,
    fit_platt,
    prior_shift,
)
from sk_imbalance._decisions.thresholds import (
    MIN_POSITIVES,
    best_cutoffs,
    tune_thresholds,
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
            X, Y = load_split(args.data, name, "train")
            X_test, Y_test = load_split(args.data, name, "test")
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
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--scores", default="/tmp/sk_imbalance_scores")
    parser.add_argument("--out", default=None)
    parser.add_argument("--calibration", default="platt10")
    args = parser.parse_args(argv)
    args.datasets = args.datasets.split(",")
    args.seeds = [int(s) for s in args.seeds.split(",")]
    if args.step == "record":
        record(args)
    else:
        score(args)


def logit(P):
    P = np.clip(np.asarray(P, dtype=np.float64), 1e-7, 1 - 1e-7)
    return np.log(P) - np.log1p(-P)


def brier(Y, P):
    """Mean over labels of the per-label Brier score."""
    return float(np.mean((P - Y) ** 2))


def ece(Y, P, bins=15):
    """Expected calibration error over all (row, label) pairs, equal-width bins."""
    P, Y = P.ravel(), Y.ravel()
    index = np.minimum((P * bins).astype(int), bins - 1)
    count = np.bincount(index, minlength=bins)
    gap = np.abs(
        np.bincount(index, P, minlength=bins) - np.bincount(index, Y, minlength=bins)
    )
    return float(gap.sum() / max(count.sum(), 1))


CALIBRATIONS = {
    "raw": None,
    "shift": np.inf,
    "platt1": 1.0,
    "platt10": 10.0,
    "platt100": 100.0,
    "platt0": 0.0,
}


def calibrate(saved, strength):
    """(oof, test) probabilities under one calibration; raw when None."""
    oof, test = saved["oof"].astype(np.float64), saved["test"].astype(np.float64)
    if strength is None:
        return oof, test
    offset = prior_shift(saved["label_weights"])
    slope, intercept = fit_platt(logit(oof), saved["Y"], offset, strength=strength)
    return (
        apply_calibration(logit(oof), slope, intercept),
        apply_calibration(logit(test), slope, intercept),
    )


#: Pseudo-counts of the shrinkage compared (the estimator's default: 100).
SHRINKAGES = (0, 10, 30, 100, 300, 1000)


def rules(Y, oof, raw_oof, beta=1.0):
    """Candidate per-label threshold rules: name -> (scale, function).

    "raw" rules run on the weighted network's own probabilities (anchor: its
    0.5, the calibrated prior); "cal" rules on the calibrated ones.
    """
    _, best_f = best_cutoffs(Y, oof, beta)
    n_pos = Y.sum(axis=0)
    micro_t, micro_f = best_cutoffs(Y.reshape(-1, 1), oof.reshape(-1, 1), beta)
    fstar_anchor = np.where(n_pos >= MIN_POSITIVES, best_f / 2, micro_f[0] / 2)
    found = {}
    for k in SHRINKAGES:
        found[f"network's 0.5 anchor, k={k}"] = (
            "raw",
            lambda k=k: tune_thresholds(Y, raw_oof, shrinkage=k),
        )
    found["anchor F*/2 (calibrated), k=100"] = (
        "cal",
        lambda: tune_thresholds(Y, oof, default=fstar_anchor, shrinkage=100),
    )
    found["anchor micro F*/2 (calibrated), k=100"] = (
        "cal",
        lambda: tune_thresholds(Y, oof, default=micro_f[0] / 2, shrinkage=100),
    )
    found["anchor 0.5 (calibrated), k=100"] = (
        "cal",
        lambda: tune_thresholds(Y, oof, shrinkage=100),
    )
    found["exact optimum, no cap, no gate"] = (
        "cal",
        lambda: best_cutoffs(Y, oof, beta)[0],
    )
    found["one common cut-off (micro optimum)"] = (
        "cal",
        lambda: np.full(Y.shape[1], micro_t[0]),
    )
    return found


def split_half_transfer(Y, P, seed, repeats=10):
    """How much of a test oracle survives a fresh sample of the same size.

    The test rows are cut in two halves; each half's per-label oracle
    thresholds are judged on the other half and divided by the other half's
    own oracle macro-F1. Mean over both directions and ``repeats`` cuts: an
    estimate of the ratio to the oracle that even perfect tuning on a sample of
    half the test split's size reaches, which bounds what a rule can show
    against an oracle that chose its thresholds on the very rows it is scored
    on.
    """
    rng = np.random.default_rng(seed)
    ratios = []
    for _ in range(repeats):
        order = rng.permutation(Y.shape[0])
        halves = np.array_split(order, 2)
        for a, b in (halves, halves[::-1]):
            chosen = best_cutoffs(Y[a], P[a])[0]
            own = best_cutoffs(Y[b], P[b])[0]
            moved = f1_score(Y[b], P[b] >= chosen, average="macro", zero_division=0)
            ideal = f1_score(Y[b], P[b] >= own, average="macro", zero_division=0)
            ratios.append(moved / ideal)
    return float(np.mean(ratios))


def f1s(Y, Y_pred):
    return (
        f1_score(Y, Y_pred, average="macro", zero_division=0),
        f1_score(Y, Y_pred, average="micro", zero_division=0),
        f1_score(Y, Y_pred, average="samples", zero_division=0),
    )


def score(args):
    folder = Path(args.scores)
    lines = []

    def emit(text=""):
        print(text, flush=True)
        lines.append(text)

    emit("## Calibration (test split; mean over seeds, ± standard deviation)\n")
    emit("| data set | map | Brier | ECE |")
    emit("|---|---|---:|---:|")
    rule_rows = {}
    for name in args.datasets:
        results = {}
        for seed in args.seeds:
            saved = dict(np.load(folder / f"{name}_{seed}.npz"))
            Y, Y_test = saved["Y"], saved["Y_test"]
            held = saved["held"]
            saved["oof"], saved["Y"] = saved["oof"][held], Y[held]
            Y = saved["Y"]
            for cal, strength in CALIBRATIONS.items():
                oof, test = calibrate(saved, strength)
                results.setdefault(("cal", cal), []).append(
                    (brier(Y_test, test), ece(Y_test, test))
                )
                if cal not in ("raw", args.calibration):
                    continue
                raw_oof, raw_test = saved["oof"], saved["test"]
                oracle_t = best_cutoffs(Y_test, test)[0]
                oracle = f1s(Y_test, test >= oracle_t)[0]
                if cal == "raw":
                    at05 = f1s(Y_test, raw_test >= 0.5)
                    results.setdefault(("rule", "raw 0.5 cut-off"), []).append(
                        (*at05, at05[0] / oracle)
                    )
                    continue
                for rule, (scale, fn) in rules(Y, oof, raw_oof).items():
                    t = fn()
                    pred = (raw_test if scale == "raw" else test) >= t
                    f = f1s(Y_test, pred)
                    results.setdefault(("rule", rule), []).append((*f, f[0] / oracle))
                results.setdefault(("rule", "oracle (test-tuned)"), []).append(
                    (oracle, np.nan, np.nan, 1.0)
                )
                results.setdefault(("rule", "split-half oracle transfer"), []).append(
                    (np.nan, np.nan, np.nan, split_half_transfer(Y_test, test, seed))
                )
        for (kind, key), values in results.items():
            values = np.array(values)
            if kind == "cal":
                emit(
                    f"| {name} | {key} | {values[:, 0].mean():.4f} ± "
                    f"{values[:, 0].std():.4f} | {values[:, 1].mean():.4f} |"
                )
            else:
                rule_rows.setdefault(key, []).append((name, values))
    emit(f"\n## Threshold rules on the '{args.calibration}' scale (test split)\n")
    emit("| rule | data set | macro-F1 | micro-F1 | per-row F1 | / oracle |")
    emit("|---|---|---:|---:|---:|---:|")
    for rule, per_data in rule_rows.items():
        for name, values in per_data:
            emit(
                f"| {rule} | {name} | {values[:, 0].mean():.4f} ± "
                f"{values[:, 0].std():.4f} | {values[:, 1].mean():.4f} | "
                f"{values[:, 2].mean():.4f} | {values[:, 3].mean():.3f} |"
            )
        emit(
            f"| {rule} | **mean** | "
            f"{np.mean([v[:, 0].mean() for _, v in per_data]):.4f}"
            f" | | | {np.mean([v[:, 3].mean() for _, v in per_data]):.3f} |"
        )
    if args.out:
        Path(args.out).write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
