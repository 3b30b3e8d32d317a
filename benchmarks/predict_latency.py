"""Predict latency on a few rows: our predict against Keras's model.predict.

Both run side by side in one process on the same fitted network, so the ratio
is meaningful even on a noisy machine: once for a single network
(``cv=0.2``: one head) and once for the defaults, whose ``model_`` holds the 5
cross-fit heads and their average. Run:

    python benchmarks/predict_latency.py [--repeats 200] [--out table.md]

``WeightedMultiLabelClassifier.predict`` calls the network directly; Keras's
``model.predict`` builds a data pipeline and a compiled step on every call.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _report import run_header, write_markdown  # noqa: E402
from sklearn.datasets import make_multilabel_classification  # noqa: E402

from sk_imbalance import WeightedMultiLabelClassifier  # noqa: E402


def _median_ms(function, repeats):
    function()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1000 * float(np.median(times))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument(
        "--out", help="also write the run's header and tables here, as Markdown"
    )
    args = parser.parse_args(argv)
    header = run_header()
    print("\n".join(header), flush=True)
    X, Y = make_multilabel_classification(
        n_samples=2000, n_features=100, n_classes=20, random_state=0
    )
    single = WeightedMultiLabelClassifier(epochs=2, cv=0.2, random_state=0)
    single.fit(X, Y)
    # the defaults: thresholds tuned on 5 cross-fitted networks, which then
    # predict together (probabilities averaged in one Keras model)
    ensemble = WeightedMultiLabelClassifier(epochs=2, random_state=0).fit(X, Y)
    note = (
        "median ms per call; 'single': one network (cv=0.2); 'ensemble': "
        "the defaults (5 cross-fit networks in one model)"
    )
    print(note)
    lines = [
        "| rows | single predict | single model.predict | ratio "
        "| ensemble predict | ensemble model.predict | ratio |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    print(lines[0])
    print(lines[1])
    for rows in (1, 10, 100, 1000):
        batch = X[:rows]
        batch32 = batch.astype("float32")
        line = f"| {rows} |"
        for clf in (single, ensemble):
            ours = _median_ms(lambda b=batch, c=clf: c.predict(b), args.repeats)
            keras_ms = _median_ms(
                lambda b=batch32, c=clf: c.model_.predict(b, verbose=0), args.repeats
            )
            line += f" {ours:.2f} | {keras_ms:.2f} | {keras_ms / ours:.1f}x |"
        print(line)
        lines.append(line)
    write_markdown(args.out, header, note + ".", "\n".join(lines))


if __name__ == "__main__":
    main()
