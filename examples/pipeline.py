"""
Pipeline and cross-validation: tuned thresholds vs top-k on the yeast data
==========================================================================

:class:`~sk_imbalance.WeightedMultiLabelClassifier` as the last step of a
scikit-learn ``Pipeline(StandardScaler(), ...)``, scored with
``cross_val_score`` (``scoring="f1_macro"``, 3 folds) on MULAN's yeast
training split (Elisseeff & Weston, NIPS 2001; shipped with the package),
for two decision rules:

- the default, one threshold per label tuned for F1 (``threshold="tuned"``);
- ``threshold="top_k", top_k=4``: every gene gets its 4 highest-scoring
  labels, since a yeast gene has about 4.2 labels on average.

Run it with ``python examples/pipeline.py`` (about a minute on a 2-core
CPU: six fits), or ``--epochs 5`` for a quick run. The figure needs
matplotlib.

.. note::

   The documentation builds this page as a smoke run, with ``--epochs 1``,
   to keep the build fast: its scores show that the code runs, not how the
   two rules compare. No full run of this example is published on the
   results pages.
"""

import argparse
import time

import matplotlib.pyplot as plt
from sklearn.model_selection import cross_val_score
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sk_imbalance import WeightedMultiLabelClassifier
from sk_imbalance.datasets import load_yeast

parser = argparse.ArgumentParser(
    description="Tuned thresholds vs top-k."
)
parser.add_argument(
    "--epochs",
    type=int,
    default=100,
    help="at most (default: 100)",
)
args, _ = parser.parse_known_args()

# %%
# The data
# --------

X, Y = load_yeast("train", return_X_y=True)
print(f"yeast train: {X.shape[0]} genes, {Y.shape[1]} labels")
print(f"labels per gene: {Y.sum(axis=1).mean():.2f}")

# %%
# Two pipelines
# -------------
# The estimator is an ordinary scikit-learn step: it clones, takes its
# parameters through ``set_params`` and scores with any scorer. Each fit
# inside ``cross_val_score`` runs its own cross-fit on its training folds,
# so the thresholds it tunes never see the fold that scores it.


def make_model(epochs, **params):
    """Scale, then the classifier with ``params``."""
    clf = WeightedMultiLabelClassifier(
        **params, epochs=epochs, random_state=0
    )
    return Pipeline([("scale", StandardScaler()), ("clf", clf)])


models = {
    'tuned (threshold="tuned")': make_model(args.epochs),
    'top-4 (threshold="top_k")': make_model(
        args.epochs, threshold="top_k", top_k=4
    ),
}

# %%
# Cross-validate
# --------------
# ``cv=3`` gives both pipelines the same (unshuffled) folds.

scores = {}
for name, model in models.items():
    start = time.perf_counter()
    scores[name] = cross_val_score(
        model, X, Y, scoring="f1_macro", cv=3
    )
    folds = ", ".join(f"{s:.3f}" for s in scores[name])
    print(
        f"{name:<27} macro-F1 {scores[name].mean():.3f} "
        f"+/- {scores[name].std():.3f} ({folds}; "
        f"{time.perf_counter() - start:.0f} s)"
    )
best = max(scores, key=lambda name: scores[name].mean())
print(f"higher 3-fold macro-F1: {best}")

# %%
# Each fold's score, and their mean:

fig, ax = plt.subplots(figsize=(6, 2.8))
for row, values in enumerate(scores.values()):
    ax.plot(
        values,
        [row] * len(values),
        "o",
        color="tab:blue",
        alpha=0.6,
    )
    ax.plot(values.mean(), row, "|", color="black", markersize=20)
ax.set_yticks(range(len(scores)))
ax.set_yticklabels(list(scores))
ax.set_ylim(-0.6, len(scores) - 0.4)
ax.set_xlabel("macro-F1 per fold (bar: mean)")
ax.set_title(
    f"yeast, 3-fold cross-validation, epochs={args.epochs}"
)
fig.tight_layout()
plt.show()

# %%
# Choosing between them
# ---------------------
# Top-k gives every gene the same number of labels; tuned thresholds let a
# gene have few or many, and give a rare label a low cut-off of its own,
# which macro-F1 rewards. ``GridSearchCV`` makes such a choice with the
# step's parameters in its grid, named after the step (``clf__threshold``,
# ``clf__top_k``), as
# :ref:`sphx_glr_auto_examples_grid_search_weights.py` does for the loss
# and the class weights.
