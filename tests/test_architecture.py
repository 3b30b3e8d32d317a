"""The package's layout: few top-level modules, and the import contracts kept.

The contracts live in ``pyproject.toml`` (``[tool.importlinter]``) and the
layers they keep are drawn in ``docs/architecture.rst``.
"""

import importlib
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import sk_imbalance

ROOT = Path(__file__).resolve().parents[1]
FAMILIES = ("_estimator", "_nn", "_crossfit", "_decisions", "_utils")
PUBLIC = ("metrics", "model_selection", "report", "datasets", "demo")


def _top_level():
    return sorted(m.name for m in pkgutil.iter_modules(sk_imbalance.__path__))


def test_top_level_is_the_public_modules_and_the_families():
    names = _top_level()
    assert len(names) <= 10, names
    assert set(names) == set(FAMILIES) | set(PUBLIC)


@pytest.mark.parametrize("family", FAMILIES)
def test_every_family_says_what_it_holds(family):
    module = importlib.import_module(f"sk_imbalance.{family}")
    assert module.__doc__ and len(module.__doc__.split()) >= 8


def test_import_contracts_are_kept():
    lint = shutil.which("lint-imports") or str(
        Path(sys.executable).with_name("lint-imports")
    )
    if not Path(lint).exists():
        pytest.fail("lint-imports is missing: pip install -e '.[test]'")
    run = subprocess.run(
        [lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout
