"""Write ``docs/results/parameters.md``, "Parameters at a glance", from the code.

Each estimator's methods, parameters and fitted attributes are read from the
class itself: the names and defaults from :func:`inspect.signature`, the
types and meanings from the numpydoc sections of its docstrings (the first
paragraph of each description, with a list it introduces). Nothing on the
page is typed by hand, so a default or a meaning changes in one place, the
code, and the page follows.

The documentation build calls :func:`write` (``conf.py``, on
``builder-inited``) and warns when the committed page was out of date, so
``sphinx-build -W`` fails until the rewritten page is committed;
``tests/test_docs_params.py`` checks the committed page against the
signatures. By hand::

    python docs/_parameters.py           # rewrite the page
    python docs/_parameters.py --check   # exit 1 if it is out of date

numpydoc (the ``docs`` extra) is imported only to write the page;
:func:`format_default` and :func:`table_rows` need nothing but the standard
library, for the test.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
PAGE = DOCS / "results" / "parameters.md"

#: The estimators on the page, by public name.
ESTIMATORS = ("WeightedMultiLabelClassifier", "WeightedMultiClassClassifier")

#: The methods listed, in this order, where the class has them.
METHODS = (
    "fit",
    "predict",
    "predict_proba",
    "predict_log_proba",
    "decision_function",
    "score",
)

HEADER = """\
# Parameters at a glance

<!-- Written by docs/_parameters.py from the estimators' signatures and
docstrings: edit those, not this file (the build rewrites it and warns). -->

Every method, parameter and fitted attribute of both estimators, with its
default, read from the code: the defaults from the signatures, the rest from
the first paragraph of each docstring entry. The API reference pages,
{class}`~sk_imbalance.WeightedMultiLabelClassifier` and
{class}`~sk_imbalance.WeightedMultiClassClassifier`, have the full entries
and the *Notes* the entries below point to; the user guide explains the
pieces: [multi-label and binary targets](../user_guide/multilabel.rst)
(weights, calibration, the threshold rule, the ensemble),
[multiclass](../user_guide/multiclass.rst),
[candidate networks](../user_guide/candidates.rst),
[model selection](../user_guide/model_selection.rst) (grid search, and what
a fit costs), [text](../user_guide/text.rst) (the sparse first layer) and
[reproducibility](../user_guide/reproducibility.rst).
"""


# --------------------------------------------------------------- formatting
def format_default(value):
    """A default as the table shows it: strings in double quotes, else repr."""
    if isinstance(value, str):
        return f'"{value}"'
    return repr(value)


_ROLE = re.compile(r":(?:py:)?(\w+):`([^`]+)`")
_LITERAL = re.compile(r"``(.+?)``")


def rst_to_md(text, owner=None):
    """One paragraph of a docstring's reST as one line of MyST Markdown.

    Roles become MyST roles (``:class:`x``` to ``{class}`x```), a bare
    method or attribute name qualified by ``owner`` (the page has no class
    context), inline literals single backticks, and ``|`` is escaped for a
    table cell.
    """

    def role(match):
        role, content = match.groups()
        if owner and role in ("meth", "attr") and "." not in content:
            content = f"~{owner}.{content.lstrip('~')}"
        return f"{{{role}}}`{content}`"

    text = " ".join(text.split())
    text = _LITERAL.sub(lambda m: f"`{m.group(1)}`", text)
    text = _ROLE.sub(role, text)
    return text.replace("|", r"\|")


def first_paragraph(lines):
    """The first paragraph of a description, with the list it introduces.

    A paragraph that ends with a colon is followed by a list; its items are
    joined into the same sentence, separated by semicolons.
    """
    lines = list(lines)
    paragraph = []
    while lines and lines[0].strip():
        paragraph.append(lines.pop(0))
    text = " ".join(line.strip() for line in paragraph)
    if not text.endswith(":"):
        return text
    items = []
    while lines and not lines[0].strip():
        lines.pop(0)
        while lines and lines[0].lstrip().startswith("- "):
            item = [lines.pop(0).strip()[2:]]
            while lines and lines[0].startswith(" ") and lines[0].strip():
                item.append(lines.pop(0).strip())
            items.append(" ".join(item).rstrip(";.,"))
    if not items:
        return text
    return f"{text} {'; '.join(items)}."


def _row(*cells):
    return "| " + " | ".join(cells) + " |"


def _table(head, rows):
    return "\n".join(
        [_row(*head), _row(*["---"] * len(head)), *(_row(*r) for r in rows)]
    )


def _type(spec):
    """The numpydoc type without its ``default=`` part."""
    spec = re.sub(r",?\s*default\s*=.*$", "", spec).strip()
    return spec.replace("|", r"\|").replace("*", r"\*")


# --------------------------------------------------------------- the page
def _doc(obj):
    from numpydoc.docscrape import NumpyDocString

    return NumpyDocString(inspect.getdoc(obj) or "")


def _entry(entry, owner=None):
    """A numpydoc Parameters or Returns entry: name (type): what it is."""
    text = f"`{entry.name}` ({_type(entry.type)})"
    if entry.desc:
        text += ": " + rst_to_md(first_paragraph(entry.desc), owner).rstrip(".")
    return text


def _method_rows(cls):
    owner = f"sk_imbalance.{cls.__name__}"
    rows = []
    for name in METHODS:
        method = getattr(cls, name, None)
        if method is None:
            continue
        doc = _doc(method)
        signature = inspect.signature(method)
        signature = signature.replace(
            parameters=[p for n, p in signature.parameters.items() if n != "self"]
        )
        what = rst_to_md(" ".join(doc["Summary"]), owner)
        extended = first_paragraph(doc["Extended Summary"])
        if extended:  # its first sentence
            what += " " + rst_to_md(extended.split(". ")[0].rstrip(".") + ".", owner)
        returns = "; ".join(_entry(r, owner) for r in doc["Returns"])
        rows.append([f"`{name}{signature}`", what, returns])
    return rows


def _fit_arguments(cls):
    """``fit``'s arguments as a Markdown list."""
    owner = f"sk_imbalance.{cls.__name__}"
    return "\n".join(f"- {_entry(p, owner)}." for p in _doc(cls.fit)["Parameters"])


def _parameter_rows(cls):
    signature = inspect.signature(cls)
    documented = {p.name: p for p in _doc(cls)["Parameters"]}
    rows = []
    for name, parameter in signature.parameters.items():
        entry = documented.get(name)
        if entry is None:
            raise ValueError(f"{cls.__name__}'s docstring does not document {name!r}")
        rows.append(
            [
                f"`{name}`",
                f"`{format_default(parameter.default)}`",
                _meaning(entry.type, entry.desc),
            ]
        )
    return rows


def _meaning(type_spec, desc):
    """The type in italics, then the first paragraph of the description."""
    meaning = f"*{_type(type_spec)}*"
    if desc:
        meaning += ". " + rst_to_md(first_paragraph(desc))
    return meaning


def _attribute_rows(cls):
    return [
        [
            ", ".join(f"`{n.strip()}`" for n in a.name.split(",")),
            _meaning(a.type, a.desc),
        ]
        for a in _doc(cls)["Attributes"]
    ]


def render():
    """The page, as Markdown."""
    import sk_imbalance

    parts = [HEADER]
    for name in ESTIMATORS:
        cls = getattr(sk_imbalance, name)
        summary = rst_to_md(" ".join(_doc(cls)["Summary"]))
        parts += [
            f"## {name}",
            f"{{class}}`~sk_imbalance.{name}`: {summary}",
            "### Methods",
            _table(("method", "what it does", "returns"), _method_rows(cls)),
            "`fit`'s arguments:",
            _fit_arguments(cls),
            "### Parameters",
            _table(("parameter", "default", "type and meaning"), _parameter_rows(cls)),
            "### Fitted attributes",
            _table(("attribute", "type and meaning"), _attribute_rows(cls)),
        ]
    return "\n\n".join(parts) + "\n"


def write(path=PAGE):
    """Write the page; True if it changed (it was out of date)."""
    text = render()
    path = Path(path)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.write_text(text, encoding="utf-8")
    return True


# ------------------------------------------------------- reading it back
_SECTION = re.compile(r"^## (\w+)\s*$", re.MULTILINE)
_TABLE_ROW = re.compile(r"^\| `(\w+)` \| `([^`]*)` \|", re.MULTILINE)


def table_rows(text):
    """``{estimator: {parameter: default}}`` from the page's parameter tables.

    Reads the rows under each estimator's ``### Parameters`` heading:
    ``| `name` | `default` | ...``.
    """
    tables = {}
    sections = _SECTION.split(text)[1:]
    for estimator, body in zip(sections[::2], sections[1::2], strict=True):
        start = body.find("### Parameters")
        if start < 0:
            tables[estimator] = {}
            continue
        end = body.find("\n### ", start + 1)
        block = body[start : end if end >= 0 else None]
        tables[estimator] = dict(_TABLE_ROW.findall(block))
    return tables


if __name__ == "__main__":
    sys.path.insert(0, str(DOCS.parent))
    if sys.argv[1:] == ["--check"]:
        stale = PAGE.read_text(encoding="utf-8") != render()
        if stale:
            print(f"{PAGE} is out of date: run python docs/_parameters.py")
        sys.exit(int(stale))
    print(f"{PAGE}: {'rewritten' if write() else 'up to date'}")
