"""How far must a blend of weightings beat the balanced blend to be kept?

Issue 27. With ``class_weight="auto"`` the default candidates hold balanced
networks and an unweighted MLP; the blend that takes the unweighted one is
kept only if its out-of-fold objective beats the balanced candidates' own
blend by enough (``sk_imbalance._estimator.choice``). This study compares
bars for "enough" on the fits ``weighting_portfolio.py record`` left (the
same folds, seeds and networks, so no refit):

- a fixed margin ``m`` (the estimator's rule was ``m = 0.01``): keep the
  blend of all if its gain ``d`` (in-sample out-of-fold objective, blend of
  all minus the balanced blend) exceeds ``m``;
- ``z`` standard errors: keep it if ``d > z * se``, where ``se`` is the
  paired bootstrap's standard error of ``d`` over the held-out rows, both
  blends' decisions held fixed
  (``sk_imbalance._decisions.selection.paired_bootstrap_se`` on
  ``_decision_scorer``, as the estimator computes it).

Per data set, mean (sd) over seeds, it reports the test macro-F1 of each
rule's choice, how many seeds took the blend of all, and the split-half
macro-F1 (greedy selection and decisions fitted on one half of the
out-of-fold rows, scored on the other) of the rule's choice: the number a
rule is chosen on. Per seed it lists ``d``, ``se`` and both blends' scores.
Run::

    python benchmarks/weighting_margin.py [--scores /tmp/weighting_portfolio]
        [--extra-scores /tmp/wp_extra] [--datasets emotions,yeast,...]
        [--seeds 0,1,2] [--out table.md]

A data set is scored from the first ``--scores`` folder that holds it;
``--extra-scores`` folders add networks recorded later on the same folds.
"""

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _report import run_header, write_markdown  # noqa: E402
from portfolio_study import _scorer  # noqa: E402
from weighting_portfolio import (  # noqa: E402
    _split_half_greedy,
    load_group,
    shift,
    to_scale,
)

from sk_imbalance import WeightedMultiLabelClassifier  # noqa: E402
from sk_imbalance._decisions.selection import (  # noqa: E402
    blend,
    greedy_weights,
    paired_bootstrap_se,
)

#: The defaults: (network, weighting) of each candidate; the last trains
#: without class weights.
MEMBERS = (("lin3", "balanced"), ("mid", "balanced"), ("mlp", "none"))
#: The bars compared: ("margin", m) or ("z", z).
RULES = (
    ("margin", 0.0),
    ("margin", 0.005),
    ("margin", 0.01),
    ("z", 1.0),
    ("z", 2.0),
    ("z", 3.0),
)
SETS = "emotions,yeast,enron,bibtex,yeast@400,enron@400,bibtex@400,tmc2007"


def rule_name(kind, value):
    return f"d > {value:g}" if kind == "margin" else f"d > {value:g} se"


def keeps(kind, value, d, se):
    """Whether a rule keeps the blend of all."""
    if kind == "margin":
        return d > value
    return d > 0 and (se == 0 or d > value * se)


def measure(fits, seed, resamples=100):
    """Both blends of one recorded fit: gain, its error, test and split-half."""
    ref = fits["balanced"]
    score, fitted_f1 = _scorer(ref["label_weights"])
    est = WeightedMultiLabelClassifier()
    est.label_weights_ = ref["label_weights"]
    Y, Y_test = ref["Y_held"], ref["Y_test"]
    s_ref = shift(ref["label_weights"])
    oof, test = [], []
    for network, weighting in MEMBERS:
        fit = fits[weighting]
        i = [str(n) for n in fit["names"]].index(network)
        own = shift(fit["label_weights"])
        oof.append(to_scale(fit["oof"][i], own, s_ref))
        test.append(to_scale(fit["test"][i], own, s_ref))
    objective = lambda P: score(Y, P)  # noqa: E731
    w_all, best = greedy_weights(oof, objective)
    w_own, own_best = greedy_weights(oof[:-1], objective)
    w_own = np.r_[w_own, 0.0]
    blends = {"all": w_all, "own": w_own}
    se = paired_bootstrap_se(
        *(
            est._decision_scorer(Y, blend(oof, w), None)
            for w in (blends["all"], blends["own"])
        ),
        Y.shape[0],
        np.random.default_rng(seed),
        resamples,
    )
    return {
        "d": best - own_best,
        "se": se,
        "weights": w_all,
        "test": {
            k: fitted_f1(Y, blend(oof, w), Y_test, blend(test, w))
            for k, w in blends.items()
        },
        "half": {
            "all": _split_half_greedy(oof, Y, score, fitted_f1, seed),
            "own": _split_half_greedy(oof[:-1], Y, score, fitted_f1, seed),
        },
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scores", default="/tmp/weighting_portfolio,/tmp/wp_tmc")
    parser.add_argument("--extra-scores", default="/tmp/wp_extra")
    parser.add_argument("--datasets", default=SETS)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--resamples", type=int, default=100)
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    seeds = [int(s) for s in args.seeds.split(",")]
    folders = args.scores.split(",")
    summary, per_seed = [], []
    head = " | ".join(rule_name(*r) for r in RULES)
    summary.append(
        f"| set | balanced blend | {head} |\n|---|---|" + "---|" * len(RULES)
    )
    per_seed.append(
        "| set | seed | d | se | d / se | weights | test, all / balanced "
        "| split-half, all / balanced |\n|---|---|---|---|---|---|---|---|"
    )
    halves = {r: [] for r in RULES}
    for label in args.datasets.split(","):
        found = []
        for seed in seeds:
            names = (Path(f, f"{label}_{seed}_balanced.npz") for f in folders)
            folder = next((p.parent for p in names if p.exists()), None)
            if folder is None:
                continue
            fits = load_group(folder, label, seed, ["balanced", "none"],
                              args.extra_scores)  # fmt: skip
            m = measure(fits, seed, args.resamples)
            found.append(m)
            ratio = m["d"] / m["se"] if m["se"] > 0 else np.nan
            per_seed.append(
                f"| {label} | {seed} | {m['d']:+.4f} | {m['se']:.4f} | {ratio:.1f} | "
                + ", ".join(f"{w:.2f}" for w in m["weights"])
                + f" | {m['test']['all']:.3f} / {m['test']['own']:.3f} | "
                f"{m['half']['all']:.3f} / {m['half']['own']:.3f} |"
            )
            print(per_seed[-1], flush=True)
        if not found:
            continue
        own = [m["test"]["own"] for m in found]
        cells = [f"{np.mean(own):.3f} ({np.std(own):.3f})"]
        base_half = np.mean([m["half"]["own"] for m in found])
        for rule in RULES:
            took = [keeps(*rule, m["d"], m["se"]) for m in found]
            chosen = ["all" if t else "own" for t in took]
            test = [m["test"][c] for m, c in zip(found, chosen, strict=True)]
            half = [m["half"][c] for m, c in zip(found, chosen, strict=True)]
            halves[rule].append(np.mean(half) - base_half)
            cells.append(
                f"{np.mean(test):.3f} ({np.std(test):.3f}), {sum(took)}/{len(took)}"
            )
        summary.append(f"| {label} | " + " | ".join(cells) + " |")
    gains = " | ".join(
        f"{np.mean(halves[r]):+.4f} (worst {np.min(halves[r]):+.4f})" for r in RULES
    )
    summary.append(
        f"| split-half gain over the balanced blend, mean over sets | | {gains} |"
    )
    text = (
        "Test macro-F1, mean (sd) over seeds, and the seeds that kept the blend "
        "of all; the last row: split-half macro-F1 of each rule's choice minus "
        "the balanced blend's, mean over the sets (and the worst set).\n\n"
        + "\n".join(summary)
        + "\n\nPer seed (d: the blend of all's out-of-fold objective minus the "
        "balanced blend's; se: its paired bootstrap standard error; weights: "
        + ", ".join(n for n, _ in MEMBERS)
        + "):\n\n"
        + "\n".join(per_seed)
        + f"\n\ntotal runtime: {time.perf_counter() - start:.0f} s"
    )
    print(text)
    write_markdown(args.out, run_header(), text)


if __name__ == "__main__":
    main()
