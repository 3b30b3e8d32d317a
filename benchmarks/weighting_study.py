"""Can the held-out folds choose the class weighting too? (issue 27)

The estimator chooses its epoch, its blend of candidates and its thresholds on
out-of-fold (OOF) scores. This study asks whether the same OOF objective could
also choose ``class_weight``: are the OOF objectives of fits under different
weightings on one scale, and do they rank the weightings as the test split
does?

On MULAN's standard splits (``_mulan.py``), for each data set, seed and FIXED
weighting (``balanced``, ``balanced_sqrt``, ``none``; also
``effective_number``), ``WeightedMultiLabelClassifier(class_weight=...,
random_state=seed)`` is fitted with its defaults and recorded:

- the test macro-F1 of ``predict`` (``zero_division=0``) and micro-F1;
- the OOF objective of what it predicts with: macro-F1 of its decisions on
  the held-out rows, for the chosen blend of candidates. The estimator keeps
  each candidate's score (``candidates_["oof_score"]``) but not the blend's,
  so a subclass recomputes it at the end of ``_choose_candidates`` with the
  fit's own ``score`` on the blend's OOF probabilities (the rows and scores
  ``fit`` then tunes the decisions on). If that hook no longer exists, the
  best candidate's score stands in (``oof_source`` says which);
- the epoch kept (``n_epochs_``), the epochs trained and the fit seconds.

The folds are the same for every weighting of a seed (they depend on the
seed and the labels only), so the OOF objectives are on the same rows and in
the same unit. The decisions do not undo the weighting, though: the
thresholds are tuned on the weighted network's own scale, anchored at its 0.5
(raised only where 0.5 predicts over 1.5 times a label's positives), shrunk
toward that anchor by m / (m + 100) for m positives, and kept at it below 5
positives, so the weighting still sets rare labels' cut-offs (the calibration
map does not change ``predict`` under the default f1_macro). And each OOF
value is optimistic (epoch, blend and thresholds were chosen on those rows),
by an amount that may differ between weightings; the ``OOF - test`` column
shows the gap per weighting.

Per data set: test macro-F1 and OOF objective, mean (sd) over seeds, their
difference, the epochs kept/trained per seed and the mean fit seconds. Then
a summary: the best fixed weighting on test (mean over seeds), the weighting
the OOF objective picks on each seed and how often it agrees (with the best
on test, and with that seed's own test best), the regret (test macro-F1 of
the best fixed weighting minus that of the OOF pick, mean over seeds) and
Kendall's tau between the OOF and the test macro-F1 across weightings (mean
over seeds). The test split only reports; nothing is chosen on it.

Features of yeast and emotions (dense, continuous) are standardised on the
fit rows, as ``quality.py``'s ``StandardScaler``; the word indicators of
enron, bibtex and tmc2007 are passed as they are (sparse CSR).
``--subsample N`` fits on N training rows drawn with the seed (without
replacement) and drops, from the fit and the test targets, the labels without
a positive among them; such a set is named ``enron@400``, and its label set
may differ between seeds.

Every fit is appended to ``--records`` as a JSON line; ``--resume`` skips the
fits already there (same data set name, seed, weighting and ``--max-epochs``),
so a long run can be interrupted. Without ``--resume`` an existing records
file is moved to ``PATH.bak`` first. The tables are built from the records.
Run::

    python benchmarks/weighting_study.py [--datasets emotions,yeast,enron,bibtex,
        tmc2007] [--seeds 0,1,2] [--class-weights balanced,balanced_sqrt,none]
        [--subsample N] [--max-epochs N] [--data ../shared/data]
        [--records /tmp/weighting_records.jsonl] [--resume] [--out table.md]

Each weighting costs about one default fit (``quality.py``'s "ours" row) per
data set and seed: the default run is nine of those per data set.
"""

import argparse
import json
import os
import shutil
import time
import warnings
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import scipy.sparse as sp  # noqa: E402
from _mulan import DEFAULT_DATA, load_split  # noqa: E402
from _report import run_header, write_markdown  # noqa: E402
from scipy.stats import kendalltau  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402

import sk_imbalance  # noqa: E402
from sk_imbalance import WeightedMultiLabelClassifier  # noqa: E402

DATASETS = ("emotions", "yeast", "enron", "bibtex", "tmc2007")
#: The ``class_weight`` values the study may fix, by the names it reports.
WEIGHTINGS = {
    "balanced": "balanced",
    "balanced_sqrt": "balanced_sqrt",
    "effective_number": "effective_number",
    "none": None,
}
DEFAULT_WEIGHTINGS = ("balanced", "balanced_sqrt", "none")
DEFAULT_RECORDS = "/tmp/weighting_records.jsonl"


class OOFRecorder(WeightedMultiLabelClassifier):
    """The estimator, also keeping the OOF objective of the blend it predicts with.

    ``blend_oof_score_`` is the fit's ``score`` (the objective of the decisions
    fitted on the held-out rows, the epoch monitor's) of the chosen blend's
    out-of-fold probabilities, narrowed to the ensemble's spread as ``fit``
    uses them: ``choose_weights``'s blend score, which the estimator does not
    keep. With one candidate it equals ``candidates_["oof_score"][0]``.
    """

    def _choose_candidates(self, candidates, crossfit, score, rng):
        blend = super()._choose_candidates(candidates, crossfit, score, rng)
        held = crossfit.held
        self.blend_oof_score_ = (
            float(score(held, blend.proba[held])) if held.any() else float("nan")
        )
        return blend


def load(data, name, subsample, seed):
    """``(X, Y, X_test, Y_test)``, scaled, and subsampled with ``seed`` if asked."""
    X, Y = load_split(data, name, "train")
    X_test, Y_test = load_split(data, name, "test")
    Y, Y_test = np.asarray(Y), np.asarray(Y_test)
    if subsample:
        if subsample > X.shape[0]:
            raise ValueError(
                f"--subsample {subsample} is more than {name}'s {X.shape[0]} rows."
            )
        rng = np.random.default_rng(seed)
        rows = np.sort(rng.choice(X.shape[0], subsample, replace=False))
        X, Y = X[rows], Y[rows]
        kept = Y.sum(axis=0) > 0
        Y, Y_test = Y[:, kept], Y_test[:, kept]
    if not sp.issparse(X):  # as quality.py's StandardScaler, on the fit rows
        mean, std = X.mean(axis=0), X.std(axis=0)
        std[std == 0] = 1.0
        X, X_test = (X - mean) / std, (X_test - mean) / std
    return X, Y, X_test, Y_test


def fit_record(name, X, Y, X_test, Y_test, seed, weighting, max_epochs):
    """Fit one weighting and return its record (a JSON-able dict)."""
    options = {"epochs": max_epochs} if max_epochs else {}
    clf = OOFRecorder(class_weight=WEIGHTINGS[weighting], random_state=seed, **options)
    start = time.perf_counter()
    clf.fit(X, Y)
    seconds = time.perf_counter() - start
    predicted = clf.predict(X_test)
    report = clf.candidates_
    best_candidate = float(np.max(report["oof_score"]))
    blend = getattr(clf, "blend_oof_score_", None)
    return {
        "data": name,
        "seed": seed,
        "class_weight": weighting,
        "max_epochs": max_epochs,
        "test_f1": float(f1_score(Y_test, predicted, average="macro", zero_division=0)),
        "test_micro_f1": float(
            f1_score(Y_test, predicted, average="micro", zero_division=0)
        ),
        "oof": best_candidate if blend is None else blend,
        "oof_source": "best candidate" if blend is None else "blend",
        "oof_best_candidate": best_candidate,
        "candidates": {
            n: {"oof_score": float(s), "weight": float(w), "n_epochs": int(e)}
            for n, s, w, e in zip(
                report["name"],
                report["oof_score"],
                report["weight"],
                report["n_epochs"],
                strict=True,
            )
        },
        "n_epochs": int(clf.n_epochs_),
        "trained": len(clf.history_["loss"]),
        "seconds": seconds,
        "n_train": int(X.shape[0]),
        "n_labels": int(Y.shape[1]),
        "version": sk_imbalance.__version__,
    }


def key(record):
    """What a fit is known by in the records: a rerun with ``--resume`` skips it."""
    return record["data"], record["seed"], record["class_weight"], record["max_epochs"]


def read_records(path):
    if not Path(path).exists():
        return []
    with open(path) as handle:
        return [json.loads(line) for line in handle if line.strip()]


def mean_sd(values):
    return f"{np.mean(values):.3f} ({np.std(values):.3f})"


def data_table(name, seeds, weightings, found):
    """The Markdown lines of one data set's table (``found[(weighting, seed)]``)."""
    lines = [
        f"### {name}",
        "",
        "| weighting | test macro-F1 | OOF objective | OOF - test "
        "| epochs kept/trained | fit s |",
        "|---|---|---|---|---|---|",
    ]
    for weighting in weightings:
        rows = [found[weighting, s] for s in seeds if (weighting, s) in found]
        if not rows:
            continue
        test = [r["test_f1"] for r in rows]
        oof = [r["oof"] for r in rows]
        lines.append(
            f"| {weighting} | {mean_sd(test)} | {mean_sd(oof)} "
            f"| {np.mean(oof) - np.mean(test):+.3f} | "
            + ", ".join(f"{r['n_epochs']}/{r['trained']}" for r in rows)
            + f" | {np.mean([r['seconds'] for r in rows]):.1f} |"
        )
    sources = {r["oof_source"] for r in found.values()}
    if sources != {"blend"}:
        lines += ["", f"OOF objective from: {', '.join(sorted(sources))}."]
    return lines


def summary_row(name, seeds, weightings, found):
    """One data set's summary row, over the seeds that have every weighting."""
    complete = [s for s in seeds if all((w, s) in found for w in weightings)]
    if not complete or len(weightings) < 2:
        return None
    test = np.array([[found[w, s]["test_f1"] for w in weightings] for s in complete])
    oof = np.array([[found[w, s]["oof"] for w in weightings] for s in complete])
    best = int(np.argmax(test.mean(axis=0)))
    picks = oof.argmax(axis=1)
    seed_best = test.argmax(axis=1)
    rows = np.arange(len(complete))
    regret = test[:, best] - test[rows, picks]
    with warnings.catch_warnings():  # a tie across every weighting: tau is nan
        warnings.simplefilter("ignore")
        taus = [kendalltau(o, t).statistic for o, t in zip(oof, test, strict=True)]
        tau = np.nanmean(taus)
    n = len(complete)
    return (
        f"| {name} | {weightings[best]} | "
        + ", ".join(weightings[p] for p in picks)
        + f" | {np.sum(picks == best)}/{n} | {np.sum(picks == seed_best)}/{n} "
        f"| {regret.mean():+.3f} | {tau:+.2f} |"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--datasets", default=",".join(DATASETS))
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument(
        "--class-weights",
        default=",".join(DEFAULT_WEIGHTINGS),
        help=f"comma-separated, from {', '.join(WEIGHTINGS)}",
    )
    parser.add_argument(
        "--subsample", type=int, help="fit on this many training rows per seed"
    )
    parser.add_argument(
        "--max-epochs", type=int, help="the estimator's epochs (default: its own)"
    )
    parser.add_argument("--records", default=DEFAULT_RECORDS)
    parser.add_argument(
        "--resume", action="store_true", help="skip fits already in --records"
    )
    parser.add_argument("--out")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    weightings = args.class_weights.split(",")
    unknown = sorted(set(weightings) - set(WEIGHTINGS))
    if unknown:
        parser.error(
            f"unknown --class-weights {unknown}; choose from {list(WEIGHTINGS)}"
        )
    if args.subsample is not None and args.subsample < 2:
        parser.error("--subsample must be at least 2")
    header = run_header()
    print(header[0], flush=True)

    if not args.resume and Path(args.records).exists():
        shutil.move(args.records, f"{args.records}.bak")
        print(f"  moved the old {args.records} to {args.records}.bak", flush=True)
    done = {key(r) for r in read_records(args.records)}
    names = []
    for dataset in args.datasets.split(","):
        name = f"{dataset}@{args.subsample}" if args.subsample else dataset
        names.append(name)
        for i, seed in enumerate(seeds):
            # rotated by seed: the first fit of a shape also traces the network
            order = (
                weightings[i % len(weightings) :] + weightings[: i % len(weightings)]
            )
            todo = [w for w in order if (name, seed, w, args.max_epochs) not in done]
            if not todo:
                continue
            X, Y, X_test, Y_test = load(args.data, dataset, args.subsample, seed)
            for weighting in todo:
                record = fit_record(
                    name, X, Y, X_test, Y_test, seed, weighting, args.max_epochs
                )
                with open(args.records, "a") as handle:
                    handle.write(json.dumps(record) + "\n")
                print(
                    f"  {name} seed {seed} {weighting}: test {record['test_f1']:.3f}, "
                    f"OOF {record['oof']:.3f} ({record['oof_source']}), epochs "
                    f"{record['n_epochs']}/{record['trained']}, "
                    f"{record['seconds']:.1f} s",
                    flush=True,
                )

    records = {key(r): r for r in read_records(args.records)}
    tables, summary = [], []
    for name in names:
        found = {
            (w, s): records[name, s, w, args.max_epochs]
            for w in weightings
            for s in seeds
            if (name, s, w, args.max_epochs) in records
        }
        tables.append("\n".join(data_table(name, seeds, weightings, found)))
        row = summary_row(name, seeds, weightings, found)
        if row:
            summary.append(row)
    epochs = args.max_epochs or "the default"
    intro = (
        f"Test macro-F1 and the out-of-fold (OOF) objective of "
        f"`WeightedMultiLabelClassifier(class_weight=...)`, defaults otherwise "
        f"(epochs: {epochs}), mean (sd) over seeds {args.seeds}. Epochs: kept "
        "(`n_epochs_`) / trained, per seed."
    )
    summary_lines = [
        "### Summary",
        "",
        "Best on test: the highest mean test macro-F1. OOF picks: the highest "
        "OOF objective, per seed. Agrees: OOF pick = best on test, and = that "
        "seed's test best. Regret: test macro-F1 of the best on test minus the "
        "OOF pick's, mean over seeds. Tau: Kendall's tau of OOF against test "
        "across weightings, mean over seeds.",
        "",
        "| data set | best on test | OOF picks | agrees | agrees (seed) | regret "
        "| tau |",
        "|---|---|---|---|---|---|---|",
        *summary,
    ]
    text = "\n\n".join([intro, *tables, "\n".join(summary_lines)])
    print(text)
    write_markdown(args.out, header, text)


if __name__ == "__main__":
    main()
