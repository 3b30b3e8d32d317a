"""Binary text judged by F1: the seed's cost-sensitive case on real data.

The user's problem: about 5,000 positives against 15,000 negatives, text
features, judged by the positive class's F1, "a cost-sensitive loss that puts
more weight on misclassified true samples". The closest real match in
``../shared/data``: MULAN's tmc2007-500 (aviation safety reports, 500 binary
word features), label 5 as a 1-D binary target: 6,065 positives in 21,519
training rows (28%), judged on the standard test split (7,077 rows).
Srivastava & Zane-Ulman, IEEE Aerospace Conference 2005.

Methods, side by side in one run, seeds 0, 1, 2:

- ``keras_bce``: a plain Keras network (scikeras ``KerasClassifier``: our
  default MLP's layers, a sigmoid output, binary cross-entropy, 60 epochs),
  cut at 0.5;
- ``keras_cw``: the same with ``class_weight="balanced"``, cut at 0.5;
- ``lr``: ``LogisticRegression(class_weight="balanced")``, cut at 0.5;
- ``cw05``: ``WeightedMultiLabelClassifier(threshold=0.5, calibration=None)``,
  balanced weights and the weighted network's own 0.5;
- ``focal05``: the same with ``loss="focal"``;
- ``ours``: ``WeightedMultiLabelClassifier()``, the defaults (balanced weights,
  an F1 threshold tuned on the out-of-fold scores);
- ``softmax_f1``: ``WeightedMultiClassClassifier(decision="tuned",
  scoring="f1")``, two softmax outputs and an offset tuned for F1;
- ``cost``: ``WeightedMultiClassClassifier(loss="expected_cost",
  cost=[[0, 1], [3, 0]], class_weight=None, decision="argmax",
  calibration=None)``: the seed's cost matrix (a missed positive costs three
  false alarms), made differentiable, and the network's own argmax.

Run: ``python benchmarks/binary_text.py [--out table.md]`` (``--seeds``,
``--methods``, ``--label``, ``--data``). Prints the run's command, machine and
versions and a Markdown table of test F1, precision and recall of the
positives, mean (std) over the seeds, and the fit seconds; ``--out`` also
writes them to a Markdown file.
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from _mulan import DEFAULT_DATA, load_split
from _report import run_header, write_markdown
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score, precision_score, recall_score

from sk_imbalance import WeightedMultiClassClassifier, WeightedMultiLabelClassifier

PEER_EPOCHS = 60
METHODS = (
    "keras_bce",
    "keras_cw",
    "lr",
    "cw05",
    "focal05",
    "ours",
    "softmax_f1",
    "cost",
)


def sigmoid_mlp(meta):
    import keras

    return keras.Sequential(
        [
            keras.Input((meta["n_features_in_"],)),
            keras.layers.Dense(128, activation="relu"),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )


def make(method, seed):
    if method in ("keras_bce", "keras_cw"):
        from scikeras.wrappers import KerasClassifier

        return KerasClassifier(
            model=sigmoid_mlp,
            loss="binary_crossentropy",
            optimizer="adam",
            optimizer__learning_rate=1e-3,
            class_weight="balanced" if method == "keras_cw" else None,
            epochs=PEER_EPOCHS,
            batch_size=64,
            random_state=seed,
            verbose=0,
        )
    if method == "lr":
        return LogisticRegression(class_weight="balanced", max_iter=3000)
    if method == "cw05":
        return WeightedMultiLabelClassifier(
            threshold=0.5, calibration=None, random_state=seed
        )
    if method == "focal05":
        return WeightedMultiLabelClassifier(
            loss="focal", threshold=0.5, calibration=None, random_state=seed
        )
    if method == "ours":
        return WeightedMultiLabelClassifier(random_state=seed)
    if method == "softmax_f1":
        return WeightedMultiClassClassifier(
            decision="tuned", scoring="f1", random_state=seed
        )
    if method == "cost":
        return WeightedMultiClassClassifier(
            loss="expected_cost",
            cost=[[0.0, 1.0], [3.0, 0.0]],
            class_weight=None,
            decision="argmax",
            calibration=None,
            random_state=seed,
        )
    raise ValueError(method)


def load(data, label):
    X, Y = load_split(data, "tmc2007", "train")
    Xt, Yt = load_split(data, "tmc2007", "test")

    def column(M):
        return (
            np.asarray(M[:, label].todense()).ravel()
            if hasattr(M, "todense")
            else M[:, label]
        )

    return X, column(Y).astype(int), Xt, column(Yt).astype(int)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--methods", default=",".join(METHODS))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--label", type=int, default=5)
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument(
        "--out", help="also write the run's header and tables here, as Markdown"
    )
    args = parser.parse_args(argv)
    methods = args.methods.split(",")
    seeds = [int(s) for s in args.seeds.split(",")]
    extra = {}
    if {"keras_bce", "keras_cw"} & set(methods):
        import scikeras

        extra["scikeras"] = scikeras.__version__
    header = run_header(**extra)
    print("\n".join(header), flush=True)
    X, y, Xt, yt = load(args.data, args.label)
    data_note = (
        f"tmc2007 label {args.label}: train {y.sum()} positives of {len(y)}, "
        f"test {yt.sum()} of {len(yt)}"
    )
    print(f"# {data_note}", flush=True)
    results = {}
    for seed in seeds:
        for method in methods:
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pred = np.asarray(make(method, seed).fit(X, y).predict(Xt)).ravel()
            seconds = time.perf_counter() - start
            row = (
                f1_score(yt, pred),
                precision_score(yt, pred, zero_division=0),
                recall_score(yt, pred),
                seconds,
            )
            results.setdefault(method, []).append(row)
            print(
                f"{method} seed {seed}: F1 {row[0]:.4f} P {row[1]:.4f} R {row[2]:.4f} "
                f"{seconds:.1f}s",
                flush=True,
            )
    lines = ["| method | F1 | precision | recall | fit s |", "|---|---|---|---|---|"]
    for method in methods:
        r = np.array(results[method])
        cells = [f"{r[:, i].mean():.3f} ({r[:, i].std():.3f})" for i in range(3)]
        lines.append(
            f"| {method} | " + " | ".join(cells) + f" | {r[:, 3].mean():.1f} |"
        )
    text = "\n".join(lines)
    print(text)
    write_markdown(args.out, header, data_note + ".", text)


if __name__ == "__main__":
    main()
