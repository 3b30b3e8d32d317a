"""Multi-label data sets: an ARFF loader and the shipped yeast benchmark.

:func:`load_arff` reads MULAN/MEKA-style ARFF files (dense or sparse,
optionally gzip-compressed) into a feature matrix and a 0/1 label matrix;
:func:`load_yeast` loads MULAN's yeast split shipped with the package.
"""

from ._base import load_arff, load_yeast

__all__ = ["load_arff", "load_yeast"]
