"""Loaders for multi-label ARFF data sets and the shipped yeast and tmc2007 data.

:func:`load_arff` splits an ARFF file (MULAN or MEKA style) into a feature
matrix and a 0/1 label matrix; :func:`load_yeast` reads the copy of MULAN's
yeast split that ships with the package, :func:`load_tmc2007_binary` the
shipped binary text slice of tmc2007 (as word indicators or as texts).
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from importlib import resources
from numbers import Integral
from xml.sax.saxutils import quoteattr

import numpy as np
import scipy.sparse as sp
from sklearn.utils import Bunch

from ._arff import read_arff

__all__ = ["load_arff", "load_yeast", "load_tmc2007_binary"]

MULAN_NAMESPACE = "http://mulan.sourceforge.net/labels"

YEAST_DESCR = """\
Yeast multi-label data set
--------------------------

Gene functional classification of the yeast Saccharomyces cerevisiae: each
gene is described by 103 numeric features (micro-array expression levels and
phylogenetic profile) and belongs to one or more of 14 functional classes
(``Class1`` ... ``Class14``). MULAN's standard split has 1500 training and 917
test genes; a training gene has 4.24 labels on average and the rarest label
has 21 positives (1.4%).

Data set characteristics
    Samples: 1500 (train) / 917 (test)
    Features: 103, float64
    Labels: 14, int64 0/1, in the attribute order of the ARFF file

Source: MULAN (repository tsoumakas/mulan, folder data/multi-label/), copied
unchanged and gzip-compressed.

Reference: A. Elisseeff and J. Weston, "A kernel method for multi-labelled
classification", Advances in Neural Information Processing Systems 14
(NIPS 2001).
"""


def _xml_line(xml_path, name):
    """1-based line of the ``name="..."`` of a label in the xml, or None."""
    with open(xml_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for quoted in {quoteattr(name), f'"{name}"', f"'{name}'"}:
        position = text.find(quoted)
        if position >= 0:
            return text.count("\n", 0, position) + 1
    return None


TMC2007_BINARY_DESCR = """\
tmc2007 binary text slice (label class06)
-----------------------------------------

Aviation safety reports (NASA's Aviation Safety Reporting System, the SIAM
Text Mining Competition 2007), each described by 500 binary word features
(MULAN's tmc2007-500). The target is one of its 22 labels, ``class06``, as a
1-D binary target: a positive is a report of that anomaly class. The slice
shipped here is 8,000 rows drawn at random from MULAN's training split (28.4%
positive) and 3,000 from its test split (22.0% positive), made by
``benchmarks/make_binary_text_slice.py``.

Data set characteristics
    Samples: 8000 (train) / 3000 (test)
    Features: 500 binary word indicators, scipy.sparse CSR float64
    Target: int64 0/1

With ``as_text=True`` each report is given as a str instead: the words of the
vocabulary present in it, space-separated, in vocabulary (column) order. The
original word order and word counts are not in the data set, so these texts
are a reconstructed bag of words, real words of real reports, for
demonstrating text pipelines such as ``TfidfVectorizer``; vectorizing them
with the 500 words as vocabulary gives back the binary matrix exactly.

Source: MULAN (repository tsoumakas/mulan, folder data/multi-label/).

Reference: A. N. Srivastava and B. Zane-Ulman, "Discovering recurring
anomalies in text reports regarding complex space systems", IEEE Aerospace
Conference 2005.
"""


def _read_mulan_xml(xml_path):
    """Label names of a MULAN ``.xml`` header, in document order."""
    try:
        root = ET.parse(xml_path).getroot()
    except ET.ParseError as exc:
        raise ValueError(
            f"{xml_path}, line {exc.position[0]}: not a valid XML file ({exc})"
        ) from None
    names = []
    for element in root.iter():
        if element.tag not in (f"{{{MULAN_NAMESPACE}}}label", "label"):
            continue
        name = element.get("name")
        if name is None:
            raise ValueError(f"{xml_path}: a <label> element has no 'name' attribute")
        names.append(name)
    if not names:
        raise ValueError(
            f"{xml_path}: no <label> element found (MULAN namespace {MULAN_NAMESPACE})"
        )
    return names


def _label_indices(arff, labels):
    """Indices of the label attributes, sorted in attribute order."""
    n_attributes = len(arff.names)
    if isinstance(labels, Integral) and not isinstance(labels, bool):
        if not 1 <= labels < n_attributes:
            raise ValueError(
                f"{arff.path}, line {arff.attribute_lines[-1]}: labels={labels} but "
                f"the file declares {n_attributes} attributes; labels must be "
                f"between 1 and {n_attributes - 1} (at least one feature must remain)"
            )
        return np.arange(n_attributes - labels, n_attributes)
    if isinstance(labels, str | os.PathLike):
        xml_path = os.fspath(labels)
        names = _read_mulan_xml(xml_path)
    elif isinstance(labels, list | tuple) and all(isinstance(n, str) for n in labels):
        xml_path, names = None, list(labels)
    else:
        raise TypeError(
            "labels must be an int (the last n attributes are labels), the path "
            "of a MULAN .xml header or a list of label names, got "
            f"{type(labels).__name__}"
        )
    if not names:
        raise ValueError("labels is an empty list: give at least one label name")
    position = {name: i for i, name in enumerate(arff.names)}
    indices = []
    for name in names:
        if name in position and position[name] not in indices:
            indices.append(position[name])
            continue
        if xml_path is None:
            where = f"{arff.path}: label"
        else:
            line = _xml_line(xml_path, name)
            where = f"{xml_path}, line {line}: label" if line else f"{xml_path}: label"
        if name in position:
            raise ValueError(f"{where} {name!r} is given twice")
        raise ValueError(
            f"{where} {name!r} is not an attribute of {arff.path} (attributes "
            f"are declared on lines {arff.attribute_lines[0]}-"
            f"{arff.attribute_lines[-1]})"
        )
    if len(indices) == n_attributes:
        raise ValueError(
            f"{arff.path}, line {arff.attribute_lines[-1]}: every attribute is a "
            "label; at least one feature must remain"
        )
    return np.sort(indices)


def load_arff(path, labels, *, sparse=None, return_X_y=False):
    """Load a multi-label ARFF file as a feature matrix and a label matrix.

    Parameters
    ----------
    path : str or path-like
        An ``.arff`` file, or an ``.arff.gz`` one (gzip is read transparently).
        Dense rows (comma-separated values) and sparse rows
        (``{index value, ...}``, 0-based indices, omitted attributes are 0)
        are supported, with numeric and nominal ``{0,1}`` attributes.
    labels : int, str, path-like or list of str
        Which attributes are labels; every other attribute is a feature.

        - int ``n``: the LAST ``n`` attributes (MEKA convention, also MULAN's
          usual layout).
        - str or path-like: a MULAN ``.xml`` label header; every ``<label>``
          element (nested in ``<labelgroup>`` or not) names one label.
        - list of str: the label names. A single name must be given as a list,
          since a str is read as the path of an ``.xml`` file.

        Whatever the order of the names given, labels are returned in the
        order their columns appear in the ARFF file (attribute order).
    sparse : bool or None, default=None
        None keeps the file's format (dense rows give an ndarray, sparse rows a
        CSR matrix); True always returns CSR, False always an ndarray.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With ``data``, ndarray or scipy.sparse CSR matrix of shape
        (n_samples, n_features), float64; ``target``, ndarray of shape
        (n_samples, n_labels), int64 0/1; ``feature_names``, list of str of
        length n_features; ``target_names``, list of str of length n_labels,
        both in attribute order.
    (data, target) : tuple
        If ``return_X_y`` is True.

    Raises
    ------
    ValueError
        On malformed input (wrong number of values in a row, bad sparse
        index, non-numeric or missing value, label value other than 0/1,
        unknown label name, too many labels, no ``@data`` section); the
        message names the file and the 1-based line number.
    """
    if sparse is not None and not isinstance(sparse, bool):
        raise ValueError(f"sparse must be None, True or False, got {sparse!r}")
    arff = read_arff(path)
    label_idx = _label_indices(arff, labels)
    feature_idx = np.setdiff1d(np.arange(len(arff.names)), label_idx)

    if sp.issparse(arff.data):
        target = arff.data[:, label_idx].toarray()
        data = arff.data[:, feature_idx].tocsr()
    else:
        target = arff.data[:, label_idx]
        data = np.ascontiguousarray(arff.data[:, feature_idx])
    bad = (target != 0) & (target != 1)
    if bad.any():
        row, col = np.argwhere(bad)[0]
        raise ValueError(
            f"{arff.path}, line {arff.row_lines[row]}: label attribute "
            f"{arff.names[label_idx[col]]!r} has value {target[row, col]:g}; "
            "labels must be 0 or 1"
        )
    if sparse and not sp.issparse(data):
        data = sp.csr_matrix(data)
    elif sparse is False and sp.issparse(data):
        data = data.toarray()

    target = target.astype(np.int64)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        feature_names=[arff.names[i] for i in feature_idx],
        target_names=[arff.names[i] for i in label_idx],
    )


def load_yeast(subset="train", *, return_X_y=False):
    """Load MULAN's yeast split (gene function, 103 features, 14 labels).

    The copy shipped in ``sk_imbalance/datasets/data`` is read; no download.

    Parameters
    ----------
    subset : {"train", "test"}, default="train"
        The split: 1500 training or 917 test samples.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        As :func:`load_arff` (``data`` ndarray of shape (n_samples, 103),
        ``target`` int64 ndarray of shape (n_samples, 14) in the ARFF
        attribute order ``Class1`` ... ``Class14``, ``feature_names``,
        ``target_names``) plus ``DESCR``, the description and citation.
    (data, target) : tuple
        If ``return_X_y`` is True.

    Notes
    -----
    Cite A. Elisseeff and J. Weston, "A kernel method for multi-labelled
    classification", NIPS 2001. Source: MULAN (tsoumakas/mulan,
    data/multi-label/).
    """
    allowed = ("train", "test")
    if not isinstance(subset, str) or subset not in allowed:
        raise ValueError(f"subset must be one of {allowed}, got {subset!r}")
    folder = resources.files("sk_imbalance.datasets") / "data"
    with (
        resources.as_file(folder / f"yeast-{subset}.arff.gz") as arff_path,
        resources.as_file(folder / "yeast.xml") as xml_path,
    ):
        bunch = load_arff(arff_path, xml_path)
    if return_X_y:
        return bunch.data, bunch.target
    bunch.DESCR = YEAST_DESCR
    return bunch


def _bag_of_words_texts(data, feature_names):
    """Each row of a 0/1 CSR matrix as its words, space-separated, column order."""
    data = data.tocsr(copy=True)
    data.sort_indices()
    words = np.asarray(feature_names, dtype=object)
    return [
        " ".join(words[data.indices[start:stop]])
        for start, stop in zip(data.indptr[:-1], data.indptr[1:], strict=True)
    ]


def load_tmc2007_binary(subset="train", *, as_text=False, return_X_y=False):
    r"""Load the shipped binary text slice of tmc2007 (label ``class06``).

    A real text problem of the shape users ask about: about one positive in
    four, sparse word features, judged by the positives' F1. Read from the
    copy in ``sk_imbalance/datasets/data``; no download.

    Parameters
    ----------
    subset : {"train", "test"}, default="train"
        8,000 rows of MULAN's training split or 3,000 of its test split.
    as_text : bool, default=False
        If True, ``data`` is a list of str, one per report: the words present
        in it, space-separated, in vocabulary order (the order of
        ``feature_names``, alphabetical); a report with none of the 500 words
        is ``""``. The original word order and word counts are not in the data
        set, so this is a reconstructed bag of words (real words of real
        reports), for demonstrating text pipelines such as
        :class:`~sklearn.feature_extraction.text.TfidfVectorizer` (use
        ``token_pattern=r"\S+"``: seven of the words are single letters,
        which the default pattern drops). It is not running text: phrases and
        word order are lost.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        ``data``: scipy.sparse CSR matrix of shape (n_samples, 500), float64
        0/1, or with ``as_text=True`` a list of n_samples str; ``target``:
        int64 ndarray of shape (n_samples,); ``feature_names`` (the words,
        ndarray of str of shape (500,)); ``DESCR``, the description and
        citation.
    (data, target) : tuple
        If ``return_X_y`` is True.

    Notes
    -----
    Cite A. N. Srivastava and B. Zane-Ulman, "Discovering recurring anomalies
    in text reports regarding complex space systems", IEEE Aerospace
    Conference 2005.
    """
    allowed = ("train", "test")
    if not isinstance(subset, str) or subset not in allowed:
        raise ValueError(f"subset must be one of {allowed}, got {subset!r}")
    if not isinstance(as_text, bool):
        raise ValueError(f"as_text must be True or False, got {as_text!r}")
    path = resources.files("sk_imbalance.datasets") / "data" / "tmc2007-label5.npz"
    with resources.as_file(path) as file, np.load(file) as arrays:
        n = int(arrays[f"{subset}_n"])
        indptr = arrays[f"{subset}_indptr"].astype(np.int64)
        indices = arrays[f"{subset}_indices"].astype(np.int32)
        target = np.unpackbits(arrays[f"{subset}_target"])[:n].astype(np.int64)
        feature_names = arrays["feature_names"].astype(object)
    data = sp.csr_matrix(
        (np.ones(indices.size), indices, indptr), shape=(n, feature_names.size)
    )
    if as_text:
        data = _bag_of_words_texts(data, feature_names)
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        feature_names=feature_names,
        DESCR=TMC2007_BINARY_DESCR,
    )
