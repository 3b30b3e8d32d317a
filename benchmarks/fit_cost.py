"""Fit cost: our default fit against one plain Keras network, side by side.

On yeast (dense, standardised) and tmc2007 (sparse 0/1 words; densified once
for plain Keras, before timing, since Keras's ``fit`` takes dense arrays; ours
densifies one batch at a time), in one process, repeated ``--repeats`` times
in alternation, this times:

- ``plain``: one plain Keras network of our default architecture
  (``Dense(128, relu) -> Dropout(0.2) -> Dense(n_labels)``, Adam at our
  learning rate, binary cross-entropy from logits), ``model.fit`` for ``E``
  epochs at our batch size: what a Keras user would write;
- ``ours, E epochs``: ``WeightedMultiLabelClassifier(epochs=E,
  patience=None)``: the like-for-like row, same architecture, epochs and
  batch size, with its 5 cross-fit heads, their out-of-fold scores and the
  threshold tuning;
- ``ours, defaults``: early stopping on the held-out folds (at most the
  default ``epochs``), with the epochs it trained;
- ``plain, same epochs``: plain Keras for as many epochs as the defaults
  trained, so that row's ratio is like for like too.

The first repeat of each row is reported apart: it includes TensorFlow's
tracing, which plain Keras pays on every new model and ours once per
configuration and process (later fits reuse the compiled training model).
Later repeats are summarised by their median. Ratios are to ``plain`` in the
same repeat set. Run::

    python benchmarks/fit_cost.py [--datasets yeast,tmc2007] [--epochs 60]
        [--repeats 3] [--data ../shared/data]
"""

import argparse
import os
import platform
import shlex
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import sklearn  # noqa: E402
import tensorflow as tf  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import sk_imbalance  # noqa: E402
from sk_imbalance import WeightedMultiLabelClassifier  # noqa: E402
from sk_imbalance.datasets import load_arff  # noqa: E402

DEFAULTS = WeightedMultiLabelClassifier().get_params()


def load(data, name):
    stem = "tmc2007-500" if name == "tmc2007" else name
    folder = Path(data) / name
    X, Y = load_arff(
        folder / f"{stem}-train.arff", folder / f"{stem}.xml", return_X_y=True
    )
    if not sp.issparse(X):
        X = StandardScaler().fit_transform(X)
    return X, np.asarray(Y, dtype=np.float32)


def plain_keras(X_dense, Y, epochs):
    """One plain Keras network of our default architecture (unseeded); seconds."""
    start = time.perf_counter()
    model = keras.Sequential([keras.Input((X_dense.shape[1],))])
    for units in DEFAULTS["hidden_layer_sizes"]:
        model.add(keras.layers.Dense(units, activation=DEFAULTS["activation"]))
        model.add(keras.layers.Dropout(DEFAULTS["dropout"]))
    model.add(keras.layers.Dense(Y.shape[1]))
    model.compile(
        optimizer=keras.optimizers.Adam(DEFAULTS["learning_rate"]),
        loss=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    model.fit(X_dense, Y, epochs=epochs, batch_size=DEFAULTS["batch_size"], verbose=0)
    return time.perf_counter() - start


def ours(X, Y, seed, **params):
    """Our estimator's fit; returns (seconds, epochs trained, epoch kept)."""
    start = time.perf_counter()
    clf = WeightedMultiLabelClassifier(random_state=seed, **params).fit(X, Y)
    return time.perf_counter() - start, len(clf.history_["loss"]), clf.n_epochs_


def main(argv=None):
    repo = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(repo.parent / "shared" / "data"))
    parser.add_argument("--datasets", default="yeast,tmc2007")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"command: {shlex.join(['python', *sys.argv])}")
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; scikit-learn {sklearn.__version__}, keras "
        f"{keras.__version__}, tensorflow {tf.__version__}, sk_imbalance "
        f"{sk_imbalance.__version__}"
    )
    E = args.epochs
    for name in args.datasets.split(","):
        X, Y = load(args.data, name)
        X_dense = X.toarray().astype(np.float32) if sp.issparse(X) else X
        print(
            f"\n{name}: {X.shape[0]} rows, {X.shape[1]} features, {Y.shape[1]} "
            f"labels; batch {DEFAULTS['batch_size']}, hidden "
            f"{DEFAULTS['hidden_layer_sizes']}",
            flush=True,
        )
        times = {key: [] for key in ("plain", "fixed", "default", "plain_same")}
        trained = []
        for repeat in range(args.repeats):
            times["plain"].append(plain_keras(X_dense, Y, E))
            seconds, _, _ = ours(X, Y, repeat, epochs=E, patience=None)
            times["fixed"].append(seconds)
            seconds, n_trained, kept = ours(X, Y, repeat)
            times["default"].append(seconds)
            trained.append((n_trained, kept))
            times["plain_same"].append(plain_keras(X_dense, Y, n_trained))
            print(
                f"  repeat {repeat}: plain {times['plain'][-1]:.1f} s, ours {E} "
                f"epochs {times['fixed'][-1]:.1f} s, ours defaults "
                f"{times['default'][-1]:.1f} s ({n_trained} epochs trained, epoch "
                f"{kept} kept), plain {n_trained} epochs "
                f"{times['plain_same'][-1]:.1f} s",
                flush=True,
            )
        rows = [
            ("plain", f"plain Keras, {E} epochs", "plain"),
            ("fixed", f"ours, {E} epochs (patience=None) / plain {E} epochs", "plain"),
            ("plain_same", "plain Keras, as many epochs as ours trained", "plain_same"),
            (
                "default",
                "ours, defaults (early stopping) / the row above",
                "plain_same",
            ),
        ]
        print(f"\n| {name} | first fit s | ratio | later fits, median s | ratio |")
        print("|---|---|---|---|---|")
        for key, label, reference in rows:
            first = times[key][0] / times[reference][0]
            later = times[key][1:]
            if later:
                median = float(np.median(later))
                ratio = median / float(np.median(times[reference][1:]))
                later_text = f"{median:.1f} | {ratio:.2f}x"
            else:
                later_text = "- | -"
            print(f"| {label} | {times[key][0]:.1f} | {first:.2f}x | {later_text} |")
        print(f"epochs trained / kept by the defaults, per repeat: {trained}")
        per_epoch = (np.median(times["fixed"]) / E) / (np.median(times["plain"]) / E)
        print(
            f"per-epoch cost, ours ({E} epochs) / plain, all repeats: {per_epoch:.2f}x"
        )


if __name__ == "__main__":
    main()
