"""Demo: what per-label weights and tuned thresholds buy on the yeast data.

Run it right after installing the package::

    python -m sk_imbalance.demo             # the estimator's default settings
    python -m sk_imbalance.demo --epochs 10 # at most 10 epochs: quicker

It loads the copy of MULAN's standard yeast split shipped with the package
(1500 training and 917 test genes, 103 features, 14 labels; A. Elisseeff and
J. Weston, "A kernel method for multi-labelled classification", NIPS 2001),
standardises the features and fits three versions of the same network
(an MLP with 128 ReLU units and dropout 0.2, seed 0), then the estimator's
defaults, whose held-out folds blend three candidate networks, and prints one
table of scores on the test split:

- **plain**: ``class_weight=None, threshold=0.5``, the unweighted binary
  cross-entropy and the 0.5 cut-off a Keras user starts from;
- **weighted**: ``class_weight="balanced", threshold=0.5``;
- **weighted + tuned thresholds**: ``class_weight="balanced",
  threshold="tuned"`` (one threshold per label, tuned on 5-fold out-of-fold
  predictions; the 5 cross-fitted networks then predict together, their
  probabilities averaged);
- **defaults: candidates blended out of fold**: the same, with the default
  ``candidates`` (a linear model with weight decay, a wider, more
  dropped-out MLP and that MLP without class weights, trained together as
  one Keras model); greedy ensemble selection on the held-out folds chooses
  their blend.

Every model cross-fits 5 networks, trained together as one Keras model, and
stops training when the held-out folds' macro-F1 has not improved for
``patience`` epochs; the ``epochs`` column gives the epoch it kept.

Columns: macro-F1 (mean of the 14 per-label F1 scores, where rare labels count
as much as frequent ones), micro-F1, Hamming loss, mean number of labels
predicted per row (to compare with the true mean), the chosen epoch and fit
time in seconds. On a 2-core CPU the whole run takes well under a minute.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if __name__ == "__main__":  # a program of its own: hide TensorFlow's start-up lines
    from sk_imbalance._utils.startup import quiet_native_stderr

    _restore_stderr = quiet_native_stderr()

import argparse  # noqa: E402
import time  # noqa: E402

from sklearn.metrics import f1_score, hamming_loss  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sk_imbalance import WeightedMultiLabelClassifier  # noqa: E402
from sk_imbalance._nn.portfolio import DEFAULT_CANDIDATES
from sk_imbalance.datasets import load_yeast  # noqa: E402

__all__ = ["main", "run_comparison", "SETTINGS"]

#: The one network of the first three rows.
MLP = {"hidden_layer_sizes": (128,), "dropout": 0.2}
#: The networks the last row blends: the estimator's default candidates.
CANDIDATES = [c.name for c in DEFAULT_CANDIDATES]
#: (row name, constructor settings); everything else is the estimator's default.
SETTINGS = (
    # the network's own output cut at 0.5 (calibration=None), as plain Keras
    # and Keras's class weights give
    ("plain", {**MLP, "class_weight": None, "threshold": 0.5, "calibration": None}),
    (
        "weighted",
        {**MLP, "class_weight": "balanced", "threshold": 0.5, "calibration": None},
    ),
    (
        "weighted + tuned thresholds",
        {**MLP, "class_weight": "balanced", "threshold": "tuned"},
    ),
    ("defaults: candidates blended", {}),
)

CITATION = (
    'A. Elisseeff and J. Weston, "A kernel method for multi-labelled '
    'classification", NIPS 2001'
)

_DEFAULTS = WeightedMultiLabelClassifier().get_params()


def _parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m sk_imbalance.demo",
        description=(
            "Compare plain BCE at 0.5, balanced label weights at 0.5 and balanced "
            "weights with tuned per-label thresholds on MULAN's yeast split."
        ),
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=_DEFAULTS["epochs"],
        help="maximum training epochs of every model (default: the estimator's "
        f"default, {_DEFAULTS['epochs']})",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="random_state of every model (default: 0)"
    )
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error(f"--epochs must be at least 1, got {args.epochs}")
    return args


def run_comparison(epochs=_DEFAULTS["epochs"], seed=0, progress=None):
    """Fit the three models of the demo and score them on the test split.

    Parameters
    ----------
    epochs : int, default=the estimator's default
        Maximum training epochs of every model.
    seed : int, default=0
        ``random_state`` of every model.
    progress : callable, default=None
        Called with one line of text as each model starts and ends.

    Returns
    -------
    results : list of dict
        One dict per row of :data:`SETTINGS`, with keys ``name``, ``params``,
        ``macro_f1``, ``micro_f1``, ``hamming``, ``labels_per_row``,
        ``epochs`` (the epoch kept) and ``fit_seconds``.
    true_labels_per_row : float
        Mean number of true labels per test row.
    """
    X_train, Y_train = load_yeast("train", return_X_y=True)
    X_test, Y_test = load_yeast("test", return_X_y=True)
    results = []
    for name, params in SETTINGS:
        model = Pipeline(
            [
                ("scale", StandardScaler()),
                (
                    "clf",
                    WeightedMultiLabelClassifier(
                        **params, epochs=epochs, random_state=seed
                    ),
                ),
            ]
        )
        if progress:
            progress(f"  [{len(results) + 1}/{len(SETTINGS)}] {name} ...")
        start = time.perf_counter()
        model.fit(X_train, Y_train)
        fit_seconds = time.perf_counter() - start
        chosen = _chosen(model[-1])
        if progress:
            progress(
                f"        done in {fit_seconds:.1f} s, {chosen}, epoch "
                f"{model[-1].n_epochs_} kept"
            )
        Y_pred = model.predict(X_test)
        results.append(
            {
                "name": name,
                "params": params,
                "macro_f1": f1_score(Y_test, Y_pred, average="macro", zero_division=0),
                "micro_f1": f1_score(Y_test, Y_pred, average="micro", zero_division=0),
                "hamming": hamming_loss(Y_test, Y_pred),
                "labels_per_row": float(Y_pred.sum(axis=1).mean()),
                "epochs": int(model[-1].n_epochs_),
                "fit_seconds": fit_seconds,
                "network": chosen,
            }
        )
    return results, float(Y_test.sum(axis=1).mean())


def _chosen(clf):
    """The network that predicts, in words: a candidate's name, or a blend."""
    report = clf.candidates_
    picked = [
        f"{name} {weight:.1f}" if weight < 1 else name
        for name, weight in zip(report["name"], report["weight"], strict=True)
        if weight > 0
    ]
    return " + ".join(picked)


def _setting(params, key):
    return params.get(key, _DEFAULTS[key])


def format_table(results, true_labels_per_row):
    """The comparison as text: a header, one line per model, a footnote."""
    name_width = max(len("model"), *(len(r["name"]) for r in results))
    header = (
        f"{'model':<{name_width}}  {'class_weight':<12}  {'threshold':<9}  "
        f"{'macro-F1':>8}  {'micro-F1':>8}  {'Hamming':>7}  {'labels/row':>10}  "
        f"{'epochs':>6}  {'fit s':>6}"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        lines.append(
            f"{r['name']:<{name_width}}  "
            f"{str(_setting(r['params'], 'class_weight')):<12}  "
            f"{str(_setting(r['params'], 'threshold')):<9}  {r['macro_f1']:>8.3f}  "
            f"{r['micro_f1']:>8.3f}  {r['hamming']:>7.3f}  "
            f"{r['labels_per_row']:>10.2f}  {r['epochs']:>6d}  "
            f"{r['fit_seconds']:>6.1f}"
        )
    lines.append("-" * len(header))
    lines.append(
        f"{'true labels/row on the test split':<{len(header) - 26}}"
        f"{true_labels_per_row:>10.2f}"
    )
    return "\n".join(lines)


def interpret(results, true_labels_per_row):
    """One sentence computed from the numbers: tuned vs plain, best model."""
    by_name = {r["name"]: r for r in results}
    plain, tuned = by_name["plain"], by_name["weighted + tuned thresholds"]
    chosen = by_name["defaults: candidates blended"]
    gain = tuned["macro_f1"] - plain["macro_f1"]
    best = max(results, key=lambda r: r["macro_f1"])
    if abs(gain) < 0.005:
        verdict = "about the same macro-F1"
    else:
        verdict = f"{gain:+.3f}"
    return (
        f"Weighted + tuned thresholds: macro-F1 {tuned['macro_f1']:.3f} vs "
        f"{plain['macro_f1']:.3f} for plain BCE at 0.5 ({verdict}); micro-F1 "
        f"{tuned['micro_f1']:.3f} vs {plain['micro_f1']:.3f}; Hamming loss "
        f"{tuned['hamming']:.3f} vs {plain['hamming']:.3f}; "
        f"{tuned['labels_per_row']:.2f} vs {plain['labels_per_row']:.2f} labels "
        f"predicted per row (true {true_labels_per_row:.2f}). Of the "
        f"{len(CANDIDATES)} default candidates the held-out folds chose "
        f"{chosen['network']}: macro-F1 {chosen['macro_f1']:.3f}. Best macro-F1: "
        f"{best['name']}."
    )


def main(argv=None):
    """Run the demo and print the table; ``argv`` defaults to ``sys.argv[1:]``.

    Returns
    -------
    results : list of dict
        As :func:`run_comparison`.
    """
    args = _parse_args(argv)
    print(
        "sk_imbalance demo: yeast (MULAN standard split: 1500 train / 917 test "
        "genes, 103 features, 14 labels)"
    )
    print(f"Data: {CITATION}.")
    print(
        "Model: StandardScaler + WeightedMultiLabelClassifier, MLP "
        f"{MLP['hidden_layer_sizes']} (last row: the default {len(CANDIDATES)} "
        "candidates, blended out of fold), "
        f"at most {args.epochs} epochs, random_state={args.seed}. Scores on the "
        "test split."
    )
    n_folds = _DEFAULTS["cv"]
    print(
        f"Fitting {len(SETTINGS)} models (each trains {n_folds} cross-fit networks "
        "as one Keras model: their held-out folds choose the epoch and the tuned "
        "thresholds, then they predict together)...\n"
    )
    start = time.perf_counter()
    results, true_labels_per_row = run_comparison(
        epochs=args.epochs,
        seed=args.seed,
        progress=lambda line: print(line, flush=True),
    )
    total = time.perf_counter() - start
    print(format_table(results, true_labels_per_row))
    print()
    print(interpret(results, true_labels_per_row))
    print(f"Total time: {total:.0f} s.")
    return results


if __name__ == "__main__":
    try:
        main()
    finally:
        _restore_stderr()
