"""Prediction quality on real multi-label benchmarks: ours against common peers.

On MULAN's standard train/test splits of yeast, emotions, enron, bibtex and
tmc2007, every method is fitted on the train split and scored on the test split,
once per seed (three by default): macro-F1 (``zero_division=0``), micro-F1,
Hamming loss, mean labels predicted per row and fit+predict seconds, as the
mean over the seeds (and the standard deviation of macro-F1). Methods that draw
no random number (the logistic regressions) run once. Preprocessing is the same
for every method and depends only on the data: ``StandardScaler()`` in a
Pipeline on yeast and emotions (dense, continuous); the binary bag-of-words
features of enron, bibtex and tmc2007 are passed as they are, sparse CSR
(scaling 0/1 word indicators by their standard deviation blows rare words up
and lowered every method's macro-F1 in a trial run).

The peers: a plain Keras network with our default architecture (scikeras,
unweighted BCE, 0.5 cut-off), one-vs-rest balanced logistic regression, the
same with a tuned F1 threshold per label (not run on bibtex and tmc2007 by
default: 159 labels and 21,519 rows make its 5-fold search take too long;
``--all`` runs it there), and scikit-learn's MLPClassifier. The two neural
peers train a fixed ``PEER_EPOCHS`` (60) epochs (MLPClassifier's ``max_iter``,
no early stopping): the budget our estimator used before it chose its own, and
one a plain user would pick.
Our rows: the defaults (one-model cross-fit, epoch chosen on the held-out
folds, tuned thresholds); the same fitted model cut at 0.5, which isolates what
the tuned thresholds add; ``ensemble=False`` (tuned thresholds, one network
refitted on all the data); ``threshold=0.5`` (no tuning); 60 epochs without
early stopping (the previous fixed budget). The "oracle" row tunes thresholds
on the test split: a ceiling, not a result. After the table: the epochs our
defaults trained and kept per seed, and the margins of our mean macro- and
micro-F1 to the best peer of the run and to the best published result on each
split (from ``../shared/data/README.md``).

Run (the full default run, 5 data sets x 3 seeds, should take about 30
minutes on an idle 2-core CPU, longer when the cores are shared: an estimate
added up from one-seed runs of every method on each data set, not a timed full
run; tmc2007 takes about 40% of it, bibtex 35%):

    python benchmarks/quality.py [--datasets yeast,emotions,enron,bibtex,tmc2007]
        [--seeds 0,1,2] [--methods keras,ovr,tuned,mlp,ours,at05,noens,ours05,
        fixed60,oracle] [--epochs N] [--data ../shared/data] [--out table.md]

``--epochs N`` caps every epoch budget at N (ours' maximum, the 60 of the
fixed row and of the neural peers): for quick smoke runs.

Data (MULAN, repository tsoumakas/mulan, folder data/multi-label/); cite:

- yeast: A. Elisseeff and J. Weston, "A kernel method for multi-labelled
  classification", NIPS 2001.
- emotions: K. Trohidis, G. Tsoumakas, G. Kalliris, I. Vlahavas, "Multilabel
  Classification of Music into Emotions", ISMIR 2008.
- enron: MEKA datasets; UC Berkeley Enron Email Analysis Project.
- bibtex: I. Katakis, G. Tsoumakas, I. Vlahavas, "Multilabel Text
  Classification for Automated Tag Suggestion", ECML/PKDD 2008 Discovery
  Challenge.
- tmc2007: A. N. Srivastava, B. Zane-Ulman, "Discovering recurring anomalies in
  text reports regarding complex space systems", IEEE Aerospace Conference 2005.

Published best (Bogatinovski et al., "Comprehensive comparative study of
multi-label classification methods", Expert Systems with Applications, 2022;
the best of 26 methods on these splits).
"""

import argparse
import os
import re
import time
import warnings
from collections import Counter
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse  # noqa: E402
import tensorflow as tf  # noqa: E402
from _mulan import DATASETS, DEFAULT_DATA, load_split  # noqa: E402
from _report import run_header, write_markdown  # noqa: E402
from sklearn.base import BaseEstimator, ClassifierMixin, clone  # noqa: E402
from sklearn.ensemble import AdaBoostClassifier, RandomForestClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import f1_score, hamming_loss  # noqa: E402
from sklearn.model_selection import TunedThresholdClassifierCV  # noqa: E402
from sklearn.multiclass import OneVsRestClassifier  # noqa: E402
from sklearn.multioutput import MultiOutputClassifier  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402
from sklearn.svm import SVC, LinearSVC  # noqa: E402
from tensorflow.python.framework import config as tf_config  # noqa: E402

from sk_imbalance import WeightedMultiLabelClassifier, optimal_fbeta_threshold  # noqa: E402
from sk_imbalance._estimator.base import MLP_DEFAULTS

#: Best published (macro-F1, micro-F1) on these splits, ../shared/data/README.md.
PUBLISHED = {
    "yeast": (0.483, 0.682),
    "emotions": (0.698, 0.719),
    "enron": (0.229, 0.610),
    "bibtex": (0.340, 0.457),
    "tmc2007": (0.710, 0.792),
}
#: Epochs of the neural peers and of the "fixed60" row: our former fixed budget.
PEER_EPOCHS = 60
#: Methods left out of the default run on these data sets (too slow there).
SLOW = {"tuned": ("bibtex", "tmc2007")}
PEERS = ("keras", "ovr", "tuned", "mlp", "svc", "ada", "linsvc", "rf")
METHODS = {
    "keras": "plain Keras (scikeras, BCE, 0.5)",
    "ovr": "OvR LogisticRegression(balanced)",
    "tuned": "MultiOutput(TunedThresholdCV(LR balanced, f1))",
    "mlp": "MLPClassifier",
    "svc": "OvR SVC(rbf, balanced)",
    "ada": "OvR AdaBoost(200 stumps)",
    "linsvc": "OvR LinearSVC(balanced)",
    "rf": "RandomForest(300, balanced_subsample)",
    "ours": "ours (defaults)",
    "micro": "ours, scoring='f1_micro'",
    "at05": "ours, same fitted model, calibrated probabilities cut at 0.5",
    "raw05": "ours, same fitted model, the weighted network's own output cut at 0.5",
    "noens": "ours, ensemble=False (one network refitted on all data)",
    "ours05": "ours, threshold=0.5, calibration=None (no tuning)",
    "fixed60": "ours, 60 epochs, no early stopping",
    "oracle": "ours, oracle thresholds (test-tuned; ceiling, not a result)",
}
#: Short names of the peers, for the headline table.
SHORT = {
    "keras": "plain Keras",
    "ovr": "LR, balanced",
    "tuned": "LR, tuned thresholds",
    "mlp": "`MLPClassifier`",
    "svc": "RBF SVM, balanced",
    "ada": "AdaBoost stumps",
    "linsvc": "LinearSVC, balanced",
    "rf": "random forest",
}
#: Methods that draw no random number (AdaBoost's stumps only break ties with
#: theirs, fixed at 0): fitted once, whatever the seeds.
DETERMINISTIC = ("ovr", "tuned", "svc", "ada", "linsvc")
#: Methods computed from the fit of "ours" rather than fitted again.
FROM_OURS = ("at05", "raw05", "oracle")
#: The estimator's defaults, with the shape of its MLP candidate (what a user
#: gets by naming one network, and plain Keras's shape here).
DEFAULTS = {**WeightedMultiLabelClassifier().get_params(), **MLP_DEFAULTS}
SCALING = (
    "features: StandardScaler() in a Pipeline for every method on yeast and "
    "emotions; the 0/1 word features of enron, bibtex and tmc2007 passed "
    "unscaled as sparse CSR"
)


def slow_text():
    """The methods left out by default, and where, in words."""
    return "; ".join(f"{k} is left out on {', '.join(v)}" for k, v in SLOW.items())


class MajorityIfRare(ClassifierMixin, BaseEstimator):
    """Fit ``estimator`` on one label, or predict the majority class if rare.

    TunedThresholdClassifierCV (and LogisticRegression inside its CV folds)
    raises when a training fold holds a single class, as happens for enron's
    labels with 0 or 1 positive. Below ``min_count`` examples of either class
    this wrapper predicts the majority class (0 here) instead; ``fallback_``
    records it, so the script can report how many labels fell back.
    """

    def __init__(self, estimator, min_count=2):
        self.estimator = estimator
        self.min_count = min_count

    def fit(self, X, y):
        y = np.asarray(y).astype(int)
        self.classes_ = np.array([0, 1])
        counts = np.bincount(y, minlength=2)
        self.fallback_ = bool(counts.min() < self.min_count)
        if self.fallback_:
            self.constant_ = int(np.argmax(counts))
        else:
            self.estimator_ = clone(self.estimator).fit(X, y)
        return self

    def predict(self, X):
        if self.fallback_:
            return np.full(X.shape[0], self.constant_)
        return self.estimator_.predict(X)


def keras_mlp(meta, hidden_layer_sizes, activation, dropout):
    """Our default MLP (sk_imbalance._nn.builders.build_mlp), ending in a sigmoid."""
    model = keras.Sequential([keras.Input((meta["n_features_in_"],))])
    for units in hidden_layer_sizes:
        model.add(keras.layers.Dense(int(units), activation=activation))
        if dropout:
            model.add(keras.layers.Dropout(float(dropout)))
    # for a multilabel-indicator target scikeras's n_classes_ is the label count
    model.add(keras.layers.Dense(meta["n_classes_"], activation="sigmoid"))
    return model


def epochs_cap(cap, which):
    """Epoch budget of ``which`` ("ours" or "peer") under the ``--epochs`` cap."""
    budget = DEFAULTS["epochs"] if which == "ours" else PEER_EPOCHS
    return budget if cap is None else min(budget, cap)


def make_estimator(key, seed, epochs, sparse):
    """The pipeline of method ``key``; ``epochs`` caps every epoch budget."""
    peer_epochs = epochs_cap(epochs, "peer")
    ours_epochs = epochs_cap(epochs, "ours")
    from scikeras.wrappers import KerasClassifier

    lr = LogisticRegression(class_weight="balanced", max_iter=2000)
    if key == "keras":
        final = KerasClassifier(
            model=keras_mlp,
            model__hidden_layer_sizes=tuple(DEFAULTS["hidden_layer_sizes"]),
            model__activation=DEFAULTS["activation"],
            model__dropout=DEFAULTS["dropout"],
            optimizer=DEFAULTS["optimizer"],
            optimizer__learning_rate=DEFAULTS["learning_rate"],
            loss="binary_crossentropy",
            epochs=peer_epochs,
            batch_size=DEFAULTS["batch_size"],
            random_state=seed,
            verbose=0,
        )
    elif key == "ovr":
        final = OneVsRestClassifier(lr)
    elif key == "tuned":
        final = MultiOutputClassifier(
            MajorityIfRare(TunedThresholdClassifierCV(lr, scoring="f1"))
        )
    elif key == "mlp":
        final = MLPClassifier(
            hidden_layer_sizes=tuple(DEFAULTS["hidden_layer_sizes"]),
            max_iter=peer_epochs,
            random_state=seed,
            early_stopping=False,
        )
    elif key == "svc":
        final = OneVsRestClassifier(SVC(kernel="rbf", class_weight="balanced"))
    elif key == "ada":
        final = OneVsRestClassifier(
            AdaBoostClassifier(n_estimators=200, random_state=0)
        )
    elif key == "linsvc":
        final = OneVsRestClassifier(LinearSVC(class_weight="balanced", random_state=0))
    elif key == "rf":
        final = RandomForestClassifier(
            n_estimators=300, class_weight="balanced_subsample", random_state=seed
        )
    elif key == "ours":
        final = WeightedMultiLabelClassifier(epochs=ours_epochs, random_state=seed)
    elif key == "micro":
        final = WeightedMultiLabelClassifier(
            epochs=ours_epochs, scoring="f1_micro", random_state=seed
        )
    elif key == "noens":
        final = WeightedMultiLabelClassifier(
            epochs=ours_epochs, ensemble=False, random_state=seed
        )
    elif key == "ours05":
        final = WeightedMultiLabelClassifier(
            epochs=ours_epochs, threshold=0.5, calibration=None, random_state=seed
        )
    elif key == "fixed60":
        final = WeightedMultiLabelClassifier(
            epochs=peer_epochs, patience=None, random_state=seed
        )
    scaler = [] if sparse else [StandardScaler()]  # binary words: no scaling
    return make_pipeline(*scaler, final)


def predict_from_ours(key, model, X_test, Y_test):
    """Predictions of the fitted default model with other thresholds.

    "at05": every label's calibrated probability cut at 0.5. "raw05": the
    weighted network's own output cut at 0.5 (its logit at 0), the cut-off
    class weights alone give. "oracle": per-label F1-optimal thresholds chosen
    on the test split itself (labels without a test positive keep the model's).
    Returns (Y_pred, proba).
    """
    proba = model.predict_proba(X_test)
    thresholds = np.full(proba.shape[1], 0.5)
    if key == "raw05":
        clf = model[-1]
        # the calibration map sigma(a z + b) at the network's logit z = 0
        thresholds = 1.0 / (1.0 + np.exp(-clf.calibration_intercept_))
    if key == "oracle":
        thresholds = model[-1].thresholds_.copy()
        for j in np.flatnonzero(Y_test.sum(axis=0) > 0):
            thresholds[j] = optimal_fbeta_threshold(Y_test[:, j], proba[:, j])[0]
    return (proba >= thresholds).astype(int), proba


def probabilities(model, X_test):
    """(n, m) positive-class probabilities, or None without predict_proba."""
    if not hasattr(model, "predict_proba"):
        return None
    try:
        proba = model.predict_proba(X_test)
    except (AttributeError, NotImplementedError):
        return None
    if isinstance(proba, list):  # one (n, n_classes) array per label
        # a label with one class in training has one column
        classes = model[-1].classes_
        proba = np.column_stack(
            [
                p[:, list(c).index(1)] if 1 in c else np.zeros(len(p))
                for p, c in zip(proba, classes, strict=True)
            ]
        )
    proba = np.asarray(proba, dtype=np.float64)
    return proba if proba.ndim == 2 else None


def run_method(key, seed, epochs, X_train, Y_train, X_test):
    """Fit and predict one method; return (model, Y_pred, seconds)."""
    start = time.perf_counter()
    # scikeras 0.13 sets TF_DETERMINISTIC_OPS=1 and then asks TF whether op
    # determinism is on; if nothing asked before, TF reads that variable, says
    # yes, and scikeras leaves determinism on after a seeded fit (checked), which
    # can break later unseeded TF code. Asking here first avoids that; scikeras
    # also runs last in each data set, and determinism is switched off again
    # below only if scikeras turned it on.
    was_deterministic = tf_config.is_op_determinism_enabled()
    sparse = scipy.sparse.issparse(X_train)
    model = make_estimator(key, seed, epochs, sparse).fit(X_train, Y_train)
    Y_pred = np.asarray(model.predict(X_test)).astype(int)
    proba = probabilities(model, X_test)
    if key == "keras" and not was_deterministic:
        if tf_config.is_op_determinism_enabled():
            print("note: scikeras left TF op determinism on; disabled it again")
            tf_config.disable_op_determinism()
    return model, Y_pred, proba, time.perf_counter() - start


def ece(Y, P, bins=15):
    """Expected calibration error over all (row, label) pairs, 15 equal bins."""
    P, Y = P.ravel(), Y.ravel()
    index = np.minimum((P * bins).astype(int), bins - 1)
    gap = np.abs(
        np.bincount(index, P, minlength=bins) - np.bincount(index, Y, minlength=bins)
    )
    return float(gap.sum() / P.size)


def scores(Y_test, Y_pred, proba, seconds):
    has_proba = proba is not None and proba.shape == Y_test.shape
    return {
        "brier": float(np.mean((proba - Y_test) ** 2)) if has_proba else np.nan,
        "ece": ece(Y_test, proba) if has_proba else np.nan,
        "macro": f1_score(Y_test, Y_pred, average="macro", zero_division=0),
        "micro": f1_score(Y_test, Y_pred, average="micro", zero_division=0),
        "hamming": hamming_loss(Y_test, Y_pred),
        "per_row": Y_pred.sum(axis=1).mean(),
        "seconds": seconds,
    }


def run_seed(name, seed, args, methods, data, warning_counts):
    """Fit and score every method for one seed; return {method: scores}."""
    X_train, Y_train, X_test, Y_test = data
    # scikeras runs last (see run_method); "at05" and "oracle" reuse "ours"
    order = [k for k in METHODS if k in methods and k not in ("keras", *FROM_OURS)]
    if any(k in methods for k in FROM_OURS) and "ours" not in order:
        order.append("ours")
    order += [k for k in (*FROM_OURS, "keras") if k in methods]
    results, fitted = {}, {}
    for key in order:
        print(f"[{name}, seed {seed}] {METHODS[key]} ...", flush=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if key in FROM_OURS:
                start = time.perf_counter()
                Y_pred, proba = predict_from_ours(key, fitted["ours"], X_test, Y_test)
                seconds = results["ours"]["seconds"] + time.perf_counter() - start
            else:
                fitted[key], Y_pred, proba, seconds = run_method(
                    key, seed, args.epochs, X_train, Y_train, X_test
                )
        for w in caught:
            message = re.sub(r"\d+", "#", str(w.message).splitlines()[0])[:110]
            warning_counts[(name, key, w.category.__name__, message)] += 1
        results[key] = scores(Y_test, Y_pred, proba, seconds)
    return results, fitted


def evaluate(name, args, methods, warning_counts):
    """Run the methods on one data set over the seeds; return rows and notes."""
    X_train, Y_train = load_split(args.data, name, "train")
    X_test, Y_test = load_split(args.data, name, "test")
    data = (X_train, Y_train, X_test, Y_test)
    per_seed = {}  # method -> list of score dicts, one per seed it ran
    notes = []
    skipped = [k for k in methods if name in SLOW.get(k, ()) and not args.all]
    if skipped:
        notes.append(
            f"{name}: {', '.join(METHODS[k] for k in skipped)} not run (too slow "
            "here; --all runs it)"
        )
    methods = [k for k in methods if k not in skipped]
    epochs = []  # (trained, kept) of ours per seed
    for index, seed in enumerate(args.seeds):
        todo = [k for k in methods if index == 0 or k not in DETERMINISTIC]
        results, fitted = run_seed(name, seed, args, todo, data, warning_counts)
        for key, result in results.items():
            per_seed.setdefault(key, []).append(result)
        if "ours" in fitted:
            clf = fitted["ours"][-1]
            epochs.append((len(clf.history_["loss"]), clf.n_epochs_))
        if "tuned" in fitted:
            n_fallback = sum(e.fallback_ for e in fitted["tuned"][-1].estimators_)
            notes.append(
                f"{name}: TunedThresholdCV fell back to a constant on "
                f"{n_fallback} label(s)"
            )
    pos_train, pos_test = Y_train.sum(axis=0), Y_test.sum(axis=0)
    notes.insert(
        0,
        f"{name}: {X_train.shape[0]}/{X_test.shape[0]} rows, {X_train.shape[1]} "
        f"features, {Y_train.shape[1]} labels; labels with 0 train positives: "
        f"{int((pos_train == 0).sum())}, < 5: {int((pos_train < 5).sum())}; "
        f"with 0 test positives: {int((pos_test == 0).sum())}",
    )
    for other in ("at05", "raw05", "oracle"):
        if "ours" not in per_seed or other not in per_seed:
            continue
        pairs = list(zip(per_seed["ours"], per_seed[other], strict=True))
        if other == "oracle":
            ratios = [t["macro"] / o["macro"] for t, o in pairs]
            notes.append(
                f"{name}: macro-F1 of ours / the test oracle's, per seed: "
                f"{', '.join(f'{r:.3f}' for r in ratios)} (mean {np.mean(ratios):.3f})"
            )
            continue
        gains = [t["macro"] - h["macro"] for t, h in pairs]
        notes.append(
            f"{name}: macro-F1 of tuned thresholds minus {METHODS[other]}, per "
            f"seed: {', '.join(f'{g:+.3f}' for g in gains)} (mean "
            f"{np.mean(gains):+.4f})"
        )
    if "keras" in per_seed and "ours" in per_seed:
        briers = [np.mean([r["brier"] for r in per_seed[k]]) for k in ("ours", "keras")]
        notes.append(
            f"{name}: mean per-label Brier score of predict_proba, ours minus plain "
            f"Keras (unweighted, same architecture): {briers[0]:.4f} - "
            f"{briers[1]:.4f} = {briers[0] - briers[1]:+.4f}"
        )
    if epochs:
        trained, kept = [t for t, _ in epochs], [k for _, k in epochs]
        notes.append(
            f"{name}: ours (defaults) kept epoch {kept} per seed (mean "
            f"{np.mean(kept):.1f}), after training {trained} epochs (mean "
            f"{np.mean(trained):.1f}; at most {epochs_cap(args.epochs, 'ours')})"
        )
    if "ours" in per_seed:
        ours_macro, ours_micro = (
            np.mean([r[m] for r in per_seed["ours"]]) for m in ("macro", "micro")
        )
        micro_key = "micro" if "micro" in per_seed else "ours"
        ours_micro = np.mean([r["micro"] for r in per_seed[micro_key]])
        peers = [k for k in PEERS if k in per_seed]
        for metric, label, ours_mean in (
            ("macro", "macro-F1", ours_macro),
            ("micro", f"micro-F1 [{METHODS[micro_key]}]", ours_micro),
        ):
            if not peers:
                break
            mean = {k: np.mean([r[metric] for r in per_seed[k]]) for k in peers}
            best = max(peers, key=mean.get)
            notes.append(
                f"{name}: ours minus the best peer of this run by mean {label} "
                f"({METHODS[best]}): {ours_mean:.3f} - {mean[best]:.3f} = "
                f"{ours_mean - mean[best]:+.3f}"
            )
        published_macro, published_micro = PUBLISHED[name]
        notes.append(
            f"{name}: ours minus the best published result, macro-F1 "
            f"{ours_macro:.3f} - {published_macro:.3f} = "
            f"{ours_macro - published_macro:+.3f}; micro-F1 [{METHODS[micro_key]}] "
            f"{ours_micro:.3f} - "
            f"{published_micro:.3f} = {ours_micro - published_micro:+.3f}"
        )
    true_per_row = Y_test.sum(axis=1).mean()
    rows = [
        f"| {name} | *true labels (test split)* | | | | | {true_per_row:.2f} | | | |"
    ]
    for key in (k for k in METHODS if k in methods and k in per_seed):
        runs = per_seed[key]
        mean = {m: float(np.mean([r[m] for r in runs])) for m in runs[0]}
        if key in DETERMINISTIC:
            spread = "(deterministic)"
        elif len(runs) > 1:
            spread = f"{np.std([r['macro'] for r in runs]):.3f}"
        else:
            spread = "(one seed)"
        rows.append(
            f"| {name} | {METHODS[key]} | {mean['macro']:.3f} | {spread} | "
            f"{mean['micro']:.3f} | {mean['hamming']:.4f} | {mean['per_row']:.2f} "
            f"| {_num(mean['brier'], 4)} | {_num(mean['ece'], 4)} "
            f"| {mean['seconds']:.1f} |"
        )
    means = {k: float(np.mean([r["macro"] for r in v])) for k, v in per_seed.items()}
    return rows, notes, means


def headline_table(means):
    """Macro-F1 of plain Keras, the best classical peer and ours, per data set.

    The README's headline table, copied from the file ``--out`` writes.
    """
    lines = [
        "Headline: test macro-F1, mean over the seeds (the README's table).",
        "",
        "| data set | plain Keras, BCE, 0.5 | best classical peer | "
        "**ours, defaults** |",
        "|---|---|---|---|",
    ]
    for name, mean in means.items():
        classical = [k for k in PEERS if k != "keras" and k in mean]
        cells = [_num(mean.get("keras", np.nan), 3), ""]
        if classical:
            best = max(classical, key=mean.get)
            cells[1] = f"{mean[best]:.3f} ({SHORT[best]})"
        ours = _num(mean.get("ours", np.nan), 3)
        lines.append(f"| {name} | {cells[0]} | {cells[1]} | **{ours}** |")
    return "\n".join(lines)


def reused_peers(path):
    """Peer rows of an earlier ``--out`` file: ``{data set: {key: (row, macro)}}``.

    Only methods of :data:`PEERS`; their rows are kept as written, the method
    marked "(reused)" once (rows an earlier run already reused are read too).
    For a run that changes only our estimator: the peers are deterministic or
    seeded, so rerunning them (about an hour of RBF SVM and AdaBoost on
    tmc2007 and bibtex) would reproduce the same numbers.
    """
    by_label = {label: key for key, label in METHODS.items() if key in PEERS}
    found = {}
    for line in Path(path).read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 10:
            continue
        cells[1] = cells[1].removesuffix(" (reused)")
        if cells[1] not in by_label:
            continue
        key = by_label[cells[1]]
        cells[1] += " (reused)"
        found.setdefault(cells[0], {})[key] = (
            "| " + " | ".join(cells) + " |",
            float(cells[2]),
        )
    return found


def _num(value, digits):
    return "" if np.isnan(value) else f"{value:.{digits}f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data",
        default=str(DEFAULT_DATA),
        help="folder with one subfolder per data set (default: %(default)s)",
    )
    parser.add_argument(
        "--datasets",
        default=",".join(DATASETS),
        help="comma-separated (default: %(default)s)",
    )
    parser.add_argument(
        "--methods",
        default=",".join(METHODS),
        help="comma-separated, from: "
        + "; ".join(f"{k} = {v}" for k, v in METHODS.items())
        + f" (default: all; {slow_text()})",
    )
    parser.add_argument(
        "--seeds",
        type=lambda text: [int(v) for v in text.split(",")],
        default=[0, 1, 2],
        help="comma-separated seeds (default: %(default)s)",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help=f"cap on every epoch budget, for smoke runs: ours' maximum "
        f"({DEFAULTS['epochs']}), and the {PEER_EPOCHS} epochs of the fixed60 row, "
        "of plain Keras and of MLPClassifier's max_iter (default: no cap)",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help=f"also run the methods left out by default ({slow_text()})",
    )
    parser.add_argument("--out", help="also write the Markdown table here")
    parser.add_argument(
        "--reuse-peers",
        metavar="FILE",
        help="an earlier --out file: its rows of the peers not run now join the "
        "tables, marked '(reused)'",
    )
    args = parser.parse_args(argv)
    datasets = args.datasets.split(",")
    methods = args.methods.split(",")
    unknown = set(datasets) - set(DATASETS) | set(methods) - set(METHODS)
    if unknown:
        parser.error(f"unknown data set(s) or method(s): {sorted(unknown)}")

    import scikeras

    header = run_header(tensorflow=tf.__version__, scikeras=scikeras.__version__)
    print("\n".join(header))
    settings = (
        f"- settings: seeds {args.seeds}; ours: at most {DEFAULTS['epochs']} epochs, "
        f"patience {DEFAULTS['patience']}; neural peers and fixed row: {PEER_EPOCHS} "
        f"epochs; epoch cap {args.epochs}; {SCALING}"
    )
    print(settings + "\n", flush=True)
    total = time.perf_counter()
    warning_counts = Counter()
    lines = [
        "| dataset | method | macro-F1 | sd | micro-F1 | Hamming loss | labels/row "
        "| Brier | ECE | fit+predict s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    notes, means = [], {}
    reused = reused_peers(args.reuse_peers) if args.reuse_peers else {}
    if reused:
        settings += f"; peers not run now reused from `{args.reuse_peers}`"
    for name in datasets:
        rows, dataset_notes, means[name] = evaluate(name, args, methods, warning_counts)
        for key, (row, macro) in reused.get(name, {}).items():
            if key not in means[name]:
                rows.append(row)
                means[name][key] = macro
        lines += rows
        notes += dataset_notes
    footer = [
        "",
        f"Test-split scores, mean over seeds {args.seeds} (sd: standard "
        "deviation of macro-F1 over them); fit on the train split. The 'same "
        "fitted model' and oracle rows reuse the fit of 'ours (defaults)': their "
        "time is that fit's plus their own predict. Brier: mean over labels of "
        "the per-label Brier score of predict_proba; ECE: expected calibration "
        "error over all (row, label) pairs, 15 equal-width bins; blank where a "
        "method has no multi-label predict_proba.",
        f"{SCALING[0].upper()}{SCALING[1:]}.",
        "Best published macro-F1 / micro-F1 on these splits (Bogatinovski et al. "
        "2022): "
        + "; ".join(f"{k} {a:.3f} / {b:.3f}" for k, (a, b) in PUBLISHED.items())
        + ".",
    ]
    table = "\n".join(lines + footer)
    headline = headline_table(means)
    print("\n" + headline + "\n\n" + table + "\n")
    print("\n".join(notes))
    if warning_counts:
        print("\nwarnings (digits shown as #), count per data set and method:")
        for (name, key, category, message), count in sorted(warning_counts.items()):
            print(f"  {name}/{key}: {count}x {category}: {message}")
    print(f"\ntotal runtime: {time.perf_counter() - total:.0f} s")
    write_markdown(
        args.out,
        [*header, settings],
        headline,
        table,
        "Per data set:\n\n" + "\n".join(f"- {note}" for note in notes),
        f"Total runtime: {time.perf_counter() - total:.0f} s.",
    )


if __name__ == "__main__":
    main()
