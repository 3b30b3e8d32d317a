"""What the held-out folds decided: epoch, thresholds, calibration, weights
===========================================================================

A fitted ``WeightedMultiLabelClassifier`` keeps what its cross-fit decided
on rows its networks never trained on. This example draws it, on MULAN's
yeast split (Elisseeff & Weston, NIPS 2001; shipped with the package):

1. the out-of-fold curve that chose the epoch (``history_``, ``n_epochs_``);
2. per-label precision-recall curves on the test split, with each label's
   tuned threshold marked (:func:`sk_imbalance.report.plot_precision_recall`);
3. a reliability diagram: the calibrated ``predict_proba`` against the
   weighted network's own output (``calibration=None``), whose class weights
   push every probability up;
4. what the class weights and the tuned thresholds each add to macro-F1.

Run it with ``python examples/plot_diagnostics.py`` (about half a minute on
a 2-core CPU; ``--epochs 5`` for a quick run). It needs matplotlib
(``pip install "sk_imbalance[plot]"``).
"""

import argparse

import matplotlib.pyplot as plt
import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import f1_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sk_imbalance import WeightedMultiLabelClassifier
from sk_imbalance.datasets import load_yeast
from sk_imbalance.report import plot_precision_recall

parser = argparse.ArgumentParser(description=(__doc__ or "\n").splitlines()[0])
parser.add_argument("--epochs", type=int, default=100, help="at most (default 100)")
args, _ = parser.parse_known_args()

X_train, Y_train = load_yeast("train", return_X_y=True)
X_test, Y_test = load_yeast("test", return_X_y=True)


def fit(**params):
    """Standardise, then the estimator with ``params``; seeded."""
    clf = WeightedMultiLabelClassifier(epochs=args.epochs, random_state=0, **params)
    return make_pipeline(StandardScaler(), clf).fit(X_train, Y_train)


model = fit()
clf = model[-1]

# %%
# The out-of-fold curve that chose the epoch
# ------------------------------------------
# After every epoch each of the 5 heads scores the rows it held out, and the
# thresholds are re-tuned on those scores: the curve is the macro-F1 that
# ``predict`` would get, measured on unseen rows. The weighted training loss
# keeps falling after it peaks, so the loss is not what is monitored.

# With several candidates, the curve is the chosen candidate's: it ends where
# that candidate stopped, and the loss goes on while others still train.
epochs = np.arange(1, len(clf.history_["loss"]) + 1)
scored = np.arange(1, len(clf.history_["oof_score"]) + 1)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(scored, clf.history_["oof_score"], label="out-of-fold macro-F1")
ax.axvline(clf.n_epochs_, color="grey", linestyle="--", label="epoch kept")
ax.set_xlabel("epoch")
ax.set_ylabel("macro-F1")
loss_ax = ax.twinx()
loss_ax.plot(epochs, clf.history_["loss"], color="tab:orange", label="training loss")
loss_ax.set_ylabel("weighted training loss")
fig.legend(loc="lower center", ncol=3, fontsize="small")
fig.tight_layout(rect=(0, 0.08, 1, 1))

# %%
# Precision-recall per label, with the tuned thresholds
# -----------------------------------------------------
# Each dot is a label's tuned threshold applied to the test split: rare
# labels get low thresholds that trade precision for recall, which is what
# macro-F1 rewards.

fig, ax = plt.subplots(figsize=(6, 5))
X_test_scaled = model[0].transform(X_test)  # the estimator sees scaled rows
plot_precision_recall(clf, X_test_scaled, Y_test, labels=[0, 3, 8, 10, 12], ax=ax)
ax.set_title("yeast test split: five labels")

# %%
# Calibration: the weights' shift, undone out of fold
# ---------------------------------------------------
# Balanced weights train the network on odds shifted toward the positives;
# its own output over-predicts every rare label. ``predict_proba`` maps each
# label's logit back with a Platt map fitted on the out-of-fold logits.

raw = fit(calibration=None)
fig, ax = plt.subplots(figsize=(5, 5))
ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfect")
for name, pipe in [("calibrated (default)", model), ("network's own output", raw)]:
    proba = pipe.predict_proba(X_test)
    observed, predicted = calibration_curve(Y_test.ravel(), proba.ravel(), n_bins=10)
    ax.plot(predicted, observed, marker="o", label=name)
ax.set_xlabel("predicted probability")
ax.set_ylabel("observed frequency")
ax.legend()

# %%
# What the weights and the thresholds each add
# --------------------------------------------
# The same network three times: unweighted and cut at 0.5, weighted and cut
# at the network's own 0.5, weighted with tuned thresholds (the default).

rows = {
    "plain, 0.5": fit(class_weight=None, threshold=0.5, calibration=None),
    "weighted, 0.5": fit(threshold=0.5, calibration=None),
    "weighted + tuned": model,
}
scores = {
    name: f1_score(Y_test, pipe.predict(X_test), average="macro", zero_division=0)
    for name, pipe in rows.items()
}
fig, ax = plt.subplots(figsize=(6, 3))
ax.barh(list(scores), list(scores.values()), color=["grey", "tab:blue", "tab:green"])
for y, value in enumerate(scores.values()):
    ax.text(value + 0.005, y, f"{value:.3f}", va="center")
ax.set_xlabel("test macro-F1")
ax.set_xlim(0, max(scores.values()) * 1.15)
fig.tight_layout()
for name, value in scores.items():
    print(f"{name:<18} macro-F1 {value:.3f}")

if __name__ == "__main__" and plt.get_backend().lower() != "agg":
    plt.show()
