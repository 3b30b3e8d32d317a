"""Memory across many fits: ours against the same loop in plain Keras.

A grid search fits and scores the estimator hundreds of times in one process.
This script does the same on small data and reads the process's resident memory
(VmRSS, Linux) after every ``--every`` fits, once for
``WeightedMultiLabelClassifier`` (``cv=2``: each fit trains 2 cross-fit heads
in one model, a new seed every fit), once cycling through 4 configurations
(``ours-grid``: class_weight None/"balanced" x loss "bce"/"focal", as a grid
search does), and once for the loop a Keras user would write: build, compile,
fit and call a network of the same size, twice per iteration to match. Each
loop runs in its own fresh Python process, started by this script, so neither
inherits the other's memory. Growth is reported after a warm-up, per 100 fits,
for both: the ratio between them is the figure to read, not the absolute
megabytes. Ours keeps one compiled training model per configuration and reuses
it (``sk_imbalance._trainer_cache``), so its memory should grow with the number
of configurations, not of fits. Two more Keras loops can be added to locate the
growth: ``keras-clear`` calls ``keras.utils.clear_session()`` after each
iteration, ``keras-eager`` compiles with ``run_eagerly=True`` (no
``tf.function``). Run:

    python benchmarks/memory_growth.py [--fits 300] [--every 25]
        [--loops ours,ours-grid,keras,keras-clear,keras-eager]
"""

import argparse
import gc
import json
import os
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

#: Fits before the first reading that counts: imports, tracing caches, allocator.
WARM_UP = 25


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


def _ours(i, X, Y):
    from sk_imbalance import WeightedMultiLabelClassifier

    clf = WeightedMultiLabelClassifier(
        hidden_layer_sizes=(16,),
        epochs=2,
        batch_size=128,
        cv=2,
        random_state=i,
    ).fit(X, Y)
    clf.predict(X)


#: The configurations ``ours-grid`` cycles through.
GRID = [
    {"class_weight": class_weight, "loss": loss}
    for class_weight in (None, "balanced")
    for loss in ("bce", "focal")
]


def _ours_grid(i, X, Y):
    from sk_imbalance import WeightedMultiLabelClassifier

    clf = WeightedMultiLabelClassifier(
        hidden_layer_sizes=(16,),
        epochs=2,
        batch_size=128,
        cv=2,
        random_state=i,
        **GRID[i % len(GRID)],
    ).fit(X, Y)
    clf.predict(X)


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
            optimizer="adam", loss="binary_crossentropy", run_eagerly=run_eagerly
        )
        model.fit(X, Y, epochs=2, batch_size=128, verbose=0)
        model(X, training=False)
        del model
        if clear:
            keras.utils.clear_session()


LOOPS = {
    "ours": _ours,
    "ours-grid": _ours_grid,
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
    parser.add_argument("--fits", type=int, default=300)
    parser.add_argument("--every", type=int, default=25)
    parser.add_argument("--loops", default="ours,ours-grid,keras")
    parser.add_argument("--loop", choices=list(LOOPS), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.loop:
        run_loop(args.loop, args.fits, args.every)
        return
    loops = args.loops.split(",")
    unknown = set(loops) - set(LOOPS)
    if unknown:
        parser.error(f"unknown loop(s) {sorted(unknown)}; choose from {list(LOOPS)}")
    results = {}
    for which in loops:
        print(f"running {which} ({args.fits} fits) ...", flush=True)
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--loop",
                which,
                "--fits",
                str(args.fits),
                "--every",
                str(args.every),
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[which] = dict(json.loads(out.strip().splitlines()[-1]))
    print("\nresident memory (MB) after each reading")
    print(f"{'fits':>6}" + "".join(f" {which:>12}" for which in loops))
    for fit in results[loops[0]]:
        print(f"{fit:>6}" + "".join(f" {results[w][fit]:>12.1f}" for w in loops))
    first = min((f for f in results[loops[0]] if f >= WARM_UP), default=None)
    first = first if first is not None else min(results[loops[0]])
    last = max(results[loops[0]])
    print(f"\ngrowth from fit {first} to fit {last}:")
    print(f"  {'loop':<12} {'MB per 100 fits':>16} {'MB per fit':>11}")
    for which, readings in results.items():
        growth = (readings[last] - readings[first]) / (last - first)
        print(f"  {which:<12} {100 * growth:16.1f} {growth:11.3f}")


if __name__ == "__main__":
    main()
