"""Text at vocabulary scale: fit cost, peak memory and F1 on a TF-IDF corpus.

The case of the binary-text user: 20,000 training texts (and 5,000 test
texts), a TF-IDF vocabulary of 50,000 words, about 59 non-zeros a row, 27%
positives (``_text_corpus.py``: a synthetic Zipfian corpus; it measures cost,
real data measures quality). Every fit runs in its own fresh Python process,
which reports its fit seconds, test F1 and peak resident memory
(``ru_maxrss``, the whole process: Python, TensorFlow and the data included),
so no fit inherits another's memory. In one run, side by side:

- ``ours``: ``WeightedMultiLabelClassifier(random_state=seed)``, the defaults
  (5 cross-fit heads, the first layer on the non-zeros, epoch chosen out of
  fold, tuned F1 threshold);
- ``keras``: one plain Keras network of the same shape (``Input(d,
  sparse=True) -> Dense(128, relu) -> Dropout(0.2) -> Dense(1)``, Adam at our
  learning rate, batch 64, BCE from logits) fitted with ``model.fit`` on the
  same CSR matrix for as many epochs as ``ours`` trained, cut at 0.5: it
  updates the whole first-layer kernel every step;
- ``linearsvc`` and ``logreg``: ``LinearSVC`` and ``LogisticRegression`` with
  ``class_weight="balanced"``;
- ``import``: a process that imports everything and builds the data, fits
  nothing: the memory every row starts from.

Then the scaling rows: ``ours`` (seed 0) at 5,000 and 100,000 words (the same
rows and about the same non-zeros a row), with the fit time per epoch, since
the epochs early stopping trains differ between corpora: the fit's seconds over
its epochs (set-up included), and the median epoch timed by a Keras callback
(training steps and out-of-fold scoring only). ``--no-compare`` runs the
scaling rows alone. ``--crossover 500,1000,2000,4000`` instead times the
sparse against the dense first layer at each width (the 1.5% rule of
``sparse_layer="auto"``). Run::

    python benchmarks/text_scale.py [--seeds 0,1,2] [--words 50000]
        [--scaling 5000,100000] [--no-compare] [--out table.md]
    python benchmarks/text_scale.py --crossover 500,1000,2000,4000 [--nnz 22]

The default run takes about 20 minutes on a 2-core CPU.
"""

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

N_TRAIN, N_TEST = 20_000, 5_000
TARGET_NNZ = 59


def _tokens_for(n_words):
    """Mean tokens per text that give about TARGET_NNZ distinct words a row."""
    from _text_corpus import make_corpus

    best = None
    for tokens in range(50, 140, 2):
        counts, _ = make_corpus(2000, n_words, tokens=tokens, seed=123)
        gap = abs(counts.nnz / 2000 - TARGET_NNZ)
        if best is None or gap < best[0]:
            best = (gap, tokens)
    return best[1]


def _data(n_words, seed):
    from _text_corpus import tfidf_split

    return tfidf_split(N_TRAIN, N_TEST, n_words, seed=seed, tokens=_tokens_for(n_words))


def _peak_mb():
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _EpochTimer():
    """A Keras callback recording each epoch's seconds (steps and scoring)."""
    import keras

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

    return EpochTimer()


def run_case(case, n_words, seed, epochs):
    """One fit in this process; returns a dict of what it measured."""
    from sklearn.metrics import f1_score, precision_score, recall_score

    X, y, X_test, y_test = _data(n_words, seed)
    out = {"case": case, "words": n_words, "seed": seed, "nnz_per_row": X.nnz / len(y)}
    start = time.perf_counter()
    if case == "ours":
        from sk_imbalance import WeightedMultiLabelClassifier

        timer = _EpochTimer()
        clf = WeightedMultiLabelClassifier(random_state=seed, callbacks=[timer])
        clf.fit(X, y)
        out["fit_s"] = time.perf_counter() - start
        # training steps and out-of-fold scoring only: the per-fit set-up
        # (drawing and copying the kernel) is left out
        out["epoch_s"] = float(np.median(timer.seconds))
        out["epochs"] = len(clf.history_["loss"])
        out["kept"] = clf.n_epochs_
        out["sparse_layer"] = bool(clf.sparse_layer_)
        predicted = clf.predict(X_test)
    elif case == "keras":
        import keras

        from sk_imbalance import WeightedMultiLabelClassifier
        from sk_imbalance._nn.portfolio import ONE_MLP

        defaults = WeightedMultiLabelClassifier().get_params()
        mlp = ONE_MLP[0]  # the default candidates' MLP
        inputs = keras.Input((n_words,), sparse=True)
        hidden = inputs
        for units in mlp.hidden_layer_sizes:
            hidden = keras.layers.Dense(units, activation=mlp.activation)(hidden)
            hidden = keras.layers.Dropout(mlp.dropout)(hidden)
        model = keras.Model(inputs, keras.layers.Dense(1)(hidden))
        model.compile(
            optimizer=keras.optimizers.Adam(defaults["learning_rate"]),
            loss=keras.losses.BinaryCrossentropy(from_logits=True),
        )
        model.fit(
            X,
            y.astype(np.float32),
            epochs=epochs,
            batch_size=defaults["batch_size"],
            verbose=0,
        )
        out["fit_s"] = time.perf_counter() - start
        out["epochs"] = epochs
        predicted = (model.predict(X_test, verbose=0)[:, 0] > 0).astype(int)
    elif case in ("linearsvc", "logreg"):
        from sklearn.linear_model import LogisticRegression
        from sklearn.svm import LinearSVC

        clf = (
            LinearSVC(class_weight="balanced")
            if case == "linearsvc"
            else LogisticRegression(class_weight="balanced", max_iter=1000)
        ).fit(X, y)
        out["fit_s"] = time.perf_counter() - start
        predicted = clf.predict(X_test)
    elif case == "import":
        import tensorflow  # noqa: F401

        import sk_imbalance  # noqa: F401

        out["fit_s"] = 0.0
        predicted = np.zeros_like(y_test)
    else:
        raise ValueError(case)
    out["f1"] = f1_score(y_test, predicted, zero_division=0)
    out["precision"] = precision_score(y_test, predicted, zero_division=0)
    out["recall"] = recall_score(y_test, predicted, zero_division=0)
    out["peak_mb"] = _peak_mb()
    return out


def spawn(case, n_words, seed, epochs=0):
    """Run one case in a fresh process; print and return its result."""
    done = subprocess.run(
        [
            sys.executable,
            __file__,
            "--case",
            case,
            "--words",
            str(n_words),
            "--seeds",
            str(seed),
            "--epochs",
            str(epochs),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        raise RuntimeError(
            f"{case} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    result = json.loads(lines[-1])
    print(
        "  ",
        json.dumps(
            {k: round(v, 4) if isinstance(v, float) else v for k, v in result.items()}
        ),
        flush=True,
    )
    return result


def _mean_sd(values):
    values = np.asarray(values, dtype=float)
    return (
        f"{values.mean():.3f} ({values.std():.3f})"
        if len(values) > 1
        else f"{values[0]:.3f}"
    )


def crossover(widths, nnz, repeats=2):
    """Fit time of the sparse and the dense first layer, side by side, by width.

    20,000 rows of about ``nnz`` non-zeros (log counts of the Zipfian corpus)
    at each number of features in ``widths``; ``WeightedMultiLabelClassifier(
    epochs=3, patience=None)`` with ``sparse_layer=True`` and ``False``,
    alternating, best of ``repeats``. What ``sparse_layer="auto"``'s 1.5%
    density rule is read from.
    """
    from _text_corpus import make_corpus

    from sk_imbalance import WeightedMultiLabelClassifier

    lines = [
        f"\nCrossover: 20000 rows, about {nnz} non-zeros a row, 3 epochs, best of "
        f"{repeats}",
        "",
        "| features | density | dense layer s | sparse layer s | sparse / dense |",
        "|---|---|---|---|---|",
    ]
    for width in widths:
        tokens = next(
            t
            for t in range(nnz, 6 * nnz)
            if make_corpus(2000, width, tokens=t, seed=1)[0].nnz / 2000 >= nnz
        )
        X, y = make_corpus(20000, width, tokens=tokens, seed=0)
        X.data = np.log1p(X.data)
        seconds = {True: [], False: []}
        for _ in range(repeats):
            for setting in (False, True):
                start = time.perf_counter()
                WeightedMultiLabelClassifier(
                    epochs=3, patience=None, sparse_layer=setting, random_state=0
                ).fit(X, y)
                seconds[setting].append(time.perf_counter() - start)
        dense, sparse = min(seconds[False]), min(seconds[True])
        lines.append(
            f"| {width} | {X.nnz / X.shape[0] / width:.4f} | {dense:.2f} | "
            f"{sparse:.2f} | {sparse / dense:.2f}x |"
        )
        print(lines[-1], flush=True)
    return lines


def compare(args, seeds):
    """The side-by-side rows at ``--words``: ours, plain Keras and the linear models."""
    results = {"import": [], "ours": [], "keras": [], "linearsvc": [], "logreg": []}
    for seed in seeds:
        print(f"seed {seed}, {args.words} words", flush=True)
        results["import"].append(spawn("import", args.words, seed))
        ours = spawn("ours", args.words, seed)
        results["ours"].append(ours)
        results["keras"].append(spawn("keras", args.words, seed, ours["epochs"]))
        results["linearsvc"].append(spawn("linearsvc", args.words, seed))
        results["logreg"].append(spawn("logreg", args.words, seed))
    base = np.mean([r["peak_mb"] for r in results["import"]])
    lines = [
        f"\n{N_TRAIN} x {args.words} TF-IDF ({results['ours'][0]['nnz_per_row']:.1f} "
        f"non-zeros a row), {len(seeds)} seed(s); mean (sd); ratio: to plain Keras "
        "in the same seed",
        "",
        "| method | fit s | per epoch s | ratio to Keras | test F1 | precision | "
        "recall | peak MB | over import MB |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    names = {
        "linearsvc": "LinearSVC(balanced)",
        "logreg": "LogisticRegression(balanced)",
        "keras": "plain Keras, same shape and epochs, @0.5",
        "ours": "**ours, defaults**",
    }
    for case in ("linearsvc", "logreg", "keras", "ours"):
        rows = results[case]
        fit = [r["fit_s"] for r in rows]
        per_epoch = (
            _mean_sd([r["fit_s"] / r["epochs"] for r in rows])
            if "epochs" in rows[0]
            else "-"
        )
        ratio = _mean_sd(
            [
                r["fit_s"] / k["fit_s"]
                for r, k in zip(rows, results["keras"], strict=True)
            ]
        )
        peak = [r["peak_mb"] for r in rows]
        lines.append(
            f"| {names[case]} | {_mean_sd(fit)} | {per_epoch} | {ratio} | "
            f"{_mean_sd([r['f1'] for r in rows])} | "
            f"{np.mean([r['precision'] for r in rows]):.3f} | "
            f"{np.mean([r['recall'] for r in rows]):.3f} | {np.mean(peak):.0f} | "
            f"{np.mean(peak) - base:.0f} |"
        )
    trained = ", ".join(f"{r['epochs']}/{r['kept']}" for r in results["ours"])
    lines.append(
        f"\nours, epochs trained/kept per seed: {trained}; import-only "
        f"process peak: {base:.0f} MB"
    )
    return results, lines


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--words", type=int, default=50_000)
    parser.add_argument("--scaling", default="5000,100000")
    parser.add_argument("--no-compare", action="store_true")
    parser.add_argument(
        "--crossover",
        help="comma-separated widths: time the sparse against the dense layer "
        "at each (e.g. 500,1000,2000,4000), instead of the other rows",
    )
    parser.add_argument("--nnz", type=int, default=22, help="for --crossover")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--epochs", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--out", help="also write the Markdown tables here")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    if args.case:
        print(json.dumps(run_case(args.case, args.words, seeds[0], args.epochs)))
        return
    import tensorflow as tf
    from _report import run_header, write_markdown

    header = run_header(tensorflow=tf.__version__)
    print("\n".join(header), flush=True)
    total = time.perf_counter()
    if args.crossover:
        widths = [int(w) for w in args.crossover.split(",")]
        text = "\n".join(crossover(widths, args.nnz))
        print(text)
        write_markdown(args.out, header, text)
        return
    results, lines = ({"ours": []}, []) if args.no_compare else compare(args, seeds)
    if args.scaling:
        scale = [spawn("ours", int(w), seeds[0]) for w in args.scaling.split(",")]
        middle = results["ours"][:1] or [spawn("ours", args.words, seeds[0])]
        rows = sorted([*scale, *middle], key=lambda r: r["words"])
        lines += [
            "\nScaling (ours, seed "
            f"{seeds[0]}): fit time per epoch and peak memory against the "
            "smallest vocabulary",
            "",
            "| words | non-zeros a row | sparse layer | epochs trained/kept | fit s "
            "| fit s / epochs "
            "| ratio | epoch s (timed) | ratio | peak MB | extra MB | extra weights "
            "MB |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        first = rows[0]
        for r in rows:
            # the first layer's kernel of 5 heads x 128 units, float32
            extra_weights = 5 * 128 * 4 * (r["words"] - first["words"]) / 2**20
            per_epoch = r["fit_s"] / r["epochs"]
            first_per_epoch = first["fit_s"] / first["epochs"]
            lines.append(
                f"| {r['words']} | {r['nnz_per_row']:.1f} | "
                f"{r.get('sparse_layer', '?')} | "
                f"{r['epochs']}/{r['kept']} | {r['fit_s']:.1f} | {per_epoch:.2f} | "
                f"{per_epoch / first_per_epoch:.2f}x | {r['epoch_s']:.2f} | "
                f"{r['epoch_s'] / first['epoch_s']:.2f}x"
                f" | {r['peak_mb']:.0f} | {r['peak_mb'] - first['peak_mb']:.0f} | "
                f"{extra_weights:.0f} |"
            )
    lines.append(f"\ntotal runtime: {time.perf_counter() - total:.0f} s")
    text = "\n".join(lines)
    print(text)
    write_markdown(args.out, header, text)


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    main()
