"""Which candidates should the default portfolio hold, and how should it choose?

Every candidate of a library (linear models and MLPs of several widths and
regularisations) is trained as heads of one fused model, once per data set and
seed (MULAN's standard splits of yeast, emotions, enron, bibtex and tmc2007;
seeds 0, 1, 2). From that one fit the study keeps each candidate's out-of-fold
probabilities on the fit rows and its probabilities on the test split, then
compares, without refitting:

- each candidate alone;
- **rules** that choose on the out-of-fold probabilities only: the single best
  candidate (``best``), greedy ensemble selection with replacement (Caruana et
  al. 2004) kept only when it beats the single best by a tolerance
  (``greedy+t``), the plain mean of every candidate (``mean``);
- and reports, for each: the test macro-F1 of the decisions fitted (as the
  estimator fits them) on the chosen blend's out-of-fold probabilities, mean
  (sd) over seeds per data set, the out-of-fold objective the rule saw, and
  how often each candidate was chosen.

Nothing here looks at a test split to choose: the test columns only report.
``record`` saves every fit's arrays (``--scores``, one ``.npz`` per data set
and seed) so that ``score`` can compare further rules without refitting.

Run (about 20 minutes for the default run on a 2-core CPU, most of it on
tmc2007 and bibtex)::

    python benchmarks/portfolio_study.py record [--datasets ...] [--seeds 0,1,2]
        [--scores /tmp/portfolio_scores] [--epochs N]
    python benchmarks/portfolio_study.py score [--scores ...] [--out table.md]
"""

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _mulan import DATASETS, DEFAULT_DATA, load_split  # noqa: E402
from _report import run_header, write_markdown  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402

from sk_imbalance import WeightedMultiLabelClassifier  # noqa: E402
from sk_imbalance._decisions import decide, to_logits  # noqa: E402
from sk_imbalance._network import predict_logits  # noqa: E402
from sk_imbalance._selection import blend, greedy_weights, single_best  # noqa: E402

#: The library of candidates the study compares.
LIBRARY = [
    {"name": "lin-wd1e-3", "hidden_layer_sizes": (), "dropout": 0.0,
     "weight_decay": 1e-3, "learning_rate_scale": 10.0},
    {"name": "lin-wd1e-4", "hidden_layer_sizes": (), "dropout": 0.0,
     "weight_decay": 1e-4, "learning_rate_scale": 10.0},
    {"name": "mlp128", "hidden_layer_sizes": (128,), "dropout": 0.2},
    {"name": "mlp128-wd1e-4", "hidden_layer_sizes": (128,), "dropout": 0.2,
     "weight_decay": 1e-4},
    {"name": "wide512-d0.5-wd1e-4", "hidden_layer_sizes": (512,), "dropout": 0.5,
     "weight_decay": 1e-4},
    {"name": "wide512-d0.5", "hidden_layer_sizes": (512,), "dropout": 0.5},
]  # fmt: skip
#: Tolerances of the greedy rule.
TOLERANCES = (0.0, 0.002, 0.005)
#: Margins by which a candidate must beat the incumbent (today's MLP) to replace it.
MARGINS = (0.005, 0.01)
#: The incumbent: the network the estimator trained before the portfolio.
INCUMBENT = "mlp128"


class Recorder(WeightedMultiLabelClassifier):
    """The estimator, keeping the cross-fit's per-candidate results."""

    def _choose_candidates(self, candidates, crossfit, score):
        self.crossfit_ = crossfit
        return super()._choose_candidates(candidates, crossfit, score)


def record(args):
    out = Path(args.scores)
    out.mkdir(parents=True, exist_ok=True)
    for name in args.datasets.split(","):
        X, Y = load_split(args.data, name, "train")
        X_test, Y_test = load_split(args.data, name, "test")
        if name in ("yeast", "emotions"):  # as quality.py: scale dense features
            mean, std = X.mean(axis=0), X.std(axis=0) + 1e-12
            X, X_test = (X - mean) / std, (X_test - mean) / std
        for seed in args.seeds:
            options = {"epochs": args.epochs} if args.epochs else {}
            est = Recorder(candidates=LIBRARY, random_state=seed, **options)
            start = time.perf_counter()
            est.fit(X, Y)
            seconds = time.perf_counter() - start
            results, held = est.crossfit_.candidates, est.crossfit_.held
            test = [1 / (1 + np.exp(-predict_logits(r.model, X_test))) for r in results]
            np.savez_compressed(
                out / f"{name}_{seed}.npz",
                names=np.array([c["name"] for c in LIBRARY]),
                oof=np.stack([r.proba[held] for r in results]),
                test=np.stack(test),
                Y_held=Y[held],
                Y_test=Y_test,
                epochs=np.array([r.n_epochs for r in results]),
                trained=len(est.history_["loss"]),
                label_weights=est.label_weights_,
                seconds=seconds,
            )
            print(
                f"{name} seed {seed}: {seconds:.0f} s, epochs "
                f"{[r.n_epochs for r in results]}, trained "
                f"{len(est.history_['loss'])}",
                flush=True,
            )


def rules(oof, score, names):
    """Weights of every rule, from out-of-fold probabilities only."""
    scores = [score(p) for p in oof]
    chosen = {"best": single_best(scores)}
    incumbent = names.index(INCUMBENT)
    for margin in MARGINS:
        best = int(np.argmax(scores))
        keep = scores[best] <= scores[incumbent] + margin
        chosen[f"best, margin {margin:g}"] = np.eye(len(oof))[
            incumbent if keep else best
        ]
    greedy, greedy_score = greedy_weights(oof, score, scores=scores)
    for tolerance in TOLERANCES:
        use = greedy_score > max(scores) + tolerance
        chosen[f"greedy+{tolerance:g}"] = greedy if use else chosen["best"]
    chosen["mean"] = np.ones(len(oof)) / len(oof)
    return chosen, scores


def score_file(path):
    """Test macro-F1 of each candidate and rule in one recorded fit."""
    data = np.load(path)
    est = WeightedMultiLabelClassifier()
    est.label_weights_ = data["label_weights"]
    Y_held, Y_test = data["Y_held"], data["Y_test"]
    oof, test = list(data["oof"]), list(data["test"])

    def score(proba):
        return est._decision_score(Y_held, proba, None)

    def test_f1(weights):
        decisions = est._fit_decisions(Y_held, to_logits(blend(oof, weights)), None)
        _, predicted = decide(to_logits(blend(test, weights)), decisions)
        return f1_score(Y_test, predicted, average="macro", zero_division=0)

    names = [str(n) for n in data["names"]]
    chosen, scores = rules(oof, score, names)
    rows = {}
    for i, name in enumerate(names):
        weights = np.eye(len(names))[i]
        rows[name] = (test_f1(weights), scores[i], weights)
    for rule, weights in chosen.items():
        rows[rule] = (test_f1(weights), score(blend(oof, weights)), weights)
    return names, rows, float(data["seconds"]), data["epochs"], int(data["trained"])


def score(args):
    files = sorted(Path(args.scores).glob("*.npz"))
    by_set = {}
    for path in files:
        name, seed = path.stem.rsplit("_", 1)
        by_set.setdefault(name, []).append(score_file(path))
    names = by_set[next(iter(by_set))][0][0]
    rule_names = list(by_set[next(iter(by_set))][0][1])
    header = ["| method | " + " | ".join(by_set) + " | mean rank |"]
    header.append("|---" * (len(by_set) + 2) + "|")
    means = {m: [] for m in rule_names}
    lines = []
    for method in rule_names:
        cells = []
        for runs in by_set.values():
            values = [run[1][method][0] for run in runs]
            means[method].append(np.mean(values))
            cells.append(f"{np.mean(values):.3f} ({np.std(values):.3f})")
        lines.append([method, cells])
    table = np.array([means[m] for m in rule_names])
    ranks = (-table).argsort(axis=0).argsort(axis=0).mean(axis=1) + 1
    rows = header + [
        f"| {m} | " + " | ".join(c) + f" | {r:.1f} |"
        for (m, c), r in zip(lines, ranks, strict=True)
    ]
    oof_rows = ["| method | " + " | ".join(by_set) + " |"]
    oof_rows.append("|---" * (len(by_set) + 1) + "|")
    for method in rule_names:
        cells = [
            f"{np.mean([run[1][method][1] for run in runs]):.3f}"
            for runs in by_set.values()
        ]
        oof_rows.append(f"| {method} | " + " | ".join(cells) + " |")
    notes = []
    for set_name, runs in by_set.items():
        picks = {}
        for rule in ("best", "greedy+0", "greedy+0.005"):
            picks[rule] = "; ".join(
                ", ".join(
                    f"{names[i]} {w:.1f}"
                    for i, w in enumerate(run[1][rule][2])
                    if w > 0
                )
                for run in runs
            )
        notes.append(
            f"- {set_name}: fit s {np.mean([r[2] for r in runs]):.0f}; epochs kept "
            f"per candidate {[list(map(int, r[3])) for r in runs]}, trained "
            f"{[r[4] for r in runs]}; best picks {picks['best']}; greedy+0 "
            f"{picks['greedy+0']}; greedy+0.005 {picks['greedy+0.005']}"
        )
    text = [
        "Test macro-F1, mean (sd) over seeds, of decisions fitted on out-of-fold "
        "probabilities; mean rank over the data sets:",
        "\n".join(rows),
        "The out-of-fold objective each saw (mean over seeds; what the rules "
        "maximise):",
        "\n".join(oof_rows),
        "\n".join(notes),
    ]
    print("\n\n".join(text))
    write_markdown(args.out, run_header(), *text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["record", "score"])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument(
        "--seeds", type=lambda t: [int(v) for v in t.split(",")], default=[0, 1, 2]
    )
    parser.add_argument("--scores", default="/tmp/portfolio_scores")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    if args.step == "record":
        print("\n".join(run_header()), flush=True)
        record(args)
    else:
        score(args)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
