"""Fit cost: our default fit against one plain Keras network, side by side.

On the train splits of yeast (dense, ``StandardScaler`` applied) and tmc2007
(21,519 rows of sparse 0/1 word features), in one process, this times with
``time.perf_counter`` four fits, in alternation, ``--repeats`` times:

(a) ``plain``: one plain Keras network of our default architecture
    (``Input(d) -> Dense(128, relu) -> Dropout(0.2) -> Dense(n_labels)``, Adam
    at our learning rate, ``BinaryCrossentropy(from_logits=True)``; sizes read
    from ``WeightedMultiLabelClassifier().get_params()``), built, compiled and
    ``model.fit(X, Y, epochs=E, batch_size=64)``: what a Keras user writes;
(b) ``ours, E epochs``: ``WeightedMultiLabelClassifier(epochs=E,
    patience=None)``: same architecture, epochs and batch size, trained as 5
    cross-fit heads, scored out of fold and thresholds tuned. Its ratio to (a)
    is the like-for-like one; the target is at most 1.5x;
(c) ``ours, defaults``: early stopping on the held-out folds (at most the
    default ``epochs``); the epochs it trained and the one it kept are printed;
(d) ``plain, same epochs``: plain Keras trained for as many epochs as (c)
    trained in the same repeat, so (c)'s ratio to it is like for like too.

Input: ours is given what a user has (yeast's scaled array, tmc2007's CSR
matrix, which it densifies once per fit, inside the timing). Keras's
``fit`` does not take a SciPy sparse matrix, so plain Keras gets tmc2007
densified with ``.toarray()`` once, before any timing: the favourable case for
plain Keras. Both get float32.

First fits and later fits are reported apart. Before anything is timed, one
tiny untimed fit of each (other shapes) starts TensorFlow, so no row pays the
process's start-up. Plain Keras builds a new model every fit and traces its
training step every time: each of its fits is a "first" fit. Ours keeps a
compiled training model per configuration and reuses it in later fits of the
same configuration (``sk_imbalance._crossfit.trainer_cache``): the cache is cleared
before (b) and (c) in the first repeat, so their first fits include tracing,
and the later repeats do not. Later fits are summarised by the median time and
the median of the per-repeat ratios. Run::

    python benchmarks/fit_cost.py [--datasets yeast,tmc2007] [--epochs 60]
        [--repeats 3] [--data ../shared/data] [--out table.md]

``--datasets`` also takes emotions, enron and bibtex (the train splits,
treated the same way). The default run should take about 8 minutes on a
2-core CPU, most of it on tmc2007 (an estimate from a 3-epoch smoke run,
scaled to 60 epochs, with one MLP; the default candidates cost more).
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
import tensorflow as tf  # noqa: E402
from _mulan import DEFAULT_DATA, load_split  # noqa: E402
from _report import run_header, write_markdown  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sk_imbalance import WeightedMultiLabelClassifier, clear_trainer_cache  # noqa: E402
from sk_imbalance._estimator.base import MLP_DEFAULTS

DATASETS = ("yeast", "tmc2007")
#: Every MULAN set the script can time (``--datasets``).
KNOWN = ("yeast", "emotions", "enron", "bibtex", "tmc2007")
#: The estimator's defaults, with the shape of its MLP candidate (what a user
#: gets by naming one network, and plain Keras's shape here).
DEFAULTS = {**WeightedMultiLabelClassifier().get_params(), **MLP_DEFAULTS}
#: The like-for-like ratio, (b) over (a), that the fit should stay under.
TARGET = 1.5


def load(data, name):
    """Train split: X (scaled if dense, CSR if sparse) and Y, float32."""
    X, Y = load_split(data, name, "train")
    if not sp.issparse(X):
        X = StandardScaler().fit_transform(X)
    return X.astype(np.float32), np.asarray(Y, dtype=np.float32)


def plain_keras(X_dense, Y, epochs):
    """Build, compile and fit one plain Keras network (unseeded); seconds."""
    start = time.perf_counter()
    model = keras.Sequential([keras.Input((X_dense.shape[1],))])
    for units in DEFAULTS["hidden_layer_sizes"]:
        model.add(keras.layers.Dense(units, activation=DEFAULTS["activation"]))
        if DEFAULTS["dropout"]:
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


def warm_up():
    """Start TensorFlow with one tiny untimed fit of each (shapes used nowhere else)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3)).astype(np.float32)
    Y = (rng.random((64, 2)) < 0.5).astype(np.float32)
    plain_keras(X, Y, 1)
    ours(X, Y, 0, epochs=1, patience=None, cv=2)


def report(name, E, times, trained):
    """The Markdown table of one data set and its notes, as a list of blocks."""
    rows = [
        ("plain", f"(a) plain Keras, {E} epochs", None),
        ("fixed", f"(b) ours, {E} epochs (patience=None)", "plain"),
        ("default", "(c) ours, defaults (early stopping)", "plain_same"),
        ("plain_same", "(d) plain Keras, as many epochs as (c) trained", None),
    ]
    table = [
        f"| {name} | first fit s | ratio | later fits, median s | median ratio |",
        "|---|---|---|---|---|",
    ]
    for key, label, reference in rows:
        first, later = times[key][0], times[key][1:]
        first_ratio = f"{first / times[reference][0]:.2f}x" if reference else "ref."
        if later:
            ratios = np.divide(later, times[reference][1:]) if reference else None
            later_text = f"{np.median(later):.1f} | " + (
                f"{np.median(ratios):.2f}x" if reference else "ref."
            )
        else:
            later_text = "- | -"
        table.append(f"| {label} | {first:.1f} | {first_ratio} | {later_text} |")
    ratios = (
        f"ratios: (b) to (a), (c) to (d), in the same repeat; target for (b): at "
        f"most {TARGET}x. (c) trained / kept, per repeat: "
        + ", ".join(f"{t} / {k}" for t, k in trained)
    )
    fixed_ms = [1000 * t / E for t in times["fixed"]]
    plain_ms = [1000 * t / E for t in times["plain"]]
    later = (
        f"; later fits, median: ours {np.median(fixed_ms[1:]):.0f} ms (no "
        f"tracing), plain {np.median(plain_ms[1:]):.0f} ms (tracing again)"
        if len(fixed_ms) > 1
        else ""
    )
    per_epoch = (
        f"per epoch, (b) and (a) fit time / {E}: first fit (tracing included) ours "
        f"{fixed_ms[0]:.0f} ms, plain {plain_ms[0]:.0f} ms{later}"
    )
    return ["\n".join(table), ratios, per_epoch]


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
        "--epochs",
        type=int,
        default=60,
        help="E: the epochs of (a) and (b) (default: %(default)s)",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=3,
        help="fits of each row; the first is reported apart (default: %(default)s)",
    )
    parser.add_argument(
        "--out", help="also write the run's header and tables here, as Markdown"
    )
    args = parser.parse_args(argv)
    datasets = args.datasets.split(",")
    if set(datasets) - set(KNOWN):
        parser.error(f"unknown data set(s) {sorted(set(datasets) - set(KNOWN))}")
    header = run_header(tensorflow=tf.__version__)
    network = (
        f"network: hidden {DEFAULTS['hidden_layer_sizes']}, dropout "
        f"{DEFAULTS['dropout']}, Adam {DEFAULTS['learning_rate']}, batch "
        f"{DEFAULTS['batch_size']}; ours: cv={DEFAULTS['cv']}, at most "
        f"{DEFAULTS['epochs']} epochs with patience {DEFAULTS['patience']} for (c)"
    )
    print("\n".join(header))
    print(network, flush=True)
    parts = [header, network]
    total = time.perf_counter()
    warm_up()
    E = args.epochs
    for name in datasets:
        X, Y = load(args.data, name)
        if sp.issparse(X):
            X_dense = X.toarray()  # plain Keras: densified once, before timing
            kind = "sparse CSR for ours, densified once for plain Keras"
        else:
            X_dense, kind = X, "dense, standardised"
        described = (
            f"{name}: {X.shape[0]} rows, {X.shape[1]} features ({kind}), "
            f"{Y.shape[1]} labels"
        )
        print(f"\n{described}", flush=True)
        times = {key: [] for key in ("plain", "fixed", "default", "plain_same")}
        trained = []
        for repeat in range(args.repeats):
            times["plain"].append(plain_keras(X_dense, Y, E))
            if repeat == 0:
                clear_trainer_cache()  # the first fit of (b) traces
            seconds, _, _ = ours(X, Y, repeat, epochs=E, patience=None)
            times["fixed"].append(seconds)
            if repeat == 0:
                clear_trainer_cache()  # (c) has (b)'s configuration: trace again
            seconds, n_trained, kept = ours(X, Y, repeat)
            times["default"].append(seconds)
            trained.append((n_trained, kept))
            times["plain_same"].append(plain_keras(X_dense, Y, n_trained))
            print(
                f"  repeat {repeat}: (a) {times['plain'][-1]:.1f} s, (b) "
                f"{times['fixed'][-1]:.1f} s, (c) {times['default'][-1]:.1f} s "
                f"({n_trained} epochs trained, epoch {kept} kept), (d) "
                f"{times['plain_same'][-1]:.1f} s",
                flush=True,
            )
        blocks = report(name, E, times, trained)
        print("\n" + "\n".join(blocks))
        parts += [described, *blocks]
    runtime = f"total runtime: {time.perf_counter() - total:.0f} s"
    print(f"\n{runtime}")
    write_markdown(args.out, *parts, runtime)


if __name__ == "__main__":
    main()
