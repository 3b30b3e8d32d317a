"""Speed of the threshold search against its floor, one sort of the scores.

On a random score matrix of 100,000 rows x 1,000 labels (about 5% positives
per label), side by side in one process, each timed as the best of
``--repeats`` runs:

- the reference: one NumPy ``argsort`` of the whole matrix along the rows
  (``np.argsort(P, axis=0)``), the floor the issue names;
- ``best_cutoffs``: the exact F1 optimum of every label;
- ``tune_thresholds``: the whole per-label rule (cap, shrinkage, gate).

Ratios are to the reference of the same run. Run::

    python benchmarks/threshold_speed.py [--rows 100000] [--labels 1000]
        [--repeats 3]
"""

import argparse
import time

import numpy as np

from sk_imbalance._decisions.thresholds import best_cutoffs, tune_thresholds


def best_of(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--labels", type=int, default=1_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(0)
    Y = rng.random((args.rows, args.labels)) < 0.05
    P = np.clip(0.2 * Y + rng.random(Y.shape, dtype=np.float32), 0, 1).astype(
        np.float64
    )
    cases = {
        "np.argsort(P, axis=0) (reference)": lambda: np.argsort(P, axis=0),
        "best_cutoffs (exact optimum, every label)": lambda: best_cutoffs(Y, P),
        "tune_thresholds (the whole rule)": lambda: tune_thresholds(Y, P),
    }
    seconds = {name: best_of(f, args.repeats) for name, f in cases.items()}
    reference = seconds["np.argsort(P, axis=0) (reference)"]
    print(f"{args.rows} x {args.labels} scores, best of {args.repeats}")
    print("| step | seconds | ratio to argsort |")
    print("|---|---:|---:|")
    for name, value in seconds.items():
        print(f"| {name} | {value:.2f} | {value / reference:.2f} |")


if __name__ == "__main__":
    main()
