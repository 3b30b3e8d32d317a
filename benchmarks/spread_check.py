"""Does the out-of-fold spread match the ensemble's on new rows?

The decisions are fitted on out-of-fold logits matched to the spread of the
heads' mean (:mod:`sk_imbalance._spread`). This check fits the default
estimator and compares, per candidate, the matched out-of-fold logits with the
test split's ensemble logits, for two matchings:

- ``narrow``: narrowing by :math:`\\rho` from the whole :math:`\\tau^2` (the
  rule before each head's offset was removed);
- ``offsets``: each head's offset removed, then narrowing by the row-to-row
  part of :math:`\\tau^2` (the estimator's rule, ``match_spread``).

Per candidate: the median over labels of the test ensemble's logit standard
deviation over the matched out-of-fold one (1 is a match), and the share of
test (row, label) pairs above each label's matched out-of-fold 98th
percentile (0.02 is a match). It also reports the fitted estimator's test
macro-F1 and predicted over true labels. The test split only reports here;
nothing is chosen on it.

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
from scipy.special import logit  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402

from sk_imbalance._heads import ProbabilityAverage  # noqa: E402
from sk_imbalance._spread import match_spread, spread_ratio  # noqa: E402

_EPS = 1e-12


def head_logits(model, X):
    """Every head's logits ``(n, k, m)``: the inputs of the ensemble's mean."""
    layer = [x for x in model.layers if isinstance(x, ProbabilityAverage)][-1]
    heads = keras.Model(model.inputs, layer.input)
    X = X.toarray() if hasattr(X, "toarray") else X
    out = heads.predict(np.asarray(X, np.float32), batch_size=1024, verbose=0)
    return np.stack(out, axis=1) if isinstance(out, list) else out


def ensemble_logits(H):
    """Logit of the heads' mean probability, as ``ProbabilityAverage``."""
    H = H.astype(np.float64)
    up = np.logaddexp.reduce(-np.logaddexp(0, -H), axis=1)
    down = np.logaddexp.reduce(-np.logaddexp(0, H), axis=1)
    return up - down


def matchings(result, held, held_sets):
    """``{"narrow": Z, "offsets": Z}``: a candidate's matched out-of-fold logits."""
    Z = logit(np.clip(result.proba[held], _EPS, 1 - _EPS))
    centre = Z.mean(axis=0)
    rho = spread_ratio(Z, result.between, len(held_sets))
    matched = match_spread(result.proba, held_sets, result.between)[0][held]
    return {
        "narrow": centre + rho * (Z - centre),
        "offsets": logit(np.clip(matched, _EPS, 1 - _EPS)),
    }


def check(name, seed, data):
    X, Y, X_test, Y_test = load(data, name)
    if name in ("yeast", "emotions"):
        mean, std = X.mean(axis=0), X.std(axis=0) + 1e-12
        X, X_test = (X - mean) / std, (X_test - mean) / std
    est = Recorder(random_state=seed)
    start = time.perf_counter()
    est.fit(X, Y)
    seconds = time.perf_counter() - start
    predicted = est.predict(X_test)
    crossfit = est.crossfit_
    rows = []
    for cname, result in zip(est.candidates_["name"], crossfit.candidates, strict=True):
        Z_test = ensemble_logits(head_logits(result.model, X_test))
        for rule, Z in matchings(result, crossfit.held, crossfit.held_sets).items():
            sd = np.median(Z_test.std(axis=0) / np.maximum(Z.std(axis=0), 1e-9))
            above = (Z_test > np.quantile(Z, 0.98, axis=0)).mean()
            rows.append((cname, rule, sd, above))
    return {
        "f1": f1_score(Y_test, predicted, average="macro", zero_division=0),
        "ratio": predicted.sum() / max(Y_test.sum(), 1),
        "weights": dict(
            zip(est.candidates_["name"], est.candidates_["weight"], strict=True)
        ),
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
    fits = ["| data set | seed | macro-F1 | predicted / true | weights | fit s |",
            "|---|---|---|---|---|---|"]  # fmt: skip
    match = ["| data set | seed | candidate | matching | test sd / matched sd "
             "| test above matched q98 |", "|---|---|---|---|---|---|"]  # fmt: skip
    for name in args.datasets.split(","):
        for seed in seeds:
            got = check(name, seed, args.data)
            chosen = [f"{k} {v:.2f}" for k, v in got["weights"].items() if v]
            weights = ", ".join(chosen)
            fits.append(
                f"| {name} | {seed} | {got['f1']:.3f} | {got['ratio']:.2f} "
                f"| {weights} | {got['seconds']:.0f} |"
            )
            for cname, rule, sd, above in got["rows"]:
                match.append(
                    f"| {name} | {seed} | {cname} | {rule} | {sd:.2f} | {above:.4f} |"
                )
            print(fits[-1], flush=True)
    text = (
        "**The fitted estimator** (test split):\n\n" + "\n".join(fits)
        + "\n\n**Matching** (1 and 0.02 are a match):\n\n" + "\n".join(match)
    )  # fmt: skip
    print(text)
    write_markdown(args.out, run_header(), text)


if __name__ == "__main__":
    main()
