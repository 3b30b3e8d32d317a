"""Quality and cost of the sparse first layer on the real bag-of-words sets.

On MULAN's standard splits of enron, bibtex and tmc2007 (binary word
features, CSR, 3.7% to 8.4% non-zero), our default estimator is fitted twice
per seed on the same CSR matrix, side by side in one process:

- ``sparse``: ``sparse_layer=True``: the first layer works on the non-zeros
  and Adam is lazy on its rows (``sk_imbalance._nn.sparse_layer``);
- ``dense``: ``sparse_layer=False``: the dense first layer and plain Adam,
  the matrix densified once per fit: what sparse input got before, and what
  the default ``sparse_layer="auto"`` picks on these sets (above 1.5% non-zero).

``--networks`` names what is fitted: ``defaults`` (the default candidates:
on the sparse layer without the wide MLP) and ``linear`` (the default linear
candidate alone, whose L2 penalty the sparse layer must apply as the dense
layer does).

Reported per data set and network: test macro-F1 and micro-F1, mean (sd)
over the seeds, and the fit seconds, with the sparse-minus-dense macro-F1
and the time ratio per seed. Run::

    python benchmarks/sparse_quality.py [--datasets enron,bibtex,tmc2007]
        [--seeds 0,1,2] [--networks defaults,linear] [--data ../shared/data]
        [--out table.md]

The default run takes about 15 minutes on a 2-core CPU. ``--out`` writes the
tables as Markdown; ``docs/results/index.md`` includes
``docs/results/runs/sparse_quality.md`` as it is.
"""

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _mulan import DEFAULT_DATA, load_split  # noqa: E402
from _report import run_header, write_markdown  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402

from sk_imbalance import WeightedMultiLabelClassifier  # noqa: E402
from sk_imbalance._nn.portfolio import DEFAULT_CANDIDATES

DATASETS = ("enron", "bibtex", "tmc2007")


NETWORKS = {
    "defaults": {},
    "linear": {
        "candidates": [
            {
                "name": c.name,
                "hidden_layer_sizes": c.hidden_layer_sizes,
                "dropout": c.dropout,
                "weight_decay": c.weight_decay,
                "learning_rate_scale": c.learning_rate_scale,
            }
            for c in DEFAULT_CANDIDATES
            if not c.hidden_layer_sizes
        ]
    },
}


def fit_score(X, Y, X_test, Y_test, seed, sparse_layer, network="defaults"):
    start = time.perf_counter()
    clf = WeightedMultiLabelClassifier(
        random_state=seed, sparse_layer=sparse_layer, **NETWORKS[network]
    )
    clf.fit(X, Y)
    seconds = time.perf_counter() - start
    predicted = clf.predict(X_test)
    return {
        "macro": f1_score(Y_test, predicted, average="macro", zero_division=0),
        "micro": f1_score(Y_test, predicted, average="micro", zero_division=0),
        "seconds": seconds,
        "epochs": len(clf.history_["loss"]),
        "kept": clf.n_epochs_,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--networks", default="defaults,linear")
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    lines = [
        *run_header(),
        "",
        "| data set | network | input | macro-F1 | micro-F1 | fit s "
        "| epochs trained/kept |",
        "|---|---|---|---|---|---|---|",
    ]
    print(lines[0], flush=True)
    summary = []
    for name in args.datasets.split(","):
        X, Y = load_split(args.data, name, "train")
        X_test, Y_test = load_split(args.data, name, "test")
        for network in args.networks.split(","):
            runs = {"sparse": [], "dense": []}
            for seed in seeds:
                kinds = ("sparse", "dense") if seed % 2 == 0 else ("dense", "sparse")
                for kind in kinds:
                    result = fit_score(
                        X, Y, X_test, Y_test, seed, kind == "sparse", network
                    )
                    runs[kind].append(result)
                    print(
                        f"  {name} {network} seed {seed} {kind}: {result}", flush=True
                    )
            for kind in ("dense", "sparse"):
                rows = runs[kind]
                macro = np.array([r["macro"] for r in rows])
                micro = np.array([r["micro"] for r in rows])
                lines.append(
                    f"| {name} | {network} | {kind} | {macro.mean():.3f} "
                    f"({macro.std():.3f}) | {micro.mean():.3f} ({micro.std():.3f}) | "
                    f"{np.mean([r['seconds'] for r in rows]):.1f} | "
                    + ", ".join(f"{r['epochs']}/{r['kept']}" for r in rows)
                    + " |"
                )
            delta = [
                s["macro"] - d["macro"]
                for s, d in zip(runs["sparse"], runs["dense"], strict=True)
            ]
            ratio = [
                s["seconds"] / d["seconds"]
                for s, d in zip(runs["sparse"], runs["dense"], strict=True)
            ]
            summary.append(
                f"- {name}, {network}: sparse minus dense macro-F1 per seed "
                f"{', '.join(f'{v:+.3f}' for v in delta)} "
                f"(mean {np.mean(delta):+.3f}); "
                f"fit time ratio {', '.join(f'{v:.2f}' for v in ratio)}"
            )
    text = "\n".join([*lines, "", *summary])
    print(text)
    write_markdown(args.out, text)


if __name__ == "__main__":
    main()
