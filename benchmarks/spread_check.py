"""Does the out-of-fold spread match the ensemble's on new rows?

The decisions are fitted on out-of-fold logits matched to the heads' ensemble
(:mod:`sk_imbalance._decisions.spread`: each head's offset removed, then narrowed by
the row-to-row part of :math:`\\tau^2`). That matching models the ensemble as
the **mean of the heads' logits**. This check fits the default estimator and
compares, per candidate, the matched out-of-fold logits with the test split's
ensemble logits under two combiners of the same heads:

- ``logit``: the mean of the heads' logits (what the matching models);
- ``proba``: the logit of the heads' mean probability.

Per candidate and combiner: the median over labels of the test ensemble's
logit standard deviation over the matched out-of-fold one (1 is a match), the
median over labels of the test mean minus the matched mean (0 is a match),
and the share of test (row, label) pairs above each label's matched
out-of-fold 95th and 99th percentiles (0.05 and 0.01 are a match: the tail
where rare labels' thresholds sit). For the fitted estimator (its blend of
candidates, its calibration and thresholds, fitted out of fold), the test
macro-F1 and the predicted over true labels under each combiner. The test
split only reports here; nothing is chosen on it.

Data sets: MULAN's (``../shared/data``) and issue 17's synthetic 1,000-label
set (``synth1000``). Run::

    python benchmarks/spread_check.py [--datasets synth1000,enron] [--seeds 0,1,2]
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
from _mulan import DEFAULT_DATA  # noqa: E402
from _report import run_header, write_markdown  # noqa: E402
from portfolio_study import Recorder, load  # noqa: E402
from scipy.special import expit, logit  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402

from sk_imbalance._decisions.multilabel import decide
from sk_imbalance._decisions.spread import match_spread  # noqa: E402
from sk_imbalance._nn.layers import LogitShift  # noqa: E402

_EPS = 1e-12
COMBINERS = ("logit", "proba")


def head_logits(model, X):
    """Every head's logits ``(n, k, m)``: the inputs of the ensemble's average.

    A candidate of another weighting than the reference ends in its scale
    offset (``LogitShift``, issue 27): its heads are the average's inputs
    moved by that offset, as the ensemble is.
    """
    layer, offset = model.layers[-1], 0.0
    if isinstance(layer, LogitShift):
        offset = np.asarray(layer.offset)
        layer = model.layers[-2]  # the average the offset follows
    heads = keras.Model(model.inputs, layer.input)
    X = X.toarray() if hasattr(X, "toarray") else X
    out = heads.predict(np.asarray(X, np.float32), batch_size=1024, verbose=0)
    out = np.stack(out, axis=1) if isinstance(out, list) else out
    return out + offset


def combine(H, how):
    """The ensemble's logits from the heads' ``(n, k, m)`` logits."""
    H = H.astype(np.float64)
    if how == "logit":
        return H.mean(axis=1)
    up = np.logaddexp.reduce(-np.logaddexp(0, -H), axis=1)
    down = np.logaddexp.reduce(-np.logaddexp(0, H), axis=1)
    return up - down


def check(name, seed, data):
    X, Y, X_test, Y_test = load(data, name)
    if name in ("yeast", "emotions"):
        mean, std = X.mean(axis=0), X.std(axis=0) + 1e-12
        X, X_test = (X - mean) / std, (X_test - mean) / std
    est = Recorder(random_state=seed)
    start = time.perf_counter()
    est.fit(X, Y)
    seconds = time.perf_counter() - start
    crossfit = est.crossfit_
    held = crossfit.held
    rows, blended = [], {how: 0.0 for how in COMBINERS}
    weights = est.candidates_["weight"]
    for cname, result, weight in zip(
        est.candidates_["name"], crossfit.candidates, weights, strict=True
    ):
        H = head_logits(result.model, X_test)
        matched = match_spread(
            result.proba, crossfit.held_sets, result.between,
            train_sets=crossfit.train_sets,
        )[0][held]  # fmt: skip
        Z = logit(np.clip(matched, _EPS, 1 - _EPS))
        for how in COMBINERS:
            Z_test = combine(H, how)
            blended[how] = blended[how] + weight * expit(Z_test)
            sd = np.median(Z_test.std(axis=0) / np.maximum(Z.std(axis=0), 1e-9))
            shift = np.median(Z_test.mean(axis=0) - Z.mean(axis=0))
            q95 = (Z_test > np.quantile(Z, 0.95, axis=0)).mean()
            q99 = (Z_test > np.quantile(Z, 0.99, axis=0)).mean()
            rows.append((cname, how, sd, shift, q95, q99))
    decisions = est._decisions()
    fits = {}
    for how in COMBINERS:
        P = np.clip(blended[how] / np.sum(weights), _EPS, 1 - _EPS)
        _, predicted = decide(logit(P), decisions, est.top_k)
        fits[how] = (
            f1_score(Y_test, predicted, average="macro", zero_division=0),
            predicted.sum() / max(Y_test.sum(), 1),
        )
    return {
        "fits": fits,
        "weights": dict(zip(est.candidates_["name"], weights, strict=True)),
        "rows": rows,
        "seconds": seconds,
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="synth1000")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--out", default=None)
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    fits = ["| data set | seed | combiner | macro-F1 | predicted / true | weights "
            "| fit s |", "|---|---|---|---|---|---|---|"]  # fmt: skip
    match = ["| data set | seed | candidate | combiner | test sd / matched sd "
             "| test mean - matched mean | above matched q95 | above matched q99 |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for name in args.datasets.split(","):
        for seed in seeds:
            got = check(name, seed, args.data)
            chosen = [f"{k} {v:.2f}" for k, v in got["weights"].items() if v]
            for how, (f1, ratio) in got["fits"].items():
                fits.append(
                    f"| {name} | {seed} | {how} | {f1:.3f} | {ratio:.2f} "
                    f"| {', '.join(chosen)} | {got['seconds']:.0f} |"
                )
                print(fits[-1], flush=True)
            for cname, how, sd, shift, q95, q99 in got["rows"]:
                match.append(
                    f"| {name} | {seed} | {cname} | {how} | {sd:.2f} | {shift:+.2f} "
                    f"| {q95:.4f} | {q99:.4f} |"
                )
    text = (
        "**The fitted estimator** (test split):\n\n" + "\n".join(fits)
        + "\n\n**Matching** (1, 0, 0.05 and 0.01 are a match):\n\n"
        + "\n".join(match)
    )  # fmt: skip
    print(text)
    write_markdown(args.out, run_header(), text)


if __name__ == "__main__":
    main()
