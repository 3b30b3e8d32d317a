"""Which weightings and networks should the portfolio hold, and at what cost?

Issue 27: the held-out folds should choose the class weighting too, and the
portfolio should cost about one network. This study records, per data set,
seed and FIXED weighting (``balanced``, ``none``, ``balanced_sqrt``), one fit
of a library of candidates (``LIBRARY``: linear models with two L2 penalties,
the MLP, the wide MLP), each candidate's per-epoch out-of-fold (OOF) curve, its
OOF probabilities at its chosen epoch (narrowed to its ensemble's spread, as
the estimator uses them) and its test probabilities. Candidates are
independent heads of the fused model (no shared weight; the folds, batches
and initial weights depend on the seed only), so a fit of candidate set A
under weighting W and of set B under V together are what one fit of all of
them would give, and ``score`` can compare portfolios and racing rules
without refitting.

**One scale.** A network trained with label weights :math:`[w_0, w_1]` has
its logit shifted by about :math:`s = \\log(w_1 / w_0)` from an unweighted
one (the prior shift of the weighted loss). Before a blend mixes weightings,
each candidate's logits are moved to the reference weighting's scale, ``z +
s_ref - s_own``; the decisions are then fitted as the estimator fits them
with the reference's label weights. ``--reference`` names it (balanced).

``score`` reports, per data set (mean (sd) over seeds):

- ``fixed W``: today's default portfolio (``DEFAULT``) trained under W alone,
  blended by greedy selection and decided with W's own weights: what
  ``class_weight=W`` gives;
- each portfolio of ``PORTFOLIOS`` (networks x weightings), greedy selection
  on the reference scale, with and without **racing**: after epoch ``r`` a
  candidate whose OOF objective is below the best one's by more than ``m``
  stops there and leaves the blend;
- its test macro-F1, its split-half macro-F1 (chosen and tuned on one half of
  the OOF rows, scored on the other: the number to choose on), and its cost:
  the epochs each candidate trained times its arithmetic per row (first layer
  ``d x h`` plus ``h x m``, or ``d x m`` for a linear model), over the same for
  the MLP under the reference weighting alone (today's single-network fit).

Nothing here chooses on a test split. Run::

    python benchmarks/weighting_portfolio.py record [--datasets ...]
        [--seeds 0,1,2] [--class-weights balanced,none,balanced_sqrt]
        [--subsample N] [--scores /tmp/weighting_portfolio]
    python benchmarks/weighting_portfolio.py score [--scores ...] [--out table.md]
"""

import argparse
import os
import time
from itertools import product
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _mulan import DATASETS, DEFAULT_DATA  # noqa: E402
from _report import run_header, write_markdown  # noqa: E402
from portfolio_study import Recorder, _scorer  # noqa: E402
from scipy.special import expit, logit  # noqa: E402
from weighting_study import WEIGHTINGS, load  # noqa: E402

from sk_imbalance._crossfit.feed import predict_logits  # noqa: E402
from sk_imbalance._decisions.label_weights import check_label_weights  # noqa: E402
from sk_imbalance._decisions.selection import blend, greedy_weights  # noqa: E402
from sk_imbalance._decisions.spread import match_spread  # noqa: E402

LIBRARY = [
    {"name": "lin3", "hidden_layer_sizes": (), "dropout": 0.0,
     "weight_decay": 1e-3, "learning_rate_scale": 3.0},
    {"name": "lin4", "hidden_layer_sizes": (), "dropout": 0.0,
     "weight_decay": 1e-4, "learning_rate_scale": 3.0},
    {"name": "mlp", "hidden_layer_sizes": (128,), "dropout": 0.2},
    {"name": "wide", "hidden_layer_sizes": (512,), "dropout": 0.5},
    {"name": "mid", "hidden_layer_sizes": (256,), "dropout": 0.5},
    {"name": "mlp5", "hidden_layer_sizes": (128,), "dropout": 0.5},
    {"name": "mlp64", "hidden_layer_sizes": (64,), "dropout": 0.2},
]  # fmt: skip
#: The networks ``record`` trains unless ``--networks`` names others; the
#: cheaper shapes after them were recorded apart (``--extra-scores``).
RECORDED = ("lin3", "lin4", "mlp", "wide")
#: The default portfolio of the first study (its balanced networks), the
#: reference of the ``fixed W`` rows.
DEFAULT = ("lin3", "mlp", "wide")
#: Short names of the weightings, for candidate names like ``mlp/none``.
SHORT = {"balanced": "bal", "none": "none", "balanced_sqrt": "sqrt",
         "effective_number": "eff"}  # fmt: skip
#: Portfolios compared: (networks, weightings).
PORTFOLIOS = {
    "default x bal": (DEFAULT, ("balanced",)),
    "default x {bal,none}": (DEFAULT, ("balanced", "none")),
    "mlp x {bal,none}": (("mlp",), ("balanced", "none")),
    "mlp x {bal,sqrt,none}": (("mlp",), ("balanced", "balanced_sqrt", "none")),
    "lin3,mlp x {bal,none}": (("lin3", "mlp"), ("balanced", "none")),
    "lin4,mlp x {bal,none}": (("lin4", "mlp"), ("balanced", "none")),
    "lin3,lin4,mlp x {bal,none}": (("lin3", "lin4", "mlp"), ("balanced", "none")),
    "all x {bal,none}": (("lin3", "lin4", "mlp", "wide"), ("balanced", "none")),
    "all x {bal,sqrt,none}": (
        ("lin3", "lin4", "mlp", "wide"),
        ("balanced", "balanced_sqrt", "none"),
    ),
}
#: Portfolios of chosen members: (network, weighting) pairs.
MEMBERS = {
    "default x bal + mlp/none": [
        ("lin3", "balanced"), ("mlp", "balanced"), ("wide", "balanced"),
        ("mlp", "none"),
    ],
    "default x bal + lin4/bal": [
        ("lin3", "balanced"), ("mlp", "balanced"), ("wide", "balanced"),
        ("lin4", "balanced"),
    ],
    "default x bal + lin4/bal + mlp/none": [
        ("lin3", "balanced"), ("mlp", "balanced"), ("wide", "balanced"),
        ("lin4", "balanced"), ("mlp", "none"),
    ],
    "lin4,mlp,wide x bal + mlp/none": [
        ("lin4", "balanced"), ("mlp", "balanced"), ("wide", "balanced"),
        ("mlp", "none"),
    ],
    "lin3,lin4,mlp x bal + mlp/none": [
        ("lin3", "balanced"), ("lin4", "balanced"), ("mlp", "balanced"),
        ("mlp", "none"),
    ],
    # Cheaper shapes in wide's place (recorded apart, ``--extra-scores``):
    "lin3,mlp x bal + mlp/none": [
        ("lin3", "balanced"), ("mlp", "balanced"), ("mlp", "none"),
    ],
    "lin3,mlp,mid x bal + mlp/none": [
        ("lin3", "balanced"), ("mlp", "balanced"), ("mid", "balanced"),
        ("mlp", "none"),
    ],
    "lin3,mlp,mlp5 x bal + mlp/none": [
        ("lin3", "balanced"), ("mlp", "balanced"), ("mlp5", "balanced"),
        ("mlp", "none"),
    ],
    "lin3,mid x bal + mlp/none (the defaults)": [
        ("lin3", "balanced"), ("mid", "balanced"), ("mlp", "none"),
    ],
    "lin3,mlp5 x bal + mlp/none": [
        ("lin3", "balanced"), ("mlp5", "balanced"), ("mlp", "none"),
    ],
    # A narrower unweighted MLP (recorded apart, ``--extra-scores``):
    "lin3,mid x bal + mlp64/none": [
        ("lin3", "balanced"), ("mid", "balanced"), ("mlp64", "none"),
    ],
    "mid x bal": [("mid", "balanced")],
    "mlp5 x bal": [("mlp5", "balanced")],
}  # fmt: skip
#: How much more out of fold a blend with other weightings must score than
#: the reference weighting's own blend to be kept.
MARGINS = (0.0, 0.005, 0.01, 0.02)
#: Racing rules: (epoch, margin) after which a trailing candidate stops.
RACES = ((3, 0.02), (5, 0.01), (5, 0.02), (8, 0.01))


class ScaledRecorder(Recorder):
    """The recorder, scoring every epoch on the reference weighting's scale.

    The estimator's objective fits the decisions with its own label weights:
    the thresholds are anchored at the network's 0.5 and the calibration is
    pulled toward its weighting's prior shift, so an unweighted network's
    objective on rare labels is near 0 whatever it learnt, and its epoch
    choice follows that. In a portfolio of weightings every candidate is
    scored on the reference's scale (its logits moved by ``s_ref - s_own``,
    the decisions fitted with the reference's weights), so the recorder
    chooses each epoch that way too.
    """

    #: ``[w_neg, w_pos]`` of the reference weighting, set before ``fit``.
    reference_weights = None

    def _decision_score(self, Y, proba, sample_weight):
        if self.reference_weights is None:
            return super()._decision_score(Y, proba, sample_weight)
        own = self.label_weights_
        proba = to_scale(proba, shift(own), shift(self.reference_weights))
        self.label_weights_ = self.reference_weights
        try:
            return super()._decision_score(Y, proba, sample_weight)
        finally:
            self.label_weights_ = own


def record(args):
    out = Path(args.scores)
    out.mkdir(parents=True, exist_ok=True)
    for name in args.datasets.split(","):
        label = f"{name}@{args.subsample}" if args.subsample else name
        for seed in args.seeds:
            X, Y, X_test, Y_test = load(args.data, name, args.subsample, seed)
            for weighting in args.class_weights:
                path = out / f"{label}_{seed}_{weighting}.npz"
                if path.exists():
                    continue
                reference = None
                if weighting != args.reference:
                    reference = check_label_weights(WEIGHTINGS[args.reference], Y)
                library = [c for c in LIBRARY if c["name"] in args.networks]
                est = ScaledRecorder(
                    candidates=library,
                    class_weight=WEIGHTINGS[weighting],
                    random_state=seed,
                )
                est.reference_weights = reference
                start = time.perf_counter()
                est.fit(X, Y)
                seconds = time.perf_counter() - start
                crossfit = est.crossfit_
                results, held = crossfit.candidates, crossfit.held
                curves = [list(r.history["oof_score"]) for r in results]
                longest = max(len(c) for c in curves)
                np.savez_compressed(
                    path,
                    names=np.array([c["name"] for c in library]),
                    oof=np.stack(
                        [
                            match_spread(
                                r.proba,
                                crossfit.held_sets,
                                r.between,
                                train_sets=crossfit.train_sets,
                            )[0][held]
                            for r in results
                        ]
                    ),
                    test=np.stack(
                        [expit(predict_logits(r.model, X_test)) for r in results]
                    ),
                    Y_held=Y[held],
                    Y_test=Y_test,
                    epochs=np.array([r.n_epochs for r in results]),
                    curves=np.array(
                        [c + [np.nan] * (longest - len(c)) for c in curves]
                    ),
                    label_weights=est.label_weights_,
                    n_features=X.shape[1],
                    seconds=seconds,
                )
                print(
                    f"{label} seed {seed} {weighting}: {seconds:.0f} s, epochs "
                    f"{[r.n_epochs for r in results]}, trained "
                    f"{[len(c) for c in curves]}",
                    flush=True,
                )


def shift(label_weights):
    """Per-label logit shift of a weighting, ``log(w_pos / w_neg)``."""
    w = np.asarray(label_weights, float)
    return np.log(w[:, 1]) - np.log(w[:, 0])


def to_scale(proba, own, reference):
    """Probabilities moved from weighting ``own``'s scale to ``reference``'s."""
    return expit(logit(np.clip(proba, 1e-12, 1 - 1e-12)) + reference - own)


def unit_cost(network, n_features, n_outputs):
    """Arithmetic per row and epoch of one head of ``network``."""
    (hidden,) = {c["name"]: c["hidden_layer_sizes"] or (0,) for c in LIBRARY}[network]
    if hidden == 0:
        return n_features * n_outputs
    return n_features * hidden + hidden * n_outputs


def race(curves, epoch, margin):
    """Which candidates survive, and the epochs each trained, under a race.

    After ``epoch`` (if reached), a candidate whose score is below the best
    score at that epoch by more than ``margin`` stops; a candidate that had
    stopped before keeps what it had.
    """
    trained = np.array([np.sum(np.isfinite(c)) for c in curves])
    at = np.array(
        [c[epoch - 1] if len(c) >= epoch and np.isfinite(c[epoch - 1]) else np.nan
         for c in curves]
    )  # fmt: skip
    if np.all(np.isnan(at)):
        return np.ones(len(curves), bool), trained
    best = np.nanmax(at)
    survive = ~(at < best - margin)
    return survive, np.where(survive, trained, np.minimum(trained, epoch))


def load_group(folder, label, seed, weightings, extra=None):
    """The recorded fits of one data set and seed, one per weighting.

    With ``extra``, other folders' fits of other networks (same data set,
    seed and weighting, so the same folds) join each fit's arrays: one
    folder, or several separated by commas.
    """
    extras = [] if extra is None else [f for f in str(extra).split(",") if f]
    fits = {}
    for weighting in weightings:
        path = Path(folder) / f"{label}_{seed}_{weighting}.npz"
        if path.exists():
            fits[weighting] = dict(np.load(path))
            for more in (Path(f) / path.name for f in extras):
                if more.exists():
                    fits[weighting] = _merge(fits[weighting], dict(np.load(more)))
    return fits


def _merge(fit, more):
    """``fit`` with the networks of ``more`` appended (the same rows held out)."""
    if not np.array_equal(fit["Y_held"], more["Y_held"]):
        raise ValueError("The extra fit held out other rows.")
    a, b = fit["curves"], more["curves"]
    longest = max(a.shape[1], b.shape[1])
    pad = lambda c: np.pad(c, ((0, 0), (0, longest - c.shape[1])),  # noqa: E731
                           constant_values=np.nan)  # fmt: skip
    merged = dict(fit)
    merged["curves"] = np.concatenate([pad(a), pad(b)])
    for key in ("names", "oof", "test", "epochs"):
        merged[key] = np.concatenate([fit[key], more[key]])
    return merged


def evaluate(fits, members, reference, races=RACES, halves=True, seed=0):
    """Test and split-half macro-F1 and cost of a portfolio, per racing rule."""
    ref = fits[reference]
    score, fitted_f1 = _scorer(ref["label_weights"])
    Y_held, Y_test = ref["Y_held"], ref["Y_test"]
    s_ref = shift(ref["label_weights"])
    names = [str(n) for n in ref["names"]]
    oof, test, curves, cost = [], [], [], []
    mlp_cost = None
    for network, weighting in members:
        fit = fits[weighting]
        i = [str(n) for n in fit["names"]].index(network)  # its own fit's order
        own = shift(fit["label_weights"])
        oof.append(to_scale(fit["oof"][i], own, s_ref))
        test.append(to_scale(fit["test"][i], own, s_ref))
        curves.append(fit["curves"][i])
        cost.append(unit_cost(network, int(fit["n_features"]), Y_held.shape[1]))
    mlp_cost = np.nan  # the unit of cost: the MLP under the reference, if recorded
    if "mlp" in names:
        mlp_cost = np.sum(np.isfinite(ref["curves"][names.index("mlp")])) * unit_cost(
            "mlp", int(ref["n_features"]), Y_held.shape[1]
        )
    rows = {}
    for rule in [None, *races]:
        if rule is None:
            survive = np.ones(len(members), bool)
            trained = np.array([np.sum(np.isfinite(c)) for c in curves])
        else:
            survive, trained = race(curves, *rule)
        kept = np.flatnonzero(survive)
        part = [oof[k] for k in kept]
        scores = [score(Y_held, p) for p in part]
        weights, _ = greedy_weights(part, lambda P: score(Y_held, P), scores=scores)
        full = np.zeros(len(members))
        full[kept] = weights
        test_f1 = fitted_f1(Y_held, blend(oof, full), Y_test, blend(test, full))
        half = np.nan
        if halves:
            half = _split_half_greedy(part, Y_held, score, fitted_f1, seed)
        rows[rule] = {
            "test": test_f1,
            "half": half,
            "cost": float(np.sum(trained * np.array(cost)) / mlp_cost),
            "weights": full,
        }
    trained = np.array([np.sum(np.isfinite(c)) for c in curves])
    own = [k for k, (_, w) in enumerate(members) if w == reference]
    if len(own) < len(members) and own:
        ref_part = [oof[k] for k in own]
        ref_w, ref_score = greedy_weights(ref_part, lambda P: score(Y_held, P))
        all_w = rows[None]["weights"]
        all_score = score(Y_held, blend(oof, all_w))
        for margin in MARGINS:
            full = all_w.copy()
            if not all_score > ref_score + margin:
                full = np.zeros(len(members))
                full[own] = ref_w
            rows[f"margin {margin:g}"] = {
                "test": fitted_f1(Y_held, blend(oof, full), Y_test, blend(test, full)),
                "half": np.nan,
                "cost": float(np.sum(trained * np.array(cost)) / mlp_cost),
                "weights": full,
            }
    return rows


def _split_half_greedy(oof, Y, score, fitted_f1, seed, cuts=2):
    """Greedy selection and its thresholds on one half, scored on the other."""
    rng = np.random.default_rng(seed)
    found = []
    for _ in range(cuts):
        halves = np.array_split(rng.permutation(Y.shape[0]), 2)
        for a, b in (halves, halves[::-1]):
            part = [p[a] for p in oof]
            w, _ = greedy_weights(part, lambda P, a=a: score(Y[a], P))
            found.append(
                fitted_f1(Y[a], blend(part, w), Y[b], blend([p[b] for p in oof], w))
            )
    return float(np.mean(found))


def score(args):
    folder = Path(args.scores)
    groups = {}
    for path in sorted(folder.glob("*.npz")):
        weighting = next(w for w in WEIGHTINGS if path.stem.endswith(f"_{w}"))
        label, seed = path.stem[: -len(weighting) - 1].rsplit("_", 1)
        groups.setdefault(label, set()).add(int(seed))
    lines = []
    for label, seeds in groups.items():
        table = {}
        for seed in sorted(seeds):
            fits = load_group(folder, label, seed, WEIGHTINGS, args.extra_scores)
            if args.reference not in fits:
                continue
            fixed = DEFAULT if args.fixed is None else args.fixed.split(",")
            for weighting in [] if args.only and args.fixed is None else fits:
                names = [str(x) for x in fits[weighting]["names"]]
                if not all(n in names for n in fixed):
                    continue
                found = evaluate(
                    fits, [(n, weighting) for n in fixed], weighting, races=(),
                    halves=not args.no_halves, seed=seed,
                )  # fmt: skip
                table.setdefault(f"fixed {weighting}", []).append(found[None])
                if "mlp" not in names:
                    continue
                found = evaluate(
                    fits, [("mlp", weighting)], weighting, races=(),
                    halves=not args.no_halves, seed=seed,
                )  # fmt: skip
                table.setdefault(f"mlp, fixed {weighting}", []).append(found[None])
            every = {
                **{
                    name: list(product(networks, weightings))
                    for name, (networks, weightings) in PORTFOLIOS.items()
                },
                **MEMBERS,
            }
            for portfolio, members in every.items():
                if args.only and portfolio not in args.only:
                    continue
                if not all(
                    w in fits and n in [str(x) for x in fits[w]["names"]]
                    for n, w in members
                ):
                    continue
                found = evaluate(
                    fits, members, args.reference, races=args.races,
                    halves=not args.no_halves, seed=seed,
                )  # fmt: skip
                for rule, row in found.items():
                    name = portfolio if rule is None else f"{portfolio}, race {rule}"
                    table.setdefault(name, []).append(row)
        lines.append(f"### {label} ({len(seeds)} seeds)")
        lines.append(
            "| portfolio | test macro-F1 | split-half | cost / mlp |\n|---|---|---|---|"
        )
        for name, runs in table.items():
            test = [r["test"] for r in runs]
            half = [r["half"] for r in runs]
            cost = [r["cost"] for r in runs]
            lines.append(
                f"| {name} | {np.mean(test):.3f} ({np.std(test):.3f}) | "
                f"{np.nanmean(half) if np.any(np.isfinite(half)) else np.nan:.3f} | "
                f"{np.mean(cost):.2f} |"
            )
        print("\n".join(lines[-len(table) - 2 :]), flush=True)
    text = "\n".join(lines).replace("\n### ", "\n\n### ")  # a table's rows, together
    write_markdown(args.out, run_header(), text)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["record", "score"])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--class-weights", default="balanced,none,balanced_sqrt")
    parser.add_argument("--subsample", type=int, default=None)
    parser.add_argument("--scores", default="/tmp/weighting_portfolio")
    parser.add_argument("--reference", default="balanced")
    parser.add_argument("--networks", default=",".join(RECORDED))
    parser.add_argument("--extra-scores", default=None)
    parser.add_argument("--no-halves", action="store_true")
    parser.add_argument(
        "--only",
        action="append",
        help="score only this portfolio (a name of PORTFOLIOS or MEMBERS); "
        "repeat for several; the fixed-weighting rows are left out unless "
        "--fixed names their networks",
    )
    parser.add_argument(
        "--fixed",
        default=None,
        help="the networks of the 'fixed W' rows, comma-separated "
        "(default: DEFAULT, the first study's portfolio)",
    )
    parser.add_argument(
        "--no-races", dest="races", action="store_const", const=(), default=RACES
    )
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    args.seeds = [int(s) for s in args.seeds.split(",")]
    args.class_weights = args.class_weights.split(",")
    args.networks = args.networks.split(",")
    record(args) if args.step == "record" else score(args)


if __name__ == "__main__":
    main()
