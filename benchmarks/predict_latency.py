"""Predict latency on a few rows: our predict against Keras's model.predict.

Both run side by side in one process on the same fitted network, so the ratio
is meaningful even on a noisy machine. Run:

    python benchmarks/predict_latency.py [--repeats 200]

``WeightedMultiLabelClassifier.predict`` calls the network directly; Keras's
``model.predict`` builds a data pipeline and a compiled step on every call.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
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
    args = parser.parse_args(argv)
    X, Y = make_multilabel_classification(
        n_samples=2000, n_features=100, n_classes=20, random_state=0
    )
    clf = WeightedMultiLabelClassifier(epochs=2, threshold=0.5, random_state=0)
    clf.fit(X, Y)
    print(
        f"{'rows':>6} {'ours predict (ms)':>18} {'model.predict (ms)':>19} {'ratio':>7}"
    )
    for rows in (1, 10, 100, 1000):
        batch = X[:rows]
        batch32 = batch.astype("float32")
        ours = _median_ms(lambda b=batch: clf.predict(b), args.repeats)
        keras_ms = _median_ms(
            lambda b=batch32: clf.model_.predict(b, verbose=0), args.repeats
        )
        print(f"{rows:>6} {ours:>18.2f} {keras_ms:>19.2f} {keras_ms / ours:>6.1f}x")


if __name__ == "__main__":
    main()
