"""Keras's Adam against the fused kernel (``FusedAdam``), side by side.

The default optimizer of a fit is Adam; the estimators step it as
:class:`sk_imbalance._nn.optimizers.FusedAdam`, whose dense update is
TensorFlow's one-kernel ``ResourceApplyAdam`` instead of Keras's ten or so
element-wise passes over each weight and its two moments. This script fits
the defaults with each, alternating in one process (``keras``: the swap to
``FusedAdam`` turned off, so Keras's own ``Adam`` steps), for the same epochs
(``patience=None``), and reports the median fit seconds, their ratio per
repeat, and the test macro-F1 of each (the two differ by float32 rounding in
the steps, so the F1 should agree to noise).

Run::

    python benchmarks/adam_step.py [--datasets yeast,bibtex,tmc2007]
        [--epochs 10] [--repeats 2] [--data ../shared/data] [--out FILE]
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _mulan import DEFAULT_DATA  # noqa: E402
from _report import run_header, write_markdown  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from weighting_study import load  # noqa: E402

import sk_imbalance._nn.optimizers as optimizers  # noqa: E402
from sk_imbalance import WeightedMultiLabelClassifier  # noqa: E402

FUSED = optimizers.fused_optimizer


def fit(kind, X, Y, X_test, Y_test, epochs, seed):
    """Seconds and test macro-F1 of one fit with Keras's Adam or the fused one."""
    optimizers.fused_optimizer = FUSED if kind == "fused" else (lambda o: o)
    try:
        clf = WeightedMultiLabelClassifier(
            epochs=epochs, patience=None, random_state=seed
        )
        start = time.perf_counter()
        clf.fit(X, Y)
        seconds = time.perf_counter() - start
    finally:
        optimizers.fused_optimizer = FUSED
    f1 = f1_score(Y_test, clf.predict(X_test), average="macro", zero_division=0)
    return seconds, float(f1)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="yeast,bibtex,tmc2007")
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    rows = [
        "| data set | Keras Adam, s | fused, s | fused / Keras, per repeat | "
        "test macro-F1, Keras / fused |",
        "|---|---|---|---|---|",
    ]
    start = time.perf_counter()
    for name in args.datasets.split(","):
        X, Y, X_test, Y_test = load(args.data, name, None, 0)
        fit("fused", X[:256], Y[:256], X_test, Y_test, 1, 0)  # trace once, untimed
        found = {"keras": [], "fused": []}
        for repeat in range(args.repeats):
            order = ("keras", "fused") if repeat % 2 == 0 else ("fused", "keras")
            for kind in order:
                found[kind].append(fit(kind, X, Y, X_test, Y_test, args.epochs, repeat))
        keras_s = [s for s, _ in found["keras"]]
        fused_s = [s for s, _ in found["fused"]]
        ratios = [f / k for f, k in zip(fused_s, keras_s, strict=True)]
        rows.append(
            f"| {name} | {np.median(keras_s):.1f} | {np.median(fused_s):.1f} | "
            f"{', '.join(f'{r:.2f}' for r in ratios)} | "
            f"{np.mean([f for _, f in found['keras']]):.3f} / "
            f"{np.mean([f for _, f in found['fused']]):.3f} |"
        )
        print(rows[-1], flush=True)
    note = (
        f"defaults, {args.epochs} epochs (patience=None), {args.repeats} repeats "
        "(seed = repeat; the order alternates); total runtime: "
        f"{time.perf_counter() - start:.0f} s"
    )
    print(note)
    write_markdown(args.out, run_header(), "\n".join(rows), note)


if __name__ == "__main__":
    main()
