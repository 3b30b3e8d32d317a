"""Memory across many fits: ours against the same loop in plain Keras.

A grid search fits and scores the estimator hundreds of times in one process.
This script does the same on small data (300 rows, 20 features, 5 labels) and
reads the process's resident memory (VmRSS, Linux) after every ``--every``
fits, for these loops, each in its own fresh Python process started by this
script, so that none inherits another's memory:

- ``ours``: ``WeightedMultiLabelClassifier`` with its defaults except small
  sizes (hidden (16,), 2 epochs, batch 128, ``cv=2``: 2 cross-fit heads in one
  model), a new ``random_state`` every fit, then ``predict``;
- ``portfolio``: ``WeightedMultiLabelClassifier`` with its default
  candidates (the three networks of ``sk_imbalance._nn.portfolio``, blended
  greedily), batch 128, ``cv=3`` (the smallest ``cv`` at which the heads'
  spread is measured) and at most 8 epochs with ``patience=1``, so that
  candidates stop at different epochs and the later ones train views of the
  candidates still running (each seed may stop them in another order), then
  ``predict``: the default fit's every part, at small sizes;
- ``ours-grid``: the same as ``ours``, cycling through 4 configurations as a grid search
  does (``class_weight`` None/"balanced" x ``loss`` "bce"/"focal");
- ``multiclass``: ``WeightedMultiClassClassifier`` with the same sizes on
  the argmax of the 5 labels (a 5-class target), then ``predict``;
- ``sparse``: the ``ours`` fit on the same rows scattered into 2,000 sparse
  columns (CSR), so the first layer works on the non-zeros and the number of
  entries per batch varies;
- ``keras``: the loop a Keras user would write: build, compile, fit and call
  a network of the same size, twice per iteration to match ours' 2 heads;
- ``keras-clear`` (same, with ``keras.utils.clear_session()`` after each
  iteration) and ``keras-eager`` (compiled with ``run_eagerly=True``, no
  ``tf.function``): not run by default; they locate the growth of ``keras``.

Growth is reported from the first reading after a warm-up of ``WARM_UP`` fits
to the last, in MB per 100 fits and per fit; the target for ``ours`` and
``portfolio`` is at most ``TARGET_MB_PER_FIT`` (1 MB) per fit over the
default 300 fits. The ratio to ``keras`` on the same machine is the figure
to read, more than the absolute megabytes. Ours keeps one compiled training
model per configuration and reuses it
(``sk_imbalance._crossfit.trainer_cache``), so its memory should grow
with the number of configurations (``ours-grid``: 4), not of fits. Run:

    python benchmarks/memory_growth.py [--fits 300] [--every 25]
        [--loops ours,portfolio,ours-grid,multiclass,keras,keras-clear,keras-eager]
        [--out table.md]

A short run (``--fits`` under ``WARM_UP`` + ``--every``) measures from its
first reading instead, warm-up included: a smoke test, not a result.
"""

import argparse
import gc
import json
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from _report import run_header, write_markdown  # noqa: E402

#: Fits before the first reading that counts: imports, tracing caches, allocator.
WARM_UP = 25
#: Growth of ours, in MB per fit over the default 300 fits, not to exceed.
TARGET_MB_PER_FIT = 1.0


def _rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("VmRSS not found in /proc/self/status (Linux only).")


def _data():
    from sklearn.datasets import make_multilabel_classification

    X, Y = make_multilabel_classification(
        n_samples=300, n_features=20, n_classes=5, random_state=0
    )
    return X.astype("float32"), Y


def _ours(i, X, Y, **params):
    from sk_imbalance import WeightedMultiLabelClassifier

    clf = WeightedMultiLabelClassifier(
        hidden_layer_sizes=(16,),
        epochs=2,
        batch_size=128,
        cv=2,
        random_state=i,
        **params,
    ).fit(X, Y)
    clf.predict(X)


#: The configurations ``ours-grid`` cycles through.
GRID = [
    {"class_weight": class_weight, "loss": loss}
    for class_weight in (None, "balanced")
    for loss in ("bce", "focal")
]


def _portfolio(i, X, Y):
    from sk_imbalance import WeightedMultiLabelClassifier

    clf = WeightedMultiLabelClassifier(
        epochs=8, patience=1, batch_size=128, cv=3, random_state=i
    ).fit(X, Y)
    clf.predict(X)


def _ours_grid(i, X, Y):
    _ours(i, X, Y, **GRID[i % len(GRID)])


def _multiclass(i, X, Y):
    from sk_imbalance import WeightedMultiClassClassifier

    clf = WeightedMultiClassClassifier(
        hidden_layer_sizes=(16,), epochs=2, batch_size=128, cv=2, random_state=i
    ).fit(X, Y.argmax(axis=1))
    clf.predict(X)


def _sparse(i, X, Y):
    """Ours on a sparse bag of words: the first layer on the non-zeros.

    The rows are those of ``_data`` made 2,000 words wide (the 20 counts
    scattered into a random column set per fit's data), so the number of
    entries, and with it the shapes TensorFlow sees, changes from batch to
    batch.
    """
    import numpy as np
    import scipy.sparse as sp

    from sk_imbalance import WeightedMultiLabelClassifier

    rng = np.random.default_rng(i)
    columns = rng.choice(2000, size=X.shape[1], replace=False)
    X_sparse = sp.csr_matrix(X)
    X_sparse.indices = columns[X_sparse.indices].astype(X_sparse.indices.dtype)
    X_sparse = sp.csr_matrix(
        (X_sparse.data, X_sparse.indices, X_sparse.indptr), shape=(X.shape[0], 2000)
    )
    clf = WeightedMultiLabelClassifier(
        hidden_layer_sizes=(16,),
        epochs=2,
        batch_size=128,
        cv=2,
        sparse_layer=True,
        random_state=i,
    ).fit(X_sparse, Y)
    clf.predict(X_sparse)


def _keras(i, X, Y, run_eagerly=False, clear=False):
    import keras

    for _ in range(2):  # ours trains 2 networks per fit
        model = keras.Sequential(
            [
                keras.Input((X.shape[1],)),
                keras.layers.Dense(16, activation="relu"),
                keras.layers.Dropout(0.2),
                keras.layers.Dense(Y.shape[1]),
            ]
        )
        model.compile(
            optimizer="adam",
            loss=keras.losses.BinaryCrossentropy(from_logits=True),
            run_eagerly=run_eagerly,
        )
        model.fit(X, Y, epochs=2, batch_size=128, verbose=0)
        model(X, training=False)
        del model
        if clear:
            keras.utils.clear_session()


LOOPS = {
    "ours": _ours,
    "portfolio": _portfolio,
    "ours-grid": _ours_grid,
    "multiclass": _multiclass,
    "sparse": _sparse,
    "keras": _keras,
    "keras-clear": lambda i, X, Y: _keras(i, X, Y, clear=True),
    "keras-eager": lambda i, X, Y: _keras(i, X, Y, run_eagerly=True),
}


def run_loop(which, fits, every):
    """Run one loop in this process; print its readings as JSON."""
    X, Y = _data()
    step = LOOPS[which]
    readings = []
    for i in range(1, fits + 1):
        step(i, X, Y)
        if i % every == 0:
            gc.collect()
            readings.append((i, _rss_mb()))
    print(json.dumps(readings))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--fits", type=int, default=300, help="fits per loop (default: %(default)s)"
    )
    parser.add_argument(
        "--every",
        type=int,
        default=25,
        help="fits between memory readings (default: %(default)s)",
    )
    parser.add_argument(
        "--loops",
        default="ours,portfolio,ours-grid,keras",
        help=f"comma-separated, from {', '.join(LOOPS)} (default: %(default)s)",
    )
    parser.add_argument("--loop", choices=list(LOOPS), help=argparse.SUPPRESS)
    parser.add_argument(
        "--out", help="also write the run's header and tables here, as Markdown"
    )
    args = parser.parse_args(argv)
    if args.loop:
        run_loop(args.loop, args.fits, args.every)
        return
    loops = args.loops.split(",")
    unknown = set(loops) - set(LOOPS)
    if unknown:
        parser.error(f"unknown loop(s) {sorted(unknown)}; choose from {list(LOOPS)}")
    header = run_header()
    print("\n".join(header), flush=True)
    results = {}
    for which in loops:
        print(f"running {which} ({args.fits} fits) ...", flush=True)
        command = [sys.executable, __file__, "--loop", which]
        command += ["--fits", str(args.fits), "--every", str(args.every)]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"loop {which} failed:\n{done.stderr[-3000:]}")
        results[which] = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    parts = [header, "resident memory (MB) after each reading:"]
    memory = [
        "| fits | " + " | ".join(loops) + " |",
        "|---:|" + "---:|" * len(loops),
    ]
    for fit in results[loops[0]]:
        memory.append(
            f"| {fit} | " + " | ".join(f"{results[w][fit]:.1f}" for w in loops) + " |"
        )
    parts.append("\n".join(memory))
    fits = sorted(results[loops[0]])
    last = fits[-1]
    # the first reading after the warm-up, or the first at all in short runs
    first = next((f for f in fits if WARM_UP <= f < last), fits[0])
    if first == last:
        parts.append("one reading only: no growth to report (use --fits > --every)")
    else:
        short = f" (shorter than the {WARM_UP}-fit warm-up)" if first < WARM_UP else ""
        parts.append(f"growth from fit {first} to fit {last}{short}:")
        growth_table = ["| loop | MB per 100 fits | MB per fit |", "|---|---:|---:|"]
        for which, readings in results.items():
            growth = (readings[last] - readings[first]) / (last - first)
            growth_table.append(f"| {which} | {100 * growth:.1f} | {growth:.3f} |")
        parts.append("\n".join(growth_table))
        parts.append(
            f"target for ours and portfolio: at most {TARGET_MB_PER_FIT} MB per fit "
            "over 300 fits"
        )
    for part in parts[1:]:
        print("\n" + part)
    write_markdown(args.out, *parts)


if __name__ == "__main__":
    main()
