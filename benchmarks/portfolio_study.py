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
  how often each candidate was chosen; and greedy selection with one costly
  candidate left out (``WITHOUT``), to weigh what it adds against its cost.

- and, to choose on: the **split-half** macro-F1 of every rule, chosen and
  its thresholds tuned on one random half of the out-of-fold rows and scored
  on the other (3 cuts, both ways), which counts the selection's own
  optimism.

The out-of-fold probabilities are narrowed to their ensemble's spread, as
the estimator uses them (:mod:`sk_imbalance._decisions.spread`); ``oof_raw`` keeps
them as they were. ``synth1000`` and ``synth300`` are issue 17's synthetic
many-label sets, for ``anchor_study.py``.

Nothing here looks at a test split to choose: the test columns only report.
``record`` saves every fit's arrays (``--scores``, one ``.npz`` per data set
and seed) so that ``score`` can compare further rules without refitting.

Run (``record``: about 10 minutes per seed on an idle 2-core CPU, most of it
on tmc2007 and bibtex, and 11 more for ``synth1000``; ``score``: about 15
minutes, most of it the split halves)::

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
from sk_imbalance._crossfit.feed import predict_logits
from sk_imbalance._decisions.multilabel import decide, to_logits
from sk_imbalance._decisions.selection import blend, greedy_weights, single_best
from sk_imbalance._decisions.spread import match_spread

#: The library of candidates the study compares.
#: The first study's six (learning-rate scale 10 on the linear models, decay 1e-4
#: on two MLPs) lost on text and are pruned: see docs/results/runs/portfolio_study.md.
LIBRARY = [
    {"name": "lin-wd1e-3", "hidden_layer_sizes": (), "dropout": 0.0,
     "weight_decay": 1e-3, "learning_rate_scale": 3.0},
    {"name": "lin-wd1e-4", "hidden_layer_sizes": (), "dropout": 0.0,
     "weight_decay": 1e-4, "learning_rate_scale": 3.0},
    {"name": "mlp128", "hidden_layer_sizes": (128,), "dropout": 0.2},
    {"name": "wide512-d0.5", "hidden_layer_sizes": (512,), "dropout": 0.5},
]  # fmt: skip
#: Synthetic many-label sets (issue 17, item 5): ``n_classes`` labels, 10 true
#: per row on average, the first 6,000 of 8,000 rows to fit.
SYNTHETIC = {"synth1000": 1000, "synth300": 300}
#: Tolerances of the greedy rule.
TOLERANCES = (0.0, 0.002, 0.005)
#: Margins by which a candidate must beat the incumbent (today's MLP) to replace it.
MARGINS = (0.005, 0.01)
#: Candidates the greedy rule is also run without, one at a time: what each
#: adds, against its cost (the wide MLP's matmuls on tmc2007 and text; the
#: second linear model's kernel, as large as the MLP's with many labels).
WITHOUT = ("lin-wd1e-4", "wide512-d0.5")
#: The incumbent: the network the estimator trained before the portfolio.
INCUMBENT = "mlp128"


class Recorder(WeightedMultiLabelClassifier):
    """The estimator, keeping the cross-fit's per-candidate results."""

    def _choose_candidates(self, candidates, crossfit, score, rng):
        self.crossfit_ = crossfit
        return super()._choose_candidates(candidates, crossfit, score, rng)


def synthetic(n_classes):
    """Issue 17's many-label set: ``log1p`` counts, 6,000 rows to fit, 2,000 to test."""
    from sklearn.datasets import make_multilabel_classification

    X, Y = make_multilabel_classification(
        n_samples=8000, n_features=300, n_classes=n_classes, n_labels=10,
        length=500, allow_unlabeled=False, random_state=1,
    )  # fmt: skip
    X = np.log1p(X)
    return X[:6000], Y[:6000], X[6000:], Y[6000:]


def load(data, name):
    """``(X, Y, X_test, Y_test)`` of a MULAN split or a synthetic set."""
    if name in SYNTHETIC:
        return synthetic(SYNTHETIC[name])
    X, Y = load_split(data, name, "train")
    X_test, Y_test = load_split(data, name, "test")
    return X, Y, X_test, Y_test


def record(args):
    out = Path(args.scores)
    out.mkdir(parents=True, exist_ok=True)
    for name in args.datasets.split(","):
        X, Y, X_test, Y_test = load(args.data, name)
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
            matched = [
                match_spread(
                    r.proba,
                    est.crossfit_.held_sets,
                    r.between,
                    train_sets=est.crossfit_.train_sets,
                )[0][held]
                for r in results
            ]
            np.savez_compressed(
                out / f"{name}_{seed}.npz",
                names=np.array([c["name"] for c in LIBRARY]),
                oof=np.stack(matched),
                oof_raw=np.stack([r.proba[held] for r in results]),
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
    for left_out in WITHOUT:
        if left_out not in names:
            continue
        kept = [i for i, name in enumerate(names) if name != left_out]
        weights, _ = greedy_weights(
            [oof[i] for i in kept], score, scores=[scores[i] for i in kept]
        )
        chosen[f"greedy without {left_out}"] = np.zeros(len(oof))
        chosen[f"greedy without {left_out}"][kept] = weights
    return chosen, scores


def _scorer(label_weights):
    """``score(Y, P)`` and ``test_f1`` as the estimator fits its decisions."""
    est = WeightedMultiLabelClassifier()
    est.label_weights_ = label_weights

    def score(Y, proba):
        return est._decision_score(Y, proba, None)

    def fitted_f1(Y, oof, Y_test, test):
        decisions = est._fit_decisions(Y, to_logits(oof), None)
        _, predicted = decide(to_logits(test), decisions)
        return f1_score(Y_test, predicted, average="macro", zero_division=0)

    return score, fitted_f1


def split_half(oof, Y, names, score, fitted_f1, seed, cuts=3):
    """Every rule chosen and tuned on one half of the out-of-fold rows, scored
    on the other: macro-F1 with the selection's and the thresholds' optimism
    both removed. Mean over both directions of ``cuts`` random cuts."""
    rng = np.random.default_rng(seed)
    found = {}
    for _ in range(cuts):
        halves = np.array_split(rng.permutation(Y.shape[0]), 2)
        for a, b in (halves, halves[::-1]):
            part = [p[a] for p in oof]
            chosen, _ = rules(part, lambda P, a=a: score(Y[a], P), names)
            for i, name in enumerate(names):
                chosen[name] = np.eye(len(names))[i]
            for rule, w in chosen.items():
                found.setdefault(rule, []).append(
                    fitted_f1(Y[a], blend(part, w), Y[b], blend([p[b] for p in oof], w))
                )
    return {rule: float(np.mean(v)) for rule, v in found.items()}


def score_file(path, halves=True):
    """Test macro-F1 of each candidate and rule in one recorded fit."""
    data = np.load(path)
    score, fitted_f1 = _scorer(data["label_weights"])
    Y_held, Y_test = data["Y_held"], data["Y_test"]
    oof, test = list(data["oof"]), list(data["test"])
    names = [str(n) for n in data["names"]]
    chosen, scores = rules(oof, lambda P: score(Y_held, P), names)
    seed = int(path.stem.rsplit("_", 1)[1])
    half = split_half(oof, Y_held, names, score, fitted_f1, seed) if halves else {}
    rows = {}
    for i, name in enumerate(names):
        weights = np.eye(len(names))[i]
        rows[name] = (fitted_f1(Y_held, oof[i], Y_test, test[i]), scores[i], weights,
                      half.get(name, np.nan))  # fmt: skip
    for rule, weights in chosen.items():
        rows[rule] = (
            fitted_f1(Y_held, blend(oof, weights), Y_test, blend(test, weights)),
            score(Y_held, blend(oof, weights)),
            weights,
            half.get(rule, np.nan),
        )
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
    half_rows = list(oof_rows)
    half_means = []
    for method in rule_names:
        cells = [
            f"{np.mean([run[1][method][1] for run in runs]):.3f}"
            for runs in by_set.values()
        ]
        oof_rows.append(f"| {method} | " + " | ".join(cells) + " |")
        values = [[run[1][method][3] for run in runs] for runs in by_set.values()]
        half_means.append([np.mean(v) for v in values])
        cells = [f"{np.mean(v):.3f} ({np.std(v):.3f})" for v in values]
        half_rows.append(f"| {method} | " + " | ".join(cells))
    half_ranks = (-np.array(half_means)).argsort(axis=0).argsort(axis=0)
    half_rows[0] += " mean rank |"
    half_rows[1] += "---|"
    half_rows[2:] = [
        f"{row} | {r:.1f} |"
        for row, r in zip(half_rows[2:], half_ranks.mean(axis=1) + 1, strict=True)
    ]
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
        "Split-half macro-F1 (every rule chosen and its thresholds tuned on one "
        "random half of the out-of-fold rows, scored on the other; 3 cuts, both "
        "ways; mean (sd) over seeds): the score a rule may be chosen on, free of "
        "the optimism of choosing and tuning on the same rows:",
        "\n".join(half_rows),
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
