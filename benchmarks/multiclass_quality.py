"""Long-tailed multiclass benchmark: WeightedMultiClassClassifier against peers.

The protocol of long-tailed benchmarks (CIFAR-LT, Cui et al. 2019): a training
split whose class sizes fall geometrically from ``n_max`` to ``n_max / rho``
(imbalance ratio ``rho = 50``) and a **balanced** test split. Two real data
sets, each redrawn per seed:

- ``tmc2007-lt``: the rows of MULAN's tmc2007-500 (train and test splits
  pooled, ``../shared/data``) that carry exactly one label, the label as the
  class: 22 classes of aviation safety reports, 500 binary word features.
  Test: 30 rows per class. Classes are ranked by the rows available; ``n_max``
  is the largest that every class's geometric share fits in.
  Srivastava & Zane-Ulman, "Discovering recurring anomalies in text
  reports regarding complex space systems", IEEE Aerospace Conference 2005.
- ``digits-lt``: scikit-learn's digits (UCI optical digits; 10 classes, 8x8
  pixels scaled to [0, 1]). Test: 30 rows per class, ``n_max`` = 150, so
  the rarest class has 3 training rows.

Methods, side by side in one run, same splits, seeds 0, 1, 2:

- ``lr``: ``LogisticRegression(class_weight="balanced")``;
- ``mlp``: ``MLPClassifier(hidden_layer_sizes=(128,), max_iter=60)``;
- ``scikeras``: scikeras ``KerasClassifier``, the default MLP's layers ending
  in a softmax, sparse categorical cross-entropy, ``class_weight="balanced"``,
  60 epochs;
- ours, ``WeightedMultiClassClassifier`` with

  - ``plain``: ``class_weight=None, decision="argmax", calibration=None``,
    an unweighted softmax network and its argmax;
  - ``la``: ``class_weight=None``, the default decision: post-hoc logit
    adjustment of the calibrated probabilities (Menon et al. 2021);
  - ``weighted``: ``decision="argmax", calibration=None``, balanced class
    weights and the network's own argmax;
  - ``tuned``: balanced weights, ``decision="tuned", scoring="f1_macro"``,
    per-class offsets tuned on the out-of-fold rows;
  - ``ours``: the defaults, balanced weights with logit adjustment of the
    calibrated probabilities and the epoch chosen on out-of-fold balanced
    accuracy.

Run: ``python benchmarks/multiclass_quality.py [--out table.md]``
(``--seeds``, ``--methods``, ``--datasets``, ``--data``). Prints the run's
command, machine and versions and a Markdown table of test macro-F1 and
balanced accuracy, mean (std) over the seeds, and the fit seconds; ``--out``
also writes them to a Markdown file.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from _mulan import DEFAULT_DATA, load_split
from _report import run_header, write_markdown
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, f1_score
from sklearn.neural_network import MLPClassifier

from sk_imbalance import WeightedMultiClassClassifier
from sk_imbalance._nn.portfolio import DEFAULT_CANDIDATES, ONE_MLP, Candidate

RHO = 50
PEER_EPOCHS = 60
METHODS = ("lr", "mlp", "scikeras", "plain", "la", "weighted", "tuned", "ours")
OURS = {
    "plain": dict(class_weight=None, decision="argmax", calibration=None),
    "la": dict(class_weight=None),
    "weighted": dict(decision="argmax", calibration=None),
    "tuned": dict(decision="tuned", scoring="f1_macro"),
    "ours": {},
    # not in the default run (--methods): the candidate study (the one MLP,
    # and the multi-label estimator's portfolio with its greedy blend), the
    # focal loss, and the shrinkage of the tuned offsets
    "one_mlp": dict(candidates=list(ONE_MLP)),
    "portfolio": dict(candidates=list(DEFAULT_CANDIDATES)),
    # issue 27: the one MLP balanced and unweighted, the held-out folds
    # choosing between the weightings (WEIGHTING_Z) as the multi-label
    # defaults do
    "weightings": dict(
        candidates=[
            ONE_MLP[0],
            Candidate(
                "mlp-unweighted",
                hidden_layer_sizes=(128,),
                dropout=0.2,
                class_weight=None,
            ),
        ]
    ),  # fmt: skip
    "focal": dict(loss="focal"),
    **{
        f"tuned_s{k}": dict(decision="tuned", scoring="f1_macro", shrinkage=k)
        for k in (30, 100, 300)
    },
}


def single_label_tmc2007(data):
    """Rows of tmc2007 (both splits) with exactly one label: X, class index."""
    parts = [load_split(data, "tmc2007", subset) for subset in ("train", "test")]
    X = np.vstack(
        [np.asarray(x.todense()) if hasattr(x, "todense") else x for x, _ in parts]
    )
    Y = np.vstack(
        [np.asarray(y.todense()) if hasattr(y, "todense") else y for _, y in parts]
    )
    one = Y.sum(axis=1) == 1
    return X[one].astype(np.float32), Y[one].argmax(axis=1)


def digits():
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32), y


def iid_split(X, y, n_test, rho, seed, n_max=None):
    """The long-tailed set of :func:`long_tailed_split` (no balanced test draw),
    split 70/30 stratified: a test split with the training distribution."""
    from sklearn.model_selection import train_test_split

    Xl, yl, _, _ = long_tailed_split(X, y, 0, rho, seed, n_max)
    Xtr, Xte, ytr, yte = train_test_split(
        Xl, yl, test_size=0.3, stratify=yl, random_state=seed
    )
    return Xtr, ytr, Xte, yte


def long_tailed_split(X, y, n_test, rho, seed, n_max=None):
    """A geometric long-tailed training split and a balanced test split.

    Classes ranked by the rows left after the test draw; class of rank r gets
    ``round(n_max * rho ** (-r / (K - 1)))`` rows, ``n_max`` the largest that
    every class can supply (or the given cap).
    """
    rng = np.random.default_rng(seed)
    classes = np.unique(y)
    test, pools = [], {}
    for c in classes:
        rows = rng.permutation(np.flatnonzero(y == c))
        test.append(rows[:n_test])
        pools[c] = rows[n_test:]
    order = sorted(classes, key=lambda c: -len(pools[c]))
    K = len(classes)
    share = rho ** (-np.arange(K) / (K - 1))
    fit_max = min(len(pools[c]) / share[r] for r, c in enumerate(order))
    n_max = int(fit_max if n_max is None else min(n_max, fit_max))
    train = [pools[c][: max(1, round(n_max * share[r]))] for r, c in enumerate(order)]
    train, test = np.concatenate(train), np.concatenate(test)
    return X[train], y[train], X[test], y[test]


def softmax_mlp(meta):
    import keras

    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(meta["n_classes_"], activation="softmax"),
        ]
    )


def make(method, seed):
    if method == "lr":
        return LogisticRegression(class_weight="balanced", max_iter=3000)
    if method == "mlp":
        return MLPClassifier((128,), max_iter=PEER_EPOCHS, random_state=seed)
    if method == "scikeras":
        from scikeras.wrappers import KerasClassifier

        return KerasClassifier(
            model=softmax_mlp,
            loss="sparse_categorical_crossentropy",
            optimizer="adam",
            optimizer__learning_rate=1e-3,
            class_weight="balanced",
            epochs=PEER_EPOCHS,
            batch_size=64,
            random_state=seed,
            verbose=0,
        )
    return WeightedMultiClassClassifier(random_state=seed, **OURS[method])


def run(datasets, methods, seeds, data, test="balanced"):
    loaders = {
        "tmc2007-lt": (lambda: single_label_tmc2007(data), 30, None),
        "digits-lt": (digits, 30, 150),
    }
    results = {}
    for name in datasets:
        load, n_test, n_max = loaders[name]
        X, y = load()
        for seed in seeds:
            if test == "balanced":
                Xtr, ytr, Xte, yte = long_tailed_split(X, y, n_test, RHO, seed, n_max)
            else:
                Xtr, ytr, Xte, yte = iid_split(X, y, n_test, RHO, seed, n_max)
            counts = np.bincount(ytr)
            print(
                f"# {name} seed {seed}: train {len(ytr)} rows, class sizes "
                f"{counts.max()}..{counts.min()} "
                f"(ratio {counts.max() / counts.min():.0f}), "
                f"test {len(yte)}",
                flush=True,
            )
            for method in methods:
                start = time.perf_counter()
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    fitted = make(method, seed).fit(Xtr, ytr)
                    pred = fitted.predict(Xte)
                seconds = time.perf_counter() - start
                chosen = getattr(fitted, "candidates_", None)
                if chosen is not None and len(chosen["name"]) > 1:
                    print(
                        "  out of fold: "
                        + ", ".join(
                            f"{n} {o:.4f} (w {w:.2f}, {e} ep.)"
                            for n, o, w, e in zip(
                                chosen["name"],
                                chosen["oof_score"],
                                chosen["weight"],
                                chosen["n_epochs"],
                                strict=True,
                            )
                        ),
                        flush=True,
                    )
                row = (
                    f1_score(yte, pred, average="macro"),
                    balanced_accuracy_score(yte, pred),
                    seconds,
                )
                results.setdefault((name, method), []).append(row)
                print(
                    f"{name} {method} seed {seed}: F1 {row[0]:.4f} BA {row[1]:.4f} "
                    f"{seconds:.1f}s",
                    flush=True,
                )
    return results


def table(results, datasets, methods):
    lines = [
        "| method | "
        + " | ".join(f"{d} macro-F1 | {d} bal. acc. | {d} s" for d in datasets)
        + " |",
        "|---|" + "---|---|---|" * len(datasets),
    ]
    for method in methods:
        cells = []
        for name in datasets:
            r = np.array(results[(name, method)])
            cells += [
                f"{r[:, 0].mean():.3f} ({r[:, 0].std():.3f})",
                f"{r[:, 1].mean():.3f} ({r[:, 1].std():.3f})",
                f"{r[:, 2].mean():.1f}",
            ]
        lines.append(f"| {method} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--datasets", default="tmc2007-lt,digits-lt")
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument(
        "--test",
        choices=("balanced", "iid"),
        default="balanced",
        help="balanced test split (the long-tail protocol), or a stratified 30%% "
        "of the long-tailed set (test distribution = training distribution)",
    )
    parser.add_argument(
        "--out", help="also write the run's header and tables here, as Markdown"
    )
    args = parser.parse_args(argv)
    datasets = args.datasets.split(",")
    methods = args.methods.split(",")
    seeds = [int(s) for s in args.seeds.split(",")]
    extra = {}
    if "scikeras" in methods:
        import scikeras

        extra["scikeras"] = scikeras.__version__
    header = run_header(**extra)
    print("\n".join(header), flush=True)
    results = run(datasets, methods, seeds, args.data, args.test)
    text = table(results, datasets, methods)
    print(text)
    write_markdown(args.out, header, text)


if __name__ == "__main__":
    main()
