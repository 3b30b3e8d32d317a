"""
Grid search over label-weighting strategies and losses on the yeast data
========================================================================

:class:`~sk_imbalance.WeightedMultiLabelClassifier` is an ordinary
scikit-learn estimator, so ``GridSearchCV`` tunes it like any other:
here ``class_weight`` (None, "balanced", "balanced_sqrt",
"effective_number") and ``loss`` ("bce", "focal") inside a
``Pipeline(StandardScaler(), ...)``, with ``scoring="f1_macro"`` and 3-fold
cross-validation on MULAN's yeast training split (Elisseeff & Weston, NIPS
2001; shipped with the package).

Run it with ``python examples/grid_search_weights.py`` (25 fits of about
ten seconds each on a 2-core CPU), or ``--epochs 5`` for a quick run. The
figure needs matplotlib.

.. note::

   The documentation builds this page as a smoke run, with ``--epochs 1``,
   to keep the build fast: its scores show that the code runs, not which
   setting wins. No full run of this example is published on the results
   pages.
"""

import argparse
import time

import matplotlib.pyplot as plt
import numpy as np
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from sk_imbalance import WeightedMultiLabelClassifier
from sk_imbalance.datasets import load_yeast

parser = argparse.ArgumentParser(
    description="Grid search on yeast."
)
parser.add_argument(
    "--epochs",
    type=int,
    default=100,
    help="at most (default: 100)",
)
args, _ = parser.parse_known_args()

X_train, Y_train = load_yeast("train", return_X_y=True)
X_test, Y_test = load_yeast("test", return_X_y=True)

# %%
# The grid
# --------
# The step's parameters are named after the step, ``clf__``. The
# weighting strategies give each class of a label (its positives, its
# negatives) the weight ``n / (2 n_c)`` for its ``n_c`` rows ("balanced"),
# the square root of that ("balanced_sqrt"), Cui et al.'s (2019) weights
# from the effective number of samples ("effective_number"), or none. The
# focal loss (Lin et al., 2017) down-weights the rows the network already
# gets right.

clf = WeightedMultiLabelClassifier(
    epochs=args.epochs, random_state=0
)
pipe = Pipeline([("scale", StandardScaler()), ("clf", clf)])
param_grid = {
    "clf__class_weight": [
        None,
        "balanced",
        "balanced_sqrt",
        "effective_number",
    ],
    "clf__loss": ["bce", "focal"],
}

# %%
# Search
# ------
# 8 settings times 3 folds, plus the refit of the best on the whole
# training split: 25 fits. Every fit keeps the estimator's other defaults
# (five cross-fit networks, the epoch and the thresholds chosen on their
# held-out folds), and fits with the same configuration reuse one compiled
# training step.

search = GridSearchCV(pipe, param_grid, scoring="f1_macro", cv=3)
start = time.perf_counter()
search.fit(X_train, Y_train)
print(f"GridSearchCV: {time.perf_counter() - start:.0f} s")

res = search.cv_results_
print("rank  class_weight      loss   macro-F1    std  fit s")
for i in np.argsort(res["rank_test_score"], kind="stable"):
    params = res["params"][i]
    print(
        f"{res['rank_test_score'][i]:>4}  "
        f"{str(params['clf__class_weight']):<16}  "
        f"{params['clf__loss']:<5}  "
        f"{res['mean_test_score'][i]:>8.3f}  "
        f"{res['std_test_score'][i]:.3f}  "
        f"{res['mean_fit_time'][i]:5.1f}"
    )

# %%
# The grid at a glance: mean cross-validated macro-F1 of every setting,
# with its standard deviation over the folds.

weights = param_grid["clf__class_weight"]
fig, ax = plt.subplots(figsize=(6.4, 3.6))
for k, loss in enumerate(param_grid["clf__loss"]):
    rows = [
        next(
            i
            for i, p in enumerate(res["params"])
            if p["clf__class_weight"] == weight
            and p["clf__loss"] == loss
        )
        for weight in weights
    ]
    ax.barh(
        np.arange(len(weights)) + (k - 0.5) * 0.4,
        res["mean_test_score"][rows],
        xerr=res["std_test_score"][rows],
        height=0.4,
        label=f'loss="{loss}"',
    )
ax.set_yticks(range(len(weights)))
ax.set_yticklabels([str(weight) for weight in weights])
ax.invert_yaxis()
ax.set_xlabel("3-fold macro-F1")
ax.set_ylabel("class_weight")
ax.set_title(f"yeast train split, epochs={args.epochs}")
ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2)
fig.tight_layout()
plt.show()

# %%
# The refitted best pipeline
# --------------------------
# ``search.best_estimator_`` was refitted on the whole training split with
# the best setting; it scores the test split once, at the end.

best = search.best_estimator_
test_macro = f1_score(
    Y_test, best.predict(X_test), average="macro", zero_division=0
)
print(f"best: {search.best_params_}")
print(f"best cross-validated macro-F1: {search.best_score_:.3f}")
print(f"test macro-F1 of the refitted pipeline: {test_macro:.3f}")
