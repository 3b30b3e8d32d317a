"""A small reader for the ARFF files of multi-label benchmarks (MULAN, MEKA).

Only what those files use is supported: ``numeric``/``real``/``integer``
attributes and nominal ``{0,1}`` attributes, in dense rows (comma-separated
values) or sparse rows (``{index value, ...}`` with 0-based attribute indices
and omitted attributes equal to 0). Keywords are case-insensitive, ``%``
starts a comment line, attribute names may be quoted, and ``.gz`` files are
read transparently. Every malformed input raises a ``ValueError`` that names
the file and the 1-based line number.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

__all__ = ["ArffFile", "read_arff"]

_NUMERIC_TYPES = ("numeric", "real", "integer")
_SUPPORTED = "only numeric (numeric, real, integer) and {0,1} nominal attributes"


@dataclass
class ArffFile:
    """The parsed content of one ARFF file.

    Attributes
    ----------
    path : str
        The file read, as given; used in error messages.
    relation : str
        Name given by ``@relation`` ('' when absent).
    names : list of str
        Attribute names, in the order they are declared.
    nominal : ndarray of shape (n_attributes,), dtype bool
        True for nominal ``{0,1}`` attributes, False for numeric ones.
    attribute_lines : list of int
        1-based line number of each ``@attribute`` declaration.
    data : ndarray or scipy.sparse.csr_matrix of shape (n_samples, n_attributes)
        float64 values of every attribute; CSR when the rows are sparse.
    row_lines : ndarray of shape (n_samples,), dtype int64
        1-based line number of each data row.
    """

    path: str
    relation: str
    names: list[str]
    nominal: np.ndarray
    attribute_lines: list[int]
    data: np.ndarray | sp.csr_matrix
    row_lines: np.ndarray


def _error(path, line_no, message):
    return ValueError(f"{path}, line {line_no}: {message}")


def _unquote(text):
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _read_lines(path):
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8-sig").splitlines()


def _parse_attribute(rest, path, line_no):
    """Split ``name type`` after ``@attribute``; return (name, is_nominal)."""
    rest = rest.strip()
    if rest[:1] in ("'", '"'):
        end = rest.find(rest[0], 1)
        if end < 0:
            raise _error(path, line_no, "unterminated quoted attribute name")
        name, kind = rest[1:end], rest[end + 1 :].strip()
    else:
        parts = rest.split(None, 1)
        if len(parts) < 2:
            raise _error(path, line_no, "@attribute needs a name and a type")
        name, kind = parts
    if kind.lower() in _NUMERIC_TYPES:
        return name, False
    if kind.startswith("{") and kind.endswith("}"):
        values = [_unquote(v) for v in kind[1:-1].split(",")]
        if values == ["0", "1"]:
            return name, True
    raise _error(
        path,
        line_no,
        f"attribute {name!r} has type {kind!r}: {_SUPPORTED} are supported",
    )


def _to_float(token, name, path, line_no):
    text = _unquote(token)
    if text == "?":
        raise _error(
            path,
            line_no,
            f"missing value '?' for attribute {name!r}; "
            "missing values are not supported",
        )
    try:
        return float(text)
    except ValueError:
        raise _error(
            path,
            line_no,
            f"value {token.strip()!r} of attribute {name!r} is not a number",
        ) from None


def _parse_dense(rows, row_lines, names, path):
    n_attributes = len(names)
    fields = [row.split(",") for row in rows]
    for values, line_no in zip(fields, row_lines, strict=True):
        if len(values) != n_attributes:
            raise _error(
                path,
                line_no,
                f"dense row has {len(values)} values, expected "
                f"{n_attributes} (one per attribute)",
            )
    try:
        return np.array(fields, dtype=np.float64).reshape(len(rows), n_attributes)
    except ValueError:
        pass  # find the offending value, line by line
    data = np.empty((len(rows), n_attributes))
    for i, (values, line_no) in enumerate(zip(fields, row_lines, strict=True)):
        for j, token in enumerate(values):
            data[i, j] = _to_float(token, names[j], path, line_no)
    return data


def _parse_sparse(rows, row_lines, names, path):
    n_attributes = len(names)
    row_ids, indices, values = [], [], []
    for i, (row, line_no) in enumerate(zip(rows, row_lines, strict=True)):
        if not (row.startswith("{") and row.endswith("}")):
            raise _error(path, line_no, "sparse row must be written {index value, ...}")
        body = row[1:-1].strip()
        if not body:
            continue
        seen = set()
        for item in body.split(","):
            pair = item.split()
            if len(pair) != 2:
                raise _error(
                    path, line_no, f"sparse entry {item.strip()!r} is not 'index value'"
                )
            try:
                index = int(pair[0])
            except ValueError:
                raise _error(
                    path, line_no, f"sparse index {pair[0]!r} is not an integer"
                ) from None
            if not 0 <= index < n_attributes:
                raise _error(
                    path,
                    line_no,
                    f"sparse index {index} is out of range: the file "
                    f"has {n_attributes} attributes (indices 0 to {n_attributes - 1})",
                )
            if index in seen:
                raise _error(path, line_no, f"sparse index {index} appears twice")
            seen.add(index)
            row_ids.append(i)
            indices.append(index)
            values.append(_to_float(pair[1], names[index], path, line_no))
    data = sp.csr_matrix(
        (np.asarray(values, dtype=np.float64), (row_ids, indices)),
        shape=(len(rows), n_attributes),
    )
    data.eliminate_zeros()
    data.sort_indices()
    return data


def _check_values(data, nominal, row_lines, names, path):
    """Raise on non-finite values and nominal values other than 0 and 1."""
    if sp.issparse(data):
        coo = data.tocoo()
        rows, cols, values = coo.row, coo.col, coo.data
        bad = ~np.isfinite(values) | (nominal[cols] & (values != 0) & (values != 1))
        if not bad.any():
            return
        k = np.flatnonzero(bad)
        k = k[np.lexsort((cols[k], rows[k]))[0]]  # earliest offending entry
        row, col, value = rows[k], cols[k], values[k]
    else:
        bad = ~np.isfinite(data) | (nominal & (data != 0) & (data != 1))
        if not bad.any():
            return
        row, col = np.argwhere(bad)[0]  # row-major: earliest offending entry
        value = data[row, col]
    if not np.isfinite(value):
        msg = f"value {value} of attribute {names[col]!r} is not a finite number"
    else:
        msg = f"value {value:g} of nominal attribute {names[col]!r} is not 0 or 1"
    raise _error(path, row_lines[row], msg)


def read_arff(path):
    """Read a dense or sparse ARFF file (optionally gzip-compressed).

    Parameters
    ----------
    path : str or path-like
        The ``.arff`` or ``.arff.gz`` file; gzip is detected from the content.

    Returns
    -------
    arff : ArffFile
        Attribute names and kinds, and the values of every attribute: an
        ndarray of shape (n_samples, n_attributes) for dense rows, a CSR
        matrix of that shape for sparse rows.

    Raises
    ------
    ValueError
        On malformed or unsupported content; the message names the file and
        the 1-based line number.
    """
    path = os.fspath(path)
    lines = _read_lines(path)
    relation, names, nominal, attribute_lines = "", [], [], []
    data_start = None
    for line_no, line in enumerate(lines, start=1):
        text = line.strip()
        if not text or text.startswith("%"):
            continue
        keyword = text.split(None, 1)[0].lower()
        if keyword == "@relation":
            relation = _unquote(text[len(keyword) :])
        elif keyword == "@attribute":
            name, is_nominal = _parse_attribute(text[len(keyword) :], path, line_no)
            if name in names:
                raise _error(path, line_no, f"attribute {name!r} is declared twice")
            names.append(name)
            nominal.append(is_nominal)
            attribute_lines.append(line_no)
        elif keyword == "@data":
            data_start = line_no
            break
        else:
            raise _error(path, line_no, f"unexpected header line {text[:40]!r}")
    if data_start is None:
        raise _error(path, len(lines), "end of file reached without an @data section")
    if not names:
        raise _error(path, data_start, "no @attribute declared before @data")

    rows, row_lines = [], []
    for line_no in range(data_start + 1, len(lines) + 1):
        text = lines[line_no - 1].strip()
        if text and not text.startswith("%"):
            rows.append(text)
            row_lines.append(line_no)
    if rows and rows[0].startswith("{"):
        data = _parse_sparse(rows, row_lines, names, path)
    else:
        data = _parse_dense(rows, row_lines, names, path)
    nominal = np.array(nominal, dtype=bool)
    row_lines = np.array(row_lines, dtype=np.int64)
    _check_values(data, nominal, row_lines, names, path)
    return ArffFile(path, relation, names, nominal, attribute_lines, data, row_lines)
