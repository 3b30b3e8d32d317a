"""Which out-of-fold quantity should choose the training length?

The estimator scores its held-out folds after every epoch and keeps the best
epoch. This study compares candidate monitors without touching any test split:
each MULAN training split is cut once (per seed) into 75% "fit" rows and 25%
"dev" rows; the estimator's cross-fit trains on the fit rows for a fixed
``--epochs``, and after every epoch the study records

- the candidate monitors on the out-of-fold scores of the fit rows:
  ``rule``: macro-F1 at the thresholds the estimator's rule tunes (the default
  monitor); ``oracle``: macro-F1 at each label's F1-optimal out-of-fold
  threshold; ``ap``: macro average precision; ``nll``: minus the unweighted
  binary cross-entropy; ``rule_s5``: ``rule`` smoothed by a centred moving
  average over 5 epochs;
- the dev macro-F1 of the ensemble of that epoch with the thresholds tuned at
  that epoch: what the user would get.

Early stopping with each monitor and each patience is then replayed on the
recorded curves, and the dev macro-F1 at the epoch it keeps is reported (mean
over seeds), beside the best fixed epoch count in hindsight.

Run::

    python benchmarks/monitor_study.py [--datasets yeast,emotions,enron,bibtex,tmc2007]
        [--seeds 0,1,2] [--epochs 100] [--data ../shared/data]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from _mulan import DATASETS, DEFAULT_DATA, load_split  # noqa: E402
from scipy.special import expit  # noqa: E402
from sklearn.metrics import average_precision_score  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sk_imbalance import WeightedMultiLabelClassifier  # noqa: E402
from sk_imbalance._crossfit.feed import predict_logits
from sk_imbalance._crossfit.loop import fit_heads
from sk_imbalance._crossfit.splits import make_splits
from sk_imbalance._crossfit.trainer_cache import (
    acquire_trainer,
    configuration_key,
    release_trainer,
)
from sk_imbalance._decisions.label_weights import check_label_weights
from sk_imbalance._decisions.thresholds import (
    apply_thresholds,
    macro_fbeta,
    optimal_fbeta_threshold,
    tune_thresholds,
)
from sk_imbalance._estimator.base import MLP_DEFAULTS
from sk_imbalance._nn.builders import copy_variables
from sk_imbalance._nn.losses import HeadwiseLoss, element_weights
from sk_imbalance._nn.optimizers import make_optimizer
from sk_imbalance._nn.portfolio import Candidate, build_portfolio

MONITORS = ("rule", "oracle", "ap", "nll", "rule_s5")
PATIENCES = (5, 10, 20)
#: The estimator's defaults, with the shape of its MLP candidate (what a user
#: gets by naming one network, and plain Keras's shape here).
DEFAULTS = {**WeightedMultiLabelClassifier().get_params(), **MLP_DEFAULTS}


def monitors(Y, P):
    """The candidate monitors on out-of-fold probabilities (higher is better)."""
    thresholds = tune_thresholds(Y, P)
    rule = macro_fbeta(Y, apply_thresholds(P, thresholds))
    best = np.array(
        [
            optimal_fbeta_threshold(Y[:, j], P[:, j], max_predicted_ratio=None)[1]
            for j in range(Y.shape[1])
        ]
    )
    has_positive = Y.sum(axis=0) > 0
    ap = average_precision_score(
        Y[:, has_positive], P[:, has_positive], average="macro"
    )
    clipped = np.clip(P, 1e-7, 1 - 1e-7)
    nll = -np.mean(Y * np.log(clipped) + (1 - Y) * np.log(1 - clipped))
    return {"rule": rule, "oracle": best.mean(), "ap": ap, "nll": -nll}, thresholds


def record_curves(X, Y, X_dev, Y_dev, seed, epochs):
    """Train the default cross-fit for ``epochs``; per epoch, monitors and dev F1."""
    rng = np.random.default_rng(seed)
    weights = check_label_weights(DEFAULTS["class_weight"], Y, None)
    targets = np.hstack([Y, element_weights(Y, weights)]).astype(np.float32)
    splits = make_splits(DEFAULTS["cv"], X.shape[0], seed)
    mlp = Candidate(
        "mlp",
        hidden_layer_sizes=DEFAULTS["hidden_layer_sizes"],
        dropout=DEFAULTS["dropout"],
    )
    networks = build_portfolio([mlp], X.shape[1], Y.shape[1], len(splits), rng=rng)
    train_model, ensemble = networks.train_model, networks.ensembles[0]
    batch = min(DEFAULTS["batch_size"], min(len(t) for t, _ in splits))
    loss = HeadwiseLoss(DEFAULTS["loss"])
    key = configuration_key(train_model, study=True, batch=batch)
    trainer = acquire_trainer(
        train_model,
        key,
        loss,
        lambda: make_optimizer(DEFAULTS["optimizer"], DEFAULTS["learning_rate"]),
    )
    curves = {name: [] for name in (*MONITORS[:-1], "dev")}
    try:
        for _ in range(epochs):
            probas, _, _, _ = fit_heads(
                trainer.model,
                X,
                targets,
                splits,
                epochs=1,
                patience=None,
                batch_size=batch,
                rng=rng,
                score=lambda held, p: 0.0,
            )
            values, thresholds = monitors(Y, probas[0])  # the one candidate's
            for name, value in values.items():
                curves[name].append(value)
            copy_variables(trainer.model, train_model)
            dev_pred = apply_thresholds(
                expit(predict_logits(ensemble, X_dev)), thresholds
            )
            curves["dev"].append(macro_fbeta(Y_dev, dev_pred))
    finally:
        release_trainer(key, trainer)
    rule = np.array(curves["rule"])
    padded = np.pad(rule, 2, mode="edge")
    curves["rule_s5"] = list(np.convolve(padded, np.ones(5) / 5, mode="valid"))
    return {k: np.array(v) for k, v in curves.items()}


def replay(curve, patience):
    """The epoch (0-based) early stopping keeps on ``curve``."""
    best, best_epoch = -np.inf, 0
    for epoch, value in enumerate(curve):
        if value > best:
            best, best_epoch = value, epoch
        elif epoch - best_epoch >= patience:
            break
    return best_epoch


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--epochs", type=int, default=100)
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    print(f"monitor study: seeds {seeds}, {args.epochs} epochs, 75/25 fit/dev of train")
    rows = []
    for name in args.datasets.split(","):
        X_all, Y_all = load_split(args.data, name, "train")
        results = {}
        for seed in seeds:
            start = time.perf_counter()
            X, X_dev, Y, Y_dev = train_test_split(
                X_all, Y_all, test_size=0.25, random_state=seed
            )
            if not sp.issparse(X):
                scaler = StandardScaler().fit(X)
                X, X_dev = scaler.transform(X), scaler.transform(X_dev)
            Y, Y_dev = np.asarray(Y, np.float32), np.asarray(Y_dev)
            curves = record_curves(X, Y, X_dev, Y_dev, seed, args.epochs)
            dev = curves["dev"]
            results.setdefault("best fixed (hindsight)", []).append(dev.max())
            results.setdefault("epochs of best fixed", []).append(dev.argmax() + 1)
            for fixed in sorted(
                {min(30, args.epochs), min(60, args.epochs), args.epochs}
            ):
                results.setdefault(f"fixed {fixed}", []).append(dev[fixed - 1])
            for monitor in MONITORS:
                for patience in PATIENCES:
                    kept = replay(curves[monitor], patience)
                    results.setdefault(f"{monitor} p{patience}", []).append(dev[kept])
                    results.setdefault(f"{monitor} p{patience} epoch", []).append(
                        kept + 1
                    )
            print(
                f"[{name} seed {seed}] {time.perf_counter() - start:.0f} s; dev "
                f"macro-F1 by epoch (every 10th): {np.round(dev[9::10], 3).tolist()}",
                flush=True,
            )
        for label, values in results.items():
            if label.endswith("epoch") or label.startswith("epochs"):
                continue
            epochs = results.get(f"{label} epoch")
            rows.append(
                f"| {name} | {label} | {np.mean(values):.3f} | {np.std(values):.3f} | "
                + (", ".join(str(e) for e in epochs) if epochs else "")
                + " |"
            )
        rows.append(
            f"| {name} | (epochs of the best fixed count) | | | "
            + ", ".join(str(e) for e in results["epochs of best fixed"])
            + " |"
        )
    print("\n| data | rule | dev macro-F1 | sd | epochs kept |\n|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
