"""The "Parameters at a glance" page agrees with the estimators' signatures.

``docs/results/parameters.md`` is written by ``docs/_parameters.py`` from the
signatures and docstrings; these tests fail when a parameter or its default
is missing from the committed page or differs from the code, and when a
docstring's ``default=`` differs from the signature. No network is fitted.
"""

import ast
import importlib.util
import inspect
import re
from pathlib import Path

import pytest

from sk_imbalance import WeightedMultiClassClassifier, WeightedMultiLabelClassifier
from sk_imbalance._nn.portfolio import DEFAULT_CANDIDATES, ONE_MLP

DOCS = Path(__file__).resolve().parents[1] / "docs"
ESTIMATORS = [WeightedMultiLabelClassifier, WeightedMultiClassClassifier]


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "_parameters", DOCS / "_parameters.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = _load_generator()


def _mismatches(cls, tables):
    """What the page's table for ``cls`` gets wrong, in words."""
    table = tables.get(cls.__name__)
    if table is None:
        return [f"no section for {cls.__name__}"]
    expected = {
        name: generator.format_default(p.default)
        for name, p in inspect.signature(cls).parameters.items()
    }
    problems = [f"{name} missing" for name in expected if name not in table]
    problems += [f"{name} is not a parameter" for name in table if name not in expected]
    problems += [
        f"{name}: the page says {table[name]}, the signature {default}"
        for name, default in expected.items()
        if name in table and table[name] != default
    ]
    return problems


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_parameters_page_lists_every_parameter_with_its_default(cls):
    """Check that the committed page has one row per parameter, with its default."""
    tables = generator.table_rows(generator.PAGE.read_text(encoding="utf-8"))
    problems = _mismatches(cls, tables)
    assert not problems, (
        f"docs/results/parameters.md is out of date ({'; '.join(problems)}): "
        "run python docs/_parameters.py"
    )


def test_parameters_page_check_catches_a_missing_or_changed_default():
    """Check that a dropped row and a changed default are both reported."""
    text = generator.PAGE.read_text(encoding="utf-8")
    text = re.sub(r"^\| `epochs` \|.*\n", "", text, count=1, flags=re.MULTILINE)
    text = text.replace("| `batch_size` | `64` |", "| `batch_size` | `32` |", 1)
    problems = _mismatches(WeightedMultiLabelClassifier, generator.table_rows(text))
    assert problems == [
        "epochs missing",
        "batch_size: the page says 32, the signature 64",
    ]


def _docstring_defaults(cls):
    """``{name: default text}`` from the class docstring's Parameters lines."""
    doc = inspect.getdoc(cls)
    section = doc.split("Parameters\n----------\n", 1)[1]
    section = re.split(r"\n\w[\w ]*\n-{3,}\n", section, maxsplit=1)[0]
    return dict(re.findall(r"^(\w+) : .*?default=(.+)$", section, re.MULTILINE))


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_docstring_defaults_match_the_signature(cls):
    """Check that every parameter's ``default=`` in the docstring is the code's."""
    documented = _docstring_defaults(cls)
    signature = inspect.signature(cls).parameters
    assert set(documented) == set(signature)
    for name, text in documented.items():
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = text
        assert value == signature[name].default, (name, text)


def test_candidates_docstrings_name_the_default_candidates():
    """Check that the ``candidates`` docs name the defaults the code trains."""
    multilabel = inspect.getdoc(WeightedMultiLabelClassifier)
    multilabel = multilabel.split("candidates : ", 1)[1].split("model_kwargs : ", 1)[0]
    assert WeightedMultiLabelClassifier._default_candidates == DEFAULT_CANDIDATES
    assert "DEFAULT_CANDIDATES" in multilabel
    for candidate in DEFAULT_CANDIDATES:
        assert f'``"{candidate.name}"``' in multilabel
    multiclass = inspect.getdoc(WeightedMultiClassClassifier)
    multiclass = multiclass.split("candidates : ", 1)[1].split("model_kwargs : ", 1)[0]
    assert WeightedMultiClassClassifier._default_candidates == ONE_MLP
    assert "ONE_MLP" in multiclass


def test_parameters_page_is_what_the_generator_writes():
    """Check that the committed page is the generator's output, word for word."""
    pytest.importorskip("numpydoc")
    assert generator.PAGE.read_text(encoding="utf-8") == generator.render(), (
        "docs/results/parameters.md is out of date: run python docs/_parameters.py"
    )
