"""
What the held-out folds decided: epoch, thresholds, calibration, weights
========================================================================

A fitted :class:`~sk_imbalance.WeightedMultiLabelClassifier` keeps what its
cross-fit decided on rows its networks never trained on. This example
draws it, on MULAN's yeast split (Elisseeff & Weston, NIPS 2001; shipped
with the package):

1. the out-of-fold curve that chose the epoch (``history_``,
   ``n_epochs_``), and the candidate networks that were blended;
2. per-label precision-recall curves on the test split, with each label's
   tuned threshold marked (:func:`sk_imbalance.report.plot_precision_recall`);
3. a reliability diagram: the calibrated ``predict_proba`` against the
   weighted network's own output (``calibration=None``), whose class
   weights push every probability up;
4. what the class weights and the tuned thresholds each add to macro-F1.

Run it with ``python examples/plot_diagnostics.py`` (about a minute on a
2-core CPU: four fits), or ``--epochs 5`` for a quick run. It needs
matplotlib (``pip install "sk_imbalance[plot]"``). The documentation builds
this page with the defaults: its numbers are a real run, seed 0.
"""

import argparse
import itertools

import matplotlib.pyplot as plt
import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_imbalance import WeightedMultiLabelClassifier
from sk_imbalance.datasets import load_yeast
from sk_imbalance.report import plot_precision_recall

parser = argparse.ArgumentParser(
    description="Diagnostics on yeast."
)
parser.add_argument(
    "--epochs",
    type=int,
    default=100,
    help="at most (default: 100)",
)
args, _ = parser.parse_known_args()

train = load_yeast("train")
X_train, Y_train = train.data, train.target
X_test, Y_test = load_yeast("test", return_X_y=True)


def fit(**params):
    """Standardise, then the estimator with ``params``; seeded."""
    clf = WeightedMultiLabelClassifier(
        epochs=args.epochs, random_state=0, **params
    )
    return make_pipeline(StandardScaler(), clf).fit(
        X_train, Y_train
    )


model = fit()
clf = model[-1]

# %%
# The candidates, and the blend that predicts
# -------------------------------------------
# By default three candidate networks train side by side on the same
# folds, each keeping its own best epoch; their out-of-fold scores then
# choose weights for a blend (:ref:`candidates`). ``candidates_`` holds the
# outcome; :func:`~sk_imbalance.report.candidates_table` prints it as a
# table, with each candidate's settings.

report = clf.candidates_
print("candidate       macro-F1 (oof)  epoch  weight")
for i, name in enumerate(report["name"]):
    print(
        f"{name:<15} {report['oof_score'][i]:>14.4f} "
        f"{report['n_epochs'][i]:>6} {report['weight'][i]:>7.2f}"
    )

# %%
# The out-of-fold curve that chose the epoch
# ------------------------------------------
# After every epoch each of the 5 cross-fit heads scores the rows it held
# out, and the thresholds are re-tuned on those scores: the top curve is
# the macro-F1 that ``predict`` would get, measured on unseen rows, for the
# candidate with the largest weight in the blend. A candidate stops
# training ``patience`` (10) epochs after its best, or at ``epochs``.
#
# The bottom curve is the weighted training loss, the mean over every
# network still training. It keeps falling after the out-of-fold score
# peaks, which is why the loss is not what is monitored. When a candidate
# stops (dotted lines), the mean is taken over fewer networks from the
# next epoch, so the curve steps up or down: a change in what is averaged,
# not in training. The plot breaks the line there.

loss = np.asarray(clf.history_["loss"])
n_trained = len(loss)
names, kept = clf.candidates_["name"], clf.candidates_["n_epochs"]
stops = {  # the last epoch each candidate trained
    name: min(epoch + clf.patience, n_trained)
    for name, epoch in zip(names, kept, strict=True)
}
heaviest = names[int(np.argmax(clf.candidates_["weight"]))]

fig, (ax, loss_ax) = plt.subplots(
    2, 1, figsize=(6.4, 5), sharex=True
)
oof = clf.history_["oof_score"]
ax.plot(np.arange(1, len(oof) + 1), oof, color="tab:blue")
ax.axvline(clf.n_epochs_, color="grey", linestyle="--")
ax.annotate(
    " epoch kept",
    (clf.n_epochs_, 0.05),
    xycoords=("data", "axes fraction"),
    color="grey",
)
ax.set_ylabel("out-of-fold macro-F1")
ax.set_title(f"{heaviest} (largest weight in the blend)")

bounds = sorted({0, n_trained, *stops.values()})
for start, end in itertools.pairwise(
    bounds
):  # one line per stretch
    epochs = np.arange(start + 1, end + 1)
    loss_ax.plot(epochs, loss[start:end], color="tab:orange")
for name, stop in stops.items():
    if stop < n_trained:
        loss_ax.axvline(stop + 0.5, color="grey", linestyle=":")
        loss_ax.annotate(
            f"{name} stops ",
            (stop + 0.5, 0.95),
            xycoords=("data", "axes fraction"),
            ha="right",
            va="top",
            fontsize="small",
            color="grey",
        )
loss_ax.set_xlabel("epoch")
loss_ax.set_ylabel("weighted training loss\n(mean over networks)")
fig.tight_layout()
plt.show()

# %%
# Precision-recall per label, with the tuned thresholds
# -----------------------------------------------------
# Each dot is a label's tuned threshold applied to the test split. Rare
# labels get low thresholds that trade precision for recall, which is what
# macro-F1 rewards; their curves run low, since few of the genes flagged
# carry the label.

fig, ax = plt.subplots(figsize=(7.5, 4.5), layout="constrained")
# the estimator sees the scaled rows
X_test_scaled = model[0].transform(X_test)
plot_precision_recall(
    clf, X_test_scaled, Y_test, labels=[0, 3, 8, 10, 12], ax=ax
)
ax.set_title("yeast test split: five labels")
plt.show()

# %%
# Calibration: the weights' shift, undone out of fold
# ---------------------------------------------------
# Balanced weights train the network on odds shifted toward the positives;
# its own output over-predicts every rare label. ``predict_proba`` maps
# each label's logit back with a Platt map fitted on the out-of-fold
# logits: its points lie near the diagonal.

raw = fit(calibration=None)
fig, ax = plt.subplots(figsize=(5, 5))
ax.plot(
    [0, 1], [0, 1], color="grey", linestyle=":", label="perfect"
)
for name, pipe in [
    ("calibrated (default)", model),
    ("network's own", raw),
]:
    proba = pipe.predict_proba(X_test)
    observed, predicted = calibration_curve(
        Y_test.ravel(), proba.ravel(), n_bins=10
    )
    ax.plot(predicted, observed, marker="o", label=name)
ax.set_xlabel("predicted probability")
ax.set_ylabel("observed frequency")
ax.set_title("yeast test split, all labels")
ax.legend(loc="upper left")
fig.tight_layout()
plt.show()

# %%
# What the weights and the thresholds each add
# --------------------------------------------
# The same estimator three times: unweighted and cut at 0.5, weighted and
# cut at the network's own 0.5, weighted with tuned thresholds (the
# default). On this split, with three seeds, the results pages report
# macro-F1 0.421 for plain Keras cut at 0.5, 0.467 for the weighted
# network's own output cut at 0.5 and 0.489 for the defaults
# (:ref:`results/multilabel#real-multi-label-data-side-by-side`).

rows = {
    "plain, 0.5": fit(
        class_weight=None, threshold=0.5, calibration=None
    ),
    "weighted, 0.5": fit(threshold=0.5, calibration=None),
    "weighted + tuned": model,
}
scores = {
    name: f1_score(
        Y_test,
        pipe.predict(X_test),
        average="macro",
        zero_division=0,
    )
    for name, pipe in rows.items()
}
for name, value in scores.items():
    print(f"{name:<18} macro-F1 {value:.3f}")

# %%
# The three side by side:

fig, ax = plt.subplots(figsize=(6, 2.8))
colors = ["grey", "tab:blue", "tab:green"]
ax.barh(list(scores), list(scores.values()), color=colors)
for y, value in enumerate(scores.values()):
    ax.text(value + 0.005, y, f"{value:.3f}", va="center")
ax.invert_yaxis()
ax.set_xlabel("test macro-F1")
ax.set_xlim(0, max(scores.values()) * 1.15)
fig.tight_layout()
plt.show()

# sphinx_gallery_thumbnail_number = 2
