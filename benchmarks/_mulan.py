"""The MULAN benchmark splits in ``../shared/data``, shared by the benchmarks.

Citations of the data sets are in ``quality.py``'s docstring and the README.
"""

from pathlib import Path

from sk_imbalance.datasets import load_arff

DATASETS = ("yeast", "emotions", "enron", "bibtex", "tmc2007")
#: ``../shared/data`` beside the repository.
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def load_split(data, name, subset):
    """``(X, Y)`` of one MULAN split; tmc2007 is its 500-word version."""
    stem = "tmc2007-500" if name == "tmc2007" else name
    folder = Path(data) / name
    return load_arff(
        folder / f"{stem}-{subset}.arff", folder / f"{stem}.xml", return_X_y=True
    )
