"""Where should the per-label thresholds be anchored when labels are many and rare?

Issue 17, item 5. The per-label F1 thresholds are tuned on out-of-fold scores
and pulled toward an anchor by a pseudo-count
(``_decisions.thresholds.tune_thresholds``); labels with fewer than 5
held-out positives keep the anchor. Until now the
anchor was the balanced-weighted network's own 0.5, which for a rare label
sits near its prior on the calibrated scale and predicts several times its
rate: with 1,000 labels, the thresholds predict several times the true labels
per row. This study compares anchors and pseudo-counts:

- ``0.5``: the network's 0.5 (the rule before this study);
- ``rate``: the cut-off that predicts as many out-of-fold rows as the label
  has positives (``_decisions.thresholds.rate_anchor``);
- ``max(0.5, rate)``: the rate anchor only where it is above 0.5;
- ``max(0.5, c rate)``: 0.5, raised where it predicts more than ``c`` times
  the label's out-of-fold positives (``c`` = 3 is the cap the tuned
  thresholds already obey);

with pseudo-counts 10, 30 and 100.

It reads the arrays ``portfolio_study.py record`` saves (each candidate's
out-of-fold probabilities on the fit rows and probabilities on the test
split) and scores the rules on three members: ``mlp128`` alone, the greedy
blend of the candidates, and ``mlp128`` on out-of-fold scores not narrowed to
the ensemble's spread (``_decisions.spread.match_spread``). Two scores per rule:

- **split-half** (what a rule may be chosen on): the fit rows' out-of-fold
  probabilities are cut in two random halves, thresholds are tuned on one and
  scored on the other, both ways, 5 cuts; macro-F1 and predicted labels per
  row over true labels per row;
- **test**: thresholds tuned on every out-of-fold row, scored on the test
  split (reported, not chosen on).

Data sets: MULAN's yeast, emotions, enron, bibtex and tmc2007, and the
synthetic 1,000-label set of issue 17 (``synth1000``). Run::

    python benchmarks/portfolio_study.py record --datasets ... --scores DIR
    python benchmarks/anchor_study.py --scores DIR [--out table.md]
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _report import run_header, write_markdown  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402

from sk_imbalance import WeightedMultiLabelClassifier  # noqa: E402
from sk_imbalance._decisions.selection import blend, greedy_weights
from sk_imbalance._decisions.thresholds import rate_anchor, tune_thresholds

SHRINKAGES = (10, 30, 100)


def _anchors(Y, P):
    rate = rate_anchor(Y, P)
    return {
        "0.5": 0.5,
        "rate": rate,
        "max(0.5, rate)": np.maximum(rate, 0.5),
        "max(0.5, 1.5 rate)": np.maximum(rate_anchor(Y, P, 1.5), 0.5),
        "max(0.5, 3 rate)": np.maximum(rate_anchor(Y, P, 3.0), 0.5),
    }


def thresholds(Y, P):
    """Every rule's thresholds on ``(Y, P)``: name -> ndarray."""
    found = {}
    for anchor_name, anchor in _anchors(Y, P).items():
        for k in SHRINKAGES:
            found[f"{anchor_name}, k={k}"] = tune_thresholds(
                Y, P, default=anchor, shrinkage=k
            )
    return found


def evaluate(Y, P, t):
    """``(macro-F1, predicted labels per row / true labels per row)``."""
    predicted = P >= t
    ratio = predicted.sum() / max(Y.sum(), 1)
    return f1_score(Y, predicted, average="macro", zero_division=0), ratio


def split_half(Y, P, seed, cuts=5):
    """Mean split-half scores of every rule on out-of-fold rows."""
    rng = np.random.default_rng(seed)
    scores = {}
    for _ in range(cuts):
        halves = np.array_split(rng.permutation(Y.shape[0]), 2)
        for a, b in (halves, halves[::-1]):
            for rule, t in thresholds(Y[a], P[a]).items():
                scores.setdefault(rule, []).append(evaluate(Y[b], P[b], t))
    return {rule: np.mean(values, axis=0) for rule, values in scores.items()}


def members(data):
    """``mlp128`` alone and the greedy blend: name -> (oof, test) probabilities."""
    est = WeightedMultiLabelClassifier()
    est.label_weights_ = data["label_weights"]
    Y = data["Y_held"]
    names = [str(n) for n in data["names"]]
    oof, test = list(data["oof"]), list(data["test"])
    weights, _ = greedy_weights(oof, lambda p: est._decision_score(Y, p, None))
    one = np.eye(len(names))[names.index("mlp128")]
    found = {
        "mlp128": (blend(oof, one), blend(test, one)),
        "greedy": (blend(oof, weights), blend(test, weights)),
    }
    if "oof_raw" in data:
        found["mlp128, not narrowed"] = (
            blend(list(data["oof_raw"]), one),
            blend(test, one),
        )
    return found


def study(args):
    results = {}  # (member, rule, set) -> list of (half f1, half ratio, f1, ratio)
    for path in sorted(Path(args.scores).glob("*.npz")):
        name, seed = path.stem.rsplit("_", 1)
        data = np.load(path)
        Y, Y_test = data["Y_held"], data["Y_test"]
        for member, (oof, test) in members(data).items():
            half = split_half(Y, oof, int(seed))
            for rule, t in thresholds(Y, oof).items():
                results.setdefault((member, rule, name), []).append(
                    (*half[rule], *evaluate(Y_test, test, t))
                )
        print(f"scored {path.name}", flush=True)
    sets = sorted({key[2] for key in results}, key=_order)
    rules = list(dict.fromkeys(key[1] for key in results))
    parts = []
    members_seen = list(dict.fromkeys(key[0] for key in results))
    for member in members_seen:
        for column, title in (
            (0, "split-half macro-F1 (choose on this)"),
            (2, "test macro-F1"),
        ):
            parts.append(
                f"**{member}: {title}**, mean (sd) over seeds; predicted "
                "over true labels per row in brackets; mean rank:"
            )
            parts.append(_table(results, member, rules, sets, column))
    text = "\n\n".join(parts)
    print(text)
    write_markdown(args.out, run_header(), text)


def _order(name):
    known = ["yeast", "emotions", "enron", "bibtex", "tmc2007", "synth1000"]
    return known.index(name) if name in known else len(known)


def _table(results, member, rules, sets, column):
    means = np.array(
        [
            [np.mean([r[column] for r in results[(member, rule, s)]]) for s in sets]
            for rule in rules
        ]
    )
    ranks = (-means).argsort(axis=0).argsort(axis=0).mean(axis=1) + 1
    lines = [
        "| rule | " + " | ".join(sets) + " | mean rank |",
        "|---" * (len(sets) + 2) + "|",
    ]
    for rule, rank in zip(rules, ranks, strict=True):
        cells = []
        for s in sets:
            values = np.array(results[(member, rule, s)])
            cells.append(
                f"{values[:, column].mean():.3f} ({values[:, column].std():.3f})"
                f" [{values[:, column + 1].mean():.2f}]"
            )
        lines.append(f"| {rule} | " + " | ".join(cells) + f" | {rank:.1f} |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scores", default="/tmp/portfolio_scores")
    parser.add_argument("--out", default=None)
    study(parser.parse_args(argv))


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
