"""How many folds should the cross-fit train: quality and price of ``cv``.

Issue 27 asks for a portfolio at about one plain network's price. A cross-fit
of ``k`` folds trains every candidate ``k`` times on ``(k-1)/k`` of the rows:
``k - 1`` row-passes per epoch and candidate, 4 at ``cv=5``, 2 at ``cv=3``,
against one for a plain network. This study fits the defaults at each ``cv``
on the same data and seeds, side by side, and reports per data set (mean (sd)
over seeds):

- the **split-half** macro-F1 of the chosen blend's out-of-fold probabilities
  (decisions fitted on one half of the rows, scored on the other, two random
  cuts): the number to choose on, since each ``cv``'s out-of-fold scores come
  from networks trained as its predicting ensemble's members are;
- the fit's own out-of-fold objective (decisions tuned on the same rows:
  optimistic, shown for reference);
- the test macro-F1 (reported, not chosen on);
- the fit's seconds and their ratio to the reference ``cv`` in the same seed.

Data sets: the five MULAN dev sets and 400-row subsamples of yeast, enron and
bibtex (drawn with the seed), as in ``weighting_portfolio.py``.

Run::

    python benchmarks/fold_count.py [--datasets emotions,yeast,...]
        [--subsample-sets yeast,enron,bibtex] [--seeds 0,1,2] [--cvs 3,5]
        [--records /tmp/fold_count.jsonl] [--out table.md]

Records are appended to ``--records`` as JSON lines; a record already there
(same set, seed and ``cv``) is not refitted, so a stopped run resumes.
"""

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from _mulan import DEFAULT_DATA  # noqa: E402
from _report import run_header, write_markdown  # noqa: E402
from portfolio_study import _scorer  # noqa: E402
from sklearn.metrics import f1_score  # noqa: E402
from weighting_study import OOFRecorder, load  # noqa: E402

DATASETS = ("emotions", "yeast", "enron", "bibtex", "tmc2007")
SUBSAMPLE_SETS = ("yeast", "enron", "bibtex")
SUBSAMPLE = 400
#: The ``cv`` the others are compared with.
REFERENCE_CV = 5


class BlendRecorder(OOFRecorder):
    """The estimator, also keeping its chosen blend's out-of-fold probabilities."""

    def _choose_candidates(self, candidates, crossfit, score, rng):
        blend = super()._choose_candidates(candidates, crossfit, score, rng)
        self.blend_oof_proba_ = np.array(blend.proba)
        return blend


def split_half_f1(oof, Y, label_weights, seed, cuts=2):
    """Decisions fitted on one half of the out-of-fold rows, scored on the other."""
    _, fitted_f1 = _scorer(label_weights)
    rng = np.random.default_rng(seed)
    found = []
    for _ in range(cuts):
        halves = np.array_split(rng.permutation(Y.shape[0]), 2)
        for a, b in (halves, halves[::-1]):
            found.append(fitted_f1(Y[a], oof[a], Y[b], oof[b]))
    return float(np.mean(found))


def fit_one(label, X, Y, X_test, Y_test, seed, cv):
    """One fit of the defaults at ``cv``: its record."""
    clf = BlendRecorder(cv=cv, random_state=seed)
    start = time.perf_counter()
    clf.fit(X, Y)
    seconds = time.perf_counter() - start
    predicted = clf.predict(X_test)
    Y = np.asarray(Y)
    return {
        "data": label,
        "seed": seed,
        "cv": cv,
        "seconds": seconds,
        "test_f1": float(f1_score(Y_test, predicted, average="macro", zero_division=0)),
        "oof_objective": clf.blend_oof_score_,
        "split_half": split_half_f1(clf.blend_oof_proba_, Y, clf.label_weights_, seed),
        "weights": clf.candidates_["weight"],
        "n_epochs": clf.candidates_["n_epochs"],
    }


def record(args, path):
    done = set()
    if path.exists():
        for line in path.read_text().splitlines():
            r = json.loads(line)
            done.add((r["data"], r["seed"], r["cv"]))
    jobs = [(name, 0) for name in args.datasets] + [
        (name, SUBSAMPLE) for name in args.subsample_sets
    ]
    for name, subsample in jobs:
        label = f"{name}@{subsample}" if subsample else name
        for seed in args.seeds:
            X, Y, X_test, Y_test = load(args.data, name, subsample, seed)
            for cv in args.cvs:
                if (label, seed, cv) in done:
                    continue
                r = fit_one(label, X, Y, X_test, Y_test, seed, cv)
                with path.open("a") as f:
                    f.write(json.dumps(r) + "\n")
                print(
                    f"{label} seed {seed} cv={cv}: split-half {r['split_half']:.3f}, "
                    f"test {r['test_f1']:.3f}, {r['seconds']:.1f} s",
                    flush=True,
                )


def _cell(values):
    values = np.asarray(values, dtype=float)
    return f"{values.mean():.3f} ({values.std():.3f})"


def table(path, cvs):
    records = [json.loads(line) for line in path.read_text().splitlines()]
    labels = list(dict.fromkeys(r["data"] for r in records))
    ref_cv = REFERENCE_CV
    header = ["set", "cv", "split-half F1", "OOF objective", "test F1", "seconds",
              f"time / cv={ref_cv}", f"split-half - cv={ref_cv}"]  # fmt: skip
    rows = []
    for label in labels:
        mine = [r for r in records if r["data"] == label]
        ref = {r["seed"]: r for r in mine if r["cv"] == REFERENCE_CV}
        for cv in cvs:
            rs = [r for r in mine if r["cv"] == cv]
            if not rs:
                continue
            paired = [r for r in rs if r["seed"] in ref]
            ratio = [r["seconds"] / ref[r["seed"]]["seconds"] for r in paired]
            gain = [r["split_half"] - ref[r["seed"]]["split_half"] for r in paired]
            rows.append([
                label, str(cv), _cell([r["split_half"] for r in rs]),
                _cell([r["oof_objective"] for r in rs]),
                _cell([r["test_f1"] for r in rs]),
                f"{np.mean([r['seconds'] for r in rs]):.1f}",
                f"{np.mean(ratio):.2f}x" if ratio else "",
                f"{np.mean(gain):+.3f} ({np.std(gain):.3f})" if gain else "",
            ])  # fmt: skip
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    split = lambda s: [x for x in s.split(",") if x]  # noqa: E731
    parser.add_argument("--datasets", type=split, default=list(DATASETS))
    parser.add_argument("--subsample-sets", type=split, default=list(SUBSAMPLE_SETS))
    parser.add_argument("--seeds", type=lambda s: [int(x) for x in split(s)],
                        default=[0, 1, 2])  # fmt: skip
    parser.add_argument("--cvs", type=lambda s: [int(x) for x in split(s)],
                        default=[3, 5])  # fmt: skip
    parser.add_argument("--data", default=DEFAULT_DATA)
    parser.add_argument("--records", default="/tmp/fold_count.jsonl")
    parser.add_argument("--out", help="also write the Markdown table here")
    parser.add_argument("--table-only", action="store_true",
                        help="only print the table of the records")  # fmt: skip
    args = parser.parse_args(argv)
    path = Path(args.records)
    start = time.perf_counter()
    if not args.table_only:
        record(args, path)
    text = table(path, args.cvs)
    print(text)
    if args.out:
        write_markdown(
            args.out,
            run_header(),
            text,
            f"records: {path}; total runtime: {time.perf_counter() - start:.0f} s",
        )


if __name__ == "__main__":
    main()
