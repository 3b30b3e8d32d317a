"""Does the out-of-fold blend model the blend that predicts?

The decisions are fitted on the blend of the candidates' out-of-fold
probabilities, matched to the ensembles that predict
(:mod:`sk_imbalance._decisions.spread`). Matched **candidate by candidate**
(``match_spread``), each candidate's spread is its ensemble's
(``spread_check.py`` checks it), but not the **correlation between
candidates**: out of fold each row's score comes from one head per candidate,
whose noise the candidates do not all share, while on new rows each
candidate is the mean of its ``k`` heads, most of that noise averaged away.
So on new rows the candidates agree more than out of fold, and their
probability mean, the blend ``predict`` uses, is distributed otherwise than
the one its thresholds were tuned on. ``match_spread_jointly`` matches them
together, with the covariance between candidates of the heads' deviations.

This script fits the default estimator and, for its chosen blend (weights as
chosen), reports:

- the mean over labels of the correlation between the two blended
  candidates of largest weight: out of fold under each matching, and on the
  test split between their ensembles (no labels needed);
- under each matching, with the calibration and thresholds refitted on it:
  labels predicted per true label out of fold (on the rows the decisions
  were fitted on) and on the test split, and the test macro-F1.

The networks and the blend weights are the fitted estimator's; its own test
macro-F1 is shown beside (it equals the column of the matching it uses).
Nothing is chosen on the test split. Run::

    python benchmarks/blend_spread.py [--datasets bibtex,tmc2007] [--seeds 0,1,2]
        [--out table.md]
"""

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from _mulan import DEFAULT_DATA  # noqa: E402
from _report import run_header, write_markdown  # noqa: E402
from scipy.special import expit, logit  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from weighting_study import load  # noqa: E402

from sk_imbalance import WeightedMultiLabelClassifier  # noqa: E402
from sk_imbalance._decisions.multilabel import (  # noqa: E402
    calibration_matters,
    decide,
    to_logits,
)
from sk_imbalance._decisions.selection import blend  # noqa: E402
from sk_imbalance._decisions.spread import (  # noqa: E402
    match_spread,
    match_spread_jointly,
)

DATASETS = ("emotions", "yeast", "enron", "bibtex", "tmc2007")


class Recorder(WeightedMultiLabelClassifier):
    """The estimator, keeping the cross-fit its choice of blend saw."""

    def _choose_candidates(self, candidates, crossfit, score, rng):
        self.crossfit_ = crossfit
        return super()._choose_candidates(candidates, crossfit, score, rng)


def _correlation(a, b):
    """Mean over labels of the correlation of two (n, labels) logit arrays."""
    found = []
    for j in range(a.shape[1]):
        if a[:, j].std() > 0 and b[:, j].std() > 0:
            found.append(np.corrcoef(a[:, j], b[:, j])[0, 1])
    return float(np.mean(found)) if found else float("nan")


def one_fit(data, name, seed):
    X, Y, X_test, Y_test = load(data, name, 0, 0)
    Y, Y_test = np.asarray(Y), np.asarray(Y_test)
    start = time.perf_counter()
    clf = Recorder(random_state=seed).fit(X, Y)
    seconds = time.perf_counter() - start
    crossfit = clf.crossfit_
    results = crossfit.candidates
    weights = np.asarray(clf.candidates_["weight"], dtype=np.float64)
    chosen = np.flatnonzero(weights > 0)
    names = [clf.candidates_["name"][i] for i in chosen]
    row = {
        "set": name,
        "seed": seed,
        "blend": ", ".join(
            f"{n} {w:.2f}" for n, w in zip(names, weights[chosen], strict=True)
        ),
    }
    if chosen.size < 2 or crossfit.between_cov is None:
        row["note"] = "one candidate (or no spread): nothing to model"
        return row
    held = crossfit.held
    marginal = [
        match_spread(
            r.proba, crossfit.held_sets, r.between, train_sets=crossfit.train_sets
        )[0]
        for r in results
    ]
    joint = match_spread_jointly(
        [r.proba for r in results],
        crossfit.held_sets,
        [r.between for r in results],
        crossfit.between_cov,
        train_sets=crossfit.train_sets,
    )
    # the blend model's own candidate logits on the test rows (each candidate's
    # ensemble, moved onto the reference weighting's scale where it trains
    # under another)
    blend_layer = next(
        layer
        for layer in clf.model_.layers
        if type(layer).__name__ == "ProbabilityAverage"
    )
    inner = keras.Model(clf.model_.input, blend_layer.input)
    dense = X_test.toarray() if sp.issparse(X_test) else np.asarray(X_test)
    test_Z = [
        np.asarray(z, dtype=np.float64)
        for z in inner.predict(dense.astype(np.float32), verbose=0)
    ]
    a, b = np.argsort(-weights[chosen])[:2]
    ia, ib = chosen[a], chosen[b]
    row.update(
        seconds=seconds,
        corr_oof=_correlation(logit(marginal[ia][held]), logit(marginal[ib][held])),
        corr_joint=_correlation(logit(joint[ia][held]), logit(joint[ib][held])),
        corr_test=_correlation(test_Z[a], test_Z[b]),
        estimator_f1=f1_score(
            Y_test, clf.predict(X_test), average="macro", zero_division=0
        ),
    )
    w = weights[chosen] / weights[chosen].sum()
    test_blend = to_logits(sum(wi * expit(z) for wi, z in zip(w, test_Z, strict=True)))
    calibrate = calibration_matters(clf.threshold, clf.scoring)
    Yh = Y[held]
    for label, matched in (("marginal", marginal), ("joint", joint)):
        P = to_logits(blend([m[held] for m in matched], weights))
        decisions = clf._fit_decisions(Yh, P, None, calibrate=calibrate)
        _, oof = decide(P, decisions, clf.top_k)
        _, test = decide(test_blend, decisions, clf.top_k)
        row[f"{label}_oof_per_true"] = oof.sum() / Yh.sum()
        row[f"{label}_test_per_true"] = test.sum() / Y_test.sum()
        row[f"{label}_test_f1"] = f1_score(
            Y_test, test, average="macro", zero_division=0
        )
    return row


COLUMNS = (
    ("set", "set", "{}"),
    ("seed", "seed", "{}"),
    ("blend", "blend", "{}"),
    ("corr, OOF marginal", "corr_oof", "{:.3f}"),
    ("corr, OOF joint", "corr_joint", "{:.3f}"),
    ("corr, test ensembles", "corr_test", "{:.3f}"),
    ("per true, marginal OOF / test", None, None),
    ("per true, joint OOF / test", None, None),
    ("test F1: estimator / marginal / joint", None, None),
)


def table(rows):
    lines = [
        "| " + " | ".join(c[0] for c in COLUMNS) + " |",
        "|" + "---|" * len(COLUMNS),
    ]
    for r in rows:
        if "note" in r:
            lines.append(
                f"| {r['set']} | {r['seed']} | {r['blend']} | {r['note']} |" + " |" * 5
            )
            continue
        cells = [fmt.format(r[key]) for _, key, fmt in COLUMNS if key]
        cells.append(
            f"{r['marginal_oof_per_true']:.3f} / {r['marginal_test_per_true']:.3f}"
        )
        cells.append(f"{r['joint_oof_per_true']:.3f} / {r['joint_test_per_true']:.3f}")
        f1s = (r["estimator_f1"], r["marginal_test_f1"], r["joint_test_f1"])
        cells.append(" / ".join(f"{f:.4f}" for f in f1s))
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    rows = []
    for name in args.datasets.split(","):
        for seed in (int(s) for s in args.seeds.split(",")):
            rows.append(one_fit(args.data, name, seed))
            print("\n".join(table(rows[-1:])[2:]), flush=True)
    lines = table(rows)
    print("\n".join(lines))
    write_markdown(args.out, run_header(), lines)


if __name__ == "__main__":
    main()
