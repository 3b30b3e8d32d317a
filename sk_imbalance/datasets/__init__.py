"""Data sets: an ARFF loader, the shipped yeast benchmark and a binary text slice.

:func:`load_arff` reads MULAN/MEKA-style ARFF files (dense or sparse,
optionally gzip-compressed) into a feature matrix and a 0/1 label matrix;
:func:`load_yeast` loads MULAN's yeast split shipped with the package;
:func:`load_tmc2007_binary` a binary text slice of tmc2007.
"""

from ._base import load_arff, load_tmc2007_binary, load_yeast

__all__ = ["load_arff", "load_yeast", "load_tmc2007_binary"]
