"""CITATION.cff names the version and licence the package is released under."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _field(text, name):
    match = re.search(rf"^{name}\s*[:=]\s*\"?([^\"\n]+)\"?\s*$", text, re.MULTILINE)
    assert match, f"no top-level {name}"
    return match.group(1)


def test_citation_matches_pyproject():
    """Check that CITATION.cff's version and licence are pyproject.toml's."""
    citation = (ROOT / "CITATION.cff").read_text(encoding="utf-8")
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert _field(citation, "cff-version") == "1.2.0"
    assert _field(citation, "version") == _field(pyproject, "version")
    assert _field(citation, "license") == _field(pyproject, "license")
