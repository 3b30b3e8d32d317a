"""Are the predictions bit-identical to a saved reference?

For changes that must not change behaviour (a move of modules, a refactor):
save ``predict_proba`` of both estimators on the code before the change, then
check the code after it against the file.

- yeast (dense, seed 0): ``WeightedMultiLabelClassifier`` on its labels, and
  ``WeightedMultiClassClassifier`` on a multiclass target drawn from them
  (the index of a row's first label; rows without one are their own class);
- bibtex through the sparse layer (``sparse_layer=True``, seed 0): the
  multi-label estimator, and the multiclass one on the same kind of target
  (the 20 commonest first labels; the rest one class).

Both estimators keep their defaults otherwise. Run::

    python benchmarks/bit_identity.py --save before.npz   # on the old code
    python benchmarks/bit_identity.py --check before.npz  # on the new code

``--check`` exits 1 and names the first differing case unless every array is
equal to the bit (``np.array_equal``, dtype included).
"""

import argparse
import sys
import time

import numpy as np
import scipy.sparse as sp
from _mulan import DEFAULT_DATA, load_split

from sk_imbalance import WeightedMultiClassClassifier, WeightedMultiLabelClassifier


def first_label(Y, n_classes=None):
    """The index of each row's first label; rows without one get their own class.

    With ``n_classes``, the ``n_classes`` commonest first labels keep their
    index and the rest (and the rows without labels) share one class.
    """
    Y = Y.toarray() if sp.issparse(Y) else np.asarray(Y)
    has = Y.any(axis=1)
    y = np.where(has, Y.argmax(axis=1), Y.shape[1])
    if n_classes is not None:
        values, counts = np.unique(y, return_counts=True)
        keep = values[np.argsort(-counts, kind="stable")[:n_classes]]
        y = np.where(np.isin(y, keep), y, -1)
    return y


def cases(data):
    """``(name, estimator, X, y, X_test)`` of each case."""
    X, Y = load_split(data, "yeast", "train")
    X_test, _ = load_split(data, "yeast", "test")
    yield "yeast-multilabel", WeightedMultiLabelClassifier(random_state=0), X, Y, X_test
    yield (
        "yeast-multiclass",
        WeightedMultiClassClassifier(random_state=0),
        X,
        first_label(Y),
        X_test,
    )
    X, Y = load_split(data, "bibtex", "train")
    X_test, _ = load_split(data, "bibtex", "test")
    X, X_test = sp.csr_matrix(X), sp.csr_matrix(X_test)
    yield (
        "bibtex-sparse-multilabel",
        WeightedMultiLabelClassifier(sparse_layer=True, random_state=0),
        X,
        Y,
        X_test,
    )
    yield (
        "bibtex-sparse-multiclass",
        WeightedMultiClassClassifier(sparse_layer=True, random_state=0),
        X,
        first_label(Y, n_classes=20),
        X_test,
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--save", help="write the predictions to this .npz")
    group.add_argument("--check", help="compare the predictions with this .npz")
    parser.add_argument("--only", help="comma-separated case names")
    args = parser.parse_args(argv)
    only = set(args.only.split(",")) if args.only else None
    reference = dict(np.load(args.check)) if args.check else None
    saved, failed = {}, []
    for name, estimator, X, y, X_test in cases(args.data):
        if only is not None and name not in only:
            continue
        start = time.perf_counter()
        proba = estimator.fit(X, y).predict_proba(X_test)
        seconds = time.perf_counter() - start
        saved[name] = proba
        if reference is None:
            print(f"{name}: saved {proba.shape} {proba.dtype} ({seconds:.0f} s)")
            continue
        same = name in reference and np.array_equal(reference[name], proba)
        same = same and reference[name].dtype == proba.dtype
        if same:
            print(f"{name}: bit-identical ({seconds:.0f} s)")
        else:
            gap = (
                np.max(np.abs(reference[name] - proba))
                if name in reference and reference[name].shape == proba.shape
                else float("nan")
            )
            print(f"{name}: DIFFERS, largest gap {gap:.3g} ({seconds:.0f} s)")
            failed.append(name)
    if args.save:
        np.savez_compressed(args.save, **saved)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
