"""Tests of sk_imbalance.datasets: the ARFF loader and the shipped yeast data."""

import gzip
import xml.etree.ElementTree as ET
from importlib import resources

import numpy as np
import pytest
import scipy.sparse as sp

from sk_imbalance.datasets import load_arff, load_yeast

# Lines: 1 comment, 2 relation, 3 blank, 4-8 attributes, 9 blank, 10 @DATA,
# 11 comment, 12-13 rows, 14 blank, 15 row.
DENSE = """\
% a toy multi-label file
@RELATION 'toy data'

@attribute 'Att 1' numeric
@Attribute lab1 {0,1}
@ATTRIBUTE att2 REAL
@attribute att3 integer
@attribute lab2 { 0 , 1 }

@DATA
% first row
1.5,1,-2,3,0
0,0,1e-3,7,1

4,1,5,6,1
"""
SPARSE = DENSE.replace(
    "1.5,1,-2,3,0\n0,0,1e-3,7,1\n\n4,1,5,6,1\n",
    "{0 1.5,1 1,2 -2,3 3}\n{2 1e-3,3 7,4 1}\n\n{4 1,1 1,0 4,2 5,3 6}\n{}\n",
)
X_EXPECTED = np.array([[1.5, -2, 3], [0, 1e-3, 7], [4, 5, 6]])
Y_EXPECTED = np.array([[1, 0], [0, 1], [1, 1]])
XML = """\
<?xml version="1.0" encoding="utf-8"?>
<labels xmlns="http://mulan.sourceforge.net/labels">
<labelgroup name="all">
<label name="lab2"></label>
<label name="lab1"></label>
</labelgroup>
</labels>
"""
# Lines 1-3; tests add line 4 (an attribute) and 5 (@data): data starts line 6.
HEADER = "@relation t\n@attribute a numeric\n@attribute b numeric\n"


def _write(tmp_path, text, name="data.arff"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _yeast_xml_names():
    xml = resources.files("sk_imbalance.datasets") / "data" / "yeast.xml"
    root = ET.fromstring(xml.read_bytes())
    return [
        e.get("name") for e in root.iter("{http://mulan.sourceforge.net/labels}label")
    ]


@pytest.mark.parametrize(
    "subset, n_samples, cardinality", [("train", 1500, 4.228), ("test", 917, 4.252)]
)
def test_load_yeast_shapes_and_labels(subset, n_samples, cardinality):
    """Check that load_yeast returns the MULAN split's shapes and 0/1 labels."""
    bunch = load_yeast(subset)
    assert bunch.data.shape == (n_samples, 103)
    assert bunch.data.dtype == np.float64
    assert bunch.target.shape == (n_samples, 14)
    assert bunch.target.dtype == np.int64
    assert set(np.unique(bunch.target)) == {0, 1}
    assert bunch.target.sum(axis=1).mean() == pytest.approx(cardinality, abs=0.01)
    assert len(bunch.feature_names) == 103
    assert set(bunch.target_names) == set(_yeast_xml_names())


def test_load_yeast_target_names_in_attribute_order():
    """Check that yeast labels follow the ARFF attribute order, not the xml's."""
    names = load_yeast().target_names
    assert names == [f"Class{i}" for i in range(1, 15)]
    assert _yeast_xml_names() != names


def test_load_yeast_pooled_cardinality():
    """Check that train and test together have the published 4.24 labels per row."""
    Y = np.vstack([load_yeast("train").target, load_yeast("test").target])
    assert Y.shape == (2417, 14)
    assert Y.sum(axis=1).mean() == pytest.approx(4.24, abs=0.01)


def test_load_yeast_return_X_y_and_descr():
    """Check that return_X_y gives the arrays and the Bunch has a citing DESCR."""
    bunch = load_yeast("test")
    X, Y = load_yeast("test", return_X_y=True)
    np.testing.assert_array_equal(X, bunch.data)
    np.testing.assert_array_equal(Y, bunch.target)
    assert "Elisseeff" in bunch.DESCR and "NIPS 2001" in bunch.DESCR
    assert "tsoumakas/mulan" in bunch.DESCR


@pytest.mark.parametrize("subset", ["validation", "Train", None])
def test_load_yeast_bad_subset_raises(subset):
    """Check that an unknown subset raises a ValueError naming the allowed values."""
    with pytest.raises(ValueError, match=r"subset must be one of \('train', 'test'\)"):
        load_yeast(subset)


def test_load_arff_dense_exact_values(tmp_path):
    """Check that a dense file with header variants parses to the exact values."""
    path = _write(tmp_path, DENSE)
    bunch = load_arff(path, ["lab2", "lab1"])
    assert isinstance(bunch.data, np.ndarray) and bunch.data.dtype == np.float64
    np.testing.assert_array_equal(bunch.data, X_EXPECTED)
    np.testing.assert_array_equal(bunch.target, Y_EXPECTED)
    assert bunch.target.dtype == np.int64
    assert bunch.feature_names == ["Att 1", "att2", "att3"]
    assert bunch.target_names == ["lab1", "lab2"]


def test_load_arff_xml_labels_in_attribute_order(tmp_path):
    """Check that labels named in a nested MULAN xml come back in attribute order."""
    path = _write(tmp_path, DENSE)
    xml = _write(tmp_path, XML, "labels.xml")
    for labels in (xml, str(xml)):
        bunch = load_arff(str(path), labels)
        assert bunch.target_names == ["lab1", "lab2"]
        np.testing.assert_array_equal(bunch.target, Y_EXPECTED)


def test_load_arff_int_labels_are_last_attributes(tmp_path):
    """Check that labels=n takes the last n attributes as labels."""
    path = _write(tmp_path, DENSE)
    bunch = load_arff(path, 1)
    assert bunch.target_names == ["lab2"]
    assert bunch.feature_names == ["Att 1", "lab1", "att2", "att3"]
    np.testing.assert_array_equal(bunch.target, Y_EXPECTED[:, [1]])
    with pytest.raises(ValueError, match="line 12: label attribute 'att3' has value 3"):
        load_arff(path, 2)


def test_load_arff_quoted_values_and_no_rows(tmp_path):
    """Check that quoted values parse and an empty @data section gives 0 rows."""
    text = HEADER + "@attribute y {0,1}\n@data\n'1', 2.5 ,'1'\n"
    X, Y = load_arff(_write(tmp_path, text), 1, return_X_y=True)
    np.testing.assert_array_equal(X, [[1, 2.5]])
    np.testing.assert_array_equal(Y, [[1]])
    X, Y = load_arff(_write(tmp_path, text[: text.index("'")]), 1, return_X_y=True)
    assert X.shape == (0, 2) and Y.shape == (0, 1)


def test_load_arff_gzip(tmp_path):
    """Check that a gzip-compressed file reads like the plain one."""
    path = tmp_path / "data.arff.gz"
    path.write_bytes(gzip.compress(SPARSE.encode()))
    X, Y = load_arff(path, ["lab1", "lab2"], return_X_y=True)
    np.testing.assert_array_equal(X.toarray(), np.vstack([X_EXPECTED, np.zeros(3)]))
    np.testing.assert_array_equal(Y, np.vstack([Y_EXPECTED, [0, 0]]))


def test_load_arff_sparse_matches_dense(tmp_path):
    """Check that a sparse file gives a CSR matrix equal to the dense equivalent."""
    dense = load_arff(_write(tmp_path, DENSE), ["lab1", "lab2"])
    sparse = load_arff(_write(tmp_path, SPARSE, "s.arff"), ["lab1", "lab2"])
    assert sp.issparse(sparse.data) and sparse.data.format == "csr"
    assert sparse.data.dtype == np.float64
    np.testing.assert_array_equal(sparse.data.toarray()[:3], dense.data)
    np.testing.assert_array_equal(sparse.data.toarray()[3], 0)  # the "{}" row
    np.testing.assert_array_equal(sparse.target[:3], dense.target)
    assert sparse.feature_names == dense.feature_names
    assert sparse.target_names == dense.target_names


def test_load_arff_sparse_parameter_overrides_format(tmp_path):
    """Check that sparse=True forces CSR and sparse=False forces an ndarray."""
    dense_path = _write(tmp_path, DENSE)
    sparse_path = _write(tmp_path, SPARSE, "s.arff")
    X = load_arff(dense_path, 1, sparse=True).data
    assert sp.issparse(X) and X.format == "csr"
    np.testing.assert_array_equal(X.toarray(), load_arff(dense_path, 1).data)
    X = load_arff(sparse_path, 1, sparse=False).data
    assert isinstance(X, np.ndarray)
    np.testing.assert_array_equal(X, load_arff(sparse_path, 1).data.toarray())
    with pytest.raises(ValueError, match="sparse must be None, True or False"):
        load_arff(dense_path, 1, sparse="yes")


@pytest.mark.parametrize(
    "text, labels, match",
    [
        (HEADER + "@data\n1,2\n", 3, "line 3: labels=3 but the file declares 2"),
        (
            HEADER + "@attribute y {0,1}\n@data\n1,2,0\n\n% c\n1,2\n",
            1,
            "line 9: dense row has 2 values, expected 3",
        ),
        (
            HEADER + "@attribute y {0,1}\n@data\n1,2,0\n1,x,1\n",
            1,
            "line 7: value 'x' of attribute 'b' is not a number",
        ),
        (
            HEADER + "@attribute y {0,1}\n@data\n1,?,0\n",
            1,
            r"line 6: missing value '\?' for attribute 'b'",
        ),
        (
            HEADER + "@attribute y {0,1}\n@data\n1,2,1\n1,2,2\n",
            1,
            "line 7: value 2 of nominal attribute 'y' is not 0 or 1",
        ),
        (
            HEADER + "@attribute y numeric\n@data\n1,2,1\n1,2,0.5\n",
            1,
            "line 7: label attribute 'y' has value 0.5; labels must be 0 or 1",
        ),
        (
            HEADER + "@attribute y {0,1}\n@data\n{0 1}\n{5 1}\n",
            1,
            "line 7: sparse index 5 is out of range",
        ),
        (
            HEADER + "@attribute y {0,1}\n@data\n{a 1}\n",
            1,
            "line 6: sparse index 'a' is not an integer",
        ),
        (
            HEADER + "@attribute y {0,1}\n@data\n{0 1 2}\n",
            1,
            "line 6: sparse entry '0 1 2' is not 'index value'",
        ),
        (
            HEADER + "@attribute y {0,1}\n@data\n{0 1,0 2}\n",
            1,
            "line 6: sparse index 0 appears twice",
        ),
        (
            HEADER + "@attribute y {0,1}\n@data\n{0 1}\n1,2,0\n",
            1,
            "line 7: sparse row must be written",
        ),
        (
            HEADER + "@attribute y {0,1}\n",
            1,
            "line 4: end of file reached without an @data section",
        ),
        (
            HEADER + "@attribute s string\n@data\n",
            1,
            "line 4: attribute 's' has type 'string': only numeric",
        ),
        (
            HEADER + "@attribute c {red,green}\n@data\n",
            1,
            "line 4: attribute 'c' has type '{red,green}': only numeric",
        ),
        (
            HEADER + "@attribute a {0,1}\n@data\n",
            1,
            "line 4: attribute 'a' is declared twice",
        ),
        (HEADER + "attribute y {0,1}\n@data\n", 1, "line 4: unexpected header line"),
        (
            HEADER + "@attribute y {0,1}\n@data\n1,nan,0\n",
            1,
            "line 6: value nan of attribute 'b' is not a finite number",
        ),
    ],
)
def test_load_arff_malformed_raises_with_line(tmp_path, text, labels, match):
    """Check that malformed input raises a ValueError naming file and line."""
    path = _write(tmp_path, text)
    with pytest.raises(ValueError, match=match) as excinfo:
        load_arff(path, labels)
    assert str(path) in str(excinfo.value)


def test_load_arff_xml_unknown_label_raises_with_line(tmp_path):
    """Check that an xml label that is not an attribute names the xml line."""
    path = _write(tmp_path, DENSE)
    xml = _write(tmp_path, XML.replace('"lab1"', '"nope"'), "labels.xml")
    with pytest.raises(ValueError, match=r"labels\.xml, line 5: label 'nope' is not"):
        load_arff(path, xml)


def test_load_arff_bad_xml_raises_with_line(tmp_path):
    """Check that an invalid or label-less xml raises a ValueError."""
    path = _write(tmp_path, DENSE)
    xml = _write(tmp_path, XML.replace("</labelgroup>", ""), "bad.xml")
    with pytest.raises(ValueError, match=r"bad\.xml, line 7: not a valid XML"):
        load_arff(path, xml)
    xml = _write(tmp_path, "<labels/>", "empty.xml")
    with pytest.raises(ValueError, match="no <label> element found"):
        load_arff(path, xml)


def test_load_arff_label_list_errors(tmp_path):
    """Check that unknown, repeated, empty or all-attribute label lists raise."""
    path = _write(tmp_path, DENSE)
    with pytest.raises(ValueError, match="label 'nope' is not an attribute"):
        load_arff(path, ["lab1", "nope"])
    with pytest.raises(ValueError, match="label 'lab1' is given twice"):
        load_arff(path, ["lab1", "lab1"])
    with pytest.raises(ValueError, match="empty list"):
        load_arff(path, [])
    with pytest.raises(ValueError, match="line 8: labels=5 but the file declares 5"):
        load_arff(path, 5)
    with pytest.raises(TypeError, match="labels must be an int"):
        load_arff(path, 2.0)


def test_load_tmc2007_binary_slice():
    """Check the shipped binary text slice: shapes, 0/1 values, the positive rate."""
    from sk_imbalance.datasets import load_tmc2007_binary

    bunch = load_tmc2007_binary()
    assert bunch.data.shape == (8000, 500) and sp.issparse(bunch.data)
    assert set(np.unique(bunch.data.data)) == {1.0}
    assert bunch.target.shape == (8000,) and set(np.unique(bunch.target)) == {0, 1}
    assert 0.25 < bunch.target.mean() < 0.32  # 28% positive
    assert len(bunch.feature_names) == 500 and "Srivastava" in bunch.DESCR
    X, y = load_tmc2007_binary("test", return_X_y=True)
    assert X.shape == (3000, 500) and y.shape == (3000,)
    with pytest.raises(ValueError, match="subset must be one of"):
        load_tmc2007_binary("validation")


@pytest.mark.parametrize("subset, n_samples", [("train", 8000), ("test", 3000)])
def test_load_tmc2007_binary_as_text(subset, n_samples):
    """Check the texts: one str per row, words in vocabulary order, and exact.

    Vectorizing them with the 500 words as vocabulary gives back the binary
    matrix, entry for entry.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    from sk_imbalance.datasets import load_tmc2007_binary

    bunch = load_tmc2007_binary(subset)
    texts = load_tmc2007_binary(subset, as_text=True)
    assert isinstance(texts.data, list) and len(texts.data) == n_samples
    assert all(isinstance(text, str) for text in texts.data)
    np.testing.assert_array_equal(texts.target, bunch.target)
    np.testing.assert_array_equal(texts.feature_names, bunch.feature_names)
    assert "as_text=True" in texts.DESCR
    order = {word: j for j, word in enumerate(bunch.feature_names)}
    for text in texts.data[:200]:
        positions = [order[word] for word in text.split()]
        assert positions == sorted(set(positions))  # vocabulary order, no repeats
    vectorizer = CountVectorizer(
        token_pattern=r"\S+", binary=True, vocabulary=bunch.feature_names
    )
    counts = vectorizer.fit_transform(texts.data)
    assert counts.shape == bunch.data.shape
    assert (counts != bunch.data).nnz == 0
    X, y = load_tmc2007_binary(subset, as_text=True, return_X_y=True)
    assert X == texts.data
    np.testing.assert_array_equal(y, bunch.target)


def test_load_tmc2007_binary_words_and_bad_as_text():
    """Check that the words are MULAN's, and that as_text must be a bool."""
    from sk_imbalance.datasets import load_tmc2007_binary

    names = list(load_tmc2007_binary("test").feature_names)
    assert {"gps", "grass", "groundproximitywarningsystem"} <= set(names)
    assert names == sorted(names) and len(set(names)) == 500
    for bad in ("yes", 1, None):
        with pytest.raises(ValueError, match="as_text must be True or False"):
            load_tmc2007_binary(as_text=bad)
