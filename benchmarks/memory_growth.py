"""Memory across many fits: ours against the same loop in plain Keras.

A grid search fits and scores the estimator hundreds of times in one process.
This script does the same on small data and reads the process's resident memory
(VmRSS, Linux) after every ``--every`` fits, once for
``WeightedMultiLabelClassifier`` (thresholds tuned by 2-fold cross-fitting, so
each fit trains 2 networks and fuses them) and once for the loop a Keras user
would write: build, compile, fit and call a network of the same size, twice per
iteration to match. Each loop runs in its own fresh Python process, started by
this script, so neither inherits the other's memory. Growth is reported after a
warm-up, per 100 fits, for both: the ratio between them is the figure to read,
not the absolute megabytes. Run:

    python benchmarks/memory_growth.py [--fits 300] [--every 25]
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
        threshold_cv=2,
        random_state=i,
    ).fit(X, Y)
    clf.predict(X)


def _keras(i, X, Y):
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
        model.compile(optimizer="adam", loss="binary_crossentropy")
        model.fit(X, Y, epochs=2, batch_size=128, verbose=0)
        model(X, training=False)


def run_loop(which, fits, every):
    """Run one loop in this process; print its readings as JSON."""
    X, Y = _data()
    step = {"ours": _ours, "keras": _keras}[which]
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
    parser.add_argument("--loop", choices=["ours", "keras"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.loop:
        run_loop(args.loop, args.fits, args.every)
        return
    results = {}
    for which in ("ours", "keras"):
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
    print(f"\n{'fits':>6} {'ours RSS MB':>12} {'Keras loop RSS MB':>18}")
    for fit in results["ours"]:
        print(f"{fit:>6} {results['ours'][fit]:>12.1f} {results['keras'][fit]:>18.1f}")
    first = min((f for f in results["ours"] if f >= WARM_UP), default=None)
    first = first if first is not None else min(results["ours"])
    last = max(results["ours"])
    growth = {
        which: 100 * (readings[last] - readings[first]) / (last - first)
        for which, readings in results.items()
    }
    print(
        f"\ngrowth from fit {first} to fit {last}, MB per 100 fits: ours "
        f"{growth['ours']:.1f}, plain Keras loop {growth['keras']:.1f}"
    )


if __name__ == "__main__":
    main()
