"""Write the tmc2007 slice shipped in ``sk_imbalance/datasets/data``.

``sk_imbalance.datasets.load_tmc2007_binary`` reads it: 8,000 rows drawn at
random (seed 2026) from MULAN's tmc2007-500 training split and 3,000 from its
test split, with their 500 binary word features (CSR indices, int16) and label
``class06`` (column 5, 28% positive in the training split) as a 1-D binary
target (bit-packed). Run from the repository root with ``../shared/data``
beside it: ``python benchmarks/make_binary_text_slice.py``.

Source: A. N. Srivastava and B. Zane-Ulman, "Discovering recurring anomalies
in text reports regarding complex space systems", IEEE Aerospace Conference
2005 (SIAM Text Mining Competition 2007); MULAN's copy.
"""

from pathlib import Path

import numpy as np
import scipy.sparse as sp
from _mulan import DEFAULT_DATA

from sk_imbalance.datasets import load_arff

OUT = Path(__file__).resolve().parents[1] / "sk_imbalance/datasets/data"
LABEL, SIZES, SEED = 5, {"train": 8000, "test": 3000}, 2026


def main():
    folder = DEFAULT_DATA / "tmc2007"
    rng = np.random.default_rng(SEED)
    arrays = {}
    for subset, n in SIZES.items():
        bunch = load_arff(
            folder / f"tmc2007-500-{subset}.arff", folder / "tmc2007-500.xml"
        )
        X, y = sp.csr_matrix(bunch.data), np.asarray(bunch.target)[:, LABEL]
        rows = np.sort(rng.choice(X.shape[0], n, replace=False))
        block = X[rows]
        block.sort_indices()
        arrays[f"{subset}_indices"] = block.indices.astype(np.int16)
        arrays[f"{subset}_indptr"] = block.indptr.astype(np.int32)
        arrays[f"{subset}_target"] = np.packbits(y[rows].astype(bool))
        arrays[f"{subset}_rows"] = rows.astype(np.int32)
        arrays[f"{subset}_n"] = np.array(n)
    arrays["feature_names"] = np.array(bunch.feature_names)
    np.savez_compressed(OUT / "tmc2007-label5.npz", **arrays)


if __name__ == "__main__":
    main()
